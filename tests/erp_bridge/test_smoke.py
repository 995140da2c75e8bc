from decimal import Decimal

from scm_plugin.erp_bridge.repos import inventory as inventory_repo


def test_seed_reads_back_through_mapping(db):
    item = db.one("erp.item_by_customer_part", "C001", "HY-A001")
    assert item["code"] == "1001001"
    assert item["name"] == "CD《经典老歌精选1》"
    stock = db.read(lambda tx: inventory_repo.own_stock(tx, ["2001001"]))
    assert stock[0]["quantity"] == Decimal("3250.5")
