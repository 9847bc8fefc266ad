"""Reading trace files: CSV tables with line numbers, strict cell parsers and
exact unit conversions.

Every parser here is a pure function of text; a bad cell raises
:class:`~kubekit.traces.model.TraceError` naming the file, the line, the
column, what was found and what was expected.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator, Sequence

from kubekit.traces.model import TraceError

__all__ = [
    "CsvTable", "Row", "read_csv", "parse_int", "parse_decimal", "exact_units", "text_lines", "find_file",
    "first_row_cells",
]

_DECIMAL_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# A number immediately followed by a unit suffix: "32Gi", "500m", "1.5GB", "4 cores".
_WITH_UNIT_RE = re.compile(r"\s*[+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?\s*([A-Za-z%]+)\s*")


def _unit_hint(text: str, unit: str) -> str:
    m = _WITH_UNIT_RE.fullmatch(text)
    if m is None:
        return ""
    return f" (the value carries its own unit {m.group(1)!r}; this column holds plain numbers in {unit})"


def parse_int(text: str, *, unit: str, minimum: int | None = 0) -> int:
    """A plain decimal integer (``"8000"``, ``"-12"``); no spaces, no ``_``, no
    exponent, no unit.  Raises ``ValueError`` whose message says what was
    expected; callers add the file and line."""
    body = text[1:] if text[:1] in "+-" else text
    if not (body.isascii() and body.isdigit()):
        what = "an integer" if minimum is None else f"an integer >= {minimum}"
        raise ValueError(f"expected {what} in {unit}, got {text!r}{_unit_hint(text, unit)}")
    value = int(text)
    if minimum is not None and value < minimum:
        raise ValueError(f"expected an integer >= {minimum} in {unit}, got {text!r}")
    return value


def parse_decimal(text: str, *, unit: str, minimum: Fraction | int | None = 0,
                  maximum: Fraction | int | None = None) -> Fraction:
    """A decimal number (``"0.6900059534594777"``, ``"1"``, ``"1e-3"``) as an
    exact fraction: no float rounding ever happens."""
    if _DECIMAL_RE.fullmatch(text) is None:
        raise ValueError(f"expected a decimal number in {unit}, got {text!r}{_unit_hint(text, unit)}")
    value = Fraction(text)
    if minimum is not None and value < minimum:
        raise ValueError(f"expected a number >= {minimum} in {unit}, got {text!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"expected a number <= {maximum} in {unit}, got {text!r}")
    return value


def exact_units(value: Fraction, factor: int, *, what: str) -> int:
    """``value * factor`` when that is a whole number (``1.75`` GiB ->
    ``1879048192`` bytes); otherwise ``ValueError`` — an absolute unit is never
    rounded silently."""
    scaled = value * factor
    if scaled.denominator != 1:
        raise ValueError(f"{what} is not a whole number of the target unit ({float(scaled)!r})")
    return int(scaled)


# --- CSV tables ----------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its 1-based physical line number and its cells."""

    line: int
    cells: list[str]


@dataclass(frozen=True, slots=True)
class CsvTable:
    """A parsed CSV file: ``columns`` maps a column name to its cell index;
    ``header`` tells whether the file had a header row (the official Alibaba
    2017/2018 files have none: the schema order is then assumed)."""

    path: str
    columns: dict[str, int]
    header: bool
    rows: list[Row]

    def error(self, line: int | None, message: str) -> TraceError:
        return TraceError(self.path, line, message)

    def has(self, column: str) -> bool:
        return column in self.columns

    def cell(self, row: Row, column: str) -> str:
        return row.cells[self.columns[column]]

    def int_cell(self, row: Row, column: str, *, unit: str, minimum: int | None = 0) -> int:
        text = row.cells[self.columns[column]]
        try:
            return parse_int(text, unit=unit, minimum=minimum)
        except ValueError as exc:
            raise TraceError(self.path, row.line, f"column {column!r}: {exc}") from None

    def decimal_cell(self, row: Row, column: str, *, unit: str, minimum: Fraction | int | None = 0,
                     maximum: Fraction | int | None = None) -> Fraction:
        text = row.cells[self.columns[column]]
        try:
            return parse_decimal(text, unit=unit, minimum=minimum, maximum=maximum)
        except ValueError as exc:
            raise TraceError(self.path, row.line, f"column {column!r}: {exc}") from None


def _physical_lines(path: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, text without the line end); a UTF-8 BOM is
    dropped.  Lines are decoded one by one so that bad bytes are reported
    on their own line."""
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        raise TraceError(path, None, "no such file") from None
    except IsADirectoryError:
        raise TraceError(path, None, "expected a file, got a directory") from None
    with f:
        for number, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise TraceError(path, number, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
            if number == 1 and line.startswith("\ufeff"):
                line = line[1:]
            yield number, line.rstrip("\r\n")


def text_lines(path: str) -> Iterator[tuple[int, str]]:
    """Non-blank lines of a text file with their 1-based line numbers."""
    for number, line in _physical_lines(path):
        if line.strip():
            yield number, line


def read_csv(path: str | os.PathLike[str], *, schema: Sequence[str], optional: Sequence[str] = (),
             headerless: bool = False) -> CsvTable:
    """Read a comma-separated table.

    With a header row, every column of ``schema`` not in ``optional`` must be
    present (in any order; extra columns are ignored).  Without one — the
    first row names none of the schema's columns — the file is read in
    ``schema`` order when ``headerless`` is allowed, and refused otherwise.
    Every row must have as many cells as the header; blank lines are skipped.
    """
    path = os.fspath(path)
    known = set(schema) | set(optional)
    columns: dict[str, int] | None = None
    header = False
    width = 0
    rows: list[Row] = []
    lines = _physical_lines(path)
    reader = csv.reader((text for _, text in lines), strict=True)
    line = 0
    try:
        for cells in reader:
            line = reader.line_num
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if columns is None:
                names = [c.strip() for c in cells]
                if known & set(names):
                    header = True
                    dup = sorted({n for n in names if names.count(n) > 1})
                    if dup:
                        raise TraceError(path, line, f"duplicate column(s) {', '.join(dup)} in the header")
                    missing = [c for c in schema if c not in names and c not in optional]
                    if missing:
                        raise TraceError(
                            path, line,
                            f"missing column(s) {', '.join(missing)}: expected a header with "
                            f"{','.join(schema)}, got {','.join(names)}")
                    columns = {n: i for i, n in enumerate(names)}
                    width = len(names)
                    continue
                if not headerless:
                    raise TraceError(
                        path, line, f"expected a header row naming the columns {','.join(schema)}, "
                        f"got {','.join(cells)!r}")
                columns = {n: i for i, n in enumerate(schema)}
                width = len(schema)
            if len(cells) != width:
                raise TraceError(
                    path, line,
                    f"expected {width} comma-separated fields ({','.join(sorted(columns, key=columns.get))}), "
                    f"got {len(cells)}")
            rows.append(Row(line, cells))
    except csv.Error as exc:
        raise TraceError(path, line + 1, f"malformed CSV: {exc}") from None
    if columns is None:
        raise TraceError(path, None, f"the file is empty: expected a table with columns {','.join(schema)}")
    return CsvTable(path, columns, header, rows)


# --- locating files -------------------------------------------------------------

def find_file(directory: str | os.PathLike[str], patterns: Sequence[str], what: str) -> str:
    """The one file in ``directory`` matching the first pattern that matches
    anything (glob patterns, tried in order); ``TraceError`` if none or
    several match."""
    d = Path(directory)
    for pattern in patterns:
        found = sorted(p for p in d.glob(pattern) if p.is_file())
        if len(found) == 1:
            return str(found[0])
        if len(found) > 1:
            raise TraceError(str(d), None, f"several {what} files match {pattern!r}: "
                                           f"{', '.join(p.name for p in found)}; pass the file itself")
    raise TraceError(str(d), None, f"no {what} file: expected one of {', '.join(patterns)} in this directory")


def first_row_cells(path: str | os.PathLike[str]) -> list[str]:
    """The cells of the first non-blank line of a CSV file (for telling which
    table of a trace a file holds)."""
    for _, line in text_lines(os.fspath(path)):
        return next(csv.reader([line]))
    raise TraceError(os.fspath(path), None, "the file is empty")
