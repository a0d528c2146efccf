"""A lease row in the database: only its holder runs scheduled jobs; it lapses unless renewed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, update

from bot.services.uow import UnitOfWork, rows_changed
from db.insert import insert_or_ignore
from db.models import SchedulerLease

LEASE_NAME = "scheduler"


def acquire_or_renew(
    uow: UnitOfWork, holder: str, now: dt.datetime, ttl: dt.timedelta, name: str = LEASE_NAME
) -> bool:
    """Take the lease if it is free or lapsed, or renew it if we hold it. True if we hold it."""
    session = uow.session
    created = session.scalar(
        insert_or_ignore(session, SchedulerLease, "name")
        .values(name=name, holder=holder, expires_at=now + ttl)
        .returning(SchedulerLease.name)
    )
    if created is not None:
        return True
    result = session.execute(
        update(SchedulerLease)
        .where(
            SchedulerLease.name == name,
            or_(SchedulerLease.holder == holder, SchedulerLease.expires_at <= now),
        )
        .values(holder=holder, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result) == 1


def release(uow: UnitOfWork, holder: str, name: str = LEASE_NAME) -> None:
    uow.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, SchedulerLease.holder == holder)
        .values(expires_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        .execution_options(synchronize_session=False)
    )
