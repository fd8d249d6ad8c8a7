"""The `oversight` command line. Every command takes --db (default OVERSIGHT_DB_URL, else
the SQLite file) and exits non-zero with a one-line reason on failure."""

from __future__ import annotations

import os
import sys
import time
from typing import Annotated, Any

import typer

cli = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Enforcement Oversight: the whole-process record of law enforcement.",
)
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
    demo_if_empty: Annotated[
        bool, typer.Option("--demo-if-empty", help="load the demo dataset first when the store is empty")
    ] = False,
    access_log: Annotated[
        bool,
        typer.Option("--access-log", help="log every request (also OVERSIGHT_ACCESS_LOG=1); off by default"),
    ] = False,
    in_process: Annotated[
        bool,
        typer.Option(
            "--projections-in-process",
            help="run the projections in a thread of this process (also OVERSIGHT_PROJECTIONS=thread), "
            "not in the child process that runs them by default",
        ),
    ] = False,
) -> None:
    """Start the HTTP API."""
    import uvicorn

    from api.main import create_app
    from scripts.demo import load_demo

    app = _app(db)
    console = f"http://{host}:{port}/console/"
    if demo_if_empty and app.max_position() == 0:
        typer.echo("Empty store: loading the demo dataset …")
        _print_demo(load_demo(app))
        typer.echo(f"Console: {console}  (sign in with one of the tokens above)")
    worker = None
    in_process = in_process or os.environ.get("OVERSIGHT_PROJECTIONS", "worker") == "thread"
    if not in_process and not no_projections:
        from scripts.supervise import Supervised

        # `oversight project` beside the API, polling often (read-your-writes waits for it);
        # it stops when this process is gone, however it ended, and is restarted if it exits.
        cmd = [sys.executable, "-m", "scripts.cli", "project", "--poll", "0.02", "--parent", str(os.getpid())]
        worker = Supervised(cmd + (["--db", db] if db else []))
    api = create_app(oversight=app, projections=not no_projections and worker is None, worker=worker)
    typer.echo(f"Serving on http://{host}:{port}  (docs: http://{host}:{port}/docs, console: {console})")
    # Every command is in the log with who recorded it; a line per request costs a tenth of
    # the event loop, so the access log is opt-in.
    access_log = access_log or os.environ.get("OVERSIGHT_ACCESS_LOG", "") in ("1", "true", "yes")
    uvicorn.run(api, host=host, port=port, log_level="info", access_log=access_log, http="auto", loop="auto")


@cli.command()
def demo(db: Db = None, cases: Annotated[int, typer.Option("--cases")] = 40) -> None:
    """Load the demo dataset and print one token per role."""
    from scripts.demo import load_demo

    app = _app(db)
    if app.max_position():
        _fail("the store is not empty; demo data goes into an empty store")
    try:
        _print_demo(load_demo(app, cases))
    except Exception as e:  # noqa: BLE001
        _fail(f"demo failed: {type(e).__name__}: {e}")


def _runner(app, only: list[str] | None, page_size: int = 1000):  # type: ignore[no-untyped-def]
    from projections import build_runner
    from projections.db import make_engine

    try:
        return build_runner(app.recorder, app.mapper, make_engine(app.store), only, page_size)
    except ValueError as e:
        _fail(str(e))


@cli.command()
def project(
    db: Db = None,
    only: Annotated[list[str] | None, typer.Option("--only", help="projection name")] = None,
    poll: Annotated[float, typer.Option("--poll", help="seconds between polls when idle")] = 0.5,
    until_head: Annotated[bool, typer.Option("--until-head", help="stop once caught up")] = False,
    parent: Annotated[int | None, typer.Option("--parent", help="stop when this process is gone", hidden=True)] = None,
) -> None:
    """Run projection workers only (each follows the log from its own tracked position)."""
    import signal
    import threading

    app = _app(db)
    runner = _runner(app, only)
    if parent is not None:

        def orphaned() -> None:
            while not runner.stopping.wait(1.0):
                if os.getppid() != parent:
                    runner.stopping.set()
                    runner.wake.set()

        threading.Thread(target=orphaned, daemon=True).start()
    if until_head:
        runner.run_until_head()
        typer.echo(f"caught up: {runner.positions()}")
        return
    signal.signal(signal.SIGTERM, lambda *_: runner.stopping.set())
    typer.echo(f"projecting {', '.join(p.name for p in runner.projections)} from {runner.positions()}")
    try:
        runner.run_forever(poll=poll)
    except KeyboardInterrupt:
        pass


@cli.command()
def rebuild(
    name: Annotated[str | None, typer.Argument(help="one projection (default: all)")] = None,
    db: Db = None,
    page_size: Annotated[int, typer.Option("--page-size")] = 10000,
) -> None:
    """Rebuild read tables from position 0, with a progress bar (events/s, ETA)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    app = _app(db)
    runner = _runner(app, [name] if name else None, page_size)
    with runner.engine.begin() as conn:
        for p in runner.projections:
            p.drop(conn)
            p.create(conn)
    head = app.max_position()
    started = time.perf_counter()
    with Progress(
        TextColumn("rebuild"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]} events/s"),
        TimeRemainingColumn(),
    ) as bar:
        task = bar.add_task("rebuild", total=head, rate="-")

        def on_page(n: int, last: int) -> None:
            elapsed = time.perf_counter() - started
            bar.update(task, completed=last, rate=f"{last / elapsed:,.0f}" if elapsed else "-")

        runner.run_until_head(on_page)
    typer.echo(f"rebuilt {', '.join(p.name for p in runner.projections)} to position {runner.position()}")


@cli.command()
def projections(db: Db = None) -> None:
    """Each projection: its version in this code, the version serving reads, position, lag."""
    app = _app(db)
    runner = _runner(app, None)
    typer.echo(f"{'projection':<12} {'version':>7} {'serving':>7} {'position':>10} {'lag':>8}  state")
    for s in runner.states():
        typer.echo(f"{s.name:<12} {s.version:>7} {s.serving:>7} {s.position:>10} {s.head - s.position:>8}  {s.state}")


@cli.command()
def prune(
    name: Annotated[str | None, typer.Argument(help="one projection (default: all)")] = None,
    db: Db = None,
) -> None:
    """Drop the read tables of projection versions that a newer version has taken over from."""
    from projections.runner import prune as prune_versions

    app = _app(db)
    runner = _runner(app, [name] if name else None)
    try:
        dropped = prune_versions(runner.engine, runner.projections)
    except ValueError as e:
        _fail(str(e))
    typer.echo(f"dropped {len(dropped)} table(s): {', '.join(dropped) or '-'}")


@cli.command()
def verify(
    db: Db = None,
    checkpoint: Annotated[
        str | None, typer.Option("--checkpoint", help="a checkpoint saved earlier (JSON of /v1/integrity/checkpoint)")
    ] = None,
) -> None:
    """Recompute every leaf from the stored events and compare with the signed checkpoints;
    with --checkpoint, also prove the current log extends that one. Exit 1 on any mismatch."""
    import json

    from projections.db import make_engine
    from projections.seal import Checkpoint, load_signing_key
    from projections.seal import verify as run_verify

    app = _app(db)
    _runner(app, ["seal"])  # the seal's tables; verifying never seals anything new
    against = None
    if checkpoint:
        try:
            with open(checkpoint, encoding="utf-8") as f:
                against = Checkpoint.from_view(json.load(f))
        except (OSError, ValueError, KeyError) as e:
            _fail(f"cannot read checkpoint {checkpoint}: {e}")
    result = run_verify(app.recorder, make_engine(app.store), load_signing_key().public_key(), against)
    typer.echo(json.dumps(result))
    if not result["ok"]:
        raise typer.Exit(1)


@cli.command("import")
def import_(file: Annotated[str, typer.Argument(help="NDJSON, one event a line (README)")], db: Db = None) -> None:
    """Record histories from an older system, without gates, marked imported."""
    import json

    from domain.errors import OversightError
    from domain.principal import SYSTEM

    app = _app(db)
    try:
        with open(file, encoding="utf-8") as f:
            result = app.import_history(SYSTEM, f, os.path.basename(file))
    except OSError as e:
        _fail(f"cannot read {file}: {e}")
    except OversightError as e:
        _fail(e.message)
    typer.echo(json.dumps(result))


@cli.command()
def report(
    name: Annotated[str, typer.Argument(help="findings | officers | fines")],
    db: Db = None,
    fmt: Annotated[str, typer.Option("--format", help="table or csv")] = "table",
    unit: Annotated[str | None, typer.Option("--unit")] = None,
    rule: Annotated[str | None, typer.Option("--rule")] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="the report's moment, RFC 3339 with an offset (default: now)")
    ] = None,
) -> None:
    """Print a report from the read tables (brought up to date first)."""
    from datetime import datetime

    from rich.console import Console
    from rich.table import Table

    from domain.calendar import CHINA
    from projections import reports

    if name not in ("findings", "officers", "fines") or fmt not in ("table", "csv"):
        _fail("report findings|officers|fines [--format table|csv]")
    app = _app(db)
    runner = _runner(app, ["audit"])
    runner.run_until_head()
    now = datetime.now(CHINA)
    if as_of is not None:
        try:
            now = datetime.fromisoformat(as_of)
        except ValueError:
            _fail(f"--as-of {as_of!r} is not an RFC 3339 time")
        if now.tzinfo is None:
            _fail("--as-of needs a UTC offset, e.g. 2026-11-20T10:00:00+08:00")
    rows: list[dict[str, object]]
    if name == "findings":
        rows = list(reports.findings_all(runner.engine, as_of=now, unit_id=unit, rule=rule))
        cols = ["rule", "severity", "case_id", "inspection_id", "officer_id", "message", "citation", "detected_at"]
    elif name == "officers":
        rows, cursor = [], None
        while True:
            page = reports.officers_page(runner.engine, unit_id=unit, as_of=now, limit=500, cursor=cursor)
            rows += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        cols = [
            "officer_id",
            "name",
            "kind",
            "certificate_status",
            "valid_until",
            "last_validation",
            "training_hours",
            "acts_without_valid_certificate",
        ]
    else:
        rows = list(reports.fines_all(runner.engine, unit_id=unit, as_of=now))
        brief = ["decision_no", "amount", "paid", "outstanding", "overdue", "surcharge", "separation_breaches"]
        cols = reports.FINE_COLUMNS if fmt == "csv" else brief
    if fmt == "csv":
        sys.stdout.write(reports.to_csv([_neutralised(r) for r in rows], cols))
        return
    table = Table(*cols, title=f"{name} ({len(rows)})")
    for r in rows:
        table.add_row(*[str(r.get(c, "")) for c in cols])
    Console().print(table)


#: a cell a spreadsheet would read as a formula (CSV injection) starts with one of these
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralised(row: dict[str, Any]) -> dict[str, Any]:
    """The row with each text cell that begins like a formula prefixed with an apostrophe, so a
    name such as "=HYPERLINK(…)" reaches the spreadsheet as text (numbers are left alone)."""
    return {k: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v for k, v in row.items()}


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
        res = app.grant_principal(SYSTEM, name=name, role=role, unit_id=unit, officer_id=officer, bank_code=bank)
    except OversightError as e:
        _fail(e.message)
    typer.echo(res["token"])


def main() -> None:
    if "OVERSIGHT_DB_URL" not in os.environ and not any(a.startswith("--db") for a in sys.argv):
        os.makedirs("var", exist_ok=True)
    cli()


if __name__ == "__main__":
    main()
