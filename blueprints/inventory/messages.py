"""Message codes of the inventory query and the supplier stock import."""
from scm_plugin.i18n import _l

MESSAGES = {
    "inventory_one_key": _l("Give exactly one of inventory_code, item_name and master_disc_no."),
    "supplier_unknown": _l("No such supplier code in the ERP."),
    "import_duplicate_row": _l("The same supplier and item are already in row %(row)s."),
    "import_file_unreadable": _l("This file cannot be read as a CSV or Excel (.xlsx) sheet."),
    "import_xls_old": _l("Old Excel files (.xls) cannot be read: save the sheet as Excel workbook (.xlsx) or CSV."),
    "import_encoding": _l("The CSV file's text encoding is not UTF-8 or GBK."),
    "import_columns_missing": _l("The first row must name the columns: %(columns)s."),
    "import_no_rows": _l("The sheet has no rows below its header."),
    "import_too_many_rows": _l("At most %(limit)s rows per import."),
}
