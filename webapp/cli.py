"""Command-line tasks: set up the database, deploy diagrams, seed demo users, sweep timers,
run the retention job, and serve the app with the embedded timer thread."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import click
from celery import Celery
from flask import Flask, current_app
from flask.cli import with_appcontext

import processes
from casework import accounts, audit, evidence_store, localities, passwords, people, retention, seeding, steps
from casework import timers as due_timers
from db import search_index
from webapp import storage


def _deploy(paths: list[Path], deployed_by: str) -> list[processes.Deployment]:
    deployments = []
    with storage.database().session() as session, steps.unit_of_work(session, now=processes.clock.now()):
        for path in paths:
            try:
                deployments.append(
                    processes.deploy(session, path.read_bytes(), deployed_by=deployed_by, filename=path.name)
                )
            except processes.InvalidDiagram as err:
                for p in err.problems:
                    where = f"{p.element_name or ''} ({p.element_id})" if p.element_id else ""
                    click.echo(f"{path.name}: {where} {p.message}", err=True)
                raise SystemExit(1) from err
    for d in deployments:
        click.echo(f"{d.key} v{d.version} {'deployed' if d.created else 'unchanged'}")
    return deployments


def _seed(paths: list[Path]) -> None:
    """Deploy each diagram whose process is new or whose file changed since it was last seeded."""
    with storage.database().session() as session:
        for path in paths:
            try:
                outcome = seeding.seed(session, path, now=processes.clock.now())
            except processes.InvalidDiagram as err:
                for p in err.problems:
                    where = f"{p.element_name or ''} ({p.element_id})" if p.element_id else ""
                    click.echo(f"{path.name}: {where} {p.message}", err=True)
                raise SystemExit(1) from err
            if outcome.replaced is not None:
                current_app.logger.warning("%s", outcome.message)
            click.echo(outcome.message, err=outcome.replaced is not None)


@click.command("init")
@with_appcontext
def init() -> None:
    """Migrate the database, seed the diagrams in bpmn/ whose process is new or whose file changed
    (a version deployed in the modeller is not undone) and (demo mode) seed demo users."""
    storage.database().upgrade()
    _seed(sorted(Path(current_app.config["BPMN_DIR"]).glob("*.bpmn")))
    if current_app.config["HATECASES_ENV"] == "demo":
        with storage.database().session() as session, steps.unit_of_work(session, now=processes.clock.now()):
            created = people.seed_demo_users(session)
            places = localities.seed_demo(session, now=processes.clock.now())
        click.echo(f"demo users: {', '.join(created) or 'already present'} (password: demo)")
        click.echo(f"demo localities: {', '.join(places) or 'already present'}")


@click.command("db-upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply the database migrations."""
    storage.database().upgrade()


@click.command("deploy")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def deploy(paths: tuple[Path, ...]) -> None:
    """Deploy the given .bpmn files as new versions."""
    _deploy(list(paths), "cli")


@click.group("timers")
def timers() -> None:
    """Timer commands."""


def _instant(at: str | None) -> datetime:
    if not at:
        return processes.clock.now()
    try:
        instant = datetime.fromisoformat(at)
    except ValueError:
        raise click.BadParameter(f"{at!r} is not an ISO-8601 date and time.", param_hint="--at") from None
    if instant.tzinfo is None:
        raise click.BadParameter("give a time zone, e.g. 2026-01-05T09:00:00+00:00", param_hint="--at")
    return instant


@timers.command("sweep")
@click.option("--at", "at", default=None, help="ISO-8601 instant with a time zone (default: now).")
@with_appcontext
def sweep(at: str | None) -> None:
    """Fire every timer due at or before the instant."""
    result = due_timers.sweep(storage.database().sessions, _instant(at))
    click.echo(
        f"cases stepped: {result.cases}, timers fired: {result.fired}, "
        f"conflicts: {result.conflicts}, failures: {result.failures}"
    )


@click.group("retention")
def retention_group() -> None:
    """Retention commands."""


@retention_group.command("run")
@click.option("--at", "at", default=None, help="ISO-8601 instant with a time zone (default: now).")
@with_appcontext
def retention_run(at: str | None) -> None:
    """Anonymise the cases closed more than RETENTION_DAYS before the instant."""
    days = current_app.config["RETENTION_DAYS"]
    with storage.database().session() as session:
        count = retention.anonymise_expired(
            session,
            now=_instant(at),
            retention=timedelta(days=days),
            store=evidence_store.open_store(current_app.config["EVIDENCE_STORE_URL"]),
        )
    click.echo(f"cases anonymised: {count} (retention period: {days} days after closure)")


@click.group("users")
def users_group() -> None:
    """User account commands."""


@users_group.command("deactivate")
@click.argument("username")
@with_appcontext
def users_deactivate(username: str) -> None:
    """Deactivate an account: it can no longer sign in, and every session and token ends."""
    with storage.database().session() as session:
        user = people.deactivate(session, username, by="command line", now=processes.clock.now())
    if user is None:
        raise click.ClickException(f"There is no user called {username!r}.")
    click.echo(f"{user.username} deactivated; their sessions and API tokens have ended.")


@click.command("search-index")
@with_appcontext
def search_index_rebuild() -> None:
    """Rebuild the cases search index from the cases (it is kept current by itself; this is for
    a database restored from elsewhere, or a change to what is indexed)."""
    with storage.database().engine.begin() as connection:
        count = search_index.rebuild_all(connection)
    click.echo(f"cases indexed for search: {count}")


NEXT_STEPS = """Next:
  1. Start the app (HATECASES_ENV=production, with SECRET_KEY and DATABASE_URL set) and sign in
     as {username} at /login.
  2. Add the teams and people at /admin/people; each person gets a password you give them or
     sets their own.
  3. Check the mail settings (SMTP_HOST and the rest) by sending yourself a notification.
See "Going live" in the README."""


@users_group.command("create-admin")
@click.option("--username", prompt=True, help="The administrator's username (lower case).")
@click.option("--name", prompt="Full name", help="Their full name, as pages show it.")
@click.option("--email", prompt=True, help="Their email address.")
@click.password_option(
    "--password", help=f"At least {passwords.MIN_LENGTH} characters; asked for when not given."
)
@with_appcontext
def users_create_admin(username: str, name: str, email: str, password: str) -> None:
    """Create an administrator (the first one on a fresh install); refuses a weak password."""
    actor = audit.Actor("command line", None, None)
    try:
        with (
            storage.database().session() as session,
            steps.unit_of_work(session, now=processes.clock.now(), actor=actor) as step,
        ):
            user = accounts.create_admin(step, username, name, email, password)
            created = user.username
    except accounts.AccountError as err:
        raise click.ClickException(f"{err.field}: {err}") from None
    click.echo(f"Administrator {created} created.")
    click.echo(NEXT_STEPS.format(username=created))


@click.command("worker-check")
@with_appcontext
def worker_check() -> None:
    """Exit 0 if the database, Redis and at least one Celery worker answer (scaled mode)."""
    if not storage.database().reachable():
        raise click.ClickException("database: not reachable")
    click.echo("database: ok")
    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set: this app runs in the embedded mode.")
    try:
        # A bare client on the broker: the web side does not load the worker's package.
        replies = Celery(broker=current_app.config["REDIS_URL"]).control.ping(timeout=3.0)
    except Exception as err:  # kombu raises several kinds when the broker is unreachable
        raise click.ClickException(f"Redis did not answer: {err}") from err
    if not replies:
        raise click.ClickException("No Celery worker answered.")
    click.echo(f"workers: {', '.join(sorted(name for reply in replies for name in reply))}")


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Serve the app with the embedded timer thread (the `make run` mode)."""
    from werkzeug.serving import run_simple

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = app.extensions["start_timers"]()
    click.echo(f"timers: {'in-process' if thread else app.config['TIMERS']}")
    # Flask ignores app.run() inside a CLI command, so serve with Werkzeug directly.
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


def init_app(app: Flask) -> None:
    for command in (init, db_upgrade, deploy, timers, retention_group, users_group, worker_check, serve):
        app.cli.add_command(command)
    app.cli.add_command(search_index_rebuild)
