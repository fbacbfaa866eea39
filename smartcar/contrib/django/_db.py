"""What the Django token store and seen-set share: one transaction per operation, database
errors turned into the SDK's exception, and "insert unless it exists"."""

from __future__ import annotations

from typing import Callable, Type, TypeVar

from django.db import DatabaseError, IntegrityError, connections, models, transaction
from django.utils.connection import ConnectionDoesNotExist

__all__ = ["Database"]

_T = TypeVar("_T")


class Database:
    """Runs operations on the database ``using``; a failure raises ``error(what: ...)``.

    Args:
        using: the database alias.
        error: the exception class raised for any database failure.
        what: how messages name the caller (``"Django token store"``).
    """

    def __init__(self, using: str, error: Type[Exception], what: str) -> None:
        if not isinstance(using, str) or not using:
            raise ValueError(f"using must be a database alias, not {using!r}")
        self.using = using
        self._error = error
        self._what = what

    def run(self, action: str, operation: Callable[[], _T]) -> _T:
        """Run ``operation`` in one transaction (a savepoint inside the caller's).

        A connection this opened is closed again: the SDK calls the store from threads of
        its own (a sweep's readers), which Django's request cycle never cleans up after.
        """
        try:
            connection = connections[self.using]
            opened_here = connection.connection is None
            try:
                with transaction.atomic(using=self.using):
                    return operation()
            finally:
                if opened_here and not connection.in_atomic_block:
                    connection.close()
        except ConnectionDoesNotExist:
            raise self._error(
                f"{self._what} (database {self.using!r}): {action} failed: "
                "no such database in DATABASES"
            ) from None
        except DatabaseError as error:
            self._recover()
            # The first line only: a driver's DETAIL lines may quote a row.
            reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise self._error(
                f"{self._what} (database {self.using!r}): {action} failed: "
                f"{type(error).__name__}: {reason}"
            ) from error

    def insert(self, row: models.Model) -> bool:
        """Insert ``row``; return ``False`` when its key exists (the transaction goes on)."""
        try:
            with transaction.atomic(using=self.using):
                row.save(using=self.using, force_insert=True)
        except IntegrityError:
            return False
        return True

    def _recover(self) -> None:
        # A broken connection (server restarted) is closed, so the next operation reconnects;
        # inside the caller's transaction that is the caller's to do.
        connection = connections[self.using]
        if not connection.in_atomic_block:
            try:
                connection.close_if_unusable_or_obsolete()
            except DatabaseError:
                connection.close()
