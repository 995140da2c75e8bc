"""Message codes raised by services → text in the user's language.

``MESSAGES`` are the core's codes; each module declares its own (``Module.messages``) and
the app's state holds those of the enabled modules, so a code is looked up there."""
from __future__ import annotations

import logging
from collections.abc import Mapping

from flask import current_app, has_app_context

from .i18n import _l

log = logging.getLogger(__name__)

MESSAGES = {
    # generic
    "error": _l("Something went wrong. Please try again."),
    "invalid_input": _l("Please correct the marked fields."),
    "not_found": _l("Not found."),
    "forbidden": _l("You may not use this function."),
    "unauthorized": _l("Please log in."),
    "conflict": _l("This was changed in the meantime; please reload."),
    "csrf_failed": _l("The form has expired. Please reload the page and try again."),
    "database_unavailable": _l("The ERP database cannot be reached right now. Nothing was changed; please try again shortly."),
    "database_busy": _l("The ERP database is busy. Nothing was changed; please try again."),
    "erp_object_missing": _l("The ERP database lacks a table or column this page needs. Nothing was changed. "
                             "Please tell an administrator, who should run check-erp."),
    "database_lost_at_commit": _l("The connection to the ERP database was lost while saving, so it is not certain "
                                  "whether this was saved. Please check once the database is back before sending "
                                  "it again."),
    "required": _l("This field is required."),
    "too_large": _l("The file is too large."),
    "method_not_allowed": _l("This action is not available here."),
    "json_object_required": _l("Send a JSON object."),
    "too_long": _l("This is too long."),
    "code_too_long": _l("At most %(limit)s characters (the ERP's limit)."),
    "date_invalid": _l("Enter a date as YYYY-MM-DD."),
    "datetime_invalid": _l("Enter a date and time as YYYY-MM-DD HH:MM."),
    "choice_invalid": _l("Choose one of the offered values."),
    "field_unknown": _l("This field is not known."),
    "fields_unknown_more": _l("%(count)s more fields are not known (the first ones are named)."),
    "json_too_deep": _l("The JSON nests more than %(limit)s levels deep."),
    "number_invalid": _l("Enter a number."),
    "list_required": _l("Send a list."),
    "text_required": _l("Send text."),
    # accounts
    "username_invalid": _l("A username has 2–80 letters, digits or . _ - @."),
    "username_taken": _l("This username is already taken."),
    "role_invalid": _l("Choose rep, admin or customer."),
    "password_too_short": _l("A password needs at least 8 characters."),
    "customer_required": _l("Choose a customer."),
    "customer_unknown": _l("No such customer in the ERP."),
    "grants_for_staff_only": _l("Customers are granted to reps and admins only."),
    "erp_name_too_long": _l("An ERP operator name has at most 40 characters."),
    "erp_name_invalid": _l("An ERP operator name may not contain tabs, line breaks or other control characters."),
    # orders
    "item_unknown": _l("No such inventory code in the ERP."),
    "part_no_unknown": _l("This part no is not in your item list; use our inventory code instead."),
    "item_required": _l("Enter an inventory code or a part no."),
    "quantity_invalid": _l("Enter a number."),
    "quantity_positive": _l("The quantity must be greater than 0."),
    "quantity_too_large": _l("The quantity is implausibly large."),
    "quantity_decimals": _l("At most 4 decimal places."),
    "quantity_unit_whole": _l("The unit is %(unit)s, which is counted in whole numbers: enter the quantity without decimals."),
    "quantity_unit_decimals": _l("The unit is %(unit)s: at most %(places)s decimal places."),
    "stock_quantity_negative": _l("The quantity may not be negative."),
    "stock_quantity_too_large": _l("The quantity must be below 10,000,000,000."),
    "no_such_item": _l("No such item."),
    "date_in_past": _l("The date may not be in the past."),
    "lines_required": _l("Add at least one line."),
    "too_many_lines": _l("At most 200 lines per order."),
    "idempotency_key_reused": _l("This Idempotency-Key was already used for a different order."),
    "order_not_pending": _l("This order is no longer pending."),
    "kind_invalid": _l("Choose sales order or sample order."),
    # review
    "order_rejected": _l("This order was rejected; it cannot be approved."),
    "order_approved": _l("This order was already approved; it cannot be rejected."),
    "reason_required": _l("Give a reason; the customer will see it."),
    "erp_rejected": _l("The ERP refused the review form (%(table)s %(column)s). Nothing was written and the "
                       "order is still pending. An administrator should run check-erp."),
    "erp_rejected_not_null": _l("The ERP refused the review form: column %(column)s of %(table)s needs a value "
                                "the ERP mapping does not give. Nothing was written and the order is still "
                                "pending. An administrator should run check-erp."),
    "erp_rejected_too_long": _l("The ERP refused the review form: a value is too long for column %(column)s of "
                                "%(table)s. Nothing was written and the order is still pending. An "
                                "administrator should run check-erp."),
    "erp_rejected_type": _l("The ERP refused the review form: column %(column)s of %(table)s cannot hold the "
                            "value written to it. Nothing was written and the order is still pending. An "
                            "administrator should run check-erp."),
    "erp_rejected_foreign_key": _l("The ERP refused the review form: the value for column %(column)s of "
                                   "%(table)s is not in the ERP's master data. Nothing was written and the "
                                   "order is still pending."),
    "erp_rejected_constraint": _l("The ERP refused the review form (a rule of %(table)s). Nothing was written "
                                  "and the order is still pending. An administrator should run check-erp."),
    "erp_rejected_duplicate": _l("The ERP already has a form with this number or id (%(table)s). Nothing was "
                                 "written and the order is still pending. An administrator should run "
                                 "check-erp."),
    "erp_rejected_customer_card": _l("Customer %(customer)s has no %(source)s on the customer card in the ERP, "
                                     "and the review form needs it (%(column)s). Fill it in on the customer "
                                     "card, then approve again."),
    "erp_rejected_allocator": _l("The ERP's id allocator %(table)s has no single row for this form. Nothing was "
                                 "written and the order is still pending. An administrator should run "
                                 "check-erp."),
    "erp_rejected_numbering": _l("Today's form numbers of %(table)s are used up. Nothing was written and the "
                                 "order is still pending. An administrator should widen form_no_pattern."),
    "pf_customer_wording": _l("The customer wrote %(wording)s; the ERP's item data is written and the "
                              "customer's wording is kept in the line's remarks."),
    "pf_card_gap": _l("Customer %(customer)s has no %(source)s on the customer card in the ERP; the review "
                      "form needs it (%(column)s). Approving will fail until it is filled in."),
    "pf_item_missing": _l("Inventory code %(code)s does not exist in the ERP."),
    "pf_item_ok": _l("Item %(code)s exists."),
    "pf_part_unmapped": _l("Part no %(part)s is no longer in the customer's item list."),
    "pf_part_other_item": _l("Part no %(part)s now maps to %(code)s."),
    "pf_part_ok": _l("Part no %(part)s resolves to this item."),
    "pf_master_differs": _l("Master-disc no %(given)s differs from the ERP's %(erp)s."),
    "pf_master_ok": _l("Master-disc no %(no)s is known."),
    "pf_master_unknown": _l("The ERP has no master-disc no for this item (order says %(no)s)."),
    "pf_qty_not_positive": _l("The quantity is not positive."),
    "pf_qty_large": _l("The quantity is above %(limit)s: please check."),
    "pf_qty_ok": _l("The quantity is plausible."),
    "pf_qty_fraction": _l("The quantity %(qty)s has more decimal places than its unit %(unit)s allows "
                          "(%(places)s)."),
    "pf_no_date": _l("No requested date."),
    "pf_date_past": _l("The requested date has passed."),
    "pf_lead_time": _l("Lead time is %(days)s days: the earliest date is %(earliest)s."),
    "pf_date_ok": _l("The requested date allows the lead time (%(days)s days)."),
    # files
    "file_required": _l("Choose a file."),
    "draft_gone": _l("A file kept from your earlier attempt is no longer available; choose it again."),
    "file_empty": _l("The file is empty."),
    "file_too_large": _l("The file is larger than the limit."),
    "file_name_executable": _l("The file name ends in %(ext)s, the extension of a program. Rename the file to "
                               "what it is (for example 合同.pdf) and upload it again."),
    "file_type_not_allowed": _l("This kind of file is not accepted. Upload PDF, images, Office documents, archives or plain text."),
    "bad_credentials": _l("Wrong username or password."),
    "account_locked": _l("Too many failed attempts. This account is locked until %(until)s."),
    "account_inactive": _l("This account is disabled."),
}


def merge(*catalogues: Mapping[str, object]) -> dict[str, object]:
    """One catalogue of several; a code defined twice is a programming error."""
    merged: dict[str, object] = {}
    for catalogue in catalogues:
        clash = {k for k in catalogue if k in merged and merged[k] is not catalogue[k]}
        if clash:
            raise ValueError(f"message codes defined twice: {sorted(clash)}")
        merged.update(catalogue)
    return merged


def _catalogue() -> Mapping[str, object]:
    state = current_app.extensions.get("scm") if has_app_context() else None
    return state.messages if state is not None else MESSAGES


def has_message(code: str) -> bool:
    return code in _catalogue()


class Coded(str):
    """A message code with the values its text names: ``Coded("code_too_long", limit=60)``.
    A ``str``, so it goes wherever a code goes (``InvalidInput.fields``, API bodies);
    ``message()`` fills the text in with its values."""

    variables: dict

    def __new__(cls, code: str, **variables):
        obj = super().__new__(cls, code)
        obj.variables = variables
        return obj


def message(code: str, /, **variables) -> str:
    variables = {**getattr(code, "variables", {}), **variables}
    text = _catalogue().get(code)
    if text is None:
        log.error("no message for code %r", code)
        text = MESSAGES["error"]
    text = str(text)
    return text % variables if variables else text


def error_text(exc) -> str:
    """The words for a business error (``errors.SCMError``): its own message if it has
    one (``erp_rejected_not_null`` …), else its code's, with its facts filled in."""
    code = exc.message_code if has_message(exc.message_code) else exc.code
    return message(code, **exc.variables)


class Coded(str):
    """A message code that carries the values its text names. It is still the code
    wherever codes are compared or listed (``InvalidInput.fields``); ``field_messages``
    fills the text with its values."""
    variables: dict

    def __new__(cls, code: str, /, **variables):
        self = super().__new__(cls, code)
        self.variables = variables
        return self


def coded(code: str, /, **variables) -> str:
    """``coded("quantity_unit_whole", unit="片")`` as the message code of a field."""
    return Coded(code, **variables)


def field_messages(fields: dict[str, str]) -> dict[str, str]:
    return {name: message(code, **getattr(code, "variables", {})) for name, code in fields.items()}
