"""
Rules of member activities: reported by members, imported by staff, or recorded from Open edX events.
"""
from __future__ import annotations

import csv
import io

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from openedx_distinguished import notifications, parsing
from openedx_distinguished.data import ActivityData, ActivitySource, ActivityStatus, Page
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.membership import is_member
from openedx_distinguished.models import Activity, ActivityType, QualifyingCourseRun
from openedx_distinguished.program import get_program

_http_url = URLValidator(schemes=["http", "https"])


def activity_data(activity) -> ActivityData:
    """The plain record of an activity (select_related user and activity_type)."""
    return ActivityData(
        id=activity.pk, username=activity.user.username if activity.user else None,
        activity_type=activity.activity_type.slug, title=activity.title, description=activity.description,
        evidence_url=activity.evidence_url, occurred_on=activity.occurred_on,
        source=ActivitySource(activity.source), status=ActivityStatus(activity.status),
        course_key=activity.course_key, review_note=activity.review_note,
    )


def _activity_types():
    return {t.slug: t for t in ActivityType.objects.filter(program=get_program())}


def _read(errors, read, prefix=""):
    """``read()``'s value, or None with its errors added to ``errors`` (field names given ``prefix``)."""
    try:
        return read()
    except ValidationError as exc:
        for field, messages in exc.errors.items():
            errors.setdefault(f"{prefix}{field}", []).extend(messages)
        return None


def _check_activity(fields, types, errors, prefix=""):
    """
    Validate one activity's fields (from a form, a JSON body or a CSV row: anything may be of the
    wrong type); add messages to ``errors``; return the cleaned values.
    """
    cleaned = {}
    slug = _read(errors, lambda: parsing.text(fields.get("activity_type"), field="activity_type", most=50), prefix)
    if slug is not None and slug not in types:
        errors.setdefault(f"{prefix}activity_type", []).append(
            _("{slug} is not an activity type (expected one of {types}).").format(
                slug=repr(slug), types=sorted(types)))
    elif slug is not None:
        cleaned["activity_type"] = types[slug]
    title = _read(errors, lambda: parsing.text(fields.get("title"), field="title", most=255), prefix)
    if title == "":
        errors.setdefault(f"{prefix}title", []).append(_("Give a title of at most 255 characters."))
    cleaned["title"] = title or ""
    occurred = _read({}, lambda: parsing.day(fields.get("occurred_on"), field="occurred_on"))
    if occurred is None or occurred > timezone.now().date():
        errors.setdefault(f"{prefix}occurred_on", []).append(
            _("Give the date it happened (YYYY-MM-DD), not in the future."))
    cleaned["occurred_on"] = occurred
    url = _read(errors, lambda: parsing.text(fields.get("evidence_url"), field="evidence_url", most=500), prefix)
    if url:
        try:
            _http_url(url)
        except DjangoValidationError:
            errors.setdefault(f"{prefix}evidence_url", []).append(
                _("Give an http or https URL of at most 500 characters."))
    cleaned["evidence_url"] = url or ""
    description = _read(errors, lambda: parsing.text(fields.get("description"), field="description", most=5000,
                                                     lines=True), prefix)
    cleaned["description"] = description or ""
    return cleaned


def list_activity_types() -> list[tuple[str, str]]:
    """(slug, name) of every activity type, by name."""
    return [(t.slug, t.name) for t in sorted(_activity_types().values(), key=lambda t: t.name)]


def report_activity(*, user, activity_type, title, occurred_on, evidence_url="", description="") -> ActivityData:
    """
    Record an activity a member reports about themself; it waits for staff verification.

    Raises:
        ValidationError: a field is invalid.
    """
    errors = {}
    cleaned = _check_activity({"activity_type": activity_type, "title": title, "occurred_on": occurred_on,
                               "evidence_url": evidence_url, "description": description}, _activity_types(), errors)
    if errors:
        raise ValidationError(errors)
    activity = Activity.objects.create(user=user, source=ActivitySource.SELF_REPORTED.value,
                                       status=ActivityStatus.PENDING.value, **cleaned)
    return activity_data(Activity.objects.select_related("user", "activity_type").get(pk=activity.pk))


def review_activity(*, activity_id, actor, verified: bool, note: str = "") -> ActivityData:
    """
    Verify or reject a reported activity (staff), with an optional note the member sees (why it
    was rejected, say). Only pending activities change.

    Raises:
        NotFound, InvalidTransition, ValidationError (a note over 2000 characters)
    """
    note = parsing.text(note, field="note", most=2000, lines=True)
    with transaction.atomic():
        activity = Activity.objects.select_for_update().filter(pk=activity_id).first()
        if activity is None:
            raise NotFound({"activity": ["Not found."]})
        if activity.status != ActivityStatus.PENDING.value:
            raise InvalidTransition({"status": [f"This activity is already {activity.status}."]})
        activity.status = (ActivityStatus.VERIFIED if verified else ActivityStatus.REJECTED).value
        activity.reviewed_by, activity.reviewed_at = actor, timezone.now()
        activity.review_note = note
        activity.save()
        notifications.activity_reviewed(activity)
    return activity_data(Activity.objects.select_related("user", "activity_type").get(pk=activity_id))


def list_activities(*, username=None, status=None, offset=0, limit=50) -> Page:
    """One page of activities, newest first."""
    activities = Activity.objects.select_related("user", "activity_type")
    if username is not None:
        activities = activities.filter(user__username=username)
    if status is not None:
        activities = activities.filter(status=ActivityStatus(status).value)
    total = activities.count()
    return Page(items=tuple(activity_data(a) for a in activities[offset:offset + limit]), total=total)


IMPORT_COLUMNS = ("external_id", "username", "activity_type", "title", "occurred_on", "evidence_url", "description")


def import_activities(*, rows, actor=None) -> dict:
    """
    Import verified activities (staff): each row needs ``external_id``, ``username``,
    ``activity_type``, ``title``, ``occurred_on``; ``evidence_url`` and ``description`` are optional.

    All or nothing: every bad row is reported and then nothing is written. Rows whose external id
    was imported before are skipped, so importing the same file twice adds nothing.

    Raises:
        ValidationError: ``rows`` lists each bad row.
    """
    types = _activity_types()
    rows = list(rows)
    if not rows:
        raise ValidationError({"rows": ["There is nothing to import."]})
    problems, read, seen = {}, [], set()
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems[number] = f"Row {number}: expected an object with the columns {', '.join(IMPORT_COLUMNS)}."
            continue
        errors = {}
        external_id = _read(errors, lambda row=row: parsing.text(row.get("external_id"), field="external_id", most=255))
        if external_id == "":
            errors["external_id"] = ["required (at most 255 characters)"]
        elif external_id is not None and external_id in seen:
            errors["external_id"] = ["appears twice in this import"]
        seen.add(external_id)
        username = _read(errors, lambda row=row: parsing.text(row.get("username"), field="username", most=150))
        if username == "":
            errors["username"] = ["required"]
        cleaned = _check_activity(row, types, errors)
        read.append((number, external_id, username, cleaned, errors))
    # Only text that passed the checks above reaches the database: a lone surrogate or a
    # megabyte-long id in one row must not turn the whole import into a server error.
    usernames = {username for _, _, username, _, errors in read if username and "username" not in errors}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
    external_ids = {eid for _, eid, _, _, errors in read if eid and "external_id" not in errors}
    known = set(Activity.objects.filter(external_id__in=external_ids).values_list("external_id", flat=True))
    wanted = []
    for number, external_id, username, cleaned, errors in read:
        user = users.get(username) if username else None
        if user is None and username and "username" not in errors:
            errors["username"] = [f"no user {username!r}"]
        if errors:
            details = "; ".join(f"{field}: {' '.join(str(m) for m in msgs)}" for field, msgs in errors.items())
            problems[number] = f"Row {number}: {details}"
            continue
        if external_id not in known:
            wanted.append(Activity(user=user, source=ActivitySource.IMPORTED.value,
                                   status=ActivityStatus.VERIFIED.value, external_id=external_id,
                                   reviewed_by=actor, reviewed_at=timezone.now(), **cleaned))
    if problems:
        raise ValidationError({"rows": [problems[number] for number in sorted(problems)]})
    with transaction.atomic():
        created = Activity.objects.bulk_create(wanted, ignore_conflicts=True)
    return {"created": len(created), "skipped": len(rows) - len(wanted)}


def import_activities_csv(*, text, actor=None) -> dict:
    """
    Import activities from CSV text whose header names the columns (see ``import_activities``).

    Raises:
        ValidationError: unreadable CSV, missing columns, or bad rows (nothing is written).
    """
    try:
        reader = csv.DictReader(io.StringIO(text))
        header = [name.strip() for name in (reader.fieldnames or [])]
        rows = [{(key or "").strip(): (value or "") for key, value in row.items()} for row in reader]
    except csv.Error as exc:
        raise ValidationError({"file": [f"Not readable as CSV: {exc}"]}) from exc
    missing = [column for column in IMPORT_COLUMNS[:5] if column not in header]
    if missing:
        raise ValidationError({"file": [f"Missing columns: {', '.join(missing)}."]})
    return import_activities(rows=rows, actor=actor)


def mark_qualifying_course_run(*, course_key, activity_type, title) -> None:
    """
    Mark a course run (by its course key) as a qualifying event or working group.

    Raises:
        ValidationError: the course key is not a valid Open edX course key, or the type is unknown.
    """
    errors = {}
    try:
        key = CourseKey.from_string(str(course_key).strip())
    except InvalidKeyError:
        errors["course_key"] = [f"{course_key!r} is not a valid course key (e.g. course-v1:Org+Course+Run)."]
        key = None
    types = _activity_types()
    if activity_type not in types:
        errors["activity_type"] = [f"{activity_type!r} is not an activity type."]
    if errors:
        raise ValidationError(errors)
    QualifyingCourseRun.objects.update_or_create(course_key=str(key), defaults={
        "activity_type": types[activity_type], "title": (title or str(key))[:255]})


def record_platform_activity(*, user_id, course_key, event, occurred_at=None) -> ActivityData | None:
    """
    Record a verified activity when a member (anyone who holds or held a term) enrols in, passes
    or is certified in a qualifying course run. Idempotent per user, run and event.

    Returns:
        the activity, or None when the run does not qualify or the user is not a member.
    """
    run = QualifyingCourseRun.objects.select_related("activity_type").filter(course_key=str(course_key)).first()
    if run is None:
        return None
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not is_member(user):
        return None
    occurred = (occurred_at or timezone.now()).date()
    activity, _ = Activity.objects.get_or_create(external_id=f"platform:{event}:{run.course_key}:{user.pk}", defaults={
        "user": user, "activity_type": run.activity_type, "title": run.title, "occurred_on": occurred,
        "source": ActivitySource.PLATFORM_EVENT.value, "status": ActivityStatus.VERIFIED.value,
        "course_key": run.course_key,
    })
    return activity_data(activity)
