"""Slack listeners. Each module exposes `register(app, services)`; `register_all` wires them."""

from __future__ import annotations

from slack_bolt import App

from bot.app import SlackClients
from bot.services import Services


def register_all(app: App, services: Services, slack: SlackClients) -> None:
    from handlers import (
        board,
        context,
        date_changes,
        errors,
        events,
        interactions,
        plan,
        progress,
    )

    context.register(app, services)
    errors.register(app, services)
    for module in (progress, interactions, date_changes, events, plan, board):
        module.register(app, services)
