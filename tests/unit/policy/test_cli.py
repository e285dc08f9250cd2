"""`safeshare policy` contract: exit 0 and JSON for any decision, exit 2 and one JSON line
naming the bad field for invalid input, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bench.synthetic_requests import synthetic_history
from safeshare.policy.cli import app
from safeshare.policy.regimes import load_regimes
from safeshare.policy.schemas import Decision
from tests.unit.policy.builders import request_data

runner = CliRunner()
ENFORCEMENT = request_data(
    requester={"agency": "immigration_enforcement", "purpose": "immigration_enforcement"},
    subject={"crime_types": ["domestic_abuse"], "status_doubt_only": True},
    categories=["identity", "immigration_status"],
)


def _error(stderr: str) -> dict[str, Any]:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    payload: dict[str, Any] = json.loads(lines[0])
    return payload


def test_check_reads_stdin_and_prints_one_decision() -> None:
    result = runner.invoke(
        app, ["check", "--regime", "hmicfrs-rec1", "-"], input=json.dumps(ENFORCEMENT)
    )
    assert result.exit_code == 0, result.stderr
    decision = Decision.model_validate_json(result.stdout)
    assert decision.outcome == "deny"
    assert decision.referral_required
    assert decision.reasons[0].id == "rec1.da-victim-status-doubt"


def test_check_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "request.json"
    path.write_text(json.dumps(ENFORCEMENT))
    result = runner.invoke(app, ["check", "--regime", "iemvp", str(path)])
    assert result.exit_code == 0
    decision = Decision.model_validate_json(result.stdout)
    # The protocol never makes sharing automatic (issue 13): a disclosure officer decides.
    assert (decision.outcome, decision.disclose) == ("review", [])


def test_check_accepts_the_old_suspect_field_with_a_deprecation_warning() -> None:
    data = json.loads(json.dumps(ENFORCEMENT))
    data["subject"]["suspected_of_offence"] = data["subject"].pop(
        "suspected_of_non_immigration_offence"
    )
    result = runner.invoke(app, ["check", "--regime", "hmicfrs-rec1"], input=json.dumps(data))
    assert result.exit_code == 0, result.stderr
    new = runner.invoke(app, ["check", "--regime", "hmicfrs-rec1"], input=json.dumps(ENFORCEMENT))
    assert result.stdout == new.stdout
    warning = _error(result.stderr)
    assert warning["warning"] == "deprecated_field"
    assert warning["field"] == "subject.suspected_of_offence"
    assert "suspected_of_non_immigration_offence" in warning["message"]
    assert new.stderr == ""


def _mutated(section: str, key: str, value: Any) -> str:
    data = json.loads(json.dumps(ENFORCEMENT))
    if value is None:
        del data[section][key]
    else:
        data[section][key] = value
    return json.dumps(data)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_mutated("subject", "shoe_size", 9), "subject.shoe_size"),
        (_mutated("subject", "status_doubt_only", None), "subject.status_doubt_only"),
        (_mutated("subject", "investigation_active", "yes"), "subject.investigation_active"),
        (_mutated("requester", "purpose", "curiosity"), "requester.purpose"),
        (_mutated("subject", "crime_types", []), "subject.crime_types"),
        ("[1, 2]", "request"),
        ("{not json", None),
        ("", None),
    ],
    ids=[
        "unknown-field",
        "missing-field",
        "wrong-type",
        "bad-enum",
        "no-crime-types",
        "not-an-object",
        "bad-json",
        "empty",
    ],
)
def test_invalid_input_exits_2_with_one_json_line(body: str, field: str | None) -> None:
    result = runner.invoke(app, ["check", "--regime", "firewall"], input=body)
    assert result.exit_code == 2
    assert result.stdout == ""
    error = _error(result.stderr)
    assert error["field"] == field
    assert error["error"] == "invalid_request"
    assert error["message"]


def test_unknown_regime_and_missing_file_are_invalid_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", "--regime", "nope"], input=json.dumps(ENFORCEMENT))
    assert result.exit_code == 2
    assert _error(result.stderr) | {"message": ""} == {
        "error": "unknown_regime",
        "field": "--regime",
        "message": "",
    }
    result = runner.invoke(app, ["check", "--regime", "firewall", str(tmp_path / "missing.json")])
    assert result.exit_code == 2
    assert _error(result.stderr)["field"] == "FILE"


def test_regimes_lists_every_regime() -> None:
    result = runner.invoke(app, ["regimes", "--json"])
    assert result.exit_code == 0
    listed = {r["name"]: r for r in json.loads(result.stdout)}
    assert set(listed) == set(load_regimes())
    assert listed["iemvp"]["policy_hash"] == load_regimes()["iemvp"].policy_hash
    table = runner.invoke(app, ["regimes"])
    assert table.exit_code == 0
    assert "hmicfrs-rec1" in table.stdout


def test_simulate_reports_differences_and_writes_changed_requests(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    history.write_text("".join(json.dumps(d) + "\n" for d in synthetic_history(400, seed=5)) + "\n")
    changed = tmp_path / "changed.jsonl"
    args = ["simulate", "--input", str(history), "--changed-out", str(changed)]
    result = runner.invoke(app, [*args, "--regime", "firewall", "--regime", "iemvp"])
    assert result.exit_code == 0, result.stderr
    assert "400 requests replayed" in result.stdout
    assert "Outcome changes from firewall" in result.stdout
    rows = [json.loads(line) for line in changed.read_text().splitlines()]
    assert rows
    assert f"{len(rows)} of 400 requests change outcome" in result.stdout
    for row in rows:
        outcomes = {d["outcome"] for d in row["decisions"].values()}
        assert len(outcomes) == 2
        assert set(row["decisions"]) == {"firewall", "iemvp"}


def test_simulate_names_the_line_and_field_of_a_bad_request(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    bad = json.loads(json.dumps(ENFORCEMENT))
    bad["categories"] = ["identity", "bank_details"]
    history.write_text(json.dumps(ENFORCEMENT) + "\n" + json.dumps(bad) + "\n")
    result = runner.invoke(app, ["simulate", "--input", str(history), "--regime", "firewall"])
    assert result.exit_code == 2
    error = _error(result.stderr.splitlines()[-1])
    assert (error["line"], error["field"]) == (2, "categories.1")


def test_simulate_rejects_a_regime_named_twice(tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    history.write_text(json.dumps(ENFORCEMENT) + "\n")
    args = ["simulate", "--input", str(history), "--regime", "iemvp", "--regime", "iemvp"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert _error(result.stderr)["error"] == "duplicate_regime"


def test_module_runs_as_a_script_without_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "safeshare.policy.cli", "check", "--regime", "firewall"],
        input='{"requester": {}}',
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert _error(result.stderr)["field"] == "requester.agency"
