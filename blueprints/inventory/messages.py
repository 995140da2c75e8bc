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
    # the sheet guard (sheet_guard.py): each names the bound the file crossed
    "import_too_many_columns": _l("At most %(limit)s columns per sheet."),
    "import_cell_too_long": _l("A cell holds more than %(limit)s characters."),
    "import_too_many_strings": _l("The sheet holds more than %(limit)s different texts (shared strings)."),
    "import_zip_parts": _l("The file has more than %(limit)s parts; a sheet saved by Excel has far fewer."),
    "import_zip_size": _l("Unpacked, the file would be larger than %(limit)s MB."),
    "import_zip_part_size": _l("Unpacked, %(part)s in the file would be larger than %(limit)s MB."),
    "import_zip_ratio": _l("%(part)s in the file is compressed more than %(limit)s times over; a sheet saved "
                           "by Excel is not."),
}
