"""Errors a user can act on. The CLI turns them into exit code 2 and one line on stderr; Slack into a message."""

from __future__ import annotations


class PiaError(Exception):
    """Bad input or a state the user can fix. `message` is Japanese and says what happened and what to do."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}（{self.hint}）" if self.hint else self.message


class InputFileError(PiaError):
    """A file that cannot be read: corrupt, encrypted, empty, too large, of the wrong type."""


class NotAnAssessmentError(PiaError):
    """A readable document that is not a 全項目評価書 draft (English report, minutes, blank file…)."""


class UnknownCheckpointError(PiaError):
    pass


class IndexStateError(PiaError):
    """The index is missing, half-built, or was built with another embedder."""


class StoreUnavailableError(PiaError):
    """The Chroma server stopped answering (connection refused or cut). Nothing was switched: the old index stays."""


class IndexBusyError(PiaError):
    """Another index run holds the knowledge base's lock."""


class DraftRefusedError(InputFileError):
    """An assessment draft given to the indexer: drafts never become shared knowledge."""


class AccessDeniedError(PiaError):
    """The person asking may not see the file (Slack: not the owner, not in a conversation it is shared in)."""


class ConfigurationError(PiaError):
    pass
