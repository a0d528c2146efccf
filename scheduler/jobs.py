"""Time-driven jobs: plain functions of (session factory, now), so tests and the sandbox run
them under any clock."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session, sessionmaker

from bot.services.outbox import plan_due
from bot.services.uow import UnitOfWork
from scheduler.delivery import Delivery, DeliveryReport

log = logging.getLogger(__name__)


def plan_notifications(session_factory: sessionmaker[Session], now: dt.datetime) -> list[str]:
    """Enqueue whatever the reminder rules say is due at `now`; returns the new ledger keys."""
    with UnitOfWork(session_factory) as uow:
        keys = plan_due(uow, now)
        uow.commit()
    if keys:
        log.info("planned %d notification(s)", len(keys))
    return keys


def deliver_notifications(delivery: Delivery, now: dt.datetime) -> DeliveryReport:
    report = delivery.run(now)
    if report.sent or report.failed or report.dropped:
        log.info(
            "delivery: %d sent, %d failed, %d dropped, %d deferred",
            report.sent,
            report.failed,
            report.dropped,
            report.deferred,
        )
    return report


def tick(
    session_factory: sessionmaker[Session], delivery: Delivery, now: dt.datetime
) -> DeliveryReport:
    """One full pass: plan what is due, then send it."""
    plan_notifications(session_factory, now)
    return deliver_notifications(delivery, now)
