"""Domain errors. The API turns each into one problem+json status, in one place."""

from __future__ import annotations

from .rules import RULES


class OversightError(Exception):
    """Base of every error the application raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RuleViolation(OversightError):
    """A gate rule refused the command (RULES.md id and citation); ``also`` lists every breach
    the event would have been refused for, this one first, as (rule, message)."""

    def __init__(self, rule_id: str, message: str, also: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.rule = rule_id
        self.citation = RULES[rule_id].citation
        self.also = also or [(rule_id, message)]


class StateError(OversightError):
    """The command does not fit the case's state or the legal order of stages."""


class NotFoundError(OversightError):
    pass


class AlreadyExistsError(OversightError):
    pass


class ConcurrencyError(OversightError):
    """Another command changed the aggregate first."""


class VersionMismatchError(OversightError):
    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(f"version is {actual}, not {expected}")
        self.expected = expected
        self.actual = actual


class InvalidInputError(OversightError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class AuthenticationError(OversightError):
    pass


class ForbiddenError(OversightError):
    """Known principal, action not allowed for its role or unit (optionally a rule, e.g. D1)."""

    def __init__(self, message: str, rule_id: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule_id
        self.citation = RULES[rule_id].citation if rule_id else None
