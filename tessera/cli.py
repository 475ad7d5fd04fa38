"""``tessera``: open the window, or (``tessera status``, ``tessera upgrade``) work in the shell.

The configured database is used (the embedded one when ``TESSERA_DATABASE_URL`` is unset).
``tessera seed --users N --tokens-per-user M --events-per-user K --seed S [--append]`` fills
it with generated data (after applying pending migrations), the same for the same seed.
``tessera --self-test`` checks an installation without touching the user's data: a fresh
embedded database in a temporary folder, migrated, shown in the window off screen.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shutil
import signal
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TextIO
from urllib.parse import unquote, urlsplit

from pydantic import ValidationError
from sqlalchemy.engine import URL

from app import __version__
from app.bootstrap import Tessera, open_tessera
from app.domain.clock import system_clock
from app.domain.connection_check import SetupError
from app.domain.errors import DomainError, Unavailable
from app.domain.events import EventFilter
from app.domain.schema import Revision, SchemaState
from app.domain.tokens import TokenFilter, TokenStatus
from app.domain.users import UserFilter
from app.infrastructure.embedded import EmbeddedServerError
from app.infrastructure.reach import Endpoint, explain_any, reach
from app.infrastructure.seeding import DatabaseNotEmpty, SeedPlan, default_now, seed_database
from app.infrastructure.settings import Settings, configured_url, settings_problems

_LOCAL = URL.create("postgresql+asyncpg", username="postgres", database="tessera")
_LOCAL_WHERE = "the local database"
UNEXPECTED = "Something unexpected went wrong ({kind}: {reason}). Run with -v for details."
_SEED_DEFAULTS = {"users": 1000, "tokens_per_user": 10, "events_per_user": 5, "seed": 0}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tessera", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"tessera {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    parser.add_argument(
        "--profile", metavar="NAME", help="open the saved connection NAME (window only)"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation on a fresh temporary database, without a screen",
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="window",
        choices=["window", "status", "upgrade", "seed"],
        help="window: open Tessera (default); status: upgrade the schema if needed and "
        "report; upgrade: only apply pending migrations; seed: fill the database with "
        "generated data",
    )
    seed = parser.add_argument_group("seed options")
    for option, what in (
        ("--users", "users to create"),
        ("--tokens-per-user", "tokens per user, on average"),
        ("--events-per-user", "events per user"),
        ("--seed", "random seed: the same seed gives the same rows"),
    ):
        name = option[2:].replace("-", "_")
        default = _SEED_DEFAULTS[name]
        seed.add_argument(option, type=_count, metavar="N", help=f"{what} (default {default})")
    seed.add_argument(
        "--now",
        type=_instant,
        metavar="ISO",
        help="the instant expiries are spread around (default: this hour, UTC)",
    )
    seed.add_argument("--append", action="store_true", help="add to a database that has users")
    return parser


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def _instant(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text} has no time zone (add +00:00)")
    return value


async def _upgrade(tessera: Tessera) -> None:
    state = await tessera.migrations.state()
    if state is SchemaState.AHEAD:
        raise DomainError(
            "This database was migrated by a newer Tessera; upgrade Tessera before using it."
        )
    pending = await tessera.migrations.pending()
    if not pending:
        print("Schema is up to date.")
        return

    def applied(revision: Revision) -> None:
        print(f"  applied {revision.id}: {revision.message.splitlines()[0]}")

    print(f"Applying {len(pending)} migration(s)…")
    await tessera.migrations.upgrade(progress=applied)


async def _status(tessera: Tessera) -> None:
    health = await tessera.database.health()
    print(f"Database: {tessera.database.label} (PostgreSQL {health.server_version})")
    await _upgrade(tessera)
    now_filter = TokenFilter(
        statuses=frozenset({TokenStatus.EXPIRED, TokenStatus.EXPIRING_SOON}),
    )
    users = await tessera.users.count(UserFilter())
    tokens = await tessera.tokens.count(TokenFilter())
    attention = await tessera.tokens.count(now_filter)
    events = await tessera.events.count(EventFilter())
    print(f"{users} users, {tokens} tokens ({attention} expired or expiring soon), {events} events")


class _ProgressBar:
    """A bar redrawn in place on a terminal; a line every tenth when not a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._shown: tuple[str, int] | None = None

    def __call__(self, table: str, done: int, total: int) -> None:
        steps = 40 if self._tty else 10
        step = done * steps // total if total else steps
        if self._shown == (table, step):
            return
        self._shown = (table, step)
        filled = step * 20 // steps
        line = f"{table:<8}[{'#' * filled}{'.' * (20 - filled)}] {done:>11,}/{total:,}"
        if self._tty:
            end = "\n" if done >= total else ""
            self._stream.write(f"\r{line}{end}")
        else:
            self._stream.write(f"{line}\n")
        self._stream.flush()


async def _seed(tessera: Tessera, args: argparse.Namespace) -> None:
    await _upgrade(tessera)
    values = {name: getattr(args, name) for name in _SEED_DEFAULTS}
    values = {name: _SEED_DEFAULTS[name] if v is None else v for name, v in values.items()}
    now = default_now(args.now)
    plan = SeedPlan(**values, now=now, append=args.append)
    result = await seed_database(tessera.database.engine, plan, _ProgressBar(sys.stderr))
    print(
        f"Seeded {result.users:,} users (ids from {result.first_user_id:,}), "
        f"{result.tokens:,} tokens and {result.events:,} events in {result.seconds:.1f} s "
        f"(seed {plan.seed}, now {now.isoformat()})."
    )


async def _run(args: argparse.Namespace, settings: Settings) -> None:
    task = asyncio.current_task()
    if task is not None and sys.platform != "win32":
        # SIGTERM cancels the work, so the database (and the embedded server) close cleanly.
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    url = configured_url(settings)
    if url is not None:
        # One plain connection first: the window's words for whatever is wrong with it.
        await reach(url, settings.connect_timeout_s)
    try:
        async with open_tessera(settings) as tessera:
            if args.command == "upgrade":
                await _upgrade(tessera)
            elif args.command == "seed":
                await _seed(tessera, args)
            else:
                await _status(tessera)
    except Exception as error:
        # The connection failed later (the server went away, or the local one): the same
        # words as above, if it is that.
        if isinstance(error, DomainError) and not isinstance(error, Unavailable):
            raise
        timeout = settings.connect_timeout_s
        where = Endpoint.of(url, timeout) if url else Endpoint.of(_LOCAL, timeout, _LOCAL_WHERE)
        found = explain_any(error, where, (url.database if url else None) or "tessera")
        if found is None:
            raise
        raise found from None


def _window(profile: str | None, settings: Settings) -> int:
    from app.infrastructure.profiles import default_store
    from app.launcher import AppLauncher
    from ui.app import main as run_gui  # Qt only when a window is wanted

    launcher = AppLauncher(settings, default_store(), system_clock, profile)
    return run_gui(launcher, system_clock, settings.expiring_soon)


async def _self_check(settings: Settings, ui_settings: Path) -> str:
    from ui.app import window_ready

    async with open_tessera(settings) as tessera:
        await tessera.migrations.upgrade()
        qt = await window_ready(tessera, system_clock, settings.expiring_soon, ui_settings)
        state = await tessera.migrations.state()
        if state is not SchemaState.CURRENT:
            raise DomainError(f"the schema is {state.name.lower()} after the upgrade")
        schema = await tessera.migrations.current()
        server = await tessera.server_version()
    return f"Tessera {__version__}, Qt {qt}, PostgreSQL {server}, schema {schema}"


def _self_test() -> int:
    """Start on a fresh embedded database in a temporary folder, open the window off screen."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    folder = Path(tempfile.mkdtemp(prefix="tessera-self-test-"))
    try:
        from ui.app import run_offscreen

        settings = Settings(_env_file=None, database_url=None, data_dir=folder / "data")
        summary = run_offscreen(lambda: _self_check(settings, folder / "ui.ini"))
    except Exception as error:  # any failure is one readable line and exit 1
        reason = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        print(f"self-test failed: {type(error).__name__}: {reason}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"self-test ok: {summary}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the ``tessera`` command.

    Args:
        argv: the arguments after the program's name; ``sys.argv[1:]`` when None.

    Returns:
        The process exit code: 0 done, 1 failed, 2 refused (bad arguments, or ``seed``
        on a database that already has users without ``--append``), 130 interrupted.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    seeding = [*_SEED_DEFAULTS, "now"]
    if args.command != "seed" and (
        args.append or any(getattr(args, n) is not None for n in seeding)
    ):
        parser.error("the seed options go with the seed command only")
    level = logging.INFO if args.verbose else logging.WARNING
    console = logging.StreamHandler()
    console.setLevel(level)
    logging.basicConfig(level=level, handlers=[console])
    if args.self_test:
        return _self_test()
    try:
        settings = Settings()
    except ValidationError as error:
        return _settings_refused(error, args.command == "window")
    if args.command == "window":
        return _window(args.profile, settings)
    try:
        asyncio.run(_run(args, settings))
    except (KeyboardInterrupt, asyncio.CancelledError):
        return 130
    except Exception as error:
        return _failed(error, settings, args.verbose)
    return 0


def _failed(error: Exception, settings: Settings, verbose: bool) -> int:
    """One line on stderr for ``error``; the exit status it deserves.

    2 when the configuration must change (a URL that cannot be used, a wrong password, a
    database that is not there, ``seed`` on a full database), 1 when the server cannot be
    reached or anything else failed.
    """
    if isinstance(error, DatabaseNotEmpty):
        status, message = 2, str(error)
    elif isinstance(error, SetupError):
        status, message = (2 if error.problem.is_configuration else 1), error.message
    elif isinstance(error, DomainError | EmbeddedServerError):
        status, message = 1, str(error)
    else:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        for hidden in _secrets(settings):  # our own messages never carry it; others might
            first = first.replace(hidden, "•••")
        status, message = 1, UNEXPECTED.format(kind=type(error).__name__, reason=first)
    print(f"tessera: {' '.join(message.split())}", file=sys.stderr)
    if verbose and not isinstance(error, DomainError):  # -v asked for the details
        logging.getLogger("tessera").info("what failed", exc_info=error)
    return status


def _secrets(settings: Settings) -> list[str]:
    """The configured URL and its password: text no message may show."""
    if settings.database_url is None:
        return []
    text = settings.database_url.get_secret_value()
    try:
        password = urlsplit(text).password
    except ValueError:
        password = None
    return [t for t in (text, password and unquote(password), password) if t]


def _settings_refused(error: ValidationError, window: bool) -> int:
    """A ``TESSERA_*`` setting that cannot be used: one line (and a dialog for the window)."""
    message = " ".join(settings_problems(error))
    print(f"tessera: {message}", file=sys.stderr)
    if window:
        from ui.app import startup_failed

        startup_failed(message)
    return 2


if __name__ == "__main__":
    sys.exit(main())
