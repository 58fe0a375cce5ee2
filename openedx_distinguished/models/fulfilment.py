"""
The shipment of a physical award to a term's holder, with the address they give.
"""
from django.conf import settings
from django.db import models

from openedx_distinguished.data import FulfilmentStatus

from .membership import MembershipTerm
from .program import Incentive


class Fulfilment(models.Model):
    """
    A physical award or other incentive delivered for a term: where it stands, what it cost, and
    (for shipments) the member's address.

    .. pii: The shipping name and address are the member's; visible to program staff only.
    .. pii_types: name, other
    .. pii_retirement: local_api
    """

    term = models.ForeignKey(MembershipTerm, on_delete=models.CASCADE, related_name="fulfilments")
    incentive = models.ForeignKey(Incentive, on_delete=models.PROTECT, related_name="fulfilments")
    status = models.CharField(max_length=20, default=FulfilmentStatus.PENDING.value,
                              choices=[(s.value, s.name.capitalize()) for s in FulfilmentStatus])
    shipping_name = models.CharField(max_length=200, blank=True)
    shipping_address = models.TextField(blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["term", "incentive"], name="od_fulfilment_once")]

    def __str__(self):
        return f"{self.incentive} for term {self.term_id}: {self.status}"
