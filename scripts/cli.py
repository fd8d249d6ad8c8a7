"""The `oversight` command line. Every command takes --db (default OVERSIGHT_DB_URL, else
the SQLite file) and exits non-zero with a one-line reason on failure."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer

cli = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Enforcement Oversight: the whole-process record of law enforcement.")
principals = typer.Typer(no_args_is_help=True, help="API identities.")
cli.add_typer(principals, name="principals")

Db = Annotated[str | None, typer.Option("--db", help="database URL (sqlite:///… or postgresql://…)")]


def _fail(msg: str) -> None:
    typer.echo(f"oversight: {msg}", err=True)
    raise typer.Exit(1)


def _app(db: str | None):  # type: ignore[no-untyped-def]
    from domain.application import Oversight

    try:
        return Oversight(db)
    except Exception as e:  # noqa: BLE001 - one-line reason for any start-up failure
        _fail(f"cannot open the store: {type(e).__name__}: {e}")


def _print_demo(demo: dict[str, Any]) -> None:
    typer.echo("Demo tokens and ids (paste into a shell for the README's walk-through):")
    for role, tok in demo["tokens"].items():
        typer.echo(f"export {role.upper()}={tok}")
    typer.echo(f"export UNIT={demo['unit_id']}")
    for name, oid in demo["officers"].items():
        typer.echo(f"export {name.upper()}={oid}")


@cli.command()
def serve(
    db: Db = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    no_projections: Annotated[bool, typer.Option("--no-projections")] = False,
    demo_if_empty: Annotated[bool, typer.Option(
        "--demo-if-empty", help="load the demo dataset first when the store is empty")] = False,
) -> None:
    """Start the HTTP API."""
    import uvicorn

    from api.main import create_app
    from scripts.demo import load_demo

    app = _app(db)
    if demo_if_empty and app.max_position() == 0:
        typer.echo("Empty store: loading the demo dataset …")
        _print_demo(load_demo(app))
    api = create_app(oversight=app)
    typer.echo(f"Serving on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    uvicorn.run(api, host=host, port=port, log_level="info")


@cli.command()
def demo(db: Db = None, cases: Annotated[int, typer.Option("--cases")] = 6) -> None:
    """Load the demo dataset and print one token per role."""
    from scripts.demo import load_demo

    app = _app(db)
    if app.max_position():
        _fail("the store is not empty; demo data goes into an empty store")
    try:
        _print_demo(load_demo(app, cases))
    except Exception as e:  # noqa: BLE001
        _fail(f"demo failed: {type(e).__name__}: {e}")


@principals.command("add")
def principals_add(
    name: Annotated[str, typer.Option("--name")],
    role: Annotated[str, typer.Option("--role")],
    unit: Annotated[str | None, typer.Option("--unit")] = None,
    officer: Annotated[str | None, typer.Option("--officer")] = None,
    bank: Annotated[str | None, typer.Option("--bank")] = None,
    db: Db = None,
) -> None:
    """Create a principal and print its token (shown once)."""
    from domain.errors import OversightError
    from domain.principal import SYSTEM

    app = _app(db)
    try:
        res = app.grant_principal(SYSTEM, name=name, role=role, unit_id=unit, officer_id=officer,
                                  bank_code=bank)
    except OversightError as e:
        _fail(e.message)
    typer.echo(res["token"])


def main() -> None:
    if "OVERSIGHT_DB_URL" not in os.environ and not any(a.startswith("--db") for a in sys.argv):
        os.makedirs("var", exist_ok=True)
    cli()


if __name__ == "__main__":
    main()
