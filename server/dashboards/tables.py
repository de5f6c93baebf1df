"""A table as the dashboards show it: the source of truth for every chart, rendered as HTML
(server/templates/dashboards/_table.html) and as CSV. Pure: no I/O beyond an in-memory buffer."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

CsvValue = str | int | float | None


@dataclass(frozen=True, kw_only=True)
class Cell:
    """One value: `text` as people read it, `csv` as the download holds it (one value per CSV
    column of its table column); `muted` greys it out and `note` says why."""

    text: str
    csv: tuple[CsvValue, ...] = ()
    muted: bool = False
    note: str = ""
    href: str = ""

    def csv_values(self, width: int) -> tuple[CsvValue, ...]:
        values = self.csv if self.csv else (self.text,)
        if len(values) != width:
            raise ValueError(f"a cell of {self.text!r} has {len(values)} CSV values for {width} columns")
        return values


@dataclass(frozen=True, kw_only=True)
class Column:
    """A column header, and the CSV columns it becomes (one unless a cell holds several figures)."""

    label: str
    csv_labels: tuple[str, ...] = ()

    @property
    def csv_headers(self) -> tuple[str, ...]:
        return self.csv_labels or (self.label,)


@dataclass(frozen=True, kw_only=True)
class Row:
    """A row: its header (a `<th scope="row">`) and one cell per column."""

    header: Cell
    cells: Sequence[Cell]


@dataclass(frozen=True, kw_only=True)
class Table:
    caption: str
    row_label: str  # the header of the row headers' column
    columns: Sequence[Column]
    rows: Sequence[Row] = field(default_factory=list)
    name: str = "table"  # the CSV file's name, without `.csv`

    def csv_text(self) -> str:
        """The table as CSV (RFC 4180 quoting by the csv module), a header line first."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([self.row_label, *(h for c in self.columns for h in c.csv_headers)])
        for row in self.rows:
            if len(row.cells) != len(self.columns):
                raise ValueError(f"row {row.header.text!r} has {len(row.cells)} cells for {len(self.columns)} columns")
            values: list[CsvValue] = [*row.header.csv_values(1)]
            for column, cell in zip(self.columns, row.cells, strict=True):
                values.extend(cell.csv_values(len(column.csv_headers)))
            writer.writerow(["" if v is None else _formula_safe(v) for v in values])
        return out.getvalue()


def _formula_safe(value: CsvValue) -> CsvValue:
    """A text starting like a formula is prefixed with `'`, so a spreadsheet shows it as text
    (a name or team typed as `=HYPERLINK(…)` must not run when HR opens the file)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
