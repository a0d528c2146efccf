"""SQLite under concurrent use cases: a read-then-write transaction waits, never fails."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import func, select

from bot.services.uow import UnitOfWork
from db.migrate import upgrade
from db.models import Workspace
from db.session import make_engine, make_session_factory
from tests.conftest import NOW


def test_read_then_write_transactions_in_parallel_all_commit(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'busy.db'}")
    upgrade(engine)
    factory = make_session_factory(engine)
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work(n: int) -> None:
        try:
            start.wait()
            for i in range(10):
                with UnitOfWork(factory) as uow:
                    uow.session.scalar(select(func.count()).select_from(Workspace))  # read …
                    uow.session.add(Workspace(team_id=f"T{n}-{i}", created_at=NOW))  # … write
                    uow.commit()
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with UnitOfWork(factory) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Workspace)) == 80
