"""
CSV as spreadsheets read it: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is run as a formula by Excel, LibreOffice and Google Sheets (CSV injection).
Exports write such text with a leading apostrophe, which the spreadsheet shows as text; imports
refuse it. Plain numbers (``-150.00``) are numbers, not formulas, and stay as they are.
"""
import csv
import re
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def is_formula(value: object) -> bool:
    """Whether a spreadsheet would run ``value`` (text) as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value)


def safe_cell(value: object) -> object:
    """``value`` as an export writes it: text that would run as a formula gets a leading apostrophe."""
    return f"'{value}" if is_formula(value) else value


class SafeWriter:
    """A ``csv.writer`` whose every cell goes through ``safe_cell``."""

    def __init__(self, out: TextIO, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[object]) -> Any:
        """Write one row, its text cells neutralised."""
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        """Write every row, their text cells neutralised."""
        for row in rows:
            self.writerow(row)
