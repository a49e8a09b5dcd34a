"""Core statements compiled once per database and run with ``exec_driver_sql``.

The booking path runs four statements per entry. Executed as Core statements, SQLAlchemy spends
more time per execution on looking up the compiled form and processing parameters and result
rows than the database spends running them. Here each statement is still written as Core (so
it is checked, quoted and rendered by SQLAlchemy for each dialect), but compiled once; binds go
through the column types' own bind processors, and the driver receives plain SQL. Connection
events (``before_cursor_execute``) still see every statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement


class _Compiled:
    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.positional = compiled.positional
        self.names: Sequence[str] = (
            tuple(compiled.positiontup or ()) if self.positional else tuple(compiled.binds)
        )
        self.processors: dict[str, Callable[[Any], Any]] = {}
        for name in set(self.names):
            # dialect_impl: the dialect's own variant of the type (SQLite's DATETIME formats text).
            processor = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.processors[name] = processor

    def params(self, values: Mapping[str, Any]) -> tuple | dict:
        processors = self.processors
        if self.positional:
            return tuple(
                processors[name](values[name]) if name in processors else values[name] for name in self.names
            )
        return {
            name: processors[name](values[name]) if name in processors else values[name]
            for name in self.names
        }


class DriverStatement:
    """A Core statement built by ``build()`` and compiled once per dialect."""

    def __init__(self, build: Callable[[], ClauseElement]) -> None:
        self._build = build
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = _Compiled(self._build(), dialect)
        return compiled

    def execute(self, connection: Connection, values: Mapping[str, Any] | Iterable[Mapping[str, Any]]):
        """Execute with one set of values, or executemany with a list of them."""
        compiled = self._for(connection.dialect)
        if isinstance(values, Mapping):
            return connection.exec_driver_sql(compiled.sql, compiled.params(values))
        return connection.exec_driver_sql(compiled.sql, [compiled.params(v) for v in values])


def result_processor(type_: Any, dialect: Dialect) -> Callable[[Any], Any]:
    """The column type's result processor (identity when it has none)."""
    processor = type_.dialect_impl(dialect).result_processor(dialect, None)
    return processor if processor is not None else (lambda value: value)
