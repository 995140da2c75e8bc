"""The demo's data of this module: a checkpoint template the reps can apply."""
from __future__ import annotations

from types import SimpleNamespace

from scm_plugin import accounts

from . import checkpoint_templates

# A rep applies this to an approved order on its alert-policy page: by 14 days before the
# delivery date the master is cut, half is pressed a week before, all printed 3 days before.
DEMO_TEMPLATE = ("光盘标准流程", [
    {"step": "MST", "days_before": "14", "amount": "1"},
    {"step": "REP", "days_before": "7", "amount": "50%"},
    {"step": "PRT", "days_before": "3", "amount": "100%"},
    {"step": "WHI", "days_before": "0", "amount": "100%"},
])


def ensure_checkpoint_template(db) -> None:
    if checkpoint_templates.templates(db):
        return
    admin = SimpleNamespace(**accounts.find_user(db, "admin"))
    name, rows = DEMO_TEMPLATE
    checkpoint_templates.save_template(db, admin, None, name=name, family=None, rows=rows)
