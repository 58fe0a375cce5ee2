"""
Management command: create (or install) the keys that sign Open Badges 3.0 credentials.
"""
from django.core.management.base import BaseCommand, CommandError

from openedx_distinguished import api
from openedx_distinguished.exceptions import DistinguishedError


class Command(BaseCommand):
    """
    Create new signing keys (RSA for the VC-JWT, Ed25519 for the Data Integrity proof), or install
    the operator's own (``--pem-file``, RSA or Ed25519). The previous key of each kind is retired
    but stays published in the JWKS and the DID document, so credentials it signed keep verifying:
    this is also how keys are rotated. The private key is never printed.

    ``--if-missing`` makes only the kinds that have no key in use, so deployment scripts can run it
    every time (the Tutor plugin's init task does); after an upgrade it adds the Ed25519 key.

    Example: ``./manage.py lms create_distinguished_signing_key``
    """

    help = "Create or install the Open Badges signing keys (rotates: earlier keys stay verifiable)."

    def add_arguments(self, parser):
        parser.add_argument("--pem-file", help="An unencrypted PEM private key to install: RSA (2048 bits or more) "
                                               "or Ed25519.")
        parser.add_argument("--if-missing", action="store_true",
                            help="Do nothing if a signing key is in use already (instead of rotating it).")

    def handle(self, *args, **options):
        if options["if_missing"]:
            made = api.add_missing_signing_keys()
            if not made:
                self.stdout.write("Signing keys are in use already; left as they are (rotate them without "
                                  "--if-missing).")
                return
            self.stdout.write(self.style.SUCCESS(f"Signing key(s) {', '.join(made)} now in use."))
            self._issue_waiting()
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
        self._issue_waiting()

    def _issue_waiting(self):
        issued = api.issue_missing_credentials()
        if issued:
            self.stdout.write(f"Issued {issued} credential(s) that were waiting for a key.")
