"""Errors a person can cause: each message is one friendly line saying what to do instead."""


class UserError(Exception):
    """Bad input or a refused request; safe to show to the person who caused it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(UserError):
    """Something named by the person does not exist."""


class PermissionDenied(UserError):
    """The person may not do this."""


class Conflict(UserError):
    """The request clashes with the current state (e.g. a duplicate ref)."""
