"""
Management command: create (or install) the RSA key that signs Open Badges 3.0 credentials.
"""
from django.core.management.base import BaseCommand, CommandError

from openedx_distinguished import api
from openedx_distinguished.exceptions import DistinguishedError


class Command(BaseCommand):
    """
    Create a new signing key, or install the operator's own (``--pem-file``). The previous key is
    retired but stays published in the JWKS, so credentials it signed keep verifying: this is also
    how keys are rotated. The private key is never printed.

    ``--if-missing`` makes a key only while there is none, so deployment scripts can run it every
    time (the Tutor plugin's init task does).

    Example: ``./manage.py lms create_distinguished_signing_key``
    """

    help = "Create or install the Open Badges signing key (rotates: earlier keys stay verifiable)."

    def add_arguments(self, parser):
        parser.add_argument("--pem-file", help="An unencrypted PEM RSA private key (2048 bits or more) to install.")
        parser.add_argument("--if-missing", action="store_true",
                            help="Do nothing if a signing key is in use already (instead of rotating it).")

    def handle(self, *args, **options):
        if options["if_missing"] and api.jwks()["keys"]:
            self.stdout.write("A signing key is in use already; left as it is (rotate it without --if-missing).")
            return
        pem = None
        if options["pem_file"]:
            try:
                with open(options["pem_file"], encoding="utf-8") as handle:
                    pem = handle.read()
            except OSError as exc:
                raise CommandError(f"Cannot read {options['pem_file']}: {exc}") from exc
        try:
            kid = api.add_signing_key(private_key_pem=pem)
        except DistinguishedError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Signing key {kid} is now in use; earlier keys stay published."))
        issued = api.issue_missing_credentials()
        if issued:
            self.stdout.write(f"Issued {issued} credential(s) that were waiting for a key.")
