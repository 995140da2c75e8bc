"""Issue 20, item 2: spreadsheet and CSV bombs in the supplier-stock import (any rep).

The three files of the assessment are made here, as raw zips (openpyxl would take as
long to write them as it took to read them): a 1.6 KB sheet declaring A1:XFD1048576
(4.7 s, +420 MB before), one row of 3,000,000 cells (89 KB; 11 s, 1.45 GB), 240 MB of
shared strings (790 KB; 23 s, +460 MB). Each is refused within 1 s, the process's peak
memory rising by less than MEMORY_BOUND_MB, with a message naming the bound it crossed.
Each bound is also shown alone on a small file, and ordinary sheets still import."""
from __future__ import annotations

import html
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from scm_plugin.messages import message

SECONDS = 1.0
MEMORY_BOUND_MB = 8
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>供应商编码</t></is></c>'
              '<c r="B1" t="inlineStr"><is><t>存货编码</t></is></c><c r="C1" t="inlineStr"><is><t>库存数量</t></is></c></row>')
DATA_ROW = ('<row r="2"><c r="A2" t="inlineStr"><is><t>V001</t></is></c>'
            '<c r="B2" t="inlineStr"><is><t>2001001</t></is></c><c r="C2"><v>100</v></c></row>')


def _xlsx(sheet_parts, shared_strings=None, level=9) -> bytes:
    """A minimal workbook; ``sheet_parts`` (an iterable of str) is written as streamed,
    so a sheet of tens of MB never sits in memory; ``shared_strings`` likewise."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
                 'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
                 '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
                 'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                 'officedocument.spreadsheetml.worksheet+xml"/>')
        if shared_strings is not None:
            types += ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                      'officedocument.spreadsheetml.sharedStrings+xml"/>')
        zf.writestr("[Content_Types].xml", types + "</Types>")
        zf.writestr("_rels/.rels", f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                    f'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{REL}/'
                    f'officeDocument" Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
                    f'xmlns:r="{REL}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        rels = f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        if shared_strings is not None:
            rels += f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        zf.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://'
                    f'schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            for part in sheet_parts:
                out.write(part.encode())
        if shared_strings is not None:
            with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
                for part in shared_strings:
                    out.write(part.encode())
    return buf.getvalue()


def _sheet(rows: str, dimension: str | None = None):
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">'
    if dimension:
        yield f'<dimension ref="{dimension}"/>'
    yield f"<sheetData>{rows}</sheetData></worksheet>"


def dimension_bomb() -> bytes:
    return _xlsx(_sheet(HEADER_ROW + DATA_ROW, dimension="A1:XFD1048576"))


def wide_row_bomb(cells=3_000_000) -> bytes:
    def parts():
        yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>{HEADER_ROW}<row r="2">'
        block = "<c><v>1</v></c>" * 10_000
        for _ in range(cells // 10_000):
            yield block
        yield "</row></sheetData></worksheet>"
    return _xlsx(parts())


def shared_strings_bomb(megabytes=240) -> bytes:
    def strings():
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'
        block = "<si><t>" + "盘" * 300 + "</t></si>"
        chunk = block * 1000
        for _ in range(megabytes * 1024 * 1024 // len(chunk.encode())):
            yield chunk
        yield "</sst>"
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return _xlsx(_sheet(rows), shared_strings=strings())


@pytest.fixture(scope="module")
def bombs():
    return {"dimension": dimension_bomb(), "wide_row": wide_row_bomb(), "shared_strings": shared_strings_bomb()}


def _import(client, name, data):
    return client.form("/scm/inventory/supplier-stock", {"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _text(app, code, **variables) -> str:
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        return html.escape(message(code, **variables), quote=False)


@pytest.fixture
def rep(login, db):
    client = login("rep1")
    ok = _import(client, "warm.csv", "供应商编码,存货编码,库存数量\nV001,2001001,1\n".encode())
    assert ok.status_code == 200   # warm: what is built once is not counted against a bomb
    return client


@pytest.mark.parametrize("bomb, zipped_at_most, code, variables", [
    ("dimension", 2 * 1024, "import_too_many_rows", {"limit": 5000}),
    ("wide_row", 100 * 1024, "import_zip_size", {"limit": 30}),
    ("shared_strings", 1024 * 1024, "import_zip_size", {"limit": 30}),
])
def test_the_assessments_bombs_are_refused_quickly_and_cheaply(app, db, rep, bombs, cost_of, bomb, zipped_at_most,
                                                               code, variables):
    data = bombs[bomb]
    assert len(data) <= zipped_at_most, len(data)   # as small as the assessment's
    resp, cost = cost_of(lambda: _import(rep, f"{bomb}.xlsx", data))
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert 'id="file-problem"' in page
    assert _text(app, code, **variables) in page
    assert cost.seconds < SECONDS, f"took {cost.seconds:.2f} s"
    assert cost.peak_growth_mb < MEMORY_BOUND_MB, f"peak memory rose {cost.peak_growth_mb:.0f} MB ({cost.how})"
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_supplier_import") == 1   # the warm-up's only


def _small_xlsx(rows: str, **kwargs) -> bytes:
    return _xlsx(_sheet(rows, **kwargs))


@pytest.mark.parametrize("name, data, code, variables", [
    # each bound alone, on a file small enough to pass the zip's
    ("wide.xlsx", _small_xlsx(HEADER_ROW + '<row r="2">' + "<c><v>1</v></c>" * 101 + "</row>"),
     "import_too_many_columns", {"limit": 100}),
    ("far.xlsx", _small_xlsx(HEADER_ROW + '<row r="2"><c r="XFD2"><v>1</v></c></row>'),
     "import_too_many_columns", {"limit": 100}),
    ("deep.xlsx", _small_xlsx(HEADER_ROW + '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'),
     "import_too_many_rows", {"limit": 5000}),
    ("rows.xlsx", _small_xlsx(HEADER_ROW + "".join(f'<row r="{i}"><c r="A{i}"><v>1</v></c></row>'
                                                   for i in range(2, 5004))), "import_too_many_rows", {"limit": 5000}),
    ("long.xlsx", _small_xlsx(HEADER_ROW + '<row r="2"><c r="A2" t="inlineStr"><is><t>' + "长" * 1001
                              + "</t></is></c></row>"), "import_cell_too_long", {"limit": 1000}),
    ("strings.xlsx", _xlsx(_sheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
                           shared_strings=[f'<sst xmlns="{MAIN}">' + "".join(f"<si><t>{i}</t></si>" for i in range(100_001))
                                           + "</sst>"]),
     "import_too_many_strings", {"limit": 100000}),
    ("ratio.xlsx", _small_xlsx(HEADER_ROW + DATA_ROW + "<!--" + " " * 2_000_000 + "-->"),
     "import_zip_ratio", {"part": "xl/worksheets/sheet1.xml", "limit": 100}),
    ("wide.csv", ("供应商编码,存货编码,库存数量" + ",x" * 200 + "\nV001,2001001,1\n").encode(),
     "import_too_many_columns", {"limit": 100}),
    ("commas.csv", ("供应商编码,存货编码,库存数量\nV001,2001001,1" + "," * 3_000_000 + "\n").encode(),
     "import_too_many_columns", {"limit": 100}),
    ("long.csv", ("供应商编码,存货编码,库存数量,备注\nV001,2001001,1," + "长" * 1001 + "\n").encode(),
     "import_cell_too_long", {"limit": 1000}),
    ("huge-cell.csv", ("供应商编码,存货编码,库存数量,备注\nV001,2001001,1," + "长" * 200_000 + "\n").encode(),
     "import_cell_too_long", {"limit": 1000}),
    ("rows.csv", ("供应商编码,存货编码,库存数量\n" + "\n".join("V001,2001001,1" for _ in range(5002))).encode(),
     "import_too_many_rows", {"limit": 5000}),
], ids=lambda v: v.replace(".", "-") if isinstance(v, str) and "." in v else "")
def test_each_bound_stops_the_import_with_a_message_naming_it(app, db, rep, cost_of, name, data, code, variables):
    resp, cost = cost_of(lambda: _import(rep, name, data))
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert 'id="file-problem"' in page
    assert _text(app, code, **variables) in page
    assert cost.seconds < SECONDS, f"took {cost.seconds:.2f} s"
    assert db.scalar_sql("SELECT COUNT(*) AS n FROM scm_supplier_import") == 1


def test_a_sheet_with_a_dtd_is_unreadable(app, rep):
    data = _xlsx(['<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
                  f'<worksheet xmlns="{MAIN}"><sheetData>{HEADER_ROW}</sheetData></worksheet>'])
    resp = _import(rep, "dtd.xlsx", data)
    assert resp.status_code == 400
    assert _text(app, "import_file_unreadable") in resp.get_data(as_text=True)


def test_ordinary_sheets_within_the_bounds_still_import(db, rep):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["供应商编码", "供应商名称", "存货编码", "库存数量", "备注"] + [f"列{i}" for i in range(40)])
    ws.append(["V001", "东莞聚碳", 2001001, 1250.5, "长" * 1000] + ["x"] * 40)
    ws.append(["V002", "彩印", "3001001", 900, None])
    buf = io.BytesIO()
    wb.save(buf)
    resp = _import(rep, "供应商库存.xlsx", buf.getvalue())
    assert resp.status_code == 200, resp.get_data(as_text=True)[-2000:]
    got = db.all_sql("SELECT supplier_code, inventory_code, quantity FROM scm_supplier_stock "
                     "ORDER BY supplier_code, inventory_code")
    assert [(r["supplier_code"], r["inventory_code"], Decimal(r["quantity"])) for r in got] == [
        ("V001", "2001001", Decimal("1250.5")), ("V002", "3001001", Decimal(900))]
    # a hand-made sheet that declares a wider range than it uses (as some tools write) is read as it is
    resp = _import(rep, "declared.xlsx", _small_xlsx(HEADER_ROW + DATA_ROW, dimension="A1:Z300"))
    assert resp.status_code == 200, resp.get_data(as_text=True)[-2000:]
