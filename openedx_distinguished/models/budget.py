"""
Tables of the program budget: the deliverable lines estimated for a cycle, and recorded expenses.

Actual costs are the expenses booked against a line plus, for the physical-awards line, the cost
of the cycle's fulfilments (see ``openedx_distinguished.budget``).
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from openedx_distinguished.data import BudgetCategory

from .program import Cycle, LoadedFromDefinition, Program


def _choices(enum):
    return [(member.value, member.name.replace("_", " ").capitalize()) for member in enum]


class BudgetLine(LoadedFromDefinition):
    """
    One deliverable of a budget with its estimated cost. Lines without a cycle are the program's
    default estimate (loaded from the program definition); a cycle's budget starts as a copy of
    them, which staff then edit.

    .. no_pii:
    """

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="budget_lines")
    cycle = models.ForeignKey(Cycle, null=True, blank=True, on_delete=models.CASCADE, related_name="budget_lines",
                              help_text="Empty for the program's default estimate.")
    slug = models.SlugField(max_length=100)
    deliverable = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.CharField(max_length=20, choices=_choices(BudgetCategory), default=BudgetCategory.OTHER.value)
    estimated_cost = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, default="USD")
    sort_order = models.PositiveSmallIntegerField(default=0)
    # The cycle's id, 0 for the default estimate: NULLs are distinct in a unique index, and MariaDB
    # has neither partial nor expression indexes, so this column is what lets the database keep the
    # default estimate's slugs distinct too. ``save`` sets it.
    budget_scope = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["sort_order", "id"]
        constraints = [
            # Every budget (a cycle's, or the default estimate) has distinct slugs.
            models.UniqueConstraint(fields=["program", "budget_scope", "slug"], name="od_budget_line_scope_slug"),
            # The same for a cycle's lines, in the fields forms edit (so that they report it).
            models.UniqueConstraint(fields=["program", "cycle", "slug"], name="od_budget_line_slug"),
        ]

    def __str__(self):
        return f"{self.deliverable} ({self.cycle.year if self.cycle_id else 'default'})"

    def clean(self):
        """The default estimate's slugs are distinct (a form cannot see ``budget_scope``'s constraint)."""
        super().clean()
        if self.cycle_id is None and self.program_id is not None and BudgetLine.objects.filter(
                program_id=self.program_id, cycle__isnull=True, slug=self.slug).exclude(pk=self.pk).exists():
            raise ValidationError({"slug": "The default estimate has a line with this slug already."})

    def save(self, *args, **kwargs):
        self.budget_scope = self.cycle_id or 0
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "cycle" in update_fields:
            kwargs["update_fields"] = {*update_fields, "budget_scope"}
        super().save(*args, **kwargs)


class Expense(models.Model):
    """
    A cost actually incurred for a cycle, booked against one of its budget lines (or none, which
    the report shows as unbudgeted).

    .. no_pii:
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="expenses")
    budget_line = models.ForeignKey(BudgetLine, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="expenses")
    description = models.CharField(max_length=300)
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, default="USD")
    incurred_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-incurred_on", "-id"]

    def __str__(self):
        return f"{self.description}: {self.amount} {self.currency}"

    def clean(self):
        """An expense is booked against a line of its own cycle (the default estimate has none)."""
        super().clean()
        if self.budget_line_id is not None and self.cycle_id is not None and \
                self.budget_line.cycle_id != self.cycle_id:
            raise ValidationError({"budget_line": "Choose a budget line of the same cycle."})
