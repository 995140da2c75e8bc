"""Helpers of the browser journeys (tests/browser/test_journeys.py): the steps that the
stories share, done through the pages as a user would, and the background work a
deployment's scheduler would do (the outbox relay, the alert checker) done through the
same CLI commands an operator has."""
from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from fixtures import web as web_fixtures

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Pages that must not show English once the user's language is zh_CN: words of the UI's
# English catalogue that a forgotten _() would leave on the page, and the words of the
# audit log's English details (``sales, 2 lines, 1 files``).
ENGLISH_UI_WORDS = re.compile(
    r"\b(Order|Orders|Customer|Status|Approve|Reject|Save|Cancel|Search|Alarm|Alarms|Inventory|Quantity|"
    r"Document|Documents|Reply|Send|Pending|Approved|Rejected|Filter|Checkpoint|Warning|Due|Lines|"
    r"lines|files|checkpoints|removed|contact|sales|sample|complaint)\b")

_MAIN_TEXT = """(ignore) => {
  const main = document.querySelector('main').cloneNode(true);
  for (const sel of ignore) main.querySelectorAll(sel).forEach(n => n.remove());
  return main.innerText;
}"""


def english_left(page: Page, ignore: tuple[str, ...] = ()) -> list[str]:
    """English UI words visible in the page's main content, leaving out ``ignore`` (CSS
    selectors of parts known to show stored English, reported rather than fixed)."""
    text = page.evaluate(_MAIN_TEXT, list(ignore))
    return sorted(set(ENGLISH_UI_WORDS.findall(text)))


def shot(snap, page: Page, name: str) -> None:
    """``snap`` from the top of the page: a full-page screenshot of a scrolled page paints
    the sticky header in the middle."""
    page.evaluate("window.scrollTo(0, 0)")
    snap(page, name)


def cli(app, *args: str) -> str:
    """``flask scm <args>`` as an operator (or the scheduler's job) would run it."""
    result = web_fixtures.cli_runner(app).invoke(args=["scm", *args])
    assert result.exit_code == 0, result.output
    return result.output


def send_outbox(app) -> dict[str, int]:
    """One pass of the outbox relay through ``flask scm send-outbox``."""
    out = cli(app, "send-outbox")
    m = re.search(r"sent (\d+), retry later (\d+), failed (\d+)", out)
    assert m, out
    return {"sent": int(m.group(1)), "retry": int(m.group(2)), "failed": int(m.group(3))}


def place_portal_order(page: Page, *, kind: str, customer_order_no: str, requested: dt.date,
                       lines: list[dict], files=(), snap=None, snap_name: str | None = None) -> str:
    """From 我的订单, fill in a new order (sales or sample) and place it; returns its number."""
    page.click(".scm-nav >> text=我的订单")
    expect(page.locator("h1")).to_have_text("我的订单")
    page.click("text=新建样板订单" if kind == "sample" else "text=新建销售订单")
    expect(page.locator("h1")).to_have_text("新建样板订单" if kind == "sample" else "新建销售订单")
    page.fill("#customer_order_no", customer_order_no)
    page.fill("#requested_date", requested.isoformat())
    for i, line in enumerate(lines):
        if i >= page.locator("#lines tbody tr").count():
            page.click("#add-line")
        for name, value in line.items():
            page.fill(f"input[name='lines-{i}-{name}']", value)
    if files:
        page.set_input_files("#files", [str(f) for f in files])
    if snap and snap_name:
        shot(snap, page, snap_name)
    page.click("#place-order")
    expect(page.locator(".scm-flash-success[role=status]")).to_contain_text("已下达")
    return re.search(r"/orders/(\w+)$", page.url).group(1)


def keep_cd_template(page: Page, live_server: str) -> None:
    """The admin keeps the checkpoint template for CD orders on its page: the master by 10
    days before delivery, half pressed by 5, all packed by 1."""
    page.goto(f"{live_server}/scm/alerts/templates")
    page.fill("#tpl-name", "CD 标准工期")
    page.fill("#tpl-family", "CD")
    for i, (step, days, amount) in enumerate([("MST", "10", "1"), ("REP", "5", "50%")]):
        page.select_option(f"select[name='t-{i}-step']", step)
        page.fill(f"input[name='t-{i}-days_before']", days)
        page.fill(f"input[name='t-{i}-amount']", amount)
    page.click("#add-checkpoint")
    page.select_option("select[name='t-2-step']", "PCK")
    page.fill("input[name='t-2-days_before']", "1")
    page.fill("input[name='t-2-amount']", "100%")
    page.click("#save-template")
    expect(page.locator("#templates tbody tr")).to_have_count(1)
    expect(page.locator("#templates")).to_contain_text("CD 标准工期")


def query_inventory(page: Page, code: str) -> None:
    """库存查询 by a complete inventory code, from the menu; our disc warehouse 01 holds
    12,500 of the seed's 1001001."""
    page.click(".scm-nav >> text=库存查询")
    page.select_option("#by", "inventory_code")
    page.fill("#q", code)
    page.click("#search")
