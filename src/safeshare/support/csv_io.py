"""The directory as CSV: parsing with row-level errors, and writing. No database here.

Format: one service per row; list columns hold values separated by semicolons; booleans are
"yes"/"no". `vacant_*` and `vacancies_updated_at` are exported for information and ignored on
import, because vacancies are reported live by each organisation's advocates, not by the PCC.
Cells that a spreadsheet would run as a formula are written with a leading apostrophe
(OWASP "CSV injection") and read back without it, so an export re-imports unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TextIO, TypeVar

from pydantic import BaseModel, ValidationError

from safeshare.support.errors import RowError
from safeshare.support.schemas import AreaIn, ServiceFields, error_messages
from safeshare.support.vocabulary import normalise_tag

ORGANISATION_COLUMN = "organisation"
# The fields of `ServiceFields`, in the order a person filling in a spreadsheet expects.
SERVICE_COLUMNS: tuple[str, ...] = (
    "name",
    "service_types",
    "oisc_level",
    "communities",
    "languages",
    "has_nrpf_support",
    "areas_covered",
    "is_area_wide",
    "referral_method",
    "referral_contact",
    "opening_hours",
    "units",
    "bedspaces",
    "nrpf_units",
    "nrpf_bedspaces",
    "is_active",
    "description",
)
COLUMNS: tuple[str, ...] = (ORGANISATION_COLUMN, *SERVICE_COLUMNS)
REPORTED_COLUMNS: tuple[str, ...] = (
    "vacant_units",
    "vacant_bedspaces",
    "vacant_nrpf_units",
    "vacant_nrpf_bedspaces",
    "vacancies_updated_at",
)
REQUIRED_COLUMNS: frozenset[str] = frozenset(
    {ORGANISATION_COLUMN}
    | {name for name, f in ServiceFields.model_fields.items() if f.is_required()}
)
LIST_SEPARATOR = ";"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_HEADER_ROW = 1
_LIST_COLUMNS = frozenset({"communities", "languages", "service_types", "areas_covered"})


MAX_CELL_CHARS = 10_000  # far beyond any real field; bounds memory and error output

AREA_COLUMNS: tuple[str, ...] = ("code", "name", "neighbours")
_AREA_LIST_COLUMNS = frozenset({"neighbours"})

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class DirectoryRow:
    """A valid row: the organisation's name and the service's fields."""

    row: int
    organisation: str
    fields: ServiceFields


def read_directory_csv(source: TextIO) -> tuple[list[DirectoryRow], list[RowError]]:
    """Every valid row and every error; the caller imports nothing if there is any error."""
    records, errors = _records(
        source, known={*COLUMNS, *REPORTED_COLUMNS}, required=REQUIRED_COLUMNS
    )
    rows: list[DirectoryRow] = []
    seen: dict[tuple[str, str], int] = {}
    for number, cells in records:
        organisation = cells.pop(ORGANISATION_COLUMN, "")
        row_errors = (
            []
            if organisation
            else [RowError(number, ORGANISATION_COLUMN, "enter the organisation's name")]
        )
        fields = _validate(ServiceFields, number, cells, _LIST_COLUMNS, row_errors)
        if fields is None or row_errors:
            errors += row_errors
            continue
        key = (normalise_tag(organisation), normalise_tag(fields.name))
        if key in seen:
            errors.append(
                RowError(number, "name", f"the same service is already on row {seen[key]}")
            )
            continue
        seen[key] = number
        rows.append(DirectoryRow(row=number, organisation=organisation, fields=fields))
    return rows, _in_row_order(errors)


def read_areas_csv(source: TextIO) -> tuple[list[AreaIn], list[RowError]]:
    """Localities from CSV (`code`, `name`, `neighbours` as codes separated by semicolons)."""
    records, errors = _records(source, known=set(AREA_COLUMNS), required={"code", "name"})
    areas: list[AreaIn] = []
    for number, cells in records:
        area = _validate(AreaIn, number, cells, _AREA_LIST_COLUMNS, errors)
        if area is not None:
            areas.append(area)
    return areas, _in_row_order(errors)


def _records(
    source: TextIO, *, known: Collection[str], required: Collection[str]
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """(row number, non-blank trimmed cells) per non-empty line, or the header's errors."""
    reader = csv.reader(source)
    try:
        header = next(reader, None)
    except csv.Error:  # e.g. a cell over the csv module's field limit: bad input, not a crash
        return [], [RowError(_HEADER_ROW, None, "the header is not valid CSV or is too long")]
    if header is None:
        return [], [RowError(_HEADER_ROW, None, "the file is empty")]
    columns = [name.strip().lower() for name in header]
    errors = [
        RowError(_HEADER_ROW, name or None, "unknown column")
        for name in columns
        if name not in known
    ]
    errors += [
        RowError(_HEADER_ROW, name, "the column appears more than once")
        for name in sorted({name for name in columns if columns.count(name) > 1})
    ]
    errors += [
        RowError(_HEADER_ROW, name, "required column is missing")
        for name in sorted(set(required) - set(columns))
    ]
    if errors:
        return [], errors
    records: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(_rows(reader, errors), start=_HEADER_ROW + 1):
        if any(len(value) > MAX_CELL_CHARS for value in values):
            errors.append(RowError(number, None, f"a cell is over {MAX_CELL_CHARS} characters"))
            continue
        if len(values) > len(columns):
            errors.append(RowError(number, None, "the row has more cells than the header"))
            continue
        cells = {
            name: _unguard(value).strip() for name, value in zip(columns, values, strict=False)
        }
        cells = {name: value for name, value in cells.items() if value}
        if cells:  # blank cells take the field's default; blank lines are skipped
            records.append((number, cells))
    return records, errors


def _rows(reader: Iterator[list[str]], errors: list[RowError]) -> Iterator[list[str]]:
    """The reader's rows; a row the csv module cannot read ends the file with an error."""
    number = _HEADER_ROW
    while True:
        number += 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error:
            errors.append(RowError(number, None, "the row is not valid CSV or a cell is too long"))
            return
        yield values


def _in_row_order(errors: list[RowError]) -> list[RowError]:
    return sorted(errors, key=lambda error: error.row)


def _validate(
    model: type[M],
    number: int,
    cells: Mapping[str, str],
    list_columns: Collection[str],
    errors: list[RowError],
) -> M | None:
    """The row as `model`, or None with its errors (field by field) appended to `errors`."""
    data = {
        name: _split(value) if name in list_columns else value
        for name, value in cells.items()
        if name in model.model_fields
    }
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors += [RowError(number, field, message) for field, message in error_messages(exc)]
        return None


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(LIST_SEPARATOR) if item.strip()]


def write_directory_csv(target: TextIO, rows: Iterable[Mapping[str, Any]]) -> int:
    """Write the header and one line per service row (as `COLUMNS`); return the row count."""
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow((*COLUMNS, *REPORTED_COLUMNS))
    count = 0
    for row in rows:
        writer.writerow([_format(row.get(name)) for name in (*COLUMNS, *REPORTED_COLUMNS)])
        count += 1
    return count


def _format(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return _guard(f"{LIST_SEPARATOR} ".join(str(item) for item in value))
    return _guard(str(value))


def _guard(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _unguard(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS) else text
