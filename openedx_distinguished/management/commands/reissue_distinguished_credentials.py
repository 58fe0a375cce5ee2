"""
Management command: re-sign credentials issued in an earlier layout, keeping their identity.
"""
from django.core.management.base import BaseCommand, CommandError

from openedx_distinguished import api
from openedx_distinguished.exceptions import DistinguishedError


class Command(BaseCommand):
    """
    Re-sign the credentials that lack a Data Integrity proof: those issued before Open Badges 3.0's
    own VC-JWT layout and the ``did:web`` issuer (ADR 0017). Each keeps its id, its place in the
    revocation list and its revocation; only its proofs (and the issuer's identifier in it) change,
    so links, verification pages and LinkedIn entries stay the same. Run it once after upgrading;
    running it again does nothing. ``--all`` re-signs every credential (after a key compromise).

    Example: ``./manage.py lms reissue_distinguished_credentials``
    """

    help = "Re-sign credentials issued in an earlier layout (same ids and revocation-list places)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Re-sign every credential, not only older ones.")

    def handle(self, *args, **options):
        try:
            count = api.reissue_credentials(everything=options["all"])
        except DistinguishedError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Re-signed {count} credential(s)."))
