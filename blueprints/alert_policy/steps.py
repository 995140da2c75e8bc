"""The ERP's process steps: the production route that checkpoints and templates follow."""
from __future__ import annotations

from scm_plugin.erp_bridge.repos import erp as erp_repo


def process_steps(tx) -> list[dict]:
    """The steps in route order, ``seq`` as an int (drivers return it as text or Decimal)."""
    return [dict(s, seq=int(s["seq"])) for s in erp_repo.process_steps(tx)]


def step_names(tx) -> dict[str, str]:
    return {s["code"]: s["name"] for s in process_steps(tx)}
