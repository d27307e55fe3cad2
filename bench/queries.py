"""Count the SQL statements an engine runs: `with count_queries(db.engine) as queries: ...; queries.count`."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class QueryCount:
    """What ran while the block was open: how many statements, and their SQL in order."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(engine: Engine) -> Iterator[QueryCount]:
    """Count every statement sent to the database through `engine` while the block runs.

    Listens to `before_cursor_execute`, so it sees ORM and Core statements alike, from any
    session bound to the engine, and nothing else (a pool pre-ping is not a statement).
    """
    counted = QueryCount()

    def record(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        counted.statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", record)


def queries_asked(engine: Engine, call: Callable[[], Any]) -> int:
    """How many statements `call()` sends to the database through `engine`."""
    with count_queries(engine) as counted:
        call()
    return counted.count
