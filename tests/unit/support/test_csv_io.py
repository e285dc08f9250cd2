"""The directory CSV format: row-level errors naming row and column; formula-safe round trip."""

from __future__ import annotations

import io

from safeshare.support.csv_io import (
    COLUMNS,
    REPORTED_COLUMNS,
    DirectoryRow,
    read_areas_csv,
    read_directory_csv,
    write_directory_csv,
)
from safeshare.support.schemas import ServiceFields

HEADER = "organisation,name,service_types,areas_covered,referral_method,referral_contact,languages"


def read(text: str) -> tuple[list[DirectoryRow], list[tuple[int, str | None]]]:
    rows, errors = read_directory_csv(io.StringIO(text))
    return rows, [(error.row, error.column) for error in errors]


def test_columns_are_the_directory_fields() -> None:
    assert set(COLUMNS) == {"organisation", *ServiceFields.model_fields}


def test_good_rows_parse_with_lists_split_on_semicolons() -> None:
    rows, errors = read_directory_csv(
        io.StringIO(
            f"{HEADER}\n"
            "Org A,Advocacy,advocacy; counselling,north;south,phone,0163,Spanish; Portuguese\n"
        )
    )
    assert errors == []
    assert rows[0].organisation == "Org A"
    assert rows[0].fields.service_types == ["advocacy", "counselling"]
    assert rows[0].fields.languages == ["Spanish", "Portuguese"]


def test_every_bad_row_is_reported_with_row_number_and_column() -> None:
    text = (
        f"{HEADER}\n"
        "Org A,Good,advocacy,north,phone,0163,\n"
        ",No organisation,advocacy,north,phone,0163,\n"  # row 3
        "Org A,Bad type,shelter,north,phone,0163,\n"  # row 4
        "\n"  # blank line 5, skipped
        "Org A,No areas,advocacy,,phone,0163,\n"  # row 6
        "Org A,good,advocacy,north,phone,0163,\n"  # row 7: duplicate of row 2
        "Org A,Too many,advocacy,north,phone,0163,,extra\n"  # row 8
    )
    rows, errors = read(text)
    assert len(rows) == 1
    assert errors == [
        (3, "organisation"),
        (4, "service_types"),
        (6, "areas_covered"),
        (7, "name"),
        (8, None),
    ]


def test_header_problems_stop_before_any_row() -> None:
    _, errors = read("organisation,name,colour\nOrg,Thing,red\n")
    assert (1, "colour") in errors
    assert (1, "service_types") in errors and (1, "referral_method") in errors
    assert read("")[1] == [(1, None)]


def test_export_guards_formulas_and_reads_back_unchanged() -> None:
    row = {
        "organisation": '=HYPERLINK("http://evil.example")',
        "name": "Helpline",
        "service_types": ["helpline"],
        "is_area_wide": True,
        "referral_method": "phone",
        "referral_contact": "+44 1632 960000",
        "languages": ["English", "Spanish"],
    }
    buffer = io.StringIO()
    assert write_directory_csv(buffer, [row]) == 1
    text = buffer.getvalue()
    assert "'=HYPERLINK" in text and "'+44" in text
    assert text.splitlines()[0].split(",") == [*COLUMNS, *REPORTED_COLUMNS]
    rows, errors = read_directory_csv(io.StringIO(text))
    assert errors == []
    assert rows[0].organisation == row["organisation"]
    assert rows[0].fields.referral_contact == "+44 1632 960000"
    assert rows[0].fields.is_area_wide is True


def test_areas_csv() -> None:
    areas, errors = read_areas_csv(
        io.StringIO("code,name,neighbours\nN,North,c;s\nc,Centre,\n,Nameless,\n")
    )
    assert [(a.code, a.neighbours) for a in areas] == [("n", ["c", "s"]), ("c", [])]
    assert [(e.row, e.column) for e in errors] == [(4, "code")]
