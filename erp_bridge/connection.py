"""Connections, transactions and error translation.

``Database`` owns a small pool of pyodbc connections to one ODBC data source.

* ``db.transaction()`` yields a ``Transaction``; leaving the block commits, an
  exception rolls back. Inside it, ``tx.all / one / scalar / execute / insert / page``
  run a named query (``tx.all("orders.lines", order_id)``, see ``queries.py``), and
  their ``*_sql`` twins run SQL text built in the bridge (``tx.all_sql(sql, *params)``,
  see ``dynamic.py``). Which one is meant is said by the method, never guessed.
* Reads outside a transaction (``db.all`` …) are retried once on a dropped connection.
  Inside a transaction, only the first statement is retried, because before it the
  server holds nothing of ours; later failures roll back and raise ``ConnectionLost``.
* Every pyodbc error becomes a ``BridgeError`` subclass with the SQLSTATE kept.
"""
from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import pyodbc

from . import errors
from .catalog import CatalogColumn, catalog_column
from .clock import DEFAULT_ERP_TIMEZONE, ErpTime
from .dialects import Dialect, dialect_for_dbms, get_dialect
from .mapping import Mapping
from .queries import QueryRegistry

log = logging.getLogger(__name__)

Row = dict[str, Any]


def _translate(dialect: Dialect | None, exc: Exception) -> errors.BridgeError:
    """pyodbc error → bridge error. The driver's text goes to ``detail`` (logs) only."""
    if isinstance(exc, errors.BridgeError):
        return exc
    args = getattr(exc, "args", ())
    sqlstate = str(args[0]) if args and isinstance(args[0], str) else ""
    message = str(args[1]) if len(args) > 1 else str(exc)
    if dialect is None:
        kind = errors.ConnectionLost if sqlstate.startswith(("08", "HY000", "IM")) else errors.BridgeError
    else:
        kind = dialect.classify(sqlstate, message)
    return kind(sqlstate=sqlstate, detail=message)


def _first_value(row: Row | None) -> Any:
    return None if row is None else next(iter(row.values()))


class Transaction:
    """One unit of work on one connection. Obtain it from ``Database.transaction()``."""

    def __init__(self, db: Database, cnxn: Any, write: bool):
        self.db = db
        self._cnxn = cnxn
        self._statements = 0
        self._write = write
        self._write_begun = False
        self._broken = False  # the connection died under us: never back into the pool
        self._aborted = False  # the server ended the transaction after an error
        try:
            self._cursor = cnxn.cursor()
        except pyodbc.Error:
            # A pooled connection the driver already knows is dead (MariaDB: 08003 from
            # SQLAllocHandle). Nothing of ours ran on it: take a fresh one.
            self.db._discard(cnxn)
            self._cnxn = self.db._connect()
            self._cursor = self._cnxn.cursor()

    @property
    def dialect(self) -> Dialect:
        return self.db.dialect

    @property
    def mapping(self) -> Mapping:
        return self.db.mapping

    # --- the statement's text ---------------------------------------------
    # Two explicit paths, never guessed from the string: a query name (``file.query``
    # of ``erp_bridge/sql/``) for ``all / one / scalar / execute / insert / page /
    # executemany``, SQL text built in the bridge (``dynamic.py``) for the ``*_sql``
    # twins. Both are rendered through the mapping (``{entity.field}`` tokens).
    def _named(self, name: str) -> str:
        return self.db.queries.sql(name)

    def _text(self, sql: str) -> str:
        return self.db.queries.render(sql)

    def _params(self, params: Sequence[Any]) -> list[Any]:
        adapt = self.dialect.adapt_param
        return [adapt(p) for p in params]

    def _run(self, fn):
        if self._write and not self._write_begun:
            # The write lock and the first statement are one unit, so that a dead pooled
            # connection found by either is still "before the first statement" and retried.
            self._write_begun = True

            def first():
                self.dialect.begin_write(self._cursor)
                return fn()

            return self._guarded(first)
        return self._guarded(fn)

    def _guarded(self, fn):
        if self._aborted:
            raise errors.TransactionAborted()
        try:
            result = fn()
        except pyodbc.Error as exc:
            err = _translate(self.dialect, exc)
            if isinstance(err, errors.ConnectionLost) and self._statements == 0:
                # Nothing of ours reached the server yet: a fresh connection, same statement.
                log.warning("database connection lost before first statement (%s); reconnecting",
                            err.sqlstate)
                self.db._discard(self._cnxn)
                self._broken = True
                self._cnxn = self.db._connect()
                self._cursor = self._cnxn.cursor()
                self._broken = False
                try:
                    result = fn()
                except pyodbc.Error as exc2:
                    err = _translate(self.dialect, exc2)
                    self._broken = isinstance(err, errors.ConnectionLost)
                    raise err from None
            else:
                self._broken = isinstance(err, errors.ConnectionLost)
                if not self._broken and self._statements > 0 \
                        and not self.dialect.transaction_survives_error(self._cursor):
                    # What ran before is undone and what follows would run outside the
                    # transaction: the caller may catch this error, never continue past it.
                    self._aborted = True
                raise err from None
        self._statements += 1
        self.db.statement_count += 1  # for benchmarks: statements per request
        return result

    def _rows(self) -> list[Row]:
        cur = self._cursor
        if cur.description is None:
            return []
        convert = self.dialect.convert_value
        desc = [(d[0].lower(), d[1]) for d in cur.description]
        return [{name: convert(v, tc) for (name, tc), v in zip(desc, row)} for row in cur.fetchall()]

    def _execute(self, sql: str, params: Sequence[Any]) -> int:
        args = self._params(params)

        def go():
            self._cursor.execute(sql, args)
            return self._cursor.rowcount

        return self._run(go)

    def _all(self, sql: str, params: Sequence[Any]) -> list[Row]:
        args = self._params(params)
        claim = self.dialect.row_claim(sql, args)
        if claim is not None:
            # The engine may not honour the read's lock hint (Babelfish): a lock it does.
            timeout_ms = self.db.statement_timeout * 1000
            self._run(lambda: self.dialect.take_claim(self._cursor, claim, timeout_ms))

        def go():
            self._cursor.execute(sql, args)
            return self._rows()

        return self._run(go)

    def _page(self, sql: str, params: Sequence[Any], limit: int, offset: int, skip_locked: bool) -> list[Row]:
        sql, extra = self.dialect.paginate(sql, limit, offset)
        if skip_locked:
            sql += self.dialect.for_update(skip_locked=True)
        return self._all(sql, list(params) + extra)

    def _insert(self, sql: str, params: Sequence[Any], id_column: str) -> int:
        args = self._params(params)
        return self._run(lambda: self.dialect.insert_returning_id(self._cursor, sql, args, id_column))

    # --- named queries ------------------------------------------------------
    def execute(self, name: str, *params: Any) -> int:
        """Run a statement; returns the number of rows it changed."""
        return self._execute(self._named(name), params)

    def all(self, name: str, *params: Any) -> list[Row]:
        return self._all(self._named(name), params)

    def one(self, name: str, *params: Any) -> Row | None:
        rows = self.all(name, *params)
        return rows[0] if rows else None

    def scalar(self, name: str, *params: Any) -> Any:
        return _first_value(self.one(name, *params))

    def page(self, name: str, params: Sequence[Any], limit: int, offset: int, *,
             skip_locked: bool = False) -> list[Row]:
        """A query with ORDER BY, one page of it. ``skip_locked``: lock the page's rows,
        passing over rows another transaction holds (the outbox relay's claim)."""
        return self._page(self._named(name), params, limit, offset, skip_locked)

    def insert(self, name: str, *params: Any, id_column: str = "id") -> int:
        """Insert one row into a table with an identity column; returns the new id."""
        return self._insert(self._named(name), params, id_column)

    def executemany(self, name: str, rows: Sequence[Sequence[Any]]) -> None:
        # fast_executemany is broken on two of the drivers (ODBC.md): plain loop.
        sql = self._named(name)
        for params in rows:
            self._execute(sql, params)

    # --- SQL text built in the bridge ---------------------------------------------
    def execute_sql(self, sql: str, *params: Any) -> int:
        return self._execute(self._text(sql), params)

    def all_sql(self, sql: str, *params: Any) -> list[Row]:
        return self._all(self._text(sql), params)

    def one_sql(self, sql: str, *params: Any) -> Row | None:
        rows = self.all_sql(sql, *params)
        return rows[0] if rows else None

    def scalar_sql(self, sql: str, *params: Any) -> Any:
        return _first_value(self.one_sql(sql, *params))

    def page_sql(self, sql: str, params: Sequence[Any], limit: int, offset: int) -> list[Row]:
        return self._page(self._text(sql), params, limit, offset, False)

    def insert_sql(self, sql: str, *params: Any, id_column: str = "id") -> int:
        return self._insert(self._text(sql), params, id_column)

    def ddl(self, statement: str) -> None:
        self._run(lambda: self._cursor.execute(statement))


class Database:
    """One ODBC data source: the ERP database, which also holds the plugin's tables."""

    def __init__(
        self,
        dsn: str,
        mapping: Mapping,
        *,
        dialect: str | None = None,
        statement_timeout: int = 30,
        login_timeout: int = 5,
        pool_size: int = 8,
        queries: QueryRegistry | None = None,
        timezone: str = DEFAULT_ERP_TIMEZONE,
    ):
        """``timezone``: the ERP's zone where the mapping's ``[erp] timezone`` does not say."""
        if not dsn or "driver=" not in dsn.lower() and "dsn=" not in dsn.lower():
            raise errors.ConfigurationError("the ODBC connection string needs DRIVER= or DSN=")
        self._dsn = dsn
        self.mapping = mapping
        self.statement_timeout = int(statement_timeout)
        self.login_timeout = int(login_timeout)
        self._pool: list[Any] = []
        self._catalog_cache: dict[str, dict[str, CatalogColumn]] = {}
        self._pool_size = pool_size
        self._lock = threading.Lock()
        self._dialect: Dialect | None = get_dialect(dialect) if dialect else None
        self._queries = queries
        self.erp_time = ErpTime(mapping.timezone or timezone)
        # Statements executed so far (approximate under threads); the benchmarks read it
        # to show that a page's statements do not grow with the number of rows.
        self.statement_count = 0

    # --- dialect and queries (detected lazily: the server may be down at startup)
    @property
    def dialect(self) -> Dialect:
        if self._dialect is None:
            self._release(self._connect())
        assert self._dialect is not None
        return self._dialect

    @property
    def queries(self) -> QueryRegistry:
        if self._queries is None:
            self._queries = QueryRegistry.default()
        return self._queries.bind(self.dialect, self.mapping)

    # --- connections ------------------------------------------------------
    def _connect(self) -> Any:
        dsn = self._dsn
        if self._dialect is not None:
            dsn = self._dialect.prepare_dsn(dsn, self.statement_timeout)
        try:
            cnxn = pyodbc.connect(dsn, autocommit=False, timeout=self.login_timeout)
        except pyodbc.Error as exc:
            err = _translate(self._dialect, exc)
            if not isinstance(err, errors.ConnectionLost) and err.sqlstate in ("IM002", "IM003"):
                raise errors.ConfigurationError("ODBC driver not found", sqlstate=err.sqlstate,
                                                detail=err.detail) from None
            if isinstance(err, errors.BridgeError) and type(err) is errors.BridgeError:
                err = errors.ConnectionLost(sqlstate=err.sqlstate, detail=err.detail)
            raise err from None
        try:
            if self._dialect is None:
                self._dialect = dialect_for_dbms(cnxn.getinfo(pyodbc.SQL_DBMS_NAME))
                if self._dialect.prepare_dsn(dsn, self.statement_timeout) != dsn:
                    cnxn.close()  # reconnect with the dialect's DSN settings
                    return self._connect()
            self._dialect.on_connect(cnxn, self.statement_timeout)
        except pyodbc.Error as exc:
            cnxn.close()
            raise _translate(self._dialect, exc) from None
        return cnxn

    def _acquire(self) -> Any:
        with self._lock:
            if self._pool:
                return self._pool.pop()
        return self._connect()

    def _release(self, cnxn: Any) -> None:
        with self._lock:
            if len(self._pool) < self._pool_size:
                self._pool.append(cnxn)
                return
        self._close(cnxn)

    def _discard(self, cnxn: Any) -> None:
        self._close(cnxn)

    @staticmethod
    def _close(cnxn: Any) -> None:
        with contextlib.suppress(Exception):
            cnxn.close()

    def dispose(self) -> None:
        """Close every pooled connection (tests, shutdown, after a fork)."""
        with self._lock:
            pool, self._pool = self._pool, []
        for cnxn in pool:
            self._close(cnxn)

    # --- transactions -----------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Transaction]:
        """A unit of work that may write. Where the engine has no row locks (SQLite) it
        takes the write lock first, so read-check-write is safe and a read snapshot never
        has to be upgraded (in WAL mode that upgrade fails at once instead of waiting).
        Read-only work uses ``read()`` / ``write=False``."""
        tx = Transaction(self, self._acquire(), write)
        try:
            yield tx
        except BaseException:
            self._end(tx, commit=False)
            raise
        else:
            self._end(tx, commit=True)

    def _end(self, tx: Transaction, commit: bool) -> None:
        cnxn = tx._cnxn
        if tx._broken:
            # Some drivers (psqlODBC) report success for a rollback on a dead connection;
            # it must not go back into the pool.
            self._discard(cnxn)
            if commit:
                raise errors.ConnectionLost()
            return
        if tx._aborted:
            # Nothing to roll back; the server did. Committing would claim work that is gone.
            self._discard(cnxn)
            if commit:
                raise errors.TransactionAborted()
            return
        try:
            tx._cursor.close()
            if commit:
                cnxn.commit()
            else:
                cnxn.rollback()
        except pyodbc.Error as exc:
            self._discard(cnxn)
            if commit:
                error = _translate(self._dialect, exc)
                error.outcome_unknown = tx._write and tx._statements > 0 and isinstance(error, errors.ConnectionLost)
                raise error from None
            return  # the rollback failed because the connection is gone: nothing to undo
        self._release(cnxn)

    # --- reads outside a transaction (retried once) ------------------------
    def read(self, fn):
        """Run ``fn(tx)`` in a read transaction; retried once if the connection dropped."""
        for attempt in (1, 2):
            try:
                with self.transaction(write=False) as tx:
                    return fn(tx)
            except errors.ConnectionLost:
                if attempt == 2:
                    raise
                log.warning("database connection lost during a read; retrying once")
                self.dispose()

    def all(self, name: str, *params: Any) -> list[Row]:
        return self.read(lambda tx: tx.all(name, *params))

    def one(self, name: str, *params: Any) -> Row | None:
        return self.read(lambda tx: tx.one(name, *params))

    def scalar(self, name: str, *params: Any) -> Any:
        return self.read(lambda tx: tx.scalar(name, *params))

    def all_sql(self, sql: str, *params: Any) -> list[Row]:
        return self.read(lambda tx: tx.all_sql(sql, *params))

    def one_sql(self, sql: str, *params: Any) -> Row | None:
        return self.read(lambda tx: tx.one_sql(sql, *params))

    def scalar_sql(self, sql: str, *params: Any) -> Any:
        return self.read(lambda tx: tx.scalar_sql(sql, *params))

    # --- catalog ----------------------------------------------------------
    def catalog_columns(self, table: str, tx: Transaction | None = None) -> set[str] | None:
        """Column names of a table through the ODBC catalog; None if the table is absent
        (see ``catalog_details``)."""
        details = self.catalog_details(table, tx)
        return None if details is None else set(details)

    def table_columns(self, table: str, tx: Transaction | None = None) -> dict[str, CatalogColumn] | None:
        """``catalog_details`` read once per Database: an ERP's schema does not change
        under a running application (widths, NOT NULL columns)."""
        if table not in self._catalog_cache:
            found = self.catalog_details(table, tx)
            if found is None:
                return None  # not there (yet): asked again next time
            self._catalog_cache[table] = found
        return self._catalog_cache[table]

    def catalog_details(self, table: str, tx: Transaction | None = None) -> dict[str, CatalogColumn] | None:
        """The columns of a table through the ODBC catalog, by name; None if absent.

        "Present" means what a query naming the table (quoted, from the mapping) would
        find: the catalog's table argument is a LIKE pattern (``_`` matches any character)
        and some drivers match it case-insensitively where the engine does not (MariaDB),
        so the rows are filtered by the dialect's own identifier rule. A schema prefix
        (``dbo.Inventory``) is ignored: the catalog is searched in the connected database.
        Given ``tx``, the catalog is read inside that transaction (a migration sees the
        tables it has just created); otherwise in a read of its own.
        """
        name = table.rsplit(".", 1)[-1]

        def go(tx: Transaction):
            same = tx.dialect.same_identifier
            candidates = [name]
            if not tx.dialect.case_sensitive_tables:
                candidates += sorted({name.lower(), name.upper()} - {name})
            for candidate in candidates:
                rows = [row for row in tx._run(lambda c=candidate: tx._cursor.columns(table=c).fetchall())
                        if same(row.table_name, name)]
                names = tx.dialect.catalog_column_names(tx, candidate, rows)
                found = {n: catalog_column(row, n) for row, n in zip(rows, names)}
                if found:
                    return found
            return None
        return go(tx) if tx is not None else self.read(go)

    def catalog_indexes(self, table: str, tx: Transaction | None = None) -> set[str] | None:
        """Index names of a table through the ODBC catalog (SQLStatistics); None if absent."""
        name = table.rsplit(".", 1)[-1]

        def go(tx: Transaction):
            if self.catalog_columns(table, tx) is None:
                return None
            return tx.dialect.catalog_index_names(tx, name)
        return go(tx) if tx is not None else self.read(go)
