"""
Rules of member activities: reported by members, imported by staff, or recorded from Open edX events.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import connections, router, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from openedx_distinguished import notifications, parsing, platform, spreadsheet
from openedx_distinguished.data import (
    ActivityData,
    ActivitySource,
    ActivityStatus,
    ImportPreviewData,
    ImportReport,
    ImportRowData,
    Page,
)
from openedx_distinguished.exceptions import InvalidTransition, NotFound, ValidationError
from openedx_distinguished.membership import is_member
from openedx_distinguished.models import Activity, ActivityType, QualifyingCourseRun
from openedx_distinguished.program import get_program

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import User  # pylint: disable=imported-auth-user

_T = TypeVar("_T")
# Messages by field name, as ``ValidationError`` carries them.
_Errors = dict[str, list[str]]

_http_url = URLValidator(schemes=["http", "https"])


def activity_data(activity: Activity) -> ActivityData:
    """The plain record of an activity (select_related user and activity_type)."""
    return ActivityData(
        id=activity.pk, username=activity.user.username if activity.user else None,
        activity_type=activity.activity_type.slug, title=activity.title, description=activity.description,
        evidence_url=activity.evidence_url, occurred_on=activity.occurred_on,
        source=ActivitySource(activity.source), status=ActivityStatus(activity.status),
        course_key=activity.course_key, review_note=activity.review_note,
    )


def _activity_types() -> dict[str, ActivityType]:
    return {t.slug: t for t in ActivityType.objects.filter(program=get_program())}


def _read(errors: _Errors, read: Callable[[], _T], prefix: str = "") -> _T | None:
    """``read()``'s value, or None with its errors added to ``errors`` (field names given ``prefix``)."""
    try:
        return read()
    except ValidationError as exc:
        for field, messages in exc.errors.items():
            errors.setdefault(f"{prefix}{field}", []).extend(messages)
        return None


def _check_activity(fields: Mapping[str, object], types: Mapping[str, ActivityType], errors: _Errors,
                    prefix: str = "") -> dict[str, Any]:
    """
    Validate one activity's fields (from a form, a JSON body or a CSV row: anything may be of the
    wrong type); add messages to ``errors``; return the cleaned values.
    """
    cleaned: dict[str, Any] = {}
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


def report_activity(*, user: User, activity_type: object, title: object, occurred_on: object,
                    evidence_url: object = "", description: object = "") -> ActivityData:
    """
    Record an activity a member reports about themself; it waits for staff verification.

    Raises:
        ValidationError: a field is invalid.
    """
    errors: _Errors = {}
    cleaned = _check_activity({"activity_type": activity_type, "title": title, "occurred_on": occurred_on,
                               "evidence_url": evidence_url, "description": description}, _activity_types(), errors)
    if errors:
        raise ValidationError(errors)
    activity = Activity.objects.create(user=user, source=ActivitySource.SELF_REPORTED.value,
                                       status=ActivityStatus.PENDING.value, **cleaned)
    return activity_data(Activity.objects.select_related("user", "activity_type").get(pk=activity.pk))


def review_activity(*, activity_id: int, actor: User | None, verified: bool, note: str = "") -> ActivityData:
    """
    Verify or reject a reported activity (staff), with a note the member sees on My membership and
    in the e-mail: optional for a verification, required for a rejection (why it was rejected).
    Only pending activities change.

    Raises:
        NotFound, InvalidTransition, ValidationError (no reason to reject, a note over 2000 characters)
    """
    note = parsing.text(note, field="note", most=2000, lines=True)
    if not verified and not note.strip():
        raise ValidationError({"note": ["Say why the activity is rejected: the member reads it."]})
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


def list_activities(*, username: str | None = None, status: str | None = None, offset: int = 0,
                    limit: int = 50) -> Page:
    """One page of activities, newest first."""
    activities = Activity.objects.select_related("user", "activity_type")
    if username is not None:
        activities = activities.filter(user__username=username)
    if status is not None:
        activities = activities.filter(status=ActivityStatus(status).value)
    total = activities.count()
    return Page(items=tuple(activity_data(a) for a in activities[offset:offset + limit]), total=total)


IMPORT_COLUMNS = ("external_id", "username", "activity_type", "title", "occurred_on", "evidence_url", "description")
# The columns an import needs. The person may be named by username or by e-mail address, in a
# ``username`` column or an ``email`` column.
REQUIRED_COLUMNS = ("external_id", "activity_type", "title", "occurred_on")
PERSON_COLUMNS = ("username", "email")
# The largest import file read (a year of a large program's event attendance fits many times over).
MAX_IMPORT_BYTES = 2 * 1024 * 1024


def _type_lookup(types: Mapping[str, ActivityType]) -> dict[str, ActivityType]:
    """Each activity type under its slug and its name, case-insensitively ("Working group", "WORKING_GROUP")."""
    lookup: dict[str, ActivityType] = {}
    for slug, activity_type in types.items():
        for key in (slug, activity_type.name, slug.replace("_", " "), slug.replace("_", "-")):
            lookup.setdefault(key.casefold(), activity_type)
    return lookup


def _people(references: set[str]) -> dict[str, User | str]:
    """
    The user each reference names (a username, or an e-mail address matched case-insensitively),
    or the reason it names nobody or several people. A fixed number of queries.
    """
    model = get_user_model()
    # Lower-cased as the database's LOWER() does it (``casefold`` would fold ß to ss).
    emails = {ref.lower() for ref in references if "@" in ref}
    usernames = {ref for ref in references if "@" not in ref}
    by_username = {u.username: u for u in model.objects.filter(username__in=usernames)}
    by_email: dict[str, list[User]] = {}
    if emails:
        for user in model.objects.annotate(email_folded=Lower("email")).filter(email_folded__in=emails):
            by_email.setdefault(user.email.lower(), []).append(user)
    found: dict[str, User | str] = {}
    for ref in references:
        if "@" in ref:
            matches = by_email.get(ref.lower(), [])
            found[ref] = matches[0] if len(matches) == 1 else (
                f"no user with the e-mail address {ref!r}" if not matches
                else f"{len(matches)} users share the e-mail address {ref!r}: give the username")
        else:
            found[ref] = by_username.get(ref) or f"no user {ref!r}"
    return found


def _plan_import(rows: Iterable[object]) -> tuple[list[ImportRowData], list[Activity]]:
    """
    Every row of an import checked, as the preview shows it, and the activities it would create.
    Nothing is written.
    """
    types = _activity_types()
    lookup = _type_lookup(types)
    read: list[tuple[int, str | None, str | None, str, dict[str, Any], _Errors, object]] = []
    seen: set[str | None] = set()
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            read.append((number, None, None, "username", {}, {"row": [
                f"expected an object with the columns {', '.join(IMPORT_COLUMNS)}"]}, {}))
            continue
        errors: _Errors = {}
        for column, value in row.items():
            if spreadsheet.is_formula(value):
                errors.setdefault(str(column), []).append(
                    f"starts with {value[0]!r}, which a spreadsheet runs as a formula; remove it")
        external_id = _read(errors, partial(parsing.text, row.get("external_id"), field="external_id", most=255))
        if external_id == "":
            errors["external_id"] = ["required (at most 255 characters)"]
        elif external_id is not None and external_id in seen:
            errors["external_id"] = ["appears twice in this import"]
        seen.add(external_id)
        person_column = "username" if (row.get("username") or "email" not in row) else "email"
        person = _read(errors, partial(parsing.text, row.get(person_column), field=person_column, most=254))
        if person == "":
            errors[person_column] = ["required: a username or an e-mail address"]
        fields = dict(row)
        typed = _read({}, partial(parsing.text, row.get("activity_type"), field="activity_type", most=100))
        if typed and typed.casefold() in lookup:
            fields["activity_type"] = lookup[typed.casefold()].slug
        cleaned = _check_activity(fields, types, errors)
        read.append((number, external_id, person, person_column, cleaned, errors, row))
    # Only text that passed the checks above reaches the database: a lone surrogate or a
    # megabyte-long id in one row must not turn the whole import into a server error.
    people = _people({person for _, _, person, _, _, errors, _ in read
                      if person and not ({"username", "email"} & set(errors))})
    external_ids = {eid for _, eid, _, _, _, errors, _ in read if eid and "external_id" not in errors}
    known = set(Activity.objects.filter(external_id__in=external_ids).values_list("external_id", flat=True))
    plans: list[ImportRowData] = []
    wanted: list[Activity] = []
    for number, external_id, person, person_column, cleaned, errors, row in read:
        user = people.get(person) if person else None
        if isinstance(user, str):
            errors.setdefault(person_column, []).append(user)
            user = None
        outcome = ("error" if errors else "already imported" if external_id in known else "new")
        plans.append(ImportRowData(
            number=number, external_id=external_id or "", person=platform.display_name(user) if user else "",
            username=user.username if user else (person or ""),
            activity_type=cleaned["activity_type"].name if cleaned.get("activity_type") else (
                str(row.get("activity_type") or "") if isinstance(row, dict) else ""),
            title=cleaned.get("title") or "", occurred_on=cleaned.get("occurred_on"), outcome=outcome,
            errors=tuple(f"{field}: {' '.join(str(m) for m in msgs)}" for field, msgs in errors.items())))
        if outcome == "new":
            wanted.append(Activity(user=user, source=ActivitySource.IMPORTED.value,
                                   status=ActivityStatus.VERIFIED.value, external_id=external_id, **cleaned))
    return plans, wanted


def preview_activity_import(*, rows: Iterable[object]) -> ImportPreviewData:
    """
    What importing ``rows`` would do, row by row (the person and activity type it matched, new,
    already imported, or its errors), writing nothing.

    Raises:
        ValidationError: no row at all.
    """
    rows = list(rows)
    if not rows:
        raise ValidationError({"rows": ["There is nothing to import."]})
    plans, _ = _plan_import(rows)
    return ImportPreviewData(rows=tuple(plans), new=sum(p.outcome == "new" for p in plans),
                             already_imported=sum(p.outcome == "already imported" for p in plans),
                             errors=sum(p.outcome == "error" for p in plans))


def import_activities(*, rows: Iterable[object], actor: User | None = None) -> ImportReport:
    """
    Import verified activities (staff): each row needs ``external_id``, the person (``username``,
    or ``email``; a username column may hold an e-mail address), ``activity_type`` (its code or
    its name, in any case), ``title`` and ``occurred_on``; ``evidence_url`` and ``description``
    are optional.

    All or nothing: every bad row is reported and then nothing is written. Rows whose external id
    was imported before are skipped, so importing the same file twice adds nothing.

    Raises:
        ValidationError: ``rows`` lists each bad row.
    """
    rows = list(rows)
    if not rows:
        raise ValidationError({"rows": ["There is nothing to import."]})
    plans, wanted = _plan_import(rows)
    problems = [f"Row {plan.number}: {'; '.join(plan.errors)}" for plan in plans if plan.errors]
    if problems:
        raise ValidationError({"rows": problems})
    now = timezone.now()
    for activity in wanted:
        activity.reviewed_by, activity.reviewed_at = actor, now
    with transaction.atomic():
        created = Activity.objects.bulk_create(wanted, ignore_conflicts=True)
    return ImportReport(created=len(created), skipped=len(rows) - len(wanted))


def read_import_file(*, data: bytes) -> str:
    """
    The text of an uploaded import file: UTF-8 (with or without a byte-order mark), at most
    ``MAX_IMPORT_BYTES``.

    Raises:
        ValidationError: too large, or not UTF-8 text.
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError({"file": [
            f"The file is {len(data) / 1024 / 1024:.1f} MB; an import takes at most "
            f"{MAX_IMPORT_BYTES // 1024 // 1024} MB. Split it into several files."]})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": [
            "The file is not UTF-8 text. Save it as \"CSV UTF-8\" from your spreadsheet and try again."]}) from exc


def read_import_csv(*, text: object) -> list[dict[str, str]]:
    """
    The rows of CSV text whose header names the columns (``IMPORT_COLUMNS``, ``email`` for
    ``username`` if wished; header names in any case).

    Raises:
        ValidationError: unreadable CSV, too long, or missing columns.
    """
    if not isinstance(text, str):
        raise ValidationError({"file": ["Give the CSV as text."]})
    if len(text) > MAX_IMPORT_BYTES:
        raise ValidationError({"file": [f"An import takes at most {MAX_IMPORT_BYTES // 1024 // 1024} MB of text."]})
    if "\x00" in text:
        raise ValidationError({"file": ["Not readable as CSV: the text holds NUL characters (is it a spreadsheet "
                                        "file rather than CSV?)."]})
    try:
        reader = csv.DictReader(io.StringIO(text), strict=True)
        header = [(name or "").strip().casefold() for name in (reader.fieldnames or [])]
        reader.fieldnames = header
        rows = [{(key or "").strip(): (value if isinstance(value, str) else "") for key, value in row.items()
                 if key is not None} for row in reader]
    except csv.Error as exc:
        raise ValidationError({"file": [f"Not readable as CSV: {exc}"]}) from exc
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if not set(PERSON_COLUMNS) & set(header):
        missing.append("username (or email)")
    if missing:
        raise ValidationError({"file": [f"Missing columns: {', '.join(missing)}. The first line must name the "
                                        f"columns: {', '.join(IMPORT_COLUMNS)}."]})
    if not rows:
        raise ValidationError({"file": ["The file has its header but no row to import."]})
    return rows


def import_activities_csv(*, text: object, actor: User | None = None) -> ImportReport:
    """
    Import activities from CSV text whose header names the columns (see ``import_activities``).

    Raises:
        ValidationError: unreadable CSV, missing columns, or bad rows (nothing is written).
    """
    return import_activities(rows=read_import_csv(text=text), actor=actor)


def activity_import_template() -> str:
    """A CSV file to fill in: the header and one example row."""
    out = io.StringIO()
    writer = spreadsheet.SafeWriter(out, lineterminator="\r\n")
    writer.writerow(IMPORT_COLUMNS)
    types = _activity_types()
    example_type = "event" if "event" in types else next(iter(sorted(types)), "event")
    writer.writerow(["summit-2026-ada", "ada@example.org", example_type, "Open edX Conference 2026",
                     timezone.now().date().isoformat(), "https://example.org/conference", "Attended the summit."])
    return out.getvalue()


def mark_qualifying_course_run(*, course_key: object, activity_type: str, title: str | None) -> None:
    """
    Mark a course run (by its course key) as a qualifying event or working group.

    Raises:
        ValidationError: the course key is not a valid Open edX course key, or the type is unknown.
    """
    errors: _Errors = {}
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


# The course keys of the qualifying runs, in the site's cache (shared by every LMS process): the
# platform's receivers read it on every enrolment, passing status and certificate, so that an event
# in any other run (nearly all of them) costs no query and queues no task (ADR 0018).
QUALIFYING_RUNS_CACHE_KEY = "od:qualifying-runs:1"  # short: the cache checks a key character by character


def _qualifying_keys_from_db() -> frozenset[str]:
    return frozenset(QualifyingCourseRun.objects.values_list("course_key", flat=True))


def qualifying_course_keys() -> frozenset[str]:
    """
    The course keys of the qualifying runs: from the cache, or (after an eviction, or the first
    time) from the database, then cached with ``add`` so that it never overwrites what a change
    published meanwhile.
    """
    store = caches[DEFAULT_CACHE_ALIAS]  # not the ``cache`` proxy: every platform event reads this (ADR 0018)
    keys = store.get(QUALIFYING_RUNS_CACHE_KEY)
    if keys is None:
        keys = _qualifying_keys_from_db()
        if not _change_pending():  # what this transaction changed is not the others' to see yet
            store.add(QUALIFYING_RUNS_CACHE_KEY, keys, timeout=None)
    return keys


def _change_pending() -> bool:
    """Whether this connection's open transaction changed the qualifying runs (its publication is queued)."""
    connection = connections[router.db_for_read(QualifyingCourseRun)]
    return any(getattr(entry[1], "pending", False) for entry in connection.run_on_commit)


def is_qualifying_course(*, course_key: object) -> bool:
    """Whether events in the run ``course_key`` may record activities (no query while cached)."""
    return str(course_key) in qualifying_course_keys()


def publish_qualifying_course_runs() -> None:
    """
    Tell every process of a change to the qualifying runs: the cached set is dropped now (the next
    event reads what is committed) and written anew once the change commits, over anything a
    process cached from the database before the commit. A change that rolls back leaves the
    committed runs to be read again.
    """
    def publish() -> None:
        cache.set(QUALIFYING_RUNS_CACHE_KEY, _qualifying_keys_from_db(), timeout=None)
        publish.pending = False  # type: ignore[attr-defined]  # read by _change_pending

    publish.pending = True  # type: ignore[attr-defined]  # read by _change_pending
    cache.delete(QUALIFYING_RUNS_CACHE_KEY)
    transaction.on_commit(publish, using=router.db_for_write(QualifyingCourseRun))


def record_platform_activity(*, user_id: int, course_key: object, event: str,
                             occurred_at: datetime | None = None) -> ActivityData | None:
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
    if user is None or not is_member(user=user):
        return None
    occurred = (occurred_at or timezone.now()).date()
    activity, _ = Activity.objects.get_or_create(external_id=f"platform:{event}:{run.course_key}:{user.pk}", defaults={
        "user": user, "activity_type": run.activity_type, "title": run.title, "occurred_on": occurred,
        "source": ActivitySource.PLATFORM_EVENT.value, "status": ActivityStatus.VERIFIED.value,
        "course_key": run.course_key,
    })
    return activity_data(activity)
