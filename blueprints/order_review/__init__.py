"""Functions 1 and 2: sales-order review (销售订单审核) and sample-order review (样板订单审核)."""
from scm_plugin.modules import Job, MenuEntry, Module
from scm_plugin.roles import STAFF

from . import api, jobs, views

DEFAULTS = {
    "SCM_REVIEW_REFRESH_SECONDS": 300,          # the review lists reload themselves this often
    "SCM_REVIEW_PLAUSIBLE_QTY": 1000000,        # amber above this in the pre-flight check
    "SCM_REVIEW_PLAUSIBLE_SAMPLE_QTY": 1000,
    "SCM_CONTRACT_SYNC_SECONDS": 60,            # contract numbers read back from the ERP's forms
}

module = Module(
    name="order_review",
    blueprint=views.bp,
    api=api.routes,
    jobs=(Job("contract_sync", jobs.contract_sync_job, "SCM_CONTRACT_SYNC_SECONDS"),),
    menu=(MenuEntry(1, "order_review.queue_sales", "Sales-order review", STAFF),
          MenuEntry(2, "order_review.queue_sample", "Sample-order review", STAFF)),
    defaults=DEFAULTS,
)
