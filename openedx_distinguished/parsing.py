"""
Reading what a request carries (paths, query strings, form fields, CSV cells, JSON values): whole
numbers, years, dates, amounts of money, currency codes and text, each refused with a message for
its field instead of an error page.
"""
from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.urls import register_converter
from django.urls.converters import get_converters

from openedx_distinguished.exceptions import ValidationError

# The most digits a whole number from a request may have: every id and year fits, every database
# integer column holds it (2^63 has 19 digits), and int() is never asked to read a huge string.
MAX_DIGITS = 18

# The years a cycle, an initiative or a filter may name.
FIRST_YEAR, LAST_YEAR = 1900, 2200

# Characters no name, link or text of the program may carry: C0/C1 controls (line breaks and tabs
# only where text has lines), the bidirectional embeddings, overrides and isolates that make text
# read differently from what it contains, and lone surrogates (no database or JSON encoder takes them).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LINE_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def whole_number(value: object, *, field: str, least: int | None = None, most: int | None = None) -> int:
    """
    ``value`` (text of ASCII digits, or an int) as an int between ``least`` and ``most``.

    Raises:
        ValidationError: on ``field``, for anything else (other digits such as "²", signs, huge numbers).
    """
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() \
            and len(value.strip()) <= MAX_DIGITS:
        number = int(value.strip())
    else:
        number = None
    if number is None:
        raise ValidationError({field: ["Give a whole number."]})
    if (least is not None and number < least) or (most is not None and number > most):
        raise ValidationError({field: [f"Give a number from {least} to {most}."]})
    return number


def year(value: object, *, field: str = "year") -> int:
    """A year from a request; ValidationError on ``field`` otherwise."""
    return whole_number(value, field=field, least=FIRST_YEAR, most=LAST_YEAR)


def day(value: object, *, field: str) -> datetime.date:
    """A date (``YYYY-MM-DD`` text, or a date); ValidationError on ``field`` otherwise."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError({field: ["Give a date as YYYY-MM-DD."]})


# Money the program's tables hold (DecimalField(max_digits=10 or 12, decimal_places=2)).
MOST_MONEY = Decimal("100000000")


def money(value: object, *, field: str, positive: bool = False) -> Decimal:
    """
    An amount of money: a number below 100,000,000, rounded to cents; zero or more (more than zero
    when ``positive``). ValidationError on ``field`` otherwise.
    """
    try:
        amount = Decimal(str(value).strip())
        if not amount.is_finite() or amount < 0 or amount >= MOST_MONEY or (positive and amount == 0):
            raise InvalidOperation
        return amount.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [
            "Give an amount above zero, below 100,000,000." if positive
            else "Give a non-negative amount below 100,000,000."]}) from None


def currency(value: object, *, field: str) -> str:
    """A three-letter currency code (ISO 4217's shape), upper-cased; ValidationError on ``field`` otherwise."""
    code = str(value or "").strip().upper()
    if len(code) != 3 or not (code.isascii() and code.isalpha()):
        raise ValidationError({field: ["Give a three-letter currency code, such as USD."]})
    return code


def text(value: object, *, field: str, most: int, lines: bool = False) -> str:
    """
    ``value`` as text, stripped, at most ``most`` characters, without control or bidirectional
    override characters (line breaks and tabs allowed when ``lines``; CR LF becomes a line break).
    ``None`` is the empty text.

    Raises:
        ValidationError: on ``field``: not text, too long, or carrying such characters.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: ["Give text."]})
    value = value.replace("\r\n", "\n").strip()
    if (_CONTROLS if lines else _LINE_CONTROLS).search(value):
        raise ValidationError({field: ["Remove the control or text-direction characters."]})
    if len(value) > most:
        raise ValidationError({field: [f"Write at most {most} characters (this has {len(value)})."]})
    return value


def has_hidden_characters(value: str, *, lines: bool = False) -> bool:
    """Whether ``value`` carries control or bidirectional override characters (see ``text``)."""
    return bool((_CONTROLS if lines else _LINE_CONTROLS).search(value))


class BoundedIntConverter:
    """
    Path converter for ids and years: 1 to ``MAX_DIGITS`` ASCII digits. A longer number does not
    match the route (404) instead of reaching the database as an integer it cannot hold (500).
    """

    regex = f"[0-9]{{1,{MAX_DIGITS}}}"

    def to_python(self, value: str) -> int:
        """The path's digits as an int."""
        return int(value)

    def to_url(self, value: int) -> str:
        """An int for the path."""
        return str(value)


# The name the plugin's URL patterns use: <bounded_int:pk>.
BOUNDED_INT = "bounded_int"


def register_path_converters() -> None:
    """Register the plugin's path converters once (the URL modules call it when they load)."""
    if BOUNDED_INT not in get_converters():
        register_converter(BoundedIntConverter, BOUNDED_INT)
