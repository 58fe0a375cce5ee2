"""
Management command: fill the demo site with accounts, a cycle open for nominations and a few nominations.
"""
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from demo.demo_site.accounts import DEMO_ACCOUNTS
from openedx_distinguished import api
from openedx_distinguished.models import Cycle, Nomination, PartnerOrganization, Program


class Command(BaseCommand):
    """Idempotent: accounts are reset, and the demo nominations are made only once."""

    help = "Create the demo accounts, cycles and nominations, then print where to go."

    def handle(self, *args, **options):
        users = self._accounts()
        program = Program.objects.get(slug="distinguished-contributors")
        now = timezone.now()
        cycle, _ = Cycle.objects.update_or_create(program=program, year=now.year, defaults={
            "name": f"Distinguished Contributors {now.year}",
            "nominations_open_at": now - timedelta(days=14),
            "nominations_close_at": now + timedelta(days=30),
            "review_deadline": now + timedelta(days=60),
            "decision_date": now + timedelta(days=75),
            "announcement_at": now + timedelta(days=90),
            "ends_at": now + timedelta(days=455),
        })
        Cycle.objects.update_or_create(program=program, year=now.year + 1, defaults={
            "name": f"Distinguished Contributors {now.year + 1}",
            "nominations_open_at": now + timedelta(days=350),
            "nominations_close_at": now + timedelta(days=380),
            "review_deadline": now + timedelta(days=410),
            "decision_date": now + timedelta(days=425),
            "announcement_at": now + timedelta(days=440),
            "ends_at": now + timedelta(days=805),
        })
        partner, _ = PartnerOrganization.objects.get_or_create(
            slug="example-learning", defaults={"name": "Example Learning Co.", "website": "https://example.com"},
        )
        partner.contacts.add(users["member"])
        if not Nomination.objects.filter(cycle=cycle).exists():
            self._nominations(cycle, users)
        self._print_guide()

    def _accounts(self):
        """Create the demo accounts, or reset their passwords and flags."""
        user_model = get_user_model()
        users = {}
        for account in DEMO_ACCOUNTS:
            user, _ = user_model.objects.get_or_create(username=account["username"], defaults={
                "email": f"{account['username']}@example.com",
                "first_name": account["username"].capitalize(),
            })
            user.is_staff = user.is_superuser = account["is_staff"]
            user.set_password(account["password"])
            user.save()
            users[account["username"]] = user
        return users

    def _nominations(self, cycle, users):
        """Make one nomination of each kind through the plugin's API."""
        def justify(track_slug, text):
            track = api.get_track_data(track_slug)
            return {criterion.slug: f"{text} ({criterion.name.lower()})" for criterion in track.criteria}

        # A self-nomination, submitted; then a reviewer endorses it.
        own = api.create_nomination(
            nominator=users["learner1"], cycle_year=cycle.year, track_slug="engineer",
            nominee_username="learner1", justifications=justify("engineer", "Maintains the grading service"),
            evidence_links=["https://github.com/openedx"],
        ).nomination
        api.submit_nomination(nomination_id=own.id, actor=users["learner1"])
        api.create_nomination(
            nominator=users["reviewer"], cycle_year=cycle.year, track_slug="engineer", nominee_username="learner1",
            justifications={"significant-contributions": "Their refactor made grading twice as fast."},
        )
        # A peer nomination waiting for the nominee's consent.
        peer = api.create_nomination(
            nominator=users["member"], cycle_year=cycle.year, track_slug="advocate", nominee_username="learner2",
            justifications=justify("advocate", "Ran the regional meetups"),
            evidence_links=["https://openedx.org/events/"],
        ).nomination
        api.submit_nomination(nomination_id=peer.id, actor=users["member"])
        # A partner organization nominated by its own contact (a self-nomination).
        org = api.create_nomination(
            nominator=users["member"], cycle_year=cycle.year, track_slug="innovator",
            nominee_organization_slug="example-learning", justifications=justify("innovator", "Built the XBlock kit"),
        ).nomination
        api.submit_nomination(nomination_id=org.id, actor=users["member"])
        # A draft still being written.
        api.create_nomination(
            nominator=users["learner2"], cycle_year=cycle.year, track_slug="innovator", nominee_username="member",
            justifications={"innovative-tools": "Wrote the course-import plugin."},
        )

    def _print_guide(self):
        """Print the URLs and logins."""
        base = "http://127.0.0.1:8000"
        lines = [
            "",
            "The demo is ready. Open:",
            f"  {base}/                                   the demo home page",
            f"  {base}/distinguished/                     the program page",
            f"  {base}/api/distinguished/v1/tracks/       tracks with their criteria (public)",
            f"  {base}/api/distinguished/v1/nominations/  your nominations (sign in at {base}/api-auth/login/)",
            f"  {base}/api/distinguished/v1/schema/       the OpenAPI schema",
            f"  {base}/admin/                             the admin (program staff)",
            "",
            "Accounts (demo passwords):",
        ]
        lines += [f"  {a['username']:<10} {a['password']:<18} {a['role']}" for a in DEMO_ACCOUNTS]
        self.stdout.write("\n".join(lines) + "\n")
