"""
Management command: fill the demo site with accounts, panels, a cycle under review and a cycle open
for nominations.
"""
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from demo.demo_site.accounts import DEMO_ACCOUNTS
from openedx_distinguished import api
from openedx_distinguished.models import (
    Activity,
    ActivityType,
    BudgetLine,
    Credential,
    Cycle,
    Expense,
    Deliverable,
    Fulfilment,
    MembershipTerm,
    Nomination,
    Onboarding,
    Panel,
    PanelMember,
    PartnerOrganization,
    Program,
    Track,
)


class Command(BaseCommand):
    """Idempotent: accounts are reset, and each cycle's demo nominations are made only once."""

    help = "Create the demo accounts, panels, cycles, nominations and reviews, then print where to go."

    def handle(self, *args, **options):
        users = self._accounts()
        program = Program.objects.get(slug="distinguished-contributors")
        partner, _ = PartnerOrganization.objects.get_or_create(
            slug="example-learning", defaults={"name": "Example Learning Co.", "website": "https://example.com"},
        )
        partner.contacts.add(users["member"])
        self._panels(program, users)
        now = timezone.now()
        review_cycle = self._cycle(program, now.year, opened=now - timedelta(days=10))
        if not Nomination.objects.filter(cycle=review_cycle).exists():
            self._review_cycle(review_cycle, users)
        nominations_cycle = self._cycle(program, now.year + 1, opened=now - timedelta(days=7))
        if not Nomination.objects.filter(cycle=nominations_cycle).exists():
            self._nominations(nominations_cycle, users)
        if not MembershipTerm.objects.exists():
            self._membership(program, users, partner)
        self._budget(users)
        api.mark_renewals_due()
        member_credential = Credential.objects.filter(term__holder_user=users["member"]).first()
        self._print_guide(review_cycle.year, member_credential.public_id if member_credential else None)

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

    @staticmethod
    def _panels(program, users):
        """The proposal's two panels: Core Product (engineer, innovator) and Biz Dev (advocate)."""
        core, _ = Panel.objects.get_or_create(program=program, slug="core-product",
                                              defaults={"name": "Core Product Working Group"})
        core.tracks.set(Track.objects.filter(program=program, slug__in=["engineer", "innovator"]))
        bizdev, _ = Panel.objects.get_or_create(program=program, slug="biz-dev",
                                                defaults={"name": "Biz Dev Working Group"})
        bizdev.tracks.set(Track.objects.filter(program=program, slug="advocate"))
        for panel, username, role in ((core, "chair", "chair"), (core, "reviewer", "reviewer"),
                                      (core, "reviewer2", "reviewer"), (bizdev, "chair", "chair"),
                                      (bizdev, "reviewer2", "reviewer")):
            PanelMember.objects.update_or_create(panel=panel, user=users[username], defaults={"role": role})

    @staticmethod
    def _cycle(program, year, opened):
        """A cycle whose nominations opened at ``opened``, with the usual spacing of its dates."""
        cycle, _ = Cycle.objects.get_or_create(program=program, year=year, defaults={
            "name": f"Distinguished Contributors {year}",
            "nominations_open_at": opened,
            "nominations_close_at": opened + timedelta(days=45),
            "review_deadline": opened + timedelta(days=75),
            "decision_date": opened + timedelta(days=85),
            "announcement_at": opened + timedelta(days=100),
            "ends_at": opened + timedelta(days=465),
        })
        return cycle

    @staticmethod
    def _justify(track_slug, text):
        track = api.get_track_data(slug=track_slug)
        return {criterion.slug: f"{text} ({criterion.name.lower()})" for criterion in track.criteria}

    def _nominate(self, nominator, cycle, track, text, **nominee):
        """Create and submit one nomination through the plugin's API; the nominee consents if asked."""
        outcome = api.create_nomination(nominator=nominator, cycle_year=cycle.year, track_slug=track,
                                        justifications=self._justify(track, text),
                                        evidence_links=["https://github.com/openedx"], **nominee)
        return api.submit_nomination(nomination_id=outcome.nomination.id, actor=nominator).nomination

    def _review_cycle(self, cycle, users):
        """Nominations made while the cycle was open, then the cycle moved into its review phase."""
        now = timezone.now()
        engineer = self._nominate(users["learner1"], cycle, "engineer", "Maintains the grading service",
                                  nominee_username="learner1")
        advocate = self._nominate(users["member"], cycle, "advocate", "Ran the regional meetups",
                                  nominee_username="learner2")
        api.respond_to_nomination(nomination_id=advocate.id, actor=users["learner2"], decision="accept")
        innovator = self._nominate(users["learner2"], cycle, "innovator", "Wrote the course-import plugin",
                                   nominee_username="member")
        api.respond_to_nomination(nomination_id=innovator.id, actor=users["member"], decision="accept")
        Cycle.objects.filter(pk=cycle.pk).update(
            nominations_open_at=now - timedelta(days=50), nominations_close_at=now - timedelta(days=5),
            review_deadline=now + timedelta(days=20), decision_date=now + timedelta(days=30),
            announcement_at=now + timedelta(days=45), ends_at=now + timedelta(days=410),
        )
        api.auto_assign(cycle_year=cycle.year, actor=users["staff"], per_nomination=2)
        # The engineer nomination is fully reviewed (quorum reached); the advocate one half-way;
        # the innovator one not yet.
        plans = ((engineer, [5, 4], "accept", "Consistently excellent work."),
                 (advocate, [3], "defer", "Promising; more evidence next year."))
        for nomination, values, recommendation, comment in plans:
            reviewers = [
                username for username in ("chair", "reviewer", "reviewer2")
                if any(a.nomination_id == nomination.id for a in api.list_assignments(reviewer=users[username]))
            ]
            for username, value in zip(reviewers, values):
                scores = {c.slug: value for c in api.get_track_data(slug=nomination.track_slug).criteria}
                api.submit_review(nomination_id=nomination.id, reviewer=users[username], scores=scores,
                                  recommendation=recommendation, panel_comments=comment)

    def _nominations(self, cycle, users):
        """The cycle open for nominations: one of each kind, made through the plugin's API."""
        self._nominate(users["learner1"], cycle, "engineer", "Maintains the grading service",
                       nominee_username="learner1")
        api.create_nomination(
            nominator=users["reviewer"], cycle_year=cycle.year, track_slug="engineer", nominee_username="learner1",
            justifications={"significant-contributions": "Their refactor made grading twice as fast."},
        )
        # A peer nomination waiting for the nominee's consent.
        self._nominate(users["member"], cycle, "advocate", "Keeps the meetups going", nominee_username="learner2")
        # A partner organization nominated by its own contact (a self-nomination).
        self._nominate(users["member"], cycle, "innovator", "Built the XBlock kit",
                       nominee_organization_slug="example-learning")
        # A draft still being written.
        api.create_nomination(
            nominator=users["learner2"], cycle_year=cycle.year, track_slug="innovator", nominee_username="member",
            justifications={"innovative-tools": "Wrote the course-import plugin."},
        )

    @staticmethod
    def _membership(program, users, partner):
        """
        Last year's released cycle and the members it produced, plus a longer history: an active
        member, one whose renewal is due, an alumna whose term lapsed, and a lifetime member.
        Past years are written as rows (the program's API only moves forward in time).
        """
        now = timezone.now()
        past = Cycle.objects.create(
            program=program, year=now.year - 1, name=f"Distinguished Contributors {now.year - 1}",
            nominations_open_at=now - timedelta(days=420), nominations_close_at=now - timedelta(days=380),
            review_deadline=now - timedelta(days=340), decision_date=now - timedelta(days=330),
            announcement_at=now - timedelta(days=300), ends_at=now + timedelta(days=65),
            announcement_released_at=now - timedelta(days=300),
        )
        user_model = get_user_model()
        people = {"member": users["member"]}
        for username, first, last in (("ada", "Ada", "Lovelace"), ("grace", "Grace", "Hopper"),
                                      ("linus", "Linus", "Pauling")):
            person, _ = user_model.objects.get_or_create(username=username, defaults={
                "first_name": first, "last_name": last, "email": f"{username}@example.com"})
            person.set_unusable_password()
            person.save()
            people[username] = person
        tracks = {track.slug: track for track in Track.objects.filter(program=program)}

        def term(holder, track, starts_days_ago, *, status="active", sequence=1, length=365, organization=None):
            start = now - timedelta(days=starts_days_ago)
            row = MembershipTerm(
                track=tracks[track], cycle=past, holder_kind="organization" if organization else "individual",
                holder_user=None if organization else holder, holder_organization=organization,
                sequence=sequence, status=status, starts_at=start,
                ends_at=None if status == "lifetime" else start + timedelta(days=length),
            )
            if status in ("active", "renewal_due", "lifetime"):
                owner = f"o{organization.pk}" if organization else f"u{holder.pk}"
                row.current_key = f"{tracks[track].pk}:{owner}"
            row.save()
            return row

        # The cycle before: its members are what the dashboard's retention compares last year against.
        older = Cycle.objects.create(
            program=program, year=now.year - 2, name=f"Distinguished Contributors {now.year - 2}",
            nominations_open_at=now - timedelta(days=785), nominations_close_at=now - timedelta(days=745),
            review_deadline=now - timedelta(days=705), decision_date=now - timedelta(days=695),
            announcement_at=now - timedelta(days=665), ends_at=now - timedelta(days=300),
            announcement_released_at=now - timedelta(days=665),
        )
        term(people["member"], "engineer", 300)
        term(None, "advocate", 300, organization=partner)
        term(people["grace"], "advocate", 340)
        MembershipTerm.objects.filter(pk=term(people["linus"], "engineer", 700, status="lapsed").pk).update(
            cycle=older)
        previous = None
        for year in range(5):
            row = term(people["ada"], "innovator", 300 + 365 * (5 - year), status="renewed", sequence=year + 1)
            if year == 4:
                row.cycle = older
            if previous:
                row.previous = previous
            row.save()
            previous = row
        lifetime = term(people["ada"], "innovator", 300, status="lifetime", sequence=6)
        lifetime.previous = previous
        lifetime.save(update_fields=["previous"])

        types = {t.slug: t for t in ActivityType.objects.filter(program=program)}
        Activity.objects.create(user=people["member"], activity_type=types["event"], title="Open edX Conference talk",
                                occurred_on=(now - timedelta(days=120)).date(), source="imported", status="verified",
                                external_id="demo-conf-talk", evidence_url="https://openedx.org/events/")
        Activity.objects.create(user=people["member"], activity_type=types["mentorship"],
                                title="Mentored two first-time contributors",
                                occurred_on=(now - timedelta(days=20)).date(), source="self_reported")
        Activity.objects.create(user=people["grace"], activity_type=types["working_group"],
                                title="Marketing working group", occurred_on=(now - timedelta(days=60)).date(),
                                source="self_reported")
        api.mark_qualifying_course_run(course_key=f"course-v1:OpenedX+Conference+{now.year}", activity_type="event",
                                       title=f"Open edX Conference {now.year}")
        api.save_initiative(title="OEP-99: Open Badges for contributors", year=now.year, status="in_progress",
                            link="https://open-edx-proposals.readthedocs.io/", lead_usernames=["member", "ada"])
        api.save_initiative(title="Translations sprint", year=now.year, status="delivered",
                            lead_usernames=["grace"])
        api.referral_code(user=people["member"])
        for person in people.values():  # they chose to appear in the hall of fame
            api.set_listing(user=person, listed=True)
        PartnerOrganization.objects.filter(pk=partner.pk).update(listed=True)
        # Credentials: a signing key, every current member's badge, a revoked one, an award on its way.
        api.add_signing_key()
        victor, _ = user_model.objects.get_or_create(username="victor", defaults={
            "first_name": "Victor", "last_name": "Revoked", "email": "victor@example.com"})
        term(victor, "innovator", 200)
        api.issue_missing_credentials()
        api.revoke_term(term_id=MembershipTerm.objects.get(holder_user=victor).pk, actor=users["staff"],
                        reason="Code of conduct: the conduct committee upheld a harassment report.")
        fulfilment = Fulfilment.objects.filter(term__holder_user=people["member"]).first()
        if fulfilment is not None:
            api.set_shipping_address(fulfilment_id=fulfilment.pk, name="Member Demo",
                                     address="1 Example Street\n02139 Cambridge MA\nUSA")
            api.update_fulfilment(fulfilment_id=fulfilment.pk, actor=users["staff"], status="shipped",
                                  tracking_number="1Z-DEMO-0001", cost="38.50")
        # Incentives: each current member is owed their track's; the conference recognition was
        # given (with its cost), a session to lead is offered to the demo member, and an architecture
        # discussion next month is sent to the engineers.
        api.ensure_current_deliverables()
        owed = {d.incentive.slug: d for d in Deliverable.objects.filter(
            term__holder_user=people["member"]).select_related("incentive")}
        api.update_deliverable(deliverable_id=owed["conference-recognition"].pk, actor=users["staff"],
                               status="delivered", cost="250", owner=users["staff"])
        api.update_deliverable(deliverable_id=owed["lead-sessions"].pk, actor=users["staff"], status="offered",
                               owner=users["staff"], due_on=(now + timedelta(days=45)).date())
        start = (now + timedelta(days=30)).replace(hour=15, minute=0, second=0, microsecond=0)
        discussion = api.create_invitation(
            incentive_id=owed["architecture-discussions"].incentive_id, title="Architecture discussion: events bus",
            starts_at=start, ends_at=start + timedelta(hours=1), location="https://meet.example.org/architecture",
            details="Where the platform's events go next, with the core maintainers.", actor=users["staff"])
        api.send_invitation(invitation_id=discussion.pk)
        Onboarding.objects.create(member=people["member"], organization_name="Campus Learning Lab", year=now.year,
                                  recorded_by=users["staff"])
        Onboarding.objects.create(member=people["ada"], referred_user=users["learner2"], year=now.year - 1,
                                  recorded_by=users["staff"])
        for title, status in (("Plugin developer guide", "delivered"), ("Regional meetups", "delivered"),
                              ("Accessibility review", "dropped")):
            api.save_initiative(title=title, year=now.year - 1, status=status, lead_usernames=["ada"])

    @staticmethod
    def _budget(users):
        """Every cycle's budget starts from the program's estimate; last year's has its costs."""
        now = timezone.now()
        for cycle in Cycle.objects.all():
            api.start_cycle_budget(cycle_year=cycle.year)
        past = Cycle.objects.filter(year=now.year - 1).first()
        if past is None or Expense.objects.filter(cycle=past).exists():
            return
        lines = {line.slug: line for line in BudgetLine.objects.filter(cycle=past)}
        for slug, description, amount, days_ago in (
                ("digital-badges", "Badge artwork for the three tracks", "1350.00", 330),
                ("certificates", "Certificate printing and frames", "620.00", 310),
                ("recognition-events", "Announcement session and members' reception", "5600.00", 300)):
            Expense.objects.create(cycle=past, budget_line=lines.get(slug), description=description,
                                   amount=amount, incurred_on=(now - timedelta(days=days_ago)).date(),
                                   recorded_by=users["staff"])

    def _print_guide(self, review_year, credential_id):
        """Print where to go and how to sign in, in one screen."""
        base = settings.DISTINGUISHED_PUBLIC_BASE_URL
        pages = [
            ("Demo home", "/"),
            ("Sign in (every account)", "/login"),
            ("Hall of fame", "/distinguished/"),
            ("The program", "/distinguished/program/"),
            ("Nominate", "/distinguished/nominate/"),
            ("My nominations", "/distinguished/nominations/"),
            ("My membership", "/distinguished/membership/"),
            ("Review workspace", "/distinguished/review/"),
            (f"Scoreboard {review_year}", f"/distinguished/review/cycles/{review_year}/scoreboard/"),
            ("A member's badge", f"/distinguished/verify/{credential_id}/" if credential_id else ""),
            ("Verify a badge file", "/distinguished/verify/"),
            (f"Announcement {review_year - 1}", f"/distinguished/announcements/{review_year - 1}/"),
            ("Its conference slides", f"/distinguished/announcements/{review_year - 1}/kit.pdf"),
            ("Admin and dashboard", "/admin/openedx_distinguished/program/dashboard/"),
            ("Incentive board", "/admin/openedx_distinguished/deliverable/"),
            ("REST API schema", "/api/distinguished/v1/schema/"),
        ]
        lines = ["", f"The demo is ready at {base}/"]
        lines += [f"  {label:<25} {base}{path}" for label, path in pages if path]
        lines += ["", "Accounts (username, password, what to try):"]
        lines += [f"  {a['username']:<10} {a['password']:<17} {a['can']}" for a in DEMO_ACCOUNTS]
        outbox = Path(getattr(settings, "EMAIL_FILE_PATH", "") or ".")
        if getattr(settings, "EMAIL_FILE_PATH", ""):
            count = len(list(outbox.glob("*.log"))) if outbox.is_dir() else 0
            lines += ["", f"E-mails are written to {outbox} ({count} so far), not sent."]
        self.stdout.write("\n".join(lines) + "\n")
