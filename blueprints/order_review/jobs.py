"""Scheduled: contract numbers assigned by the ERP's approval flow, read back."""
from __future__ import annotations

import logging

from .services import sync_contract_numbers

log = logging.getLogger(__name__)


def contract_sync_job(app) -> None:
    n = sync_contract_numbers(app)
    if n:
        log.info("contract numbers read back for %s orders", n)

