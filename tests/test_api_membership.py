"""
Membership through the public API: terms, statuses, activities, evaluation, lifetime, onboarding, jobs.
"""
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from openedx_distinguished import api
from openedx_distinguished.data import ImportReport
from openedx_distinguished.exceptions import InvalidTransition, ValidationError
from openedx_distinguished.models import Activity, MembershipTerm, MessageLog, Onboarding, TermEvaluation, Track

from .factories import UserFactory
from .membership_fixtures import make_term, released_cycle

pytestmark = pytest.mark.django_db


class TestTermsFromRelease:
    """Accepted nominations become one-year terms when the announcement is released."""

    def test_accepted_nominations_become_terms(self, cycle, users, panels):
        alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
        released = released_cycle(users, panels, [alice])
        terms = api.list_terms(username="alice").items
        assert len(terms) == 1
        term = terms[0]
        assert (term.status, term.track_slug, term.sequence, term.cycle_year) == ("active", "engineer", 1, 2026)
        assert term.starts_at == released.announcement_released_at
        assert (term.ends_at - term.starts_at).days in (365, 366)
        assert api.list_terms(username="bob").total == 0
        del bob

    def test_declined_nominations_make_no_term(self, cycle, users, panels):
        carol = UserFactory(username="carol")
        released_cycle(users, panels, [carol], outcome="decline")
        assert api.list_terms(username="carol").total == 0

    def test_release_twice_makes_one_term(self, cycle, users, panels):
        dave = UserFactory(username="dave")
        released_cycle(users, panels, [dave])
        api.release_announcement(cycle_year=2026)
        assert MembershipTerm.objects.filter(holder_user=dave).count() == 1

    def test_database_allows_one_current_term_per_holder_and_track(self, cycle, users):
        track = Track.objects.get(slug="engineer")
        make_term(users["nominee"], track, cycle, starts_days_ago=10)
        with pytest.raises(IntegrityError), transaction.atomic():
            make_term(users["nominee"], track, cycle, starts_days_ago=5)
        # A past (lapsed) term next to a current one is fine.
        make_term(users["nominee"], track, cycle, starts_days_ago=800, status="lapsed")
        assert MembershipTerm.objects.filter(holder_user=users["nominee"]).count() == 2


class TestStatuses:
    """Every status transition of a term."""

    @pytest.fixture
    def track(self, program):
        return Track.objects.get(slug="engineer")

    def test_renewal_due_is_set_before_the_end(self, cycle, users, track, settings):
        settings.DISTINGUISHED_RENEWAL_NOTICE_DAYS = 30
        soon = make_term(users["nominee"], track, cycle, starts_days_ago=340)      # ends in 25 days
        later = make_term(users["nominator"], track, cycle, starts_days_ago=100)   # ends in 265 days
        assert api.mark_renewals_due() == 1
        assert api.mark_renewals_due() == 0
        soon.refresh_from_db()
        later.refresh_from_db()
        assert (soon.status, later.status) == ("renewal_due", "active")
        assert soon.current_key  # still the current term

    def test_renewal_due_in_chunks_flags_and_tells_every_holder_once(self, cycle, track, settings, monkeypatch):
        settings.DISTINGUISHED_RENEWAL_NOTICE_DAYS = 30
        monkeypatch.setattr("openedx_distinguished.membership.RENEWAL_BATCH_SIZE", 2)
        holders = [UserFactory(username=f"due{n}") for n in range(5)]
        for holder in holders:
            make_term(holder, track, cycle, starts_days_ago=340)
        assert api.mark_renewals_due() == 5
        assert set(MembershipTerm.objects.values_list("status", flat=True)) == {"renewal_due"}
        assert sorted(MessageLog.objects.filter(message_name="renewal_due").values_list(
            "recipient__username", flat=True)) == [holder.username for holder in holders]
        assert api.mark_renewals_due() == 0
        assert MessageLog.objects.filter(message_name="renewal_due").count() == 5

    def test_revoke_needs_a_reason_and_ends_membership(self, cycle, users, track):
        term = make_term(users["nominee"], track, cycle, starts_days_ago=10)
        with pytest.raises(ValidationError):
            api.revoke_term(term_id=term.pk, actor=users["staff"], reason=" ")
        revoked = api.revoke_term(term_id=term.pk, actor=users["staff"], reason="Code of conduct breach.")
        assert (revoked.status, revoked.revoked_reason) == ("revoked", "Code of conduct breach.")
        assert MembershipTerm.objects.get(pk=term.pk).current_key is None
        with pytest.raises(InvalidTransition):
            api.revoke_term(term_id=term.pk, actor=users["staff"], reason="Again.")

    def test_renew_lapse_and_lifetime_on_confirmation(self, cycle, users, track):
        renewing = make_term(UserFactory(username="renewing"), track, cycle, starts_days_ago=360)
        lapsing = make_term(UserFactory(username="lapsing"), track, cycle, starts_days_ago=360)
        veteran = make_term(UserFactory(username="veteran"), track, cycle, starts_days_ago=360, sequence=5)
        for term in (renewing, veteran):
            Activity.objects.create(user=term.holder_user, activity_type_id=_type("event"), title="Conference",
                                    occurred_on=timezone.now().date() - timedelta(days=30),
                                    source="imported", status="verified")
        assert api.evaluate_terms(cycle_year=cycle.year) == {"renew": 1, "lapse": 1, "lifetime": 1}
        # The terms end in five days: nothing is applied before (ADR 0016).
        held = api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"])
        assert held == {"renew": 0, "lapse": 0, "lifetime": 0, "held": [
            {"term": term.pk, "state": "not_ended",
             "reason": f"The term ends on {term.ends_at:%Y-%m-%d}; nothing is applied before its end."}
            for term in (renewing, lapsing, veteran)]}
        assert set(MembershipTerm.objects.values_list("status", flat=True)) == {"active"}
        after_the_end = renewing.ends_at + timedelta(hours=1)
        assert api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"], now=after_the_end) == {
            "renew": 1, "lapse": 1, "lifetime": 1, "held": []}
        statuses = {t.holder_user.username: (t.sequence, t.status) for t in MembershipTerm.objects.all()}
        assert MembershipTerm.objects.get(pk=renewing.pk).status == "renewed"
        assert MembershipTerm.objects.get(pk=lapsing.pk).status == "lapsed"
        assert MembershipTerm.objects.get(pk=veteran.pk).status == "renewed"
        following = MembershipTerm.objects.get(previous=renewing)
        assert (following.sequence, following.status, following.starts_at) == (2, "active", renewing.ends_at)
        lifetime = MembershipTerm.objects.get(previous=veteran)
        assert (lifetime.sequence, lifetime.status, lifetime.ends_at) == (6, "lifetime", None)
        assert statuses
        # Confirming again changes nothing.
        assert api.confirm_evaluations(cycle_year=cycle.year, actor=users["staff"], now=after_the_end) == {
            "renew": 0, "lapse": 0, "lifetime": 0, "held": []}

    @pytest.mark.parametrize("actor_kind", ["anonymous", "none", "staff"])
    def test_a_term_revoked_after_its_evaluation_is_confirmed_without_change(self, cycle, users, track, actor_kind):
        term = make_term(UserFactory(username="revoked"), track, cycle, starts_days_ago=360)
        api.evaluate_terms(cycle_year=cycle.year)
        api.revoke_term(term_id=term.pk, actor=users["staff"], reason="Code of conduct breach.")
        actor = {"anonymous": AnonymousUser(), "none": None, "staff": users["staff"]}[actor_kind]
        assert api.confirm_evaluations(cycle_year=cycle.year, actor=actor) == {
            "renew": 0, "lapse": 0, "lifetime": 0, "held": []}
        evaluation = TermEvaluation.objects.get(term=term)
        assert evaluation.confirmed_at is not None
        assert evaluation.confirmed_by == (users["staff"] if actor_kind == "staff" else None)
        assert MembershipTerm.objects.get(pk=term.pk).status == "revoked"
        assert not MembershipTerm.objects.filter(previous=term).exists()


def _type(slug):
    from openedx_distinguished.models import ActivityType  # pylint: disable=import-outside-toplevel
    return ActivityType.objects.get(slug=slug).pk


class TestRetentionRule:
    """At least one verified qualifying activity in the term, per the program."""

    @pytest.fixture
    def term(self, cycle, users):
        return make_term(users["nominee"], Track.objects.get(slug="engineer"), cycle, starts_days_ago=360)

    def add(self, user, slug="event", status="verified", days_ago=30):
        Activity.objects.create(user=user, activity_type_id=_type(slug), title=f"{slug} {days_ago}",
                                occurred_on=timezone.now().date() - timedelta(days=days_ago),
                                source="self_reported", status=status)

    def evaluation(self, term):
        return TermEvaluation.objects.get(term=term)

    def test_met(self, term, users, cycle):
        self.add(users["nominee"], "working_group")
        api.evaluate_terms(cycle_year=cycle.year)
        assert self.evaluation(term).recommendation == "renew"
        assert self.evaluation(term).qualifying_activities == 1

    def test_not_met(self, term, users, cycle):
        self.add(users["nominee"], "code")                   # not a qualifying type
        self.add(users["nominee"], "event", days_ago=400)    # before the term started
        self.add(users["nominator"], "event")                # somebody else's
        api.evaluate_terms(cycle_year=cycle.year)
        assert self.evaluation(term).recommendation == "lapse"

    def test_only_unverified_activities(self, term, users, cycle):
        self.add(users["nominee"], "mentorship", status="pending")
        self.add(users["nominee"], "event", status="rejected")
        api.evaluate_terms(cycle_year=cycle.year)
        evaluation = self.evaluation(term)
        assert evaluation.recommendation == "lapse"
        assert any("awaits staff verification" in reason for reason in evaluation.reasons)

    def test_per_track_rule(self, term, users, cycle):
        Track.objects.filter(slug="engineer").update(retention_activity_types=["code"])
        self.add(users["nominee"], "code")
        api.evaluate_terms(cycle_year=cycle.year)
        assert self.evaluation(term).recommendation == "renew"

    def test_evaluation_is_idempotent(self, term, users, cycle):
        api.evaluate_terms(cycle_year=cycle.year)
        assert api.evaluate_terms(cycle_year=cycle.year) == {"renew": 0, "lapse": 0, "lifetime": 0}
        assert TermEvaluation.objects.count() == 1


class TestLifetime:
    """Lifetime status after the sustained milestone, and not before."""

    @pytest.mark.parametrize("sequence, expected", [(1, "renew"), (4, "renew"), (5, "lifetime"), (7, "lifetime")])
    def test_milestone(self, cycle, users, sequence, expected):
        term = make_term(users["nominee"], Track.objects.get(slug="engineer"), cycle, starts_days_ago=360,
                         sequence=sequence)
        Activity.objects.create(user=users["nominee"], activity_type_id=_type("event"), title="Summit",
                                occurred_on=timezone.now().date() - timedelta(days=5), source="imported",
                                status="verified")
        api.evaluate_terms(cycle_year=cycle.year)
        assert TermEvaluation.objects.get(term=term).recommendation == expected

    def test_milestone_without_activity_still_lapses(self, cycle, users):
        term = make_term(users["nominee"], Track.objects.get(slug="engineer"), cycle, starts_days_ago=360,
                         sequence=5)
        api.evaluate_terms(cycle_year=cycle.year)
        assert TermEvaluation.objects.get(term=term).recommendation == "lapse"

    def test_lifetime_terms_are_never_evaluated(self, cycle, users):
        term = make_term(users["nominee"], Track.objects.get(slug="engineer"), cycle, starts_days_ago=360,
                         status="lifetime")
        MembershipTerm.objects.filter(pk=term.pk).update(ends_at=None)
        api.evaluate_terms(cycle_year=cycle.year)
        assert not TermEvaluation.objects.exists()

    def test_evaluation_queries_grow_with_chunks_not_rows(self, cycle, users, django_assert_max_num_queries):
        track = Track.objects.get(slug="engineer")
        for index in range(40):
            member = UserFactory(username=f"m{index}")
            make_term(member, track, cycle, starts_days_ago=360)
            if index % 2:
                Activity.objects.create(user=member, activity_type_id=_type("event"), title="Meetup",
                                        occurred_on=timezone.now().date() - timedelta(days=3),
                                        source="imported", status="verified")
        # 4 chunks of 10 terms: per chunk, one id query, one aggregate per track and one insert.
        with django_assert_max_num_queries(4 * (1 + 3 + 1) + 1 + 4) as captured:
            counts = api.evaluate_terms(cycle_year=cycle.year, chunk_size=10)
        assert counts == {"renew": 20, "lapse": 20, "lifetime": 0}
        per_chunk = len(captured.captured_queries)
        TermEvaluation.objects.all().delete()
        with django_assert_max_num_queries(per_chunk // 2 + 5):
            api.evaluate_terms(cycle_year=cycle.year, chunk_size=20)


class TestActivities:
    """The three sources of activities."""

    def test_member_reports_and_staff_verify(self, cycle, users):
        reported = api.report_activity(user=users["nominee"], activity_type="talk", title="Talk at the conference",
                                       occurred_on="2026-06-01", evidence_url="https://youtube.example/talk")
        assert (reported.status, reported.source) == ("pending", "self_reported")
        verified = api.review_activity(activity_id=reported.id, actor=users["staff"], verified=True)
        assert verified.status == "verified"
        with pytest.raises(InvalidTransition):
            api.review_activity(activity_id=reported.id, actor=users["staff"], verified=False, note="Duplicate.")

    def test_a_rejection_needs_its_reason_which_the_member_reads(self, cycle, users, client):
        reported = api.report_activity(user=users["nominee"], activity_type="talk", title="Talk at the conference",
                                       occurred_on="2026-06-01")
        for note in ("", "   \n "):
            with pytest.raises(ValidationError) as error:
                api.review_activity(activity_id=reported.id, actor=users["staff"], verified=False, note=note)
            assert list(error.value.errors) == ["note"]
        assert api.list_activities(username="nominee").items[0].status == "pending"
        rejected = api.review_activity(activity_id=reported.id, actor=users["staff"], verified=False,
                                       note="The recording shows another speaker.")
        assert (rejected.status, rejected.review_note) == ("rejected", "The recording shows another speaker.")
        message = MessageLog.objects.get(message_name="activity_rejected")
        assert message.recipient == users["nominee"]
        client.force_login(users["nominee"])
        page = client.get("/distinguished/membership/").content.decode()
        assert "Staff: The recording shows another speaker." in page

    @pytest.mark.parametrize("field, value", [
        ("activity_type", "party"), ("title", ""), ("occurred_on", "yesterday"),
        ("occurred_on", (date.today() + timedelta(days=3)).isoformat()), ("evidence_url", "javascript:alert(1)"),
    ])
    def test_bad_report_writes_nothing(self, cycle, users, field, value):
        fields = {"activity_type": "talk", "title": "A talk", "occurred_on": "2026-06-01", "evidence_url": ""}
        fields[field] = value
        with pytest.raises(ValidationError) as error:
            api.report_activity(user=users["nominee"], **fields)
        assert field in error.value.errors
        assert not Activity.objects.exists()

    def csv_text(self, *rows):
        header = "external_id,username,activity_type,title,occurred_on,evidence_url,description"
        return "\n".join([header, *rows]) + "\n"

    def test_csv_import_and_reimport(self, cycle, users):
        text = self.csv_text("wg-1,nominee,working_group,Frontend WG,2026-03-04,,",
                             "ev-9,nominator,event,Meetup Lima,2026-04-02,https://meetup.example/9,Spoke")
        assert api.import_activities_csv(text=text, actor=users["staff"]) == ImportReport(created=2, skipped=0)
        assert api.import_activities_csv(text=text, actor=users["staff"]) == ImportReport(created=0, skipped=2)
        assert Activity.objects.filter(status="verified", source="imported").count() == 2

    def test_csv_import_reports_every_bad_row_and_writes_nothing(self, cycle, users):
        text = self.csv_text("ok-1,nominee,event,Fine,2026-03-04,,",
                             ",nominee,event,No id,2026-03-04,,",
                             "x-2,ghost,event,Nobody,2026-03-04,,",
                             "x-3,nominee,party,Bad type,2026-03-04,,",
                             "x-4,nominee,event,Bad date,04/03/2026,,",
                             "ok-1,nominee,event,Duplicate id,2026-03-04,,")
        with pytest.raises(ValidationError) as error:
            api.import_activities_csv(text=text, actor=users["staff"])
        reported = [line.split(":")[0] for line in error.value.errors["rows"]]
        assert reported == ["Row 2", "Row 3", "Row 4", "Row 5", "Row 6"]
        assert not Activity.objects.exists()

    def test_csv_without_the_columns(self, cycle, users):
        with pytest.raises(ValidationError) as error:
            api.import_activities_csv(text="id,who\n1,nominee\n", actor=users["staff"])
        assert "Missing columns" in error.value.errors["file"][0]

    def test_qualifying_course_runs_are_validated(self, cycle):
        with pytest.raises(ValidationError) as error:
            api.mark_qualifying_course_run(course_key="not a key", activity_type="event", title="x")
        assert "course_key" in error.value.errors
        api.mark_qualifying_course_run(course_key="course-v1:OpenedX+Conf+2026", activity_type="event",
                                       title="Open edX Conference 2026")


class TestOnboarding:
    """Referral codes and their attribution."""

    def test_referral_code_for_members_only(self, cycle, users, panels):
        member = UserFactory(username="member")
        released_cycle(users, panels, [member])
        code = api.referral_code(user=member)
        assert api.referral_code(user=member) == code
        with pytest.raises(ValidationError):
            api.referral_code(user=users["learner"])

    def test_attribution_once(self, cycle, users, panels):
        member = UserFactory(username="member")
        released_cycle(users, panels, [member])
        code = api.referral_code(user=member)
        newcomer = UserFactory(username="newcomer")
        assert api.attribute_registration(user_id=newcomer.pk, code=code)
        assert not api.attribute_registration(user_id=newcomer.pk, code=code)
        assert not api.attribute_registration(user_id=member.pk, code=code)  # no self-referral
        assert not api.attribute_registration(user_id=newcomer.pk, code="nope")
        assert Onboarding.objects.get().member == member

    def test_staff_record_an_onboarded_partner(self, cycle, users, panels, organization):
        member = UserFactory(username="member")
        released_cycle(users, panels, [member])
        api.record_onboarded_organization(member_username="member", organization_slug="acme", year=2026,
                                          actor=users["staff"])
        with pytest.raises(ValidationError):
            api.record_onboarded_organization(member_username="learner", organization_name="X", year=2026,
                                              actor=users["staff"])
        assert Onboarding.objects.get().organization.slug == "acme"


class TestInitiatives:
    """Community initiatives led by members."""

    def test_create_and_update(self, program, users):
        made = api.save_initiative(title="OEP-99: Badges", year=2026, link="https://open-edx-proposals.example/99",
                                   lead_usernames=["nominee", "nominator"])
        assert (made.status, made.leads) == ("proposed", ("nominator", "nominee"))
        changed = api.save_initiative(initiative_id=made.id, title=made.title, year=2026, status="delivered",
                                      lead_usernames=["nominee"])
        assert (changed.status, changed.leads) == ("delivered", ("nominee",))
        assert api.list_initiatives(year=2026).total == 1

    def test_bad_initiative(self, program):
        with pytest.raises(ValidationError) as error:
            api.save_initiative(title="", year=1900, status="someday", link="ftp://x", lead_usernames=["ghost"])
        assert {"title", "year", "status", "link", "leads"} <= set(error.value.errors)


class TestJobs:
    """The cron job does what is due, once."""

    def test_run_due_jobs(self, cycle, users, panels, settings):
        settings.DISTINGUISHED_RENEWAL_NOTICE_DAYS = 60
        member = UserFactory(username="member")
        released = released_cycle(users, panels, [member])
        # A term from an earlier year, about to end; the member's new term waits for next year.
        make_term(UserFactory(username="old"), Track.objects.get(slug="engineer"), released, starts_days_ago=330)
        report = api.run_due_jobs()
        assert "renewal due: 1 term(s) flagged" in report
        assert any(line.startswith("evaluation 2026: ") for line in report)
        again = api.run_due_jobs()
        assert "renewal due: 0 term(s) flagged" in again
        assert TermEvaluation.objects.count() == 1


class TestEvaluationOfOrganizations:
    """An organization's term counts its contacts' activities; a rule with no activity type lapses."""

    @pytest.fixture
    def organization_term(self, cycle, organization):
        """A term of ``organization`` (its contact: ``nominee``) that ends within the cycle."""
        track = Track.objects.get(slug="engineer")
        start = timezone.now() - timedelta(days=360)
        return MembershipTerm.objects.create(
            track=track, cycle=cycle, holder_kind="organization", holder_organization=organization,
            status="active", starts_at=start, ends_at=start + timedelta(days=365),
            current_key=f"{track.pk}:o{organization.pk}")

    @staticmethod
    def add(user, slug="event", status="verified"):
        Activity.objects.create(user=user, activity_type_id=_type(slug), title=slug, source="imported",
                                occurred_on=timezone.now().date() - timedelta(days=30), status=status)

    def test_contacts_activities_count(self, organization_term, organization, users, cycle):
        organization.contacts.add(users["endorser"])
        self.add(users["nominee"])
        self.add(users["endorser"], "working_group")
        self.add(users["endorser"], "mentorship", status="pending")
        self.add(users["learner"])  # not a contact
        person_term = make_term(users["nominator"], Track.objects.get(slug="advocate"), cycle, starts_days_ago=360)
        assert api.evaluate_terms(cycle_year=cycle.year) == {"renew": 1, "lapse": 1, "lifetime": 0}
        evaluation = TermEvaluation.objects.get(term=organization_term)
        assert (evaluation.recommendation, evaluation.qualifying_activities) == ("renew", 2)
        assert TermEvaluation.objects.get(term=person_term).recommendation == "lapse"

    def test_no_qualifying_type_lapses(self, organization_term, users, cycle):
        cycle.program.retention_activity_types = []
        cycle.program.save()
        self.add(users["nominee"])
        api.evaluate_terms(cycle_year=cycle.year)
        evaluation = TermEvaluation.objects.get(term=organization_term)
        assert (evaluation.recommendation, evaluation.qualifying_activities) == ("lapse", 0)
        assert "none configured" in evaluation.reasons[0]
