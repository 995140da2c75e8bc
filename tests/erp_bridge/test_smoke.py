from decimal import Decimal


def test_seed_reads_back_through_mapping(db):
    item = db.one("erp.item_by_customer_part", "C001", "HY-A001")
    assert item["code"] == "1001001"
    assert item["name"] == "CD《经典老歌精选1》"
    stock = db.all("erp.stock_of_item", "2001001")
    assert stock[0]["quantity"] == Decimal("3250.5")
