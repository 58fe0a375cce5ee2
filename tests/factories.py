"""
factory_boy factories for the test suite.
"""
from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from openedx_distinguished.models import Cycle, PartnerOrganization, Program


class UserFactory(factory.django.DjangoModelFactory):
    """A platform user."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.LazyAttribute(lambda u: u.username.capitalize())
    password = factory.django.Password("password")


class CycleFactory(factory.django.DjangoModelFactory):
    """A cycle whose nominations opened a week ago and close in three weeks."""

    class Meta:
        model = Cycle

    class Params:
        opened_days_ago = 7

    program = factory.LazyFunction(lambda: Program.objects.get(slug="distinguished-contributors"))
    year = factory.Sequence(lambda n: 2026 + n)
    name = factory.LazyAttribute(lambda c: f"Cycle {c.year}")
    nominations_open_at = factory.LazyAttribute(lambda c: timezone.now() - timedelta(days=c.opened_days_ago))
    nominations_close_at = factory.LazyAttribute(lambda c: c.nominations_open_at + timedelta(days=28))
    review_deadline = factory.LazyAttribute(lambda c: c.nominations_close_at + timedelta(days=30))
    decision_date = factory.LazyAttribute(lambda c: c.review_deadline + timedelta(days=10))
    announcement_at = factory.LazyAttribute(lambda c: c.decision_date + timedelta(days=10))
    ends_at = factory.LazyAttribute(lambda c: c.announcement_at + timedelta(days=365))


class PartnerOrganizationFactory(factory.django.DjangoModelFactory):
    """A partner organization."""

    class Meta:
        model = PartnerOrganization

    slug = factory.Sequence(lambda n: f"partner-{n}")
    name = factory.Sequence(lambda n: f"Partner {n}")
    website = "https://partner.example.com"
