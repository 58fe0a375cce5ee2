"""
Rules of the program definition: phases of a cycle, who runs the program, and loading the definition.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from openedx_distinguished.conf import get_setting
from openedx_distinguished.data import (
    BudgetCategory,
    CriterionData,
    CycleData,
    CyclePhase,
    IncentiveData,
    IncentiveKind,
    LoadReport,
    OrganizationData,
    TrackData,
)
from openedx_distinguished.exceptions import NotFound, ProgramDefinitionError
from openedx_distinguished.models import (
    ActivityType,
    BudgetLine,
    Criterion,
    Cycle,
    Incentive,
    PartnerOrganization,
    Program,
    Track,
)

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import AnonymousUser, User  # pylint: disable=imported-auth-user

DEFAULT_DEFINITION = "default_program.yaml"
MANAGE_PROGRAM_PERMISSION = "openedx_distinguished.manage_program"


def is_program_staff(*, user: User | AnonymousUser | None) -> bool:
    """
    Whether ``user`` runs the program: superusers, LMS global staff and holders of ``manage_program``.
    """
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.is_staff or user.has_perm(MANAGE_PROGRAM_PERMISSION)


def cycle_phase(*, cycle: Cycle, now: datetime | None = None) -> CyclePhase:
    """
    The phase ``cycle`` is in at ``now`` (default: the current time). Each date opens a phase.
    """
    now = now or timezone.now()
    if now < cycle.nominations_open_at:
        return CyclePhase.UPCOMING
    if now < cycle.nominations_close_at:
        return CyclePhase.NOMINATIONS
    if now < cycle.review_deadline:
        return CyclePhase.REVIEW
    if now < cycle.announcement_at:
        return CyclePhase.DECISIONS
    if now < cycle.ends_at:
        return CyclePhase.ANNOUNCED
    return CyclePhase.CLOSED


def get_program() -> Program:
    """
    The program this site runs (``DISTINGUISHED_PROGRAM_SLUG``); NotFound until it is loaded.
    """
    slug = get_setting("DISTINGUISHED_PROGRAM_SLUG")
    try:
        return Program.objects.get(slug=slug)
    except Program.DoesNotExist as exc:
        raise NotFound({"program": [f"The program {slug!r} has not been loaded."]}) from exc


def program_name() -> str:
    """The name of the program this site runs (its slug while no program data is loaded)."""
    slug = get_setting("DISTINGUISHED_PROGRAM_SLUG")
    return Program.objects.filter(slug=slug).values_list("name", flat=True).first() or slug


def get_cycle(year: int) -> Cycle:
    """
    The cycle of ``year`` in the site's program; NotFound if there is none.
    """
    try:
        return Cycle.objects.select_related("program").get(
            program__slug=get_setting("DISTINGUISHED_PROGRAM_SLUG"), year=year,
        )
    except (Cycle.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound({"cycle": [f"There is no cycle for the year {year}."]}) from exc


def cycle_data(cycle: Cycle, now: datetime | None = None) -> CycleData:
    """
    The plain record of ``cycle`` with its phase at ``now``.
    """
    return CycleData(
        year=cycle.year,
        name=str(cycle),
        nominations_open_at=cycle.nominations_open_at,
        nominations_close_at=cycle.nominations_close_at,
        review_deadline=cycle.review_deadline,
        decision_date=cycle.decision_date,
        announcement_at=cycle.announcement_at,
        ends_at=cycle.ends_at,
        phase=cycle_phase(cycle=cycle, now=now),
    )


def list_cycles() -> list[CycleData]:
    """
    Every cycle of the site's program, newest first.
    """
    now = timezone.now()
    cycles = Cycle.objects.filter(program__slug=get_setting("DISTINGUISHED_PROGRAM_SLUG"))
    return [cycle_data(cycle, now) for cycle in cycles]


def get_cycle_data(*, year: int) -> CycleData:
    """
    The record of the cycle of ``year``.
    """
    return cycle_data(get_cycle(year))


def _track_queryset() -> QuerySet[Track]:
    return Track.objects.filter(
        program__slug=get_setting("DISTINGUISHED_PROGRAM_SLUG"), is_active=True,
    ).prefetch_related("criteria", "incentives")


def track_data(track: Track) -> TrackData:
    """
    The plain record of ``track``, its criteria and incentives (prefetch them for listings).
    """
    return TrackData(
        slug=track.slug,
        name=track.name,
        description=track.description,
        who_qualifies=track.who_qualifies,
        badge_name=track.badge_name,
        criteria=tuple(
            CriterionData(slug=c.slug, name=c.name, description=c.description, weight=str(c.weight),
                          anchor_low=c.anchor_low, anchor_high=c.anchor_high)
            for c in track.criteria.all()
        ),
        incentives=tuple(incentive_data(i) for i in track.incentives.all()),
    )


def incentive_data(incentive: Incentive) -> IncentiveData:
    """The plain record of one incentive of a track."""
    return IncentiveData(slug=incentive.slug, name=incentive.name, description=incentive.description,
                         kind=IncentiveKind(incentive.kind), is_physical=incentive.is_physical)


def list_tracks() -> list[TrackData]:
    """
    The active tracks of the site's program with their criteria and incentives.
    """
    return [track_data(track) for track in _track_queryset()]


def get_track(slug: str) -> Track:
    """
    The active track ``slug`` with its criteria prefetched; NotFound otherwise.
    """
    try:
        return _track_queryset().get(slug=slug)
    except Track.DoesNotExist as exc:
        raise NotFound({"track": [f"There is no active track {slug!r}."]}) from exc


def list_organizations() -> list[OrganizationData]:
    """
    The partner organizations that can be nominated.
    """
    return [
        OrganizationData(slug=org.slug, name=org.name, website=org.website)
        for org in PartnerOrganization.objects.all()
    ]


# Loading the program definition -------------------------------------------------------------

def _normalise(model: type[models.Model], field_name: str, value: object) -> str | None:
    """A comparable string form of a field value (decimals without trailing zeros, JSON sorted)."""
    field = model._meta.get_field(field_name)
    if value is None:
        return None
    if isinstance(field, models.DecimalField):
        return str(Decimal(str(value)).normalize())
    if isinstance(field, models.JSONField):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _fingerprint(instance: models.Model, field_names: Iterable[str]) -> str:
    """A digest of ``instance``'s values of ``field_names``: whether staff changed them since the load."""
    values = {name: _normalise(type(instance), name, getattr(instance, name)) for name in field_names}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def _sync_row(model: type[Any], lookup: dict[str, Any], values: dict[str, Any], label: str,
              report: dict[str, list[str]]) -> Any:
    """
    Create or refresh one row from the definition, unless staff edited it since it was loaded.
    """
    values = {
        name: Decimal(str(value)) if isinstance(model._meta.get_field(name), models.DecimalField) else value
        for name, value in values.items()
    }
    instance = model.objects.filter(**lookup).first()
    if instance is None:
        instance = model(**lookup, **values)
        instance.full_clean()
        instance.save()
        instance.refresh_from_db()
        instance.definition_fingerprint = _fingerprint(instance, values)
        instance.save(update_fields=["definition_fingerprint"])
        report["created"].append(label)
        return instance
    if _fingerprint(instance, values) != instance.definition_fingerprint:
        report["skipped"].append(label)
        return instance
    if all(_normalise(model, name, getattr(instance, name)) == _normalise(model, name, value)
           for name, value in values.items()):
        report["unchanged"].append(label)
        return instance
    for name, value in values.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    instance.refresh_from_db()
    instance.definition_fingerprint = _fingerprint(instance, values)
    instance.save(update_fields=["definition_fingerprint"])
    report["updated"].append(label)
    return instance


def _read_definition(path: str | None) -> dict[str, Any]:
    """Read and shape-check a definition file (the shipped default when ``path`` is None)."""
    try:
        if path is None:
            text = resources.files("openedx_distinguished.program_data").joinpath(DEFAULT_DEFINITION).read_text(
                encoding="utf-8")
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        definition = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise ProgramDefinitionError(f"Cannot read the program definition: {exc}") from exc
    if not isinstance(definition, dict) or not isinstance(definition.get("program"), dict):
        raise ProgramDefinitionError("A program definition needs a 'program' mapping.")
    if not isinstance(definition.get("tracks", []), list):
        raise ProgramDefinitionError("'tracks' must be a list.")
    return definition


def _program_values(spec: dict[str, Any]) -> dict[str, Any]:
    """The program row's values from the definition's ``program`` mapping, with the defaults."""
    retention = spec.get("retention") or {}
    targets = spec.get("kpi_targets") or {}
    return {
        "name": spec["name"],
        "description": spec.get("description", ""),
        "term_length_months": spec.get("term_length_months", 12),
        "lifetime_after_years": spec.get("lifetime_after_years", 5),
        "retention_min_activities": retention.get("min_activities_per_year", 1),
        "retention_activity_types": list(retention.get("activity_types", [])),
        "max_nominations_per_nominator": spec.get("max_nominations_per_nominator", 3),
        "target_active_members_first_year": targets.get("active_members_first_year", 10),
        "target_retention_rate": targets.get("retention_rate", 0.8),
        "target_initiatives_per_year": targets.get("initiatives_per_year", 3),
        "target_onboarded_per_year": targets.get("onboarded_per_year"),
    }


def load_program_definition(*, path: str | None = None) -> LoadReport:
    """
    Load a program definition file (default: the one shipped with the package) into the database.

    Idempotent: rows the file created and nobody touched since are refreshed to the file's
    values; rows staff edited are left alone and reported as skipped. Nothing is deleted.
    All or nothing: a malformed file writes no row.

    Raises:
        ProgramDefinitionError: the file cannot be read or a value in it is invalid.
    """
    definition = _read_definition(path)
    report: dict = {"created": [], "updated": [], "unchanged": [], "skipped": []}
    try:
        with transaction.atomic():
            spec = definition["program"]
            program = _sync_row(Program, {"slug": spec["slug"]}, _program_values(spec),
                                f"program:{spec['slug']}", report)
            for activity_type in definition.get("activity_types", []):
                _sync_row(ActivityType, {"program": program, "slug": activity_type["slug"]},
                          {"name": activity_type["name"]}, f"activity_type:{activity_type['slug']}", report)
            for order, track_spec in enumerate(definition.get("tracks", [])):
                track = _sync_row(Track, {"program": program, "slug": track_spec["slug"]}, {
                    "name": track_spec["name"],
                    "description": track_spec.get("description", ""),
                    "who_qualifies": track_spec.get("who_qualifies", ""),
                    "badge_name": track_spec.get("badge_name", ""),
                    "sort_order": order,
                }, f"track:{track_spec['slug']}", report)
                for position, crit in enumerate(track_spec.get("criteria", [])):
                    _sync_row(Criterion, {"track": track, "slug": crit["slug"]}, {
                        "name": crit["name"],
                        "description": crit.get("description", ""),
                        "weight": crit.get("weight", 1),
                        "anchor_low": (crit.get("anchors") or {}).get("low", ""),
                        "anchor_high": (crit.get("anchors") or {}).get("high", ""),
                        "sort_order": position,
                    }, f"criterion:{track.slug}/{crit['slug']}", report)
                for position, inc in enumerate(track_spec.get("incentives", [])):
                    _sync_row(Incentive, {"track": track, "slug": inc["slug"]}, {
                        "name": inc["name"],
                        "description": inc.get("description", ""),
                        "kind": inc.get("kind", IncentiveKind.RECOGNITION.value),
                        "is_physical": bool(inc.get("is_physical", False)),
                        "sort_order": position,
                    }, f"incentive:{track.slug}/{inc['slug']}", report)
            budget = definition.get("budget") or {}
            for position, line in enumerate(budget.get("lines", [])):
                _sync_row(BudgetLine, {"program": program, "cycle": None, "slug": line["slug"]}, {
                    "deliverable": line["deliverable"],
                    "description": line.get("description", ""),
                    "category": line.get("category", BudgetCategory.OTHER.value),
                    "estimated_cost": line["estimated_cost"],
                    "currency": line.get("currency", budget.get("currency", "USD")),
                    "sort_order": position,
                }, f"budget_line:{line['slug']}", report)
    except KeyError as exc:
        raise ProgramDefinitionError(f"The program definition lacks the required key {exc}.") from exc
    except (TypeError, AttributeError) as exc:
        raise ProgramDefinitionError(f"The program definition is malformed: {exc}") from exc
    except (DjangoValidationError, IntegrityError) as exc:
        raise ProgramDefinitionError(f"The program definition has an invalid value: {exc}") from exc
    return LoadReport(**{key: tuple(labels) for key, labels in report.items()})
