"""Time-driven jobs: plain functions of (services, now), so tests and the sandbox run them
under any clock."""

from __future__ import annotations

import datetime as dt
import logging

from bot.services import Services
from scheduler.delivery import Delivery, DeliveryReport

log = logging.getLogger(__name__)


def plan_notifications(services: Services, now: dt.datetime) -> list[str]:
    """Enqueue whatever the reminder rules say is due at `now`; returns the new ledger keys."""
    keys = services.scheduling.plan_due(now)
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


def tick(services: Services, delivery: Delivery, now: dt.datetime) -> DeliveryReport:
    """One full pass: plan what is due, then send it."""
    plan_notifications(services, now)
    return deliver_notifications(delivery, now)
