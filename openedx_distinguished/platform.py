"""
What the plugin reads of the Open edX platform around it: people's names and profile privacy.

Inside the LMS a person's full name is ``UserProfile.name`` (the ``student`` app; registration
never sets ``User.first_name``), and their profile's visibility is the ``account_privacy``
preference (``UserPreference`` of the ``user_api`` app), defaulting to the site's
``ACCOUNT_VISIBILITY_CONFIGURATION["default_visibility"]``. Outside the LMS neither model exists:
names come from the auth user, and profiles are public. The models are looked up through the app
registry, never imported, and the lookups give query expressions so that listings stay one query.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.signals import setting_changed
from django.db.models import Model, OuterRef, QuerySet, Subquery, Value
from django.db.models.fields import CharField

if TYPE_CHECKING:  # types only: at run time the user model is get_user_model()'s
    from django.contrib.auth.models import User  # pylint: disable=imported-auth-user

PRIVACY_PREFERENCE = "account_privacy"
PRIVATE = "private"

# The platform's tables, by app label and model name, and the accessor on the user each adds.
PROFILE_MODEL = ("student", "UserProfile")
PREFERENCE_MODEL = ("user_api", "UserPreference")
PROFILE_ACCESSOR = "profile"


@functools.lru_cache(maxsize=None)
def _model(app_label: str, model_name: str) -> type[Model] | None:
    """The platform's model, or None outside the platform (looked up once)."""
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


def _rows(model: type[Model]) -> QuerySet[Model]:
    """The rows of one of the platform's tables (through its default manager, ``objects``)."""
    return model._default_manager.all()  # pylint: disable=protected-access


def profile_model() -> type[Model] | None:
    """The platform's ``UserProfile`` model, or None outside the platform."""
    return _model(*PROFILE_MODEL)


def preference_model() -> type[Model] | None:
    """The platform's ``UserPreference`` model, or None outside the platform."""
    return _model(*PREFERENCE_MODEL)


def _forget(setting: str, **kwargs: object) -> None:
    if setting == "INSTALLED_APPS":
        _model.cache_clear()


setting_changed.connect(_forget, dispatch_uid="openedx_distinguished.platform")


def compose_name(profile_name: str | None, first_name: str | None, last_name: str | None,
                 username: str | None) -> str:
    """A display name from its parts: the profile's name, else first and last name, else the username."""
    return (profile_name or "").strip() or f"{first_name or ''} {last_name or ''}".strip() or username or ""


def display_name(user: User | None) -> str:
    """
    How the program names ``user`` everywhere (pages, e-mails, certificates, credentials): their
    profile's full name inside the platform, else their first and last name, else the username.
    Load users with ``with_profile(...)`` in listings, so that this costs no query.
    """
    if user is None:
        return ""
    profile_name = ""
    if profile_model() is not None:
        try:
            profile_name = getattr(user, PROFILE_ACCESSOR).name
        except (ObjectDoesNotExist, AttributeError):
            profile_name = ""
    return compose_name(profile_name, user.first_name, user.last_name, user.get_username())


def with_profile(*user_paths: str) -> list[str]:
    """
    ``select_related`` paths that load the profile of each user path (``"nominee_user"``, say)
    inside the platform, and nothing elsewhere; add them to a listing's ``select_related``.
    """
    if profile_model() is None:
        return list(user_paths)
    return [path for user_path in user_paths for path in (user_path, f"{user_path}__{PROFILE_ACCESSOR}")]


def users_with_profiles() -> QuerySet[User]:
    """A queryset of users that loads each one's profile with it (for ``Prefetch`` of contacts, say)."""
    users = get_user_model().objects.all()
    return users.select_related(PROFILE_ACCESSOR) if profile_model() is not None else users


def profile_name_of(user_ref: str) -> Subquery | Value:
    """A query expression: the profile name of the user whose id is at ``user_ref`` (an OuterRef path), or ''."""
    model = profile_model()
    if model is None:
        return Value("", output_field=CharField())
    return Subquery(_rows(model).filter(user_id=OuterRef(user_ref)).values("name")[:1])


def privacy_of(user_ref: str) -> Subquery | Value:
    """A query expression: the ``account_privacy`` the user at ``user_ref`` saved, or None."""
    model = preference_model()
    if model is None:
        return Value(None, output_field=CharField())
    return Subquery(_rows(model).filter(user_id=OuterRef(user_ref), key=PRIVACY_PREFERENCE).values("value")[:1])


def default_visibility() -> str:
    """The profile visibility of people who saved no ``account_privacy`` (the site's setting)."""
    configuration = getattr(settings, "ACCOUNT_VISIBILITY_CONFIGURATION", None) or {}
    return configuration.get("default_visibility") or "all_users"


def is_private(privacy: str | None) -> bool:
    """Whether a profile with the saved ``account_privacy`` ``privacy`` (None: none saved) is private."""
    return (privacy or default_visibility()) == PRIVATE


def saved_privacy(user_id: int) -> str | None:
    """The ``account_privacy`` the user saved, or None (none saved, or outside the platform)."""
    model = preference_model()
    if model is None:
        return None
    return _rows(model).filter(user_id=user_id, key=PRIVACY_PREFERENCE).values_list("value", flat=True).first()
