"""Named SQL queries kept in ``.sql`` files, in the manner of aiosql.

``erp_bridge/sql/<file>.sql`` holds queries introduced by ``-- name: <query>``; the
query is then known as ``<file>.<query>``. ``erp_bridge/sql/<dialect>/<file>.sql``
overrides single queries for one engine. Templates are rendered once per dialect and
mapping (``Mapping.render``) and cached. The few statements whose shape is decided at run
time are built in ``dynamic.py``.
"""
from __future__ import annotations

import re
import threading
from importlib.resources import files

from .errors import BridgeError

_NAME_RE = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.M)


def parse_sql_file(text: str, prefix: str) -> dict[str, str]:
    queries: dict[str, str] = {}
    parts = _NAME_RE.split(text)
    # parts: [preamble, name1, body1, name2, body2, ...]
    for name, body in zip(parts[1::2], parts[2::2]):
        sql = "\n".join(line for line in body.strip().splitlines()
                        if not line.lstrip().startswith("--")).strip().rstrip(";")
        key = f"{prefix}.{name}"
        if key in queries:
            raise BridgeError(f"query {key} defined twice")
        queries[key] = sql
    return queries


class QueryRegistry:
    def __init__(self, base: dict[str, str], overrides: dict[str, dict[str, str]]):
        self.base = base
        self.overrides = overrides
        self._bound: dict[tuple[int, int], BoundQueries] = {}
        self._lock = threading.Lock()

    @classmethod
    def default(cls) -> QueryRegistry:
        return cls.from_package("scm_plugin.erp_bridge", "sql")

    @classmethod
    def from_package(cls, package: str, folder: str) -> QueryRegistry:
        root = files(package).joinpath(folder)
        base: dict[str, str] = {}
        overrides: dict[str, dict[str, str]] = {}
        for entry in sorted(root.iterdir(), key=lambda e: e.name):
            if entry.is_file() and entry.name.endswith(".sql"):
                base.update(parse_sql_file(entry.read_text(encoding="utf-8"), entry.name[:-4]))
            elif entry.is_dir() and not entry.name.startswith(("_", ".")):
                dialect_q = overrides.setdefault(entry.name, {})
                for sub in entry.iterdir():
                    if sub.is_file() and sub.name.endswith(".sql"):
                        dialect_q.update(parse_sql_file(sub.read_text(encoding="utf-8"), sub.name[:-4]))
        for dname, qs in overrides.items():
            stray = set(qs) - set(base)
            if stray:
                raise BridgeError(f"{dname} overrides unknown queries: {', '.join(sorted(stray))}")
        return cls(base, overrides)

    def names(self) -> list[str]:
        return sorted(self.base)

    def bind(self, dialect, mapping) -> BoundQueries:
        key = (id(dialect), id(mapping))
        with self._lock:
            bound = self._bound.get(key)
            if bound is None:
                bound = self._bound[key] = BoundQueries(self, dialect, mapping)
            return bound


class BoundQueries:
    """The registry rendered for one dialect and mapping; also renders ad-hoc templates."""

    def __init__(self, registry: QueryRegistry, dialect, mapping):
        self.registry = registry
        self.dialect = dialect
        self.mapping = mapping
        self._cache: dict[str, str] = {}

    def template(self, name: str) -> str:
        own = self.registry.overrides.get(self.dialect.name, {})
        if name in own:
            return own[name]
        try:
            return self.registry.base[name]
        except KeyError:
            hint = " (SQL text goes through the *_sql methods)" if any(c.isspace() for c in name) else ""
            raise BridgeError(f"no query named {name!r}{hint}") from None

    def sql(self, name: str) -> str:
        sql = self._cache.get(name)
        if sql is None:
            sql = self._cache[name] = self.mapping.render(self.template(name), self.dialect)
        return sql

    def render(self, template: str) -> str:
        """Render SQL text built inside the bridge (``dynamic.py``); cached by text."""
        key = "\x00" + template
        sql = self._cache.get(key)
        if sql is None:
            if len(self._cache) > 4096:
                self._cache.clear()
            sql = self._cache[key] = self.mapping.render(template, self.dialect)
        return sql
