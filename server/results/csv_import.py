"""Reading a results CSV: bytes in, validated rows and located problems out. Pure: no database.

The format is in docs/results.md: a header naming `email`, `period` and one or more metrics
(any other column, e.g. `win_rate`, `margin`, `cycle_days`, `revenue`), then one row per person
and period. Values are plain decimals (`0.42`, `-3`, `125000.50`); an empty cell is a missing
value and changes nothing. Every problem is `FILE:LINE: message`, as for people (server/people/).
"""

from __future__ import annotations

import csv
import io
import math
import re

import msgspec

from server.csv_files import Unreadable, csv_text
from server.people import rules
from server.people.csv_import import Problem
from server.people.rules import Invalid
from server.results.periods import BadPeriod, parse_period

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
MAX_METRICS = 30
KEYS = ("email", "period")
_METRIC = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
MAX_ABS = 1e15  # beyond this a value is a typo (or an ID pasted into a figure column)


class ResultRow(msgspec.Struct, frozen=True):
    """A valid row: a person's values for one period, and the line it is on."""

    line: int
    email: str
    period: str
    values: dict[str, float]  # metric -> value; missing values are left out


class ParsedResults(msgspec.Struct, frozen=True):
    rows: list[ResultRow]
    problems: list[Problem]
    metrics: list[str]
    fatal: bool = False  # the file as a whole is unusable: nothing may be imported from it


def parse_value(text: str) -> float | None:
    """A cell as a number; None when empty. ValueError with a hint when it is not a plain decimal."""
    value = text.strip()
    if not value:
        return None
    if _DECIMAL.match(value):
        number = float(value)
        if not math.isfinite(number) or abs(number) > MAX_ABS:
            raise ValueError(f"{value!r} is too large: is it a figure?")
        return number
    if re.match(r"^[+-]?\d+,\d+$", value):
        raise ValueError(f"{value!r} uses a decimal comma: write {value.replace(',', '.')}")
    if value.endswith("%") and _DECIMAL.match(value[:-1].strip()):
        raise ValueError(f"{value!r} is a percentage: write it as a fraction ({float(value[:-1]) / 100:g}) or a number without %")
    raise ValueError(f"{value!r} is not a number: use digits with a decimal point, e.g. 0.42 or 125000")


def parse_results_csv(path: str, data: bytes, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES) -> ParsedResults:
    """Every valid row of the file, and a problem for every bad row, header or encoding."""
    try:
        text = csv_text(data, max_bytes)
    except Unreadable as unreadable:
        return _fatal(path, unreadable.line, unreadable.message)

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    metrics: list[tuple[int, str]] = []
    email_at = period_at = 0
    rows: list[ResultRow] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}  # (email, period) -> the line it was first on
    count = 0
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            return ParsedResults([], [Problem(path, line, f"not valid CSV: {error}")], [], fatal=True)
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, and the `,,,` rows spreadsheets leave behind
        if header is None:
            header_problems = _check_header(path, line, cells)
            if header_problems:
                return ParsedResults([], header_problems, [], fatal=True)
            header = cells
            names = [cell.strip().lower() for cell in cells]
            email_at, period_at = names.index("email"), names.index("period")
            metrics = [(i, name) for i, name in enumerate(names) if name not in KEYS]
            continue
        count += 1
        if count > max_rows:
            return _fatal(path, line, f"more than {max_rows} rows: split the file into several files")
        if len(cells) != len(header):
            problems.append(Problem(path, line, f"{len(cells)} fields, but the header has {len(header)}"))
            continue
        row_problems: list[str] = []
        try:
            email = rules.normalise_email(cells[email_at])
        except Invalid as error:
            row_problems.append(str(error))
            email = ""
        try:
            period = parse_period(cells[period_at])
        except BadPeriod as error:
            row_problems.append(str(error))
            period = ""
        values: dict[str, float] = {}
        for i, name in metrics:
            try:
                value = parse_value(cells[i])
            except ValueError as error:
                row_problems.append(f"{name}: {error}")
                continue
            if value is not None:
                values[name] = value
        if email and period:
            first = seen.get((email, period))
            if first is not None:
                row_problems.append(f"{email} has a row for {period} already, on line {first}")
            else:
                seen[(email, period)] = line
        if row_problems:
            problems.extend(Problem(path, line, message) for message in row_problems)
        else:
            rows.append(ResultRow(line, email, period, values))
    if header is None:
        return _fatal(path, 0, "the file is empty: the first line must be the header email,period,<metric>,…")
    return ParsedResults(rows, problems, [name for _, name in metrics])


def _fatal(path: str, line: int, message: str) -> ParsedResults:
    return ParsedResults([], [Problem(path, line, message)], [], fatal=True)


def _check_header(path: str, line: int, cells: list[str]) -> list[Problem]:
    names = [cell.strip().lower() for cell in cells]
    if len(names) == 1 and ";" in names[0]:
        return [Problem(path, line, "the columns are separated by ';': save the file with commas between columns")]
    problems: list[str] = []
    for i, name in enumerate(names, start=1):
        if not name:
            problems.append(f"column {i} has no heading: name it after its metric, e.g. win_rate")
        elif names.index(name) != i - 1:
            problems.append(f"column {name!r} appears twice")
        elif name not in KEYS and not _METRIC.match(name):
            problems.append(
                f"column {cells[i - 1].strip()!r} is not a metric name: use lower-case letters, digits and _ "
                "(starting with a letter, at most 40), e.g. win_rate"
            )
    missing = [key for key in KEYS if key not in names]
    if missing:
        problems.append(f"missing column(s): {', '.join(missing)} (the header must name email, period and at least one metric)")
    metric_count = sum(1 for name in names if name and name not in KEYS)
    if not missing and metric_count == 0:
        problems.append("no metric column: add one or more, e.g. email,period,win_rate,margin")
    if metric_count > MAX_METRICS:
        problems.append(f"{metric_count} metric columns: at most {MAX_METRICS}")
    return [Problem(path, line, message) for message in problems]
