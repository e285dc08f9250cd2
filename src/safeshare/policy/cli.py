"""`safeshare policy`: check one request, list regimes, replay a history, prove and diff regimes.

The JSON contract is stable, because scripts and inspectors depend on it: exit 0 for any
decision; exit 2 with a one-line JSON error on stderr naming the bad field for invalid
input; exit 1, also as one JSON line, if a regime cannot load. Never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from safeshare.errors import SafeShareError
from safeshare.policy.diff import diff_regimes
from safeshare.policy.engine import Regime
from safeshare.policy.errors import UnknownRegimeError
from safeshare.policy.fastpath import request_key
from safeshare.policy.prove import RegimeProof, load_invariants, prove_regime
from safeshare.policy.prove import write_certificate as write_certificate_file
from safeshare.policy.regimes import (
    INVARIANTS_FILE,
    REGIMES_DIR,
    compile_pack,
    get_regime,
    load_regimes,
)
from safeshare.policy.replay import Replay
from safeshare.policy.schemas import (
    SUSPECT_FIELD,
    InvalidRequestError,
    Outcome,
    deprecated_fields,
    parse_share_request,
)

app = typer.Typer(
    name="policy",
    help="Sharing decisions: check a request, list regimes, replay a history.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

INVALID_INPUT = 2
BROKEN = 1
_PROGRESS_EVERY = 2048  # lines between progress-bar refreshes; each refresh costs microseconds


class _CliError(Exception):
    def __init__(self, code: int, payload: dict[str, Any]) -> None:
        super().__init__(payload.get("message"))
        self.exit_code = code
        self.payload = payload


def _error(code: int, error: str, message: str, field: str | None, **extra: Any) -> _CliError:
    return _CliError(code, {"error": error, "field": field, "message": message, **extra})


@contextmanager
def _json_errors() -> Iterator[None]:
    """Turn every failure into one JSON line on stderr and an exit code, never a traceback."""
    try:
        yield
    except _CliError as exc:
        _exit(exc.exit_code, exc.payload)
    except InvalidRequestError as exc:
        _exit(INVALID_INPUT, {"error": exc.code, "field": exc.field, "message": exc.message})
    except UnknownRegimeError as exc:
        _exit(INVALID_INPUT, {"error": exc.code, "field": "--regime", "message": exc.message})
    except SafeShareError as exc:
        _exit(BROKEN, {"error": exc.code, "field": exc.field, "message": exc.message})
    except Exception as exc:  # the contract forbids tracebacks; name the type only
        _exit(BROKEN, {"error": "internal", "field": None, "message": type(exc).__name__})


def _exit(code: int, payload: dict[str, Any]) -> NoReturn:
    sys.stderr.write(json.dumps(payload, separators=(",", ":")) + "\n")
    raise typer.Exit(code)


def _read(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(source).read_bytes()
    except OSError as exc:
        raise _error(INVALID_INPUT, "unreadable_input", exc.strerror or str(exc), "FILE") from None


@app.command()
def check(
    regime: Annotated[str, typer.Option("--regime", help="Regime to decide under.")],
    file: Annotated[str, typer.Argument(help="JSON request file, or - for stdin.")] = "-",
) -> None:
    """Decide one free-standing JSON request (a what-if: every fact typed in) and print the
    JSON decision. A deprecated field name is still accepted, with a JSON warning on stderr."""
    with _json_errors():
        compiled = get_regime(regime)
        text = _read(file)
        request = parse_share_request(text)
        for field in deprecated_fields(text):
            sys.stderr.write(
                json.dumps(
                    {
                        "warning": "deprecated_field",
                        "field": field,
                        "message": f"{field} is deprecated and will be refused in the next "
                        f"release; use subject.{SUSPECT_FIELD}",
                    },
                    separators=(",", ":"),
                )
                + "\n"
            )
        typer.echo(compiled.decide(request).model_dump_json())


@app.command()
def regimes(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the regimes a force may run under, with their policy hashes."""
    with _json_errors():
        loaded = load_regimes()
        if as_json:
            rows = [
                {
                    "name": r.name,
                    "title": r.title,
                    "summary": r.summary,
                    "policy_hash": r.policy_hash,
                    "policies": sorted(r.policies),
                }
                for r in loaded.values()
            ]
            typer.echo(json.dumps(rows, indent=2))
            return
        table = Table(title="Regimes")
        for column in ("Name", "Title", "Policies", "Policy hash"):
            table.add_column(column)
        for r in loaded.values():
            table.add_row(r.name, r.title, str(len(r.policies)), r.policy_hash[:16])
        Console().print(table)


@app.command()
def simulate(
    input_path: Annotated[
        Path, typer.Option("--input", help="History: one JSON request per line.")
    ],
    regime: Annotated[
        list[str],
        typer.Option("--regime", help="Regime to replay under; repeat. First is the baseline."),
    ],
    changed_out: Annotated[
        Path | None,
        typer.Option("--changed-out", help="Write requests whose outcome changes here (JSONL)."),
    ] = None,
) -> None:
    """Replay a history under several regimes and report how the outcomes differ."""
    with _json_errors():
        if len(set(regime)) != len(regime):
            raise _error(INVALID_INPUT, "duplicate_regime", "name each regime once", "--regime")
        compiled = [get_regime(name) for name in regime]
        replay = _replay(input_path, compiled, changed_out)
        _print_summary(replay)


def _replay(path: Path, compiled: list[Regime], changed_out: Path | None) -> Replay:
    try:
        total = path.stat().st_size
        source = path.open("rb")
    except OSError as exc:
        raise _error(
            INVALID_INPUT, "unreadable_input", exc.strerror or str(exc), "--input"
        ) from None
    replay = Replay(compiled)
    progress = Progress(
        TextColumn("Replaying"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[requests]} requests"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )
    out = changed_out.open("w", encoding="utf-8") if changed_out else None
    try:
        with source, progress:
            task = progress.add_task("replay", total=total, requests=0)
            done = 0
            for number, line in enumerate(source, start=1):
                done += len(line)
                if number % _PROGRESS_EVERY == 0:
                    progress.update(task, completed=done, requests=replay.requests)
                if not line.strip():
                    continue
                try:
                    request = parse_share_request(line)
                except InvalidRequestError as exc:
                    raise _error(
                        INVALID_INPUT, exc.code, exc.message, exc.field, line=number
                    ) from None
                changed = replay.add(request_key(request))
                if changed is not None and out is not None:
                    record = {
                        "line": number,
                        "request": request.model_dump(mode="json"),
                        "decisions": {
                            d.regime: {"outcome": d.outcome, "disclose": d.disclose}
                            for d in changed
                        },
                    }
                    out.write(json.dumps(record, separators=(",", ":")) + "\n")
            progress.update(task, completed=total, requests=replay.requests)
    finally:
        if out is not None:
            out.close()
    return replay


def _print_summary(replay: Replay) -> None:
    console = Console()
    baseline = replay.tallies[0].regime
    table = Table(title=f"{replay.requests} requests replayed; baseline {baseline}")
    table.add_column("Regime", no_wrap=True)
    for column in ("Permit", "Deny", "Review", "Referral", "Enforcement\npause"):
        table.add_column(column, justify="right")
    table.add_column(f"Changed vs\n{baseline}", justify="right")
    for tally in replay.tallies:
        table.add_row(
            tally.regime,
            *(str(tally.outcomes[o]) for o in Outcome),
            str(tally.referrals),
            str(tally.enforcement_pauses),
            str(tally.changed_from_baseline),
        )
    console.print(table)
    if len(replay.tallies) > 1:
        moves = Table(title=f"Outcome changes from {baseline}")
        moves.add_column("Regime", no_wrap=True)
        moves.add_column("From")
        moves.add_column("To")
        moves.add_column("Requests", justify="right")
        for tally in replay.tallies[1:]:
            for (before, after), count in sorted(tally.transitions.items()):
                if before is not after:
                    moves.add_row(tally.regime, before, after, str(count))
        console.print(moves)
    console.print(f"{replay.changed} of {replay.requests} requests change outcome between regimes.")


if __name__ == "__main__":
    app()


# --- proofs and diffs ------------------------------------------------------------------------


def _pack(directory: Path | None) -> dict[str, Regime]:
    """The regimes of a pack, compiled but not yet trusted (proving is how they earn it)."""
    return compile_pack(directory) if directory is not None else compile_pack()


def _chosen(pack: dict[str, Regime], names: list[str] | None) -> list[Regime]:
    for name in names or []:
        if name not in pack:
            raise _error(
                INVALID_INPUT,
                "unknown_regime",
                f"unknown regime {name!r}; known regimes: {', '.join(pack)}",
                "--regime",
            )
    return [pack[name] for name in names] if names else list(pack.values())


@app.command()
def prove(
    regime: Annotated[
        list[str] | None, typer.Option("--regime", help="Regime to prove; repeat. Default: all.")
    ] = None,
    pack: Annotated[
        Path | None, typer.Option("--pack", help="Regime pack directory (default: shipped).")
    ] = None,
    invariants: Annotated[
        Path, typer.Option("--invariants", help="Invariants file.")
    ] = INVARIANTS_FILE,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    write_certificate: Annotated[
        bool,
        typer.Option("--write-certificate", help="Record the pack as proved (only if all hold)."),
    ] = False,
    unprojected: Annotated[
        bool,
        typer.Option("--unprojected", help="Enumerate every request, not every class (hours)."),
    ] = False,
) -> None:
    """Check every invariant on every request class each regime can tell apart; exit 1 with
    the smallest counter-example if one fails."""
    with _json_errors():
        loaded = _pack(pack)
        chosen = _chosen(loaded, regime)
        rules = load_invariants(invariants)
        err = Console(stderr=True)
        results: list[RegimeProof] = []
        for compiled in chosen:
            with Progress(
                TextColumn(f"Proving {compiled.name}"),
                BarColumn(),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
                disable=as_json,
            ) as bar:
                task = bar.add_task("classes", total=None)
                results.append(
                    prove_regime(
                        compiled,
                        rules,
                        projected=not unprojected,
                        progress=_advancer(bar, task),
                    )
                )
        ok = all(r.ok for r in results)
        if write_certificate and (regime or not ok):
            raise _error(
                BROKEN,
                "not_certified",
                "a certificate needs every regime of the pack proved, with every invariant holding",
                "--write-certificate",
            )
        if write_certificate:
            write_certificate_file(pack or REGIMES_DIR, results, invariants)
    if as_json:
        typer.echo(json.dumps({"ok": ok, "regimes": [r.as_dict() for r in results]}, indent=2))
    else:
        _print_proofs(results)
    raise typer.Exit(0 if ok else 1)


def _advancer(bar: Progress, task: TaskID) -> Callable[[int], None]:
    return lambda done: bar.advance(task, done)


def _print_proofs(results: list[RegimeProof]) -> None:
    console = Console(soft_wrap=True)
    for result in results:
        verdict = "all hold" if result.ok else f"{len(result.violations)} violated"
        console.print(
            f"{result.regime}: {result.classes:,} request classes, "
            f"{len(result.invariants)} invariants, {result.seconds:.1f} s: {verdict}",
            markup=False,
            highlight=False,
        )
        for violation in result.violations:
            console.print(
                f"  VIOLATED {violation.invariant} ({violation.classes:,} classes): "
                f"{violation.detail}\n  {violation.statement}\n"
                f"  Smallest counter-example (safeshare policy check --regime {result.regime}):",
                markup=False,
                highlight=False,
            )
            typer.echo(json.dumps(violation.request))


@app.command()
def diff(
    first: Annotated[str, typer.Argument(help="First regime.")],
    second: Annotated[str, typer.Argument(help="Second regime.")],
    pack: Annotated[
        Path | None, typer.Option("--pack", help="Regime pack directory (default: shipped).")
    ] = None,
    output: Annotated[str, typer.Option("--format", help="markdown or json.")] = "markdown",
) -> None:
    """Every request class two regimes decide differently, grouped into readable rules."""
    with _json_errors():
        if output not in ("markdown", "json"):
            raise _error(INVALID_INPUT, "invalid_format", "use markdown or json", "--format")
        first_regime, second_regime = _chosen(_pack(pack), [first, second])
        result = diff_regimes(first_regime, second_regime)
    if output == "json":
        typer.echo(json.dumps(result.as_dict(), indent=2))
    else:
        typer.echo(result.markdown())
