"""Where a study lives: a SQLite file in the output folder by default, or any SQLAlchemy URL
(``postgresql://user:password@host:5432/db`` for several machines), opened through Optuna's
``RDBStorage``.

Several workers may open the same storage and study at the same moment. Creating the schema
(``CREATE TABLE``, the version row) and the study (a unique name) then races inside SQLAlchemy:
the loser gets an ``IntegrityError`` or a "duplicate table/type" ``ProgrammingError``. Both are
retried after a short random pause until the schema and the study exist, so no user meets them.

The URL is never shown with its password (:func:`masked`). A study records its objective, its
direction and its search space (as user attributes); a worker refuses a study whose record differs.
"""

from __future__ import annotations

import random
import re
import sqlite3
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import optuna
import sqlalchemy
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, ProgrammingError

from reglab.errors import OptionError

__all__ = ["DEFAULT_FILE", "OBJECTIVE", "default_url", "masked", "open_storage", "open_study"]

DEFAULT_FILE = "study.db"  # the SQLite file of a study in its output folder
OBJECTIVE = "val_data_loss"  # what every reglab study minimises: the seed-mean validation data loss
RACE_ATTEMPTS = 20
LOST_RACE = ("already exists", "duplicate", "database is locked")  # what a database says when another worker created it first
T = TypeVar("T")


def default_url(folder: str | Path) -> str:
    """The SQLite URL of the study file in ``folder``."""
    return f"sqlite:///{Path(folder) / DEFAULT_FILE}"


def masked(url: str) -> str:
    """``url`` with its password replaced by ``***`` (also for a URL that does not parse)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url)


def password(url: str) -> str | None:
    try:
        return make_url(url).password
    except (ArgumentError, ValueError):
        found = re.search(r"://[^:/@]*:([^@]*)@", url)
        return found.group(1) if found else None


def storage_error(url: str, why: str) -> OptionError:
    secret = password(url)
    if secret:
        why = why.replace(secret, "***")
    why = " ".join(why.split())
    return OptionError(f"The '--storage' option must be {why}. Got {masked(url)!r} instead.")


def with_driver(url: str) -> str:
    """``postgresql://`` means psycopg 3 (installed with reglab), not SQLAlchemy's default psycopg2."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def sqlite_connection(path: str) -> Callable[[], sqlite3.Connection]:
    """Connections to the study file in write-ahead-log mode with ``synchronous=NORMAL``: a commit
    does not wait for the disk (a power cut may lose the last commits, never corrupt the file), and
    readers do not block the writer. A busy file is waited for (60 s) rather than refused."""

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(path, timeout=60, check_same_thread=False)  # the heartbeat thread shares the pool
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        return connection

    return connect


def engine_options(url: str) -> dict[str, Any]:
    """SQLite as :func:`sqlite_connection`; PostgreSQL gives up an unreachable host after 10 s."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return {"creator": sqlite_connection(parsed.database)}
    if backend == "postgresql":
        return {"connect_args": {"connect_timeout": 10}, "pool_pre_ping": True}
    return {}


def racing(action: Callable[[], T]) -> T:
    """``action()``, retried while another worker is creating the same tables, version row or study."""
    for attempt in range(RACE_ATTEMPTS):
        try:
            return action()
        except (IntegrityError, ProgrammingError, OperationalError) as exc:
            # SQLite reports a lost race as OperationalError: "table … already exists", or "database is locked" when two
            # connections upgrade a read to a write at once (SQLite refuses one at once rather than wait: a deadlock)
            text = str(exc).lower()
            lost_race = isinstance(exc, IntegrityError) or any(word in text for word in LOST_RACE)
            if not lost_race or attempt == RACE_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.05, 0.3))
    raise AssertionError("unreachable")


def open_storage(url: str, heartbeat: int) -> optuna.storages.RDBStorage:
    """Optuna's RDBStorage on ``url`` with heartbeats every ``heartbeat`` s and a grace of 3 heartbeats:
    a RUNNING trial silent for longer is failed and re-asked (:mod:`reglab.tuning.liveness`)."""
    try:
        url_object = make_url(url)
        url_object.get_backend_name()
    except (ArgumentError, ValueError):
        raise storage_error(url, "a database URL such as sqlite:///study.db or postgresql://user@host:5432/db") from None
    if url_object.get_backend_name() == "sqlite" and url_object.database:
        Path(url_object.database).parent.mkdir(parents=True, exist_ok=True)
    from optuna.storages import RetryHeartbeatStaleTrialCallback  # experimental: warns when built

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            retry = RetryHeartbeatStaleTrialCallback()
            beats = {"heartbeat_interval": heartbeat, "grace_period": 3 * heartbeat, "heartbeat_stale_trial_callback": retry}
            return racing(lambda: optuna.storages.RDBStorage(with_driver(url), engine_options(url), **beats))
    except ImportError:
        raise storage_error(url, "a database URL whose driver is installed (sqlite, or postgresql through psycopg)") from None
    except (OperationalError, sqlalchemy.exc.InterfaceError) as exc:
        first = (str(getattr(exc, "orig", exc)).strip().splitlines() or ["connection failed"])[0]
        raise storage_error(url, f"a reachable database ({first})") from None
    except ArgumentError as exc:
        raise storage_error(url, f"a database URL that SQLAlchemy accepts ({exc})") from None


def open_study(
    storage: optuna.storages.RDBStorage,
    name: str,
    record: dict[str, str],
    sampler: optuna.samplers.BaseSampler,
    pruner: optuna.pruners.BasePruner | None = None,
    *,
    must_exist: bool = False,
) -> optuna.Study:
    """The study ``name``, created (minimising) when missing unless ``must_exist``; its user attributes
    hold ``record`` (objective, search space, ...), and an existing study must hold the same record."""
    if must_exist and name not in {s.study_name for s in optuna.get_all_study_summaries(storage, include_best_trial=False)}:
        where = masked(storage.url)
        raise OptionError(f"The '--study' option must name an existing study with --resume (none in {where}). Got {name!r} instead.")
    study = racing(lambda: optuna.create_study(storage=storage, study_name=name, sampler=sampler, pruner=pruner, load_if_exists=True))
    if study.direction != optuna.study.StudyDirection.MINIMIZE:
        raise OptionError(
            f"The '--study' option names a study that maximizes; reglab minimizes the {OBJECTIVE}: use another --study name. "
            f"Got {name!r} instead."
        )
    held = study.user_attrs
    for key, value in record.items():
        if key not in held:
            study.set_user_attr(key, value)
        elif held[key] != value:
            raise OptionError(
                f"The '--study' option names a study with another {key} ({held[key]}, not {value}): "
                f"use the same options or another --study name. Got {name!r} instead."
            )
    return study
