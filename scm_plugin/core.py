"""What the core brings to every app, declared like a module: the outbox relay and its
mail and SMS channels, the purge of abandoned drafts, the core's message codes."""
from __future__ import annotations

from . import attachments, messages, outbox
from .modules import Channel, Job, Module
from .sms import messages as sms_messages
from .sms.sender import send_sms, sms_deferred

CORE = Module(
    name="core",
    jobs=(Job("outbox", outbox.relay_job, "SCM_OUTBOX_INTERVAL_SECONDS"),
          Job("drafts", attachments.purge_job, "SCM_DRAFT_PURGE_SECONDS")),
    channels=(Channel("mail", outbox.send_mail),
              Channel("sms", send_sms, sms_deferred)),
    messages=messages.merge(messages.MESSAGES, sms_messages.MESSAGES),
)
