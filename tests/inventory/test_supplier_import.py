"""Supplier stock import: a CSV (UTF-8 with BOM, GBK, UTF-16 as Excel on Chinese Windows
writes them) or .xlsx sheet; a report per row; nothing imported if any row is bad."""
from __future__ import annotations

import io
import re
from decimal import Decimal

import openpyxl

HEADER = "供应商编码,存货编码,库存数量,备注\r\n"


def _csv(rows: list[str], encoding="utf-8-sig", header=HEADER) -> bytes:
    return (header + "".join(r + "\r\n" for r in rows)).encode(encoding)


def _xlsx(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _report(html):
    """row number → (ok, the problems' text)"""
    out = {}
    for m in re.finditer(r'data-row="(\d+)" data-ok="(\d)">(.*?)</tr>', html, re.S):
        problems = re.findall(r'<li class="scm-check-red">(.*?)</li>', m.group(3), re.S)
        out[int(m.group(1))] = (m.group(2) == "1", problems)
    return out


def _supplier_stock(db):
    return [(r["supplier_code"], r["inventory_code"], r["quantity"]) for r in db.all_sql(
        "SELECT supplier_code, inventory_code, quantity FROM scm_supplier_stock ORDER BY supplier_code, inventory_code")]


def test_utf8_bom_csv_with_a_chinese_header_is_imported(db, login, import_supplier_sheet):
    rep = login("rep1")
    resp = import_supplier_sheet(rep, "聚碳库存.csv", _csv(["V001,2001001,1250.5,东莞仓", "V001,2001003,12.125,",
                                                            "", "V003,1001001,0,模具厂寄存"]))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="import-done"' in html
    assert _report(html) == {2: (True, []), 3: (True, []), 5: (True, [])}   # the empty row 4 is skipped
    assert _supplier_stock(db) == [("V001", "2001001", Decimal("1250.5")), ("V001", "2001003", Decimal("12.125")),
                                   ("V003", "1001001", Decimal(0))]
    imports = db.all_sql("SELECT id, filename, row_count, imported_by FROM scm_supplier_import")
    assert [(i["filename"], i["row_count"]) for i in imports] == [("聚碳库存.csv", 3)]
    history = db.all_sql("SELECT old_quantity, new_quantity, import_id FROM scm_supplier_stock_history ORDER BY id")
    assert [(h["old_quantity"], h["import_id"]) for h in history] == [(None, imports[0]["id"])] * 3
    query = rep.get("/scm/inventory/?by=inventory_code&q=2001001").get_data(as_text=True)
    assert 'data-supplier="V001"' in query and "1,250.5" in query and "东莞聚碳材料有限公司" in query


def test_one_bad_row_rejects_the_whole_gbk_sheet_and_says_which_and_why(db, login, import_supplier_sheet, text_of):
    rep = login("rep1")
    data = _csv(["V001,2001001,1250.5,好", "V009,2001002,40,没有这个供应商", "V002,3001001,900,彩印"], encoding="gbk")
    resp = import_supplier_sheet(rep, "库存.csv", data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'id="import-rejected"' in html
    report = _report(html)
    assert report[2] == (True, []) and report[4] == (True, [])
    assert report[3][0] is False and len(report[3][1]) == 1
    assert text_of("supplier_unknown") in report[3][1][0]
    assert _supplier_stock(db) == [] and db.scalar_sql("SELECT COUNT(*) FROM scm_supplier_import") == 0


def test_every_kind_of_bad_row_is_reported(db, login, import_supplier_sheet, text_of):
    rows = ["V001,2001001,10,ok",
            "V001,2001001,11,twice",            # 3: the same pair as row 2
            "V002,9999999,5,",                  # 4: unknown item
            "V002,3001001,-5,",                 # 5: negative
            "V002,3001002,十,",                 # 6: not a number
            "V002,2001002,1.23456,",            # 7: too many decimals
            ",3001002,5,",                      # 8: supplier missing
            "v001,2001002,5,",                  # 9: wrong case is not a supplier code
            "V003,2001003,,"]                   # 10: quantity missing
    resp = import_supplier_sheet(login("rep1"), "bad.csv", _csv(rows))
    report = _report(resp.get_data(as_text=True))
    assert resp.status_code == 400
    assert report[2] == (True, [])
    expected = {3: text_of("import_duplicate_row", row=2), 4: text_of("item_unknown"),
                5: text_of("stock_quantity_negative"), 6: text_of("quantity_invalid"),
                7: text_of("quantity_decimals"), 8: text_of("required"), 9: text_of("supplier_unknown"),
                10: text_of("required")}
    for row, text in expected.items():
        ok, problems = report[row]
        assert not ok and len(problems) == 1 and text in problems[0], (row, problems)
    assert _supplier_stock(db) == []


def test_xlsx_with_numbers_as_excel_stores_them(db, login, import_supplier_sheet):
    rep = login("rep1")
    good = _xlsx([["供应商编码", "供应商名称", "存货编码", "库存数量"],
                  ["V001", "东莞聚碳", 2001001, 1250.5],            # a code typed as a number
                  ["V002", "彩印", "3001001", 900]])
    resp = import_supplier_sheet(rep, "supplier.xlsx", good)
    assert resp.status_code == 200, resp.get_data(as_text=True)[-3000:]
    assert _supplier_stock(db) == [("V001", "2001001", Decimal("1250.5")), ("V002", "3001001", Decimal(900))]
    bad = _xlsx([["Supplier code", "Inventory code", "Quantity"], ["V001", "2001001", 1300], ["V002", "3001001", -1]])
    resp = import_supplier_sheet(rep, "supplier2.xlsx", bad)
    report = _report(resp.get_data(as_text=True))
    assert resp.status_code == 400 and report[2][0] and not report[3][0]
    assert _supplier_stock(db)[0][2] == Decimal("1250.5")      # row 2 was right, but nothing was imported


def test_a_second_import_updates_with_history(db, login, import_supplier_sheet):
    rep = login("rep1")
    assert import_supplier_sheet(rep, "w1.csv", _csv(["V001,2001001,100,"])).status_code == 200
    resp = import_supplier_sheet(rep, "w2.csv", _csv(["V001,2001001,80.5,", "V001,2001002,7,"]))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "100 → 80.5" in html
    assert _supplier_stock(db) == [("V001", "2001001", Decimal("80.5")), ("V001", "2001002", Decimal(7))]
    second = db.all_sql("SELECT id FROM scm_supplier_import ORDER BY id")[-1]["id"]
    detail = rep.get(f"/scm/inventory/supplier-stock/imports/{second}").get_data(as_text=True)
    assert "w2.csv" in detail and re.search(r">100</td><td class=\"num\">80.5<", detail)
    listing = rep.get("/scm/inventory/supplier-stock").get_data(as_text=True)
    assert listing.count('data-import="') == 2
    assert rep.get("/scm/inventory/supplier-stock/imports/987654").status_code == 404


def test_other_encodings_and_separators(db, login, import_supplier_sheet):
    rep = login("rep1")
    utf16 = ("供应商编码\t存货编码\t库存数量\r\nV001\t2001001\t5\r\n").encode("utf-16")   # Excel's "Unicode text"
    assert import_supplier_sheet(rep, "u.txt", utf16).status_code == 200
    plain = "supplier_code;inventory_code;quantity\nV002;2001002;1,250.75\n".encode()   # no BOM, semicolons
    assert import_supplier_sheet(rep, "p.csv", plain).status_code == 200
    quoted = '"供应商编码","存货编码","库存数量"\r\n"V003","2001003","1,000"\r\n'.encode("gb18030")
    assert import_supplier_sheet(rep, "q.csv", quoted).status_code == 200
    assert _supplier_stock(db) == [("V001", "2001001", Decimal(5)), ("V002", "2001002", Decimal("1250.75")),
                                   ("V003", "2001003", Decimal(1000))]


def test_unreadable_sheets_are_refused_with_a_reason(db, login, import_supplier_sheet, text_of):
    rep = login("rep1")
    cases = [
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, text_of("import_xls_old")),
        ("broken.xlsx", b"PK\x03\x04not really a zip", text_of("import_file_unreadable")),
        ("cols.csv", _csv(["V001,5"], header="供应商编码,数目\r\n"), None),
        ("empty.csv", _csv([], header=HEADER), text_of("import_no_rows")),
        ("bin.csv", b"\x00\x01\x02\x03" * 100, text_of("import_file_unreadable")),
    ]
    for name, data, text in cases:
        resp = import_supplier_sheet(rep, name, data)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 400 and 'id="file-problem"' in html, name
        if text:
            assert text in html, name
    assert "供应商编码 (supplier_code), 存货编码 (inventory_code), 库存数量 (quantity)" in \
        import_supplier_sheet(rep, "cols.csv", cases[2][1]).get_data(as_text=True)
    no_file = rep.form("/scm/inventory/supplier-stock", {}, content_type="multipart/form-data")
    assert no_file.status_code == 400 and text_of("file_required") in no_file.get_data(as_text=True)
    assert _supplier_stock(db) == []


def test_too_many_rows(app, db, login, import_supplier_sheet, text_of):
    app.config["SCM_SUPPLIER_IMPORT_MAX_ROWS"] = 3
    rows = [f"V001,2001001,{i}," for i in range(4)]
    resp = import_supplier_sheet(login("rep1"), "big.csv", _csv(rows))
    assert resp.status_code == 400 and text_of("import_too_many_rows", limit=3) in resp.get_data(as_text=True)


def test_the_template_sheet_imports_as_it_is(db, login, import_supplier_sheet):
    rep = login("rep1")
    template = rep.get("/scm/inventory/supplier-stock/template.xlsx")
    assert template.status_code == 200
    resp = import_supplier_sheet(rep, "template.xlsx", template.data)
    assert resp.status_code == 200
    assert _supplier_stock(db) == [("V001", "2001001", Decimal("1250.5"))]


def test_customers_cannot_import(login, import_supplier_sheet):
    resp = import_supplier_sheet(login("cust1"), "x.csv", _csv(["V001,2001001,1,"]))
    assert resp.status_code == 403
