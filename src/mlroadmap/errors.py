"""The errors the core raises; ``cli`` turns each into a message and an exit code."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    STORE = 1  # the store or the file system failed
    USAGE = 2  # the user's input was wrong


class MlroadmapError(Exception):
    """Base of every error the tool reports to the user.

    ``message`` says what is wrong; ``hint`` (optional) says what to do next.
    """

    exit_code: ExitStatus = ExitStatus.USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UserError(MlroadmapError):
    """The user's input was wrong (exit 2)."""


class UnknownIdError(UserError):
    """No node, roadmap or alias has this ID."""


class AmbiguousIdError(UserError):
    """A prefix matches several nodes."""

    def __init__(self, message: str, candidates: list[str], *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.candidates = candidates


class RoadmapFileError(UserError):
    """A roadmap file is invalid; ``problems`` holds every ``file:line: message``."""

    def __init__(self, problems: list[str], *, hint: str | None = None) -> None:
        super().__init__(problems[0] if len(problems) == 1 else "\n".join(problems), hint=hint)
        self.problems = problems


class StoreError(MlroadmapError):
    """The store or the file system failed (exit 1)."""

    exit_code = ExitStatus.STORE


class LockTimeoutError(StoreError):
    """Another process held the store's lock for too long."""
