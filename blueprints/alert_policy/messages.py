"""Message codes of the alert policies (functions 3 and 4)."""
from scm_plugin.i18n import _l

MESSAGES = {
    # the lock and the order
    "policy_locked": _l("This alert policy is locked while an alarm is open. Cancel the alarm to change it."),
    "policy_order_not_approved": _l("Approve the order first: production progress is reported against its ERP form."),
    # checkpoints
    "cp_too_many": _l("Too many checkpoints for one order."),
    "cp_step_unknown": _l("Choose one of the ERP's process steps."),
    "cp_step_order": _l("Process steps must follow the production route: this step comes before the previous checkpoint's."),
    "cp_due_order": _l("Due times must be in ascending order: this one is not later than the previous checkpoint's."),
    "cp_qty_decreasing": _l("Expected quantities may not decrease from one checkpoint to the next."),
    "cp_due_past": _l("This due time has already passed."),
    # SMS recipients
    "alert_sms_too_many": _l("At most 20 SMS recipients."),
    "alert_sms_number_invalid": _l("This is not a phone number."),
    "alert_sms_contact_unknown": _l("This contact is not one of the customer's contacts with a phone number."),
    "alert_sms_user_unknown": _l("No active rep or administrator with this username."),
    "alert_sms_user_no_mobile": _l("This user has no mobile number on record."),
    # alarms
    "alarm_note_required": _l("Write a note: why is this alarm cancelled?"),
    "alarm_not_open": _l("This alarm is no longer open."),
    # checkpoint templates
    "tpl_name_required": _l("Give the template a name."),
    "tpl_rows_required": _l("Add at least one checkpoint."),
    "tpl_days_invalid": _l("Enter whole days before the requested date (0–365)."),
    "tpl_days_order": _l("Days before the requested date must decrease from one checkpoint to the next."),
    "tpl_amount_invalid": _l("Enter a quantity (e.g. 1) or a share of the order (e.g. 50%)."),
}
