"""Core statements compiled once per database and run on the driver's cursor.

The booking path runs four statements per entry. Executed as Core statements, SQLAlchemy spends
more time per execution (compiled-cache lookup, parameter and result processing, result objects)
than the database spends running them. Here each statement is still written as Core, so it is
rendered and quoted by SQLAlchemy for each dialect, but compiled once; binds go through the
column types' own processors, and the SQL goes straight to the DB-API cursor of the session's
connection, inside the session's transaction.

When anything listens for cursor executions on the connection (tests that inject faults, a
statement logger), the statements go through ``exec_driver_sql`` instead, so every listener
sees every statement. Driver errors are raised as SQLAlchemy's ``DBAPIError`` subclasses either
way, so callers retry deadlocks and lock timeouts as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement


class _Compiled:
    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = compiled.string
        self.positional = compiled.positional
        self.names: Sequence[str] = (
            tuple(compiled.positiontup or ()) if self.positional else tuple(compiled.binds)
        )
        processors: dict[str, Callable[[Any], Any]] = {}
        for name in set(self.names):
            # dialect_impl: the dialect's own variant of the type (SQLite's DATETIME formats text).
            processor = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        self._steps = tuple((name, processors.get(name)) for name in self.names)

    def params(self, values: Mapping[str, Any]) -> tuple | dict:
        if self.positional:
            return tuple(
                values[name] if process is None else process(values[name]) for name, process in self._steps
            )
        return {
            name: values[name] if process is None else process(values[name]) for name, process in self._steps
        }


def _observed(connection: Connection) -> bool:
    dispatch = connection.dispatch
    return bool(dispatch.before_cursor_execute or dispatch.after_cursor_execute)


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

    def _run(self, connection: Connection, values, fetch: str | None):
        compiled = self._for(connection.dialect)
        many = not isinstance(values, Mapping)
        params = [compiled.params(v) for v in values] if many else compiled.params(values)
        if _observed(connection):
            result = connection.exec_driver_sql(compiled.sql, params)
            if fetch == "all":
                return [tuple(row) for row in result]
            return result.scalar_one() if fetch == "one" else None
        cursor = connection.connection.driver_connection.cursor()
        try:
            if many:
                cursor.executemany(compiled.sql, params)
            else:
                cursor.execute(compiled.sql, params)
            if fetch == "all":
                return cursor.fetchall()
            if fetch == "one":
                return cursor.fetchone()[0]
            return None
        except connection.dialect.loaded_dbapi.Error as error:
            raise DBAPIError.instance(
                compiled.sql, params, error, connection.dialect.loaded_dbapi.Error, dialect=connection.dialect
            ) from error
        finally:
            cursor.close()

    def rows(self, connection: Connection, values: Mapping[str, Any]) -> list[tuple]:
        """Execute and return all rows as plain tuples (no result processing)."""
        return self._run(connection, values, "all")

    def scalar(self, connection: Connection, values: Mapping[str, Any]) -> Any:
        """Execute and return the first column of the one row (e.g. INSERT ... RETURNING id)."""
        return self._run(connection, values, "one")

    def execute(
        self, connection: Connection, values: Mapping[str, Any] | Iterable[Mapping[str, Any]]
    ) -> None:
        """Execute with one set of values, or executemany with a list of them."""
        self._run(connection, values, None)


_RESULT_PROCESSORS: dict[tuple[type, str], Callable[[Any], Any]] = {}


def result_processor(type_: Any, dialect: Dialect) -> Callable[[Any], Any]:
    """The column type's result processor for the dialect (identity when it has none); cached."""
    key = (type(type_), dialect.name)
    processor = _RESULT_PROCESSORS.get(key)
    if processor is None:
        processor = type_.dialect_impl(dialect).result_processor(dialect, None) or (lambda value: value)
        _RESULT_PROCESSORS[key] = processor
    return processor
