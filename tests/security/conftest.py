"""Helpers for the security tests (issue 20): calls as a given user, and what a request
cost the process — its time and how far the peak memory rose."""
from __future__ import annotations

import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest

_CLEAR_REFS = Path("/proc/self/clear_refs")
_STATUS = Path("/proc/self/status")


def _status_kb(key: str) -> int:
    for line in _STATUS.read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def _can_reset_peak() -> bool:
    try:
        _CLEAR_REFS.write_text("5")
        return True
    except OSError:
        return False


@dataclass
class Cost:
    seconds: float
    peak_growth_bytes: int
    how: str   # "rss" (the kernel's peak resident size, reset before) or "tracemalloc"

    @property
    def peak_growth_mb(self) -> float:
        return self.peak_growth_bytes / 1024 / 1024


def cost_of(call):
    """``(result, Cost)`` of ``call()``: wall time, and the rise of the process's peak
    memory while it ran — the kernel's high-water mark (VmHWM, reset through
    /proc/self/clear_refs) where Linux allows it, else tracemalloc's peak (Python
    allocations only, and slower)."""
    if _can_reset_peak():
        before = _status_kb("VmRSS")
        start = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - start
        return result, Cost(seconds, max(0, _status_kb("VmHWM") - before) * 1024, "rss")
    tracemalloc.start()
    try:
        start = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, Cost(seconds, peak, "tracemalloc")


@pytest.fixture(name="cost_of")
def cost_of_fixture():
    """``cost_of(call)`` → ``(result, Cost)``."""
    return cost_of


@pytest.fixture
def bearer(app, tokens):
    """``bearer(user, method, path, **kwargs)``: an API call with the user's token."""
    client = app.test_client()

    def call(user, method, path, **kwargs):
        headers = dict(kwargs.pop("headers", {}), Authorization=f"Bearer {tokens(user)}")
        return client.open(f"/scm/api/v1{path}", method=method, headers=headers, **kwargs)
    return call
