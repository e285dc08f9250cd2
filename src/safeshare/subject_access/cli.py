"""`safeshare subject-access produce`: a subject access bundle as JSON and PDF."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from safeshare.auth.roles import Role
from safeshare.config import get_settings
from safeshare.reporting.vocabulary import SealedField
from safeshare.runtime import get_runtime
from safeshare.subject_access import service
from safeshare.subject_access.pdf import bundle_pdf
from safeshare.vault.cli import cli_actor, exit_on_error
from safeshare.vault.providers import build_key_provider, get_vault_config

app = typer.Typer(help="Subject access requests.", no_args_is_help=True)


def _exemptions(values: list[str]) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for value in values:
        path, sep, reason = value.partition("=")
        if not sep:
            raise typer.BadParameter(
                "use PATH=REASON, e.g. sealed.account=...", param_hint="--exempt"
            )
        parsed[path.strip()] = reason
    return parsed


@app.command()
def produce(
    report_ref: str = typer.Argument(..., help="The report the person is identified by."),
    verification: str = typer.Option(
        ..., "--verification", prompt=True, help="How their identity was verified."
    ),
    exempt: list[str] = typer.Option(
        [], "--exempt", help="PATH=REASON, e.g. sealed.account=... (repeat for each field)."
    ),
    out: Path = typer.Option(..., "-o", "--out", help="The JSON bundle to write."),
    pdf: Path | None = typer.Option(None, "--pdf", help="Also write a readable PDF here."),
) -> None:
    """Produce everything held about the person, with exemptions (each recorded with its
    reason); sealed fields are read through the vault's audited read."""
    settings = get_settings()
    with exit_on_error():
        provider = build_key_provider(settings, get_vault_config())
    with exit_on_error(), get_runtime().session() as session:
        record, bundle = service.produce_bundle(
            session,
            report_ref=report_ref,
            verification_note=verification,
            exemptions=_exemptions(exempt),
            actor=cli_actor(),
            actor_role=Role.disclosure_officer,
            provider=provider,
        )
        request_id = record.id
    out.write_text(json.dumps(bundle, indent=2, ensure_ascii=False), encoding="utf-8")
    if pdf is not None:
        pdf.write_bytes(bundle_pdf(bundle))
    typer.echo(f"Subject access request {request_id}: wrote {out}" + (f" and {pdf}" if pdf else ""))


@app.command()
def rectify(
    report_ref: str = typer.Argument(..., help="The report the person is identified by."),
    field: SealedField = typer.Option(..., "--field", help="The sealed detail to correct."),
    value: str = typer.Option(..., "--value", prompt=True, hide_input=True),
    reason: str = typer.Option(..., "--reason", prompt=True, help="Why (recorded)."),
) -> None:
    """Correct one sealed detail at the person's request; the correction is recorded."""
    settings = get_settings()
    with exit_on_error():
        provider = build_key_provider(settings, get_vault_config())
    with exit_on_error(), get_runtime().session() as session:
        record = service.rectify_sealed_field(
            session,
            report_ref=report_ref,
            field=field,
            value=value,
            reason=reason,
            actor=cli_actor(),
            actor_role=Role.disclosure_officer,
            provider=provider,
        )
        record_id = record.id
    typer.echo(f"Rectification {record_id} recorded.")
