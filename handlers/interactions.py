"""Buttons and modals for owners.

The Update / Mark complete / Ask for new date buttons sit on reminder DMs, on `/progress mine`
and on the Home tab (their value is the action's id). Update and Ask for new date open a
modal; Mark complete records the action as complete and answers with an ephemeral line (or,
on the Home tab, redraws it with that line on top). The modals validate on submit and show
problems on the field (`response_action: errors`), recording nothing; a saved modal turns
into a confirmation. The Approve / Decline buttons live in handlers/date_changes.py.

The Challenge button beside an action in `/board theme`, `overdue` and `history` opens the
question form for the chair and members; submitted, it puts the question to the owners
(`/board challenge <ref> "…"` does the same) and turns into a confirmation.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, Args, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.absence import absence_period
from bot.core.challenges import EventKind
from bot.core.errors import UserError
from bot.core.impact import find_impact
from bot.core.statuses import find_status
from bot.render import ids
from bot.render.challenges import (
    QUESTION_INPUT,
    challenge_asked_modal,
    challenge_modal,
    follow_up_modal,
    step_message,
)
from bot.render.cover import (
    AWAY_DEPUTY,
    AWAY_FROM,
    AWAY_TO,
    absence_ended_or_cancelled,
    away_modal,
    away_saved_modal,
)
from bot.render.mrkdwn import refusal
from bot.render.progress import (
    ACTION_INPUT,
    DATE_INPUT,
    EVIDENCE_INPUT,
    FORM_FIELDS,
    IMPACT_INPUT,
    NOTE_INPUT,
    REASON_INPUT,
    STATUS_INPUT,
    date_change_modal,
    date_change_sent_modal,
    measures_message,
    measures_modal,
    recorded_message,
    update_modal,
    update_saved_modal,
)
from bot.services import Services
from bot.services.owner import FieldError, UpdateForm
from bot.services.plans import Actor
from handlers.common import Message, actor_of, refusals_go_to, reply
from handlers.events import home_publisher
from handlers.plan_people import users_info

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submitted:
    """A submitted form: the view (its values by block, and what it was opened on), and
    who submitted it."""

    view: dict[str, Any]
    actor: Actor

    @property
    def action_id(self) -> int | None:
        """The action the form was opened on (None: a choice of mine)."""
        return read_metadata(self.view)[0]

    @property
    def origin(self) -> str:
        return read_metadata(self.view)[1]

    def _entry(self, block_id: str) -> dict[str, Any]:
        values = self.view.get("state", {}).get("values", {})
        return (values.get(block_id) or {}).get(block_id) or {}

    def selected(self, block_id: str) -> str | None:
        option = self._entry(block_id).get("selected_option") or {}
        return option.get("value")

    def text(self, block_id: str) -> str | None:
        return self._entry(block_id).get("value")

    def user(self, block_id: str) -> str | None:
        return self._entry(block_id).get("selected_user") or None

    def day(self, block_id: str) -> dt.date | None:
        raw = self._entry(block_id).get("selected_date")
        try:
            return dt.date.fromisoformat(raw) if raw else None
        except ValueError:
            return None

    def date(self, block_id: str) -> dt.date:
        raw = self._entry(block_id).get("selected_date")
        if not raw:
            raise FieldError("date", "Choose the new due date.")
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise FieldError("date", "Choose the new due date from the calendar.") from None


# What a saved form does once it has turned into its confirmation: (client, body).
After = Callable[[WebClient, dict[str, Any]], None] | None

HOME = "home"
MESSAGE = "message"
COMMAND = "command"


def register(app: App, services: Services) -> None:
    progress = services.progress
    publish_home = home_publisher(services)

    def tell(
        body: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
        message: Message,
    ) -> None:
        """Answer a button press: ephemeral under a message; on the Home tab, redraw it with
        the answer on top."""
        if _origin(body) == HOME:
            publish_home(client, actor_of(context), body["user"]["id"], message["text"])
        else:
            reply(respond, message)

    def tell_refusal(kwargs: dict[str, Any], error: UserError) -> None:
        answer = refusal(error.message)
        tell(kwargs["body"], kwargs["client"], kwargs["context"], kwargs["respond"], answer)

    def button(press: Callable[[dict[str, Any], int, Actor, WebClient], Message | None]) -> Any:
        """A button listener: ack, then `press(body, action id, actor, client)`; what it
        answers (and any refusal) is told where the button was."""

        @refusals_go_to(tell_refusal)
        def on_button(args: Args) -> None:
            args.ack()
            body, client = args.body, args.client
            answer = press(body, _action_id(args.payload), actor_of(args.context), client)
            if answer is not None:
                tell(body, client, args.context, args.respond, answer)

        return on_button

    # ------------------------------------------------------------ buttons

    def open_update_form(
        body: dict[str, Any], action_id: int, actor: Actor, client: WebClient
    ) -> None:
        form = progress.update_form(actor, services.clock.now(), action_id=action_id)
        client.views_open(trigger_id=body["trigger_id"], view=update_modal_for(form, _origin(body)))

    def complete(body: dict[str, Any], action_id: int, actor: Actor, client: WebClient) -> Message:
        dedupe_key = f"button:{body.get('user', {}).get('id')}:{_action_ts(body)}"
        recorded = progress.complete(actor, action_id, services.clock.now(), dedupe_key)
        return recorded_message(recorded)

    def record_anyway(
        body: dict[str, Any], held_id: int, actor: Actor, client: WebClient
    ) -> Message | None:
        recorded = progress.record_anyway(actor, held_id, services.clock.now())
        view = body.get("view") or {}
        if view.get("type") == "modal":
            client.views_update(view_id=view["id"], view=update_saved_modal(recorded))
            return None
        return recorded_message(recorded)

    def record_answer_anyway(
        body: dict[str, Any], held_id: int, actor: Actor, client: WebClient
    ) -> Message:
        return step_message(services.challenges.record_anyway(actor, held_id, services.clock.now()))

    def open_date_form(
        body: dict[str, Any], action_id: int, actor: Actor, client: WebClient
    ) -> None:
        item = progress.date_form(actor, action_id, services.clock.now())
        view = date_change_modal(item, form_metadata(action_id, _origin(body)))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def open_challenge_form(
        body: dict[str, Any], action_id: int, actor: Actor, client: WebClient
    ) -> None:
        form = services.challenges.form(actor, action_id)
        view = challenge_modal(form, form_metadata(action_id, _origin(body)))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def show_measures(
        body: dict[str, Any], action_id: int, actor: Actor, client: WebClient
    ) -> Message | None:
        measures = progress.measures(actor, action_id)
        if (body.get("view") or {}).get("type") == "modal":
            client.views_push(trigger_id=body["trigger_id"], view=measures_modal(measures))
            return None
        return measures_message(measures)

    @refusals_go_to(_form_stays)
    def choose_action(args: Args) -> None:
        """An action chosen in the update form: the form redraws on it, with its measures
        (what was typed in its other fields stays: their block ids are the same)."""
        args.ack()
        view = args.body.get("view") or {}
        option = (args.body.get("actions") or [{}])[0].get("selected_option") or {}
        chosen = str(option.get("value") or "")
        if not view.get("id") or not chosen.isdigit():
            return
        actor = actor_of(args.context)
        form = progress.update_form(actor, services.clock.now(), action_id=int(chosen))
        redrawn = update_modal_for(form, read_metadata(view)[1] or MESSAGE)
        try:
            args.client.views_update(view_id=view["id"], hash=view.get("hash"), view=redrawn)
        except SlackApiError as error:  # closed, or changed meanwhile: the form stands
            log.info("update form not redrawn: %s", error.response.get("error"))

    def close_challenge(
        body: dict[str, Any], challenge_id: int, actor: Actor, client: WebClient
    ) -> Message:
        dedupe_key = f"button:{body.get('user', {}).get('id')}:{_action_ts(body)}"
        done = services.challenges.chair_step(
            actor, challenge_id, EventKind.CLOSED, None, services.clock.now(), dedupe_key=dedupe_key
        )
        return step_message(done)

    def open_follow_up_form(
        body: dict[str, Any], challenge_id: int, actor: Actor, client: WebClient
    ) -> None:
        found = services.challenges.follow_up_form(actor, challenge_id, services.clock.now())
        view = follow_up_modal(found, form_metadata(challenge_id, _origin(body)))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    # ------------------------------------------------------------ modals

    def form(
        default_block: str,
        submit: Callable[[Submitted], tuple[dict[str, Any], After]],
    ) -> Any:
        """A form listener: `submit(form)` records what the form says and
        gives the confirmation modal the form turns into, and what to do once it has; a
        refusal is shown under its field (under `default_block` when it names none)."""

        @refusals_go_to(errors_under(default_block))
        def on_submitted(args: Args) -> None:
            modal, after = submit(Submitted(args.payload, actor_of(args.context)))
            args.ack(response_action="update", view=modal)
            if after is not None:
                after(args.client, args.body)

        return on_submitted

    def record_update(form: Submitted) -> tuple[dict[str, Any], After]:
        chosen = form.selected(ACTION_INPUT)
        recorded = progress.update_from_form(
            form.actor,
            int(chosen) if chosen and chosen.isdigit() else form.action_id,
            services.clock.now(),
            status=find_status(form.selected(STATUS_INPUT)),
            note=form.text(NOTE_INPUT),
            evidence=form.text(EVIDENCE_INPUT),
            impact=find_impact(form.selected(IMPACT_INPUT)),
            dedupe_key=f"view:{form.view.get('id')}",
        )

        def redraw_home(client: WebClient, body: dict[str, Any]) -> None:
            publish_home(client, form.actor, body["user"]["id"])

        return update_saved_modal(recorded), redraw_home if form.origin == HOME else None

    def ask_for_new_date(form: Submitted) -> tuple[dict[str, Any], After]:
        new_due = form.date(DATE_INPUT)
        notice = progress.ask_for_new_date(
            form.actor,
            new_due,
            form.text(REASON_INPUT) or "",
            services.clock.now(),
            action_id=form.action_id,
            source="modal",
            dedupe_key=f"view:{form.view['id']}" if form.view.get("id") else None,
        )
        return date_change_sent_modal(notice), None

    def ask_challenge(form: Submitted) -> tuple[dict[str, Any], After]:
        if form.action_id is None:
            raise UserError('That form no longer works. Ask with `/board challenge <ref> "…"`.')
        done = services.challenges.ask_on(
            form.actor,
            form.action_id,
            form.text(QUESTION_INPUT) or "",
            services.clock.now(),
            f"view:{form.view['id']}" if form.view.get("id") else None,
        )
        return challenge_asked_modal(done), None

    # ------------------------------------------------------------ the Home tab's absence

    def open_away_form(body: dict[str, Any], _: int, actor: Actor, client: WebClient) -> None:
        client.views_open(trigger_id=body["trigger_id"], view=away_modal())

    def cancel_absence(
        body: dict[str, Any], absence_id: int, actor: Actor, client: WebClient
    ) -> Message:
        done = services.cover.end_mine(actor, absence_id, services.clock.now())
        return absence_ended_or_cancelled(done)

    @refusals_go_to(errors_under(AWAY_FROM))
    def on_away_submitted(args: Args) -> None:
        """The absence form: the same use case as `/progress away … deputy @…`."""
        submitted = Submitted(args.payload, actor_of(args.context))
        start, end = absence_period(_picked(submitted, AWAY_FROM), _picked(submitted, AWAY_TO))
        user = submitted.user(AWAY_DEPUTY)
        deputy = None
        if user:
            found = services.people.profiles(
                submitted.actor, [user], lambda u: users_info(args.client, u)
            )
            deputy = found[user]
        view = services.cover.set_away(
            submitted.actor, start, end, deputy, None, services.clock.now()
        )
        args.ack(response_action="update", view=away_saved_modal(view))
        publish_home(args.client, submitted.actor, args.body["user"]["id"])

    app.action(ids.AWAY_BUTTON)(button(open_away_form))
    app.action(ids.CANCEL_ABSENCE)(button(cancel_absence))
    app.view(ids.AWAY_MODAL)(on_away_submitted)

    def ask_follow_up(form: Submitted) -> tuple[dict[str, Any], After]:
        challenge_id = form.action_id  # the form's metadata names the challenge
        if challenge_id is None:
            raise UserError(
                'That form no longer works. Follow up with `/board challenge reopen C12 "…"`.'
            )
        done = services.challenges.chair_step(
            form.actor,
            challenge_id,
            EventKind.REOPENED,
            form.text(QUESTION_INPUT) or "",
            services.clock.now(),
            dedupe_key=f"view:{form.view['id']}" if form.view.get("id") else None,
        )
        return challenge_asked_modal(done), None

    app.action(ids.UPDATE_ACTION)(button(open_update_form))
    app.action(ids.COMPLETE_ACTION)(button(complete))
    app.action(ids.ASK_NEW_DATE)(button(open_date_form))
    app.action(ids.RECORD_ANYWAY)(button(record_anyway))
    app.action(ids.RECORD_ANSWER_ANYWAY)(button(record_answer_anyway))
    app.action(ids.SHOW_MEASURES)(button(show_measures))
    app.action(ids.CLOSE_CHALLENGE)(button(close_challenge))
    app.action(ids.FOLLOW_UP_CHALLENGE)(button(open_follow_up_form))
    app.view(ids.FOLLOW_UP_MODAL)(form(QUESTION_INPUT, ask_follow_up))
    app.action(ACTION_INPUT)(choose_action)
    app.view(ids.UPDATE_MODAL)(form(ACTION_INPUT, record_update))
    app.view(ids.DATE_CHANGE_MODAL)(form(DATE_INPUT, ask_for_new_date))
    app.action(ids.CHALLENGE_ACTION)(button(open_challenge_form))
    app.view(ids.CHALLENGE_MODAL)(form(QUESTION_INPUT, ask_challenge))


def _picked(form: Submitted, block_id: str) -> dt.date:
    day = form.day(block_id)
    if day is None:
        raise FieldError(block_id, "Pick the day from the calendar.")
    return day


def _form_stays(kwargs: dict[str, Any], error: UserError) -> None:
    """A refusal while the update form redraws: the form stands as it was, and saving it
    answers under its field."""
    log.info("update form not redrawn: %s", error.message)


def update_modal_for(form: UpdateForm, origin: str) -> dict[str, Any]:
    """The update modal, on the action the form opens on (if any)."""
    action_id = form.selected.action_id if form.selected is not None else None
    return update_modal(form, form_metadata(action_id, origin))


def _origin(body: dict[str, Any]) -> str:
    view = body.get("view") or {}
    return HOME if view.get("type") == "home" else MESSAGE


def _action_ts(body: dict[str, Any]) -> Any:
    """The pressed button's action_ts (Slack's id of this one press)."""
    return ((body.get("actions") or [{}])[0]).get("action_ts")


def _action_id(action: dict[str, Any]) -> int:
    try:
        return int(action.get("value") or "")
    except ValueError:
        raise UserError(
            "That button no longer works. `/progress mine` lists your actions."
        ) from None


def form_metadata(action_id: int | None, origin: str) -> str:
    return json.dumps({"action_id": action_id, "origin": origin})


def read_metadata(view: dict[str, Any]) -> tuple[int | None, str]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        data = {}
    action_id = data.get("action_id")
    return (action_id if isinstance(action_id, int) else None), str(data.get("origin") or "")


def errors_under(default_block: str) -> Callable[[dict[str, Any], UserError], None]:
    """A refusal of a submitted form, shown under its field (a FieldError's own, or the
    form's `default_block`); nothing was recorded and the form stays open."""

    def tell(kwargs: dict[str, Any], error: UserError) -> None:
        if getattr(kwargs["ack"], "response", None) is not None:
            raise error  # after the form was answered: not the form's to show
        block = default_block
        if isinstance(error, FieldError):
            block = FORM_FIELDS.get(error.field, error.field)  # else the block it names
        kwargs["ack"](response_action="errors", errors={block: error.message})

    return tell
