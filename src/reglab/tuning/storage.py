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
from reglab.tuning.defaults import STUDY_FILE
from reglab.tuning.liveness import retry_callback
from reglab.tuning.records import difference

__all__ = ["DEFAULT_FILE", "OBJECTIVE", "default_url", "masked", "open_storage", "open_study"]

DEFAULT_FILE = STUDY_FILE  # the SQLite file of a study in its output folder (reglab.tuning.defaults)
OBJECTIVE = "val_data_loss"  # what every reglab study minimises: the seed-mean validation data loss
RACE_ATTEMPTS = 20
LOST_RACE = ("already exists", "duplicate", "database is locked")  # what a database says when another worker created it first
ACCOUNT = re.compile(r"^([\w+.-]+://[^:/@]*:)[^@]*@")  # scheme://user:password@, as SQLAlchemy's URL grammar reads it
T = TypeVar("T")


def default_url(folder: str | Path) -> str:
    """The SQLite URL of the study file in ``folder``."""
    return f"sqlite:///{Path(folder) / DEFAULT_FILE}"


def masked(url: str) -> str:
    """``url`` with the password of its network location replaced by ``***``, and nothing else touched
    (a password ``p`` leaves ``postgresql`` alone). SQLAlchemy parses the URL; one it refuses (a port
    that is not a number, say) is read by SQLAlchemy's own grammar, ``scheme://user:password@``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return ACCOUNT.sub(r"\1***@", url, count=1)


def _written_forms(url: str) -> set[str]:
    """The ways ``url`` can appear in a message: as given, as SQLAlchemy renders it, with reglab's driver."""
    forms = {url}
    try:
        forms |= {make_url(url).render_as_string(hide_password=False), with_driver(url)}
    except (ArgumentError, ValueError):
        pass
    return forms


def storage_error(url: str, why: str) -> OptionError:
    """The one-line refusal of ``url``; every whole occurrence of the URL in ``why`` is shown masked."""
    for form in sorted(_written_forms(url), key=len, reverse=True):
        if form != masked(form):
            why = why.replace(form, masked(form))
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


def open_storage(url: str, heartbeat: int, *, create: bool = True) -> optuna.storages.RDBStorage:
    """Optuna's RDBStorage on ``url`` with heartbeats every ``heartbeat`` s and a grace of 3 heartbeats:
    a RUNNING trial silent for longer is failed and re-asked (:mod:`reglab.tuning.liveness`). Without ``create``
    (resuming), a SQLite file that does not exist is refused rather than created empty."""
    try:
        url_object = make_url(url)
        url_object.get_backend_name()
    except (ArgumentError, ValueError):
        raise storage_error(url, "a database URL such as sqlite:///study.db or postgresql://user@host:5432/db") from None
    if url_object.get_backend_name() == "sqlite" and url_object.database:
        _sqlite_file(url, Path(url_object.database), create)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            retry = retry_callback()
            beats = {"heartbeat_interval": heartbeat, "grace_period": 3 * heartbeat, "heartbeat_stale_trial_callback": retry}
            return racing(lambda: optuna.storages.RDBStorage(with_driver(url), engine_options(url), **beats))
    except ImportError:
        raise storage_error(url, "a database URL whose driver is installed (sqlite, or postgresql through psycopg)") from None
    except (OperationalError, sqlalchemy.exc.InterfaceError) as exc:
        first = (str(getattr(exc, "orig", exc)).strip().splitlines() or ["connection failed"])[0]
        raise storage_error(url, f"a reachable database ({first})") from None
    except sqlalchemy.exc.DatabaseError as exc:  # SQLite: "file is not a database", "database disk image is malformed"
        first = (str(getattr(exc, "orig", exc)).strip().splitlines() or ["unreadable"])[0]
        raise storage_error(url, f"a readable study database ({first}: move the file away to start a new study)") from None
    except ArgumentError as exc:
        raise storage_error(url, f"a database URL that SQLAlchemy accepts ({exc})") from None


def _sqlite_file(url: str, path: Path, create: bool) -> None:
    """Checks that a SQLite study file can be opened: its folder created (or, resuming, the file there)."""
    if not create and not path.exists():
        raise OptionError(
            f"The '--resume' option needs an existing study, and there is no study file '{path}': "
            "run without --resume to start one."
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a part of the path is a regular file, or the folder cannot be created
        raise storage_error(url, f"a file whose folder can be created ({exc.strerror}: '{path.parent}')") from None


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
                f"The '--study' option names a study with another {key} ({difference(held[key], value)}): "
                f"use the same options or another --study name. Got {name!r} instead."
            )
    return study
