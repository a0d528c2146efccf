"""Buttons and modals for owners.

The Update / Mark complete / Ask for new date buttons sit on reminder DMs, on `/progress mine`
and on the Home tab (their value is the action's id). Update and Ask for new date open a
modal; Mark complete records the action as complete and answers with an ephemeral line (or,
on the Home tab, redraws it with that line on top). The modals validate on submit and show
problems on the field (`response_action: errors`), recording nothing; a saved modal turns
into a confirmation. The Approve / Decline buttons live in handlers/date_changes.py.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.core.errors import UserError
from bot.core.statuses import find_status
from bot.render import ids
from bot.render.mrkdwn import refusal
from bot.render.progress import (
    ACTION_INPUT,
    DATE_INPUT,
    EVIDENCE_INPUT,
    FORM_FIELDS,
    NOTE_INPUT,
    REASON_INPUT,
    STATUS_INPUT,
    date_change_modal,
    date_change_sent_modal,
    recorded_message,
    update_modal,
    update_saved_modal,
)
from bot.services import Services
from bot.services.owner import (
    FieldError,
    action_by_id,
    ask_for_new_date,
    complete_action,
    date_change_notice,
    date_form,
    my_action,
    update_form,
    update_from_form,
)
from bot.services.plans import Actor
from handlers.common import actor_of, services_of
from handlers.events import publish_home

HOME = "home"
MESSAGE = "message"
COMMAND = "command"


def register(app: App, services: Services) -> None:
    app.action(ids.UPDATE_ACTION)(on_update_button)
    app.action(ids.COMPLETE_ACTION)(on_complete_button)
    app.action(ids.ASK_NEW_DATE)(on_ask_new_date_button)
    app.view(ids.UPDATE_MODAL)(on_update_submitted)
    app.view(ids.DATE_CHANGE_MODAL)(on_date_change_submitted)


# ---------------------------------------------------------------- buttons


def on_update_button(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    services = services_of(context)
    origin = _origin(body)
    try:
        view = update_form_view(services, actor_of(context), origin, action_id=_action_id(action))
    except UserError as error:
        _tell(body, client, context, respond, refusal(error.message))
        return
    client.views_open(trigger_id=body["trigger_id"], view=view)


def on_complete_button(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    services = services_of(context)
    dedupe_key = f"button:{body.get('user', {}).get('id')}:{action.get('action_ts')}"
    try:
        with services.uow() as uow:
            recorded = complete_action(
                uow, actor_of(context), _action_id(action), services.clock.now(), dedupe_key
            )
            uow.commit()
    except UserError as error:
        _tell(body, client, context, respond, refusal(error.message))
        return
    _tell(body, client, context, respond, recorded_message(recorded))


def on_ask_new_date_button(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
) -> None:
    ack()
    services = services_of(context)
    try:
        action_id = _action_id(action)
        with services.uow() as uow:
            item = date_form(uow, actor_of(context), action_id, services.clock.now())
    except UserError as error:
        _tell(body, client, context, respond, refusal(error.message))
        return
    view = date_change_modal(item, form_metadata(action_id, _origin(body)))
    client.views_open(trigger_id=body["trigger_id"], view=view)


def update_form_view(
    services: Services,
    actor: Actor,
    origin: str,
    *,
    action_id: int | None = None,
    ref: str | None = None,
) -> dict[str, Any]:
    """The update modal, on one action (by id or by ref) or on a choice of mine."""
    now = services.clock.now()
    with services.uow() as uow:
        if ref is not None:
            action_id = my_action(uow, actor, ref).id
        form = update_form(uow, actor, now, action_id)
    return update_modal(form, form_metadata(action_id, origin))


def _tell(
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    message: dict[str, Any],
) -> None:
    """Answer a button press: ephemeral under a message; on the Home tab, redraw it with the
    answer on top."""
    if _origin(body) == HOME:
        publish_home(
            services_of(context), client, actor_of(context), body["user"]["id"], message["text"]
        )
    else:
        respond(**message, response_type="ephemeral", replace_original=False)


def _origin(body: dict[str, Any]) -> str:
    view = body.get("view") or {}
    return HOME if view.get("type") == "home" else MESSAGE


def _action_id(action: dict[str, Any]) -> int:
    try:
        return int(action.get("value") or "")
    except ValueError:
        raise UserError(
            "That button no longer works. `/progress mine` lists your actions."
        ) from None


# ---------------------------------------------------------------- modals


def form_metadata(action_id: int | None, origin: str) -> str:
    return json.dumps({"action_id": action_id, "origin": origin})


def read_metadata(view: dict[str, Any]) -> tuple[int | None, str]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        data = {}
    action_id = data.get("action_id")
    return (action_id if isinstance(action_id, int) else None), str(data.get("origin") or "")


def on_update_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services = services_of(context)
    values = view.get("state", {}).get("values", {})
    preselected, origin = read_metadata(view)
    chosen = _selected(values, ACTION_INPUT)
    try:
        actor = actor_of(context)
        with services.uow() as uow:
            recorded = update_from_form(
                uow,
                actor,
                int(chosen) if chosen and chosen.isdigit() else preselected,
                services.clock.now(),
                status=find_status(_selected(values, STATUS_INPUT)),
                note=_text(values, NOTE_INPUT),
                evidence=_text(values, EVIDENCE_INPUT),
                dedupe_key=f"view:{view.get('id')}",
            )
            uow.commit()
    except UserError as error:
        ack(response_action="errors", errors=_field_errors(error, ACTION_INPUT))
        return
    ack(response_action="update", view=update_saved_modal(recorded))
    if origin == HOME:
        publish_home(services, client, actor, body["user"]["id"])


def on_date_change_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    services = services_of(context)
    values = view.get("state", {}).get("values", {})
    action_id, _ = read_metadata(view)
    try:
        actor = actor_of(context)
        new_due = _date(values, DATE_INPUT)
        if action_id is None:
            raise UserError("That form no longer works. Use the button again.")
        with services.uow() as uow:
            action = action_by_id(uow, actor, action_id)
            request_id = ask_for_new_date(
                uow,
                actor,
                action,
                new_due,
                _text(values, REASON_INPUT) or "",
                services.clock.now(),
                source="modal",
                dedupe_key=f"view:{view.get('id')}" if view.get("id") else None,
            )
            notice = date_change_notice(uow, request_id)
            uow.commit()
    except UserError as error:
        ack(response_action="errors", errors=_field_errors(error, DATE_INPUT))
        return
    ack(response_action="update", view=date_change_sent_modal(notice))


def _field_errors(error: UserError, default_block: str) -> dict[str, str]:
    """A UserError shown under its field (a FieldError's own, or the form's first field)."""
    block = default_block
    if isinstance(error, FieldError):
        block = FORM_FIELDS.get(error.field, default_block)
    return {block: error.message}


def _entry(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    return (values.get(block_id) or {}).get(block_id) or {}


def _selected(values: dict[str, Any], block_id: str) -> str | None:
    option = _entry(values, block_id).get("selected_option") or {}
    return option.get("value")


def _text(values: dict[str, Any], block_id: str) -> str | None:
    return _entry(values, block_id).get("value")


def _date(values: dict[str, Any], block_id: str) -> dt.date:
    raw = _entry(values, block_id).get("selected_date")
    if not raw:
        raise FieldError("date", "Choose the new due date.")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise FieldError("date", "Choose the new due date from the calendar.") from None
