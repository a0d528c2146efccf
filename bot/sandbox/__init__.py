"""A local Slack for the sandbox and the end-to-end tests: Web API emulator + signed requests."""

from bot.sandbox.blocks import ActionRef, EmulatorError
from bot.sandbox.emulator import (
    ActionResult,
    AppResponse,
    EventResult,
    SlackEmulator,
    SlashResult,
    SubmitResult,
)
from bot.sandbox.model import ApiCall, Channel, Message, SentRequest, StoredFile, User, View
from bot.sandbox.slack_requests import Workspace, sign

__all__ = [
    "ActionRef",
    "ActionResult",
    "ApiCall",
    "AppResponse",
    "Channel",
    "EmulatorError",
    "EventResult",
    "Message",
    "SentRequest",
    "SlackEmulator",
    "SlashResult",
    "StoredFile",
    "SubmitResult",
    "User",
    "View",
    "Workspace",
    "sign",
]
