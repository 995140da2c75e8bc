"""The SQL whose shape is decided at run time; every other statement is a named query
in ``sql/*.sql``.

What is built here, and why it cannot be a named query:

* the customer scope (``scope_condition``): one of four conditions chosen per user, so
  that every engine can use the customer-code index (one OR of all forms makes them
  read every row, bench/README.md);
* IN lists as long as the values given, at most ``IN_LIST_MAX`` each (SQL Server takes
  at most 2,100 parameters);
* list pages with optional filters and a sort column: a filter adds its condition only
  when it is given, and ORDER BY comes from an allow-list here, never from a request;
* INSERTs of mapped ERP rows (``insert_mapped``): the columns are the fields the mapping
  has, plus its ``insert_defaults``;
* the row count of an id allocator (``allocator_rows``): its table and ``where`` columns
  come from the mapping;
* the alert checker's evaluation (``evaluate_checkpoints``): how progress records name an
  order (its form number, or its ERP form's contract number) is the mapping's
  ``[progress] order_ref_is``.

A builder returns a ``Statement`` (two for a list page: its count and its rows): SQL text
with mapping tokens (``{entity.field}``, see ``mapping.py``) and its parameters in order,
for ``Transaction.*_sql``; ``scope_condition`` and ``order_filter`` return the conditions
the others share. Identifiers only come from the mapping or from this module; values only
ever go through ``?``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .model import ENTITIES

if TYPE_CHECKING:
    from .dialects import Dialect
    from .mapping import IdAllocator, Mapping
    from .repos.scope import Scope


class Statement(NamedTuple):
    sql: str
    params: list[Any]


# --- pieces ----------------------------------------------------------------------------
IN_LIST_MAX = 500  # values per IN (...) list: far below SQL Server's 2,100 parameters


def chunked(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """The values in slices that each fit one IN list."""
    for start in range(0, len(values), IN_LIST_MAX):
        yield values[start:start + IN_LIST_MAX]


def _marks(n: int) -> str:
    return ", ".join("?" for _ in range(n))


def _order_by(sorts: dict[str, str], sort: str, default: str, descending: bool) -> str:
    return sorts.get(sort, sorts[default]) + (" DESC" if descending else " ASC")


def _like(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, escaped for ``ESCAPE '!'``."""
    return "%" + text.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"


# --- the customer scope ----------------------------------------------------------------
_GRANTED = ("(SELECT customer_code FROM scm_grant WHERE user_id = ? "
            "AND (valid_until IS NULL OR valid_until >= ?))")
_GRANTED_ALL = ("EXISTS (SELECT 1 FROM scm_grant WHERE user_id = ? AND customer_code = '*' "
                "AND (valid_until IS NULL OR valid_until >= ?))")


def scope_condition(scope: Scope, column: str) -> tuple[str, list[Any]]:
    """A WHERE condition limiting ``column`` (a customer code) to the scope, and its
    parameters. Constant in size whatever the number of grants."""
    if scope.kind == "customer":
        return f"{column} = ?", [scope.customer_code]
    if scope.kind == "grants" and scope.user_id is not None:
        if scope.all_customers is True:
            return "1 = 1", []
        if scope.all_customers is False:
            return f"{column} IN {_GRANTED}", [scope.user_id, scope.today]
        return (f"({column} IN {_GRANTED} OR {_GRANTED_ALL})",
                [scope.user_id, scope.today, scope.user_id, scope.today])
    return "1 = 0", []


def customers_in_scope(scope: Scope) -> Statement:
    cond, params = scope_condition(scope, "{customer.code}")
    return Statement(f"SELECT {{customer.code}} AS code, {{customer.name}} AS name, "
                     f"{{customer.short_name}} AS short_name FROM {{customer}} WHERE {cond} "
                     f"ORDER BY {{customer.code}}", params)


# --- mapped ERP rows -------------------------------------------------------------------
def insert_mapped(mapping: Mapping, dialect: Dialect, entity: str, values: dict[str, Any]) -> Statement:
    """INSERT of one row of a mapped ERP entity: the given logical fields the mapping has
    (unmapped optional fields are left out; the id only when given, for ids the plugin
    allocates), the mapping's ``insert_defaults`` and any ``extra`` physical columns
    (``values["extra"]``: column → value, e.g. copied from the customer card).
    Fields sharing one column (a contact kept on the customer card) write it once."""
    em = mapping.entities[entity]
    identity = ENTITIES[entity].identity
    cols, params, seen = [], [], set()
    for fld, value in values.items():
        if fld == "extra" or fld not in em.columns or (fld == identity and value is None):
            continue
        if em.columns[fld] in seen:
            continue
        seen.add(em.columns[fld])
        cols.append(f"{{{entity}.{fld}}}")
        params.append(value)
    physical = {**em.insert_defaults, **(values.get("extra") or {})}
    for column, literal in physical.items():
        cols.append(dialect.quote(column))
        params.append(literal)
    return Statement(f"INSERT INTO {{{entity}}} ({', '.join(cols)}) VALUES ({_marks(len(params))})", params)


def allocate_ids(dialect: Dialect, allocator: IdAllocator, count: int) -> tuple[Statement, Statement]:
    """Move an ERP id allocator on by ``count`` (the UPDATE takes the row's lock until the
    transaction ends) and read the last id now used."""
    q = dialect.quote
    where = " AND ".join(f"{q(c)} = ?" for c in allocator.where)
    keys = list(allocator.where.values())
    table, value = dialect.quote_dotted(allocator.table), q(allocator.value)
    return (Statement(f"UPDATE {table} SET {value} = COALESCE({value}, 0) + ? WHERE {where}", [count, *keys]),
            Statement(f"SELECT {value} AS last_id FROM {table} WHERE {where}", keys))


def max_id(entity: str) -> Statement:
    """The highest id of a form table (``id_source = "max_plus_one"``)."""
    return Statement(f"SELECT MAX({{{entity}.id}}) FROM {{{entity}}}", [])


def highest_form_no(entity: str, prefix: str, digits: int) -> Statement:
    """The highest form number of ``prefix`` followed by ``digits`` characters, forms the
    ERP's own users numbered in the same series included."""
    pattern = prefix.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "_" * digits
    return Statement(f"SELECT MAX({{{entity}.form_no}}) FROM {{{entity}}} "
                     f"WHERE {{{entity}.form_no}} LIKE ? ESCAPE '!'", [pattern])


def customer_card(dialect: Dialect, columns: Sequence[str], customer_code: str) -> Statement:
    """Columns of the customer card by physical name (``from_customer``), for one customer,
    read as ``c0``, ``c1`` … in the order given."""
    picked = ", ".join(f"{dialect.quote(c)} AS {dialect.quote(f'c{n}')}" for n, c in enumerate(columns))
    return Statement(f"SELECT {picked} FROM {{customer}} WHERE {{customer.code}} = ?", [customer_code])
def allocator_rows(dialect: Dialect, table: str, where: dict[str, Any]) -> Statement:
    """How many rows of an id allocator table (``[….id_allocator]``: U8's
    ``UA_Identity``) its ``where`` names; check-erp wants exactly one."""
    cond = " AND ".join(f"{dialect.quote(column)} = ?" for column in where) or "1 = 1"
    return Statement(f"SELECT COUNT(*) AS n FROM {dialect.quote_dotted(table)} WHERE {cond}", list(where.values()))


# --- web orders ------------------------------------------------------------------------
ORDER_SORTS = {
    "placed_at": "o.placed_at",
    "order_no": "o.order_no",
    "customer": "o.customer_code",
    "requested_date": "o.requested_date",
    "status": "o.status",
}


def order_filter(scope: Scope, *, kind: str | None, status: str | None, customer_code: str | None,
                 order_no: str | None, contract_no: str | None, customer_part_no: str | None,
                 inventory_code: str | None, date_from: dt.datetime | None, date_to: dt.datetime | None
                 ) -> tuple[list[str], list[Any]]:
    """The WHERE conditions (on ``scm_order o``) and parameters of an order search; each
    given filter adds one."""
    cond, params = scope_condition(scope, "o.customer_code")
    where = [cond]
    for column, value in (("o.kind", kind), ("o.status", status), ("o.customer_code", customer_code),
                          ("o.order_no", order_no), ("o.contract_no", contract_no)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    # IN (subquery), not a correlated EXISTS: SQLite runs EXISTS once per order (a full
    # scan, 160 ms at 200k orders), the IN form from the line's index (bench/README.md).
    if customer_part_no:
        where.append("o.id IN (SELECT l.order_id FROM scm_order_line l WHERE l.customer_part_no = ?)")
        params.append(customer_part_no)
    if inventory_code:
        where.append("o.id IN (SELECT l.order_id FROM scm_order_line l WHERE l.inventory_code = ?)")
        params.append(inventory_code)
    if date_from:
        where.append("o.placed_at >= ?")
        params.append(date_from)
    if date_to:
        where.append("o.placed_at < ?")
        params.append(date_to)
    return where, params


def order_search(where: list[str], params: list[Any], *, placed_after: dt.datetime | None, sort: str,
                 descending: bool) -> tuple[Statement, Statement]:
    """The count and the page of an order search (conditions from ``order_filter``)."""
    where_sql = " AND ".join(where)
    order_by = _order_by(ORDER_SORTS, sort, "placed_at", descending)
    newer = ", CASE WHEN o.placed_at > ? THEN 1 ELSE 0 END AS is_new" if placed_after else ", 0 AS is_new"
    select_params = ([placed_after] if placed_after else []) + params
    count = Statement(f"SELECT COUNT(*) AS n FROM scm_order o WHERE {where_sql}", params)
    page = Statement(
        f"SELECT o.id, o.order_no, o.kind, o.customer_code, {{customer.name:c}} AS customer_name, o.status, "
        f"o.customer_order_no, o.requested_date, o.placed_at, o.reviewed_at, o.reject_reason, "
        f"o.erp_form_no, o.contract_no, "
        f"(SELECT COUNT(*) FROM scm_order_line l WHERE l.order_id = o.id) AS line_count{newer} "
        f"FROM scm_order o LEFT JOIN {{customer}} c ON {{customer.code:c}} = o.customer_code "
        f"WHERE {where_sql} ORDER BY {order_by}, o.id DESC",
        select_params)
    return count, page


def pending_counts(scope: Scope) -> Statement:
    cond, params = scope_condition(scope, "o.customer_code")
    return Statement(f"SELECT o.kind, COUNT(*) AS n FROM scm_order o WHERE o.status = 'pending' AND {cond} "
                     f"GROUP BY o.kind", params)


def customer_prefs(scope: Scope) -> Statement:
    cond, params = scope_condition(scope, "{customer.code:c}")
    return Statement(f"SELECT {{customer.code:c}} AS code, {{customer.name:c}} AS name, p.notify_reps "
                     f"FROM {{customer}} c LEFT JOIN scm_customer_pref p ON p.customer_code = {{customer.code:c}} "
                     f"WHERE {cond} ORDER BY {{customer.code:c}}", params)


# --- alert policies and alarms -----------------------------------------------------------
POLICY_SEARCH_SORTS = {
    "placed_at": "o.placed_at",
    "order_no": "o.order_no",
    "customer": "o.customer_code",
    "requested_date": "o.requested_date",
    "status": "o.status",
    "contract_no": "o.contract_no",
}
ALARM_SORTS = {
    "raised_at": "a.raised_at",
    "order_no": "o.order_no",
    "customer": "a.customer_code",
    "due_at": "c.due_at",
}

_HAS_OPEN_ALARM = ("EXISTS (SELECT 1 FROM scm_alarm a WHERE a.order_id = o.id AND a.status = 'open' "
                   "AND a.level = 'alarm')")
_HAS_CHECKPOINTS = ("EXISTS (SELECT 1 FROM scm_alert_policy p JOIN scm_checkpoint c ON c.policy_id = p.id "
                    "WHERE p.order_id = o.id AND c.retired_at IS NULL)")


def order_progress_ref(mapping: Mapping, order: str = "o") -> tuple[str, str]:
    """How the ERP's progress records (订单打更记录) name an order, per the mapping's
    ``[progress] order_ref_is``: the joins needed after ``scm_order {order}`` and the
    expression. By form number: the order's own copy of it. By contract number: the
    contract number its ERP review form holds *now* (read at each evaluation, not the
    plugin's synced copy); NULL while the ERP has given the form none ('' counts as none)."""
    if mapping.entities["progress"].order_ref_is != "contract_no":
        return "", f"{order}.erp_form_no"
    fc, fs = f"{order}fc", f"{order}fs"
    joins = (f" LEFT JOIN {{contract_review}} {fc} ON {order}.kind = 'sales' "
             f"AND {{contract_review.id:{fc}}} = {order}.erp_form_id"
             f" LEFT JOIN {{sample_review}} {fs} ON {order}.kind = 'sample' "
             f"AND {{sample_review.id:{fs}}} = {order}.erp_form_id")
    return joins, (f"NULLIF(COALESCE({{contract_review.contract_no:{fc}}}, "
                   f"{{sample_review.contract_no:{fs}}}), '')")


def progress_ref_of_order(mapping: Mapping, order_id: int) -> Statement:
    """The number the ERP's progress records of one order are filed under (``ref``),
    NULL when there is none yet."""
    joins, ref = order_progress_ref(mapping, "o")
    return Statement(f"SELECT {ref} AS ref FROM scm_order o{joins} WHERE o.id = ?", [order_id])


def evaluate_checkpoints(mapping: Mapping, *, first_id: int, last_id: int, policy_lo: int, policy_hi: int,
                         at: dt.datetime, warn: dt.datetime) -> Statement:
    """The set-based evaluation of the due (or warnable) pending checkpoints with ids in
    [first_id, last_id] and policy ids in [policy_lo, policy_hi] (the met rule, see
    ``alerts.sql``): per checkpoint the quantity reached, ``met``, ``warned`` (an early
    warning exists) and ``has_ref`` (0 while the order has no number its progress could
    be reported under: by contract number, before the ERP has numbered the form)."""
    inner_joins, inner_ref = order_progress_ref(mapping, "o2")
    outer_joins, outer_ref = order_progress_ref(mapping, "o")
    due = "c{n}.state = 'pending' AND c{n}.retired_at IS NULL AND (c{n}.due_at <= ? OR c{n}.warn_from <= ?)"
    sql = (
        "SELECT c.id AS checkpoint_id, COALESCE(MAX(s.qty), 0) AS reached, "
        "CASE WHEN COALESCE(MAX(s.qty), 0) >= c.quantity THEN 1 ELSE 0 END AS met, "
        "CASE WHEN EXISTS (SELECT 1 FROM scm_alarm w WHERE w.checkpoint_id = c.id AND w.level = 'warning') "
        "THEN 1 ELSE 0 END AS warned, "
        f"MAX(CASE WHEN {outer_ref} IS NULL THEN 0 ELSE 1 END) AS has_ref "
        "FROM scm_checkpoint c "
        "JOIN scm_alert_policy p ON p.id = c.policy_id "
        f"JOIN scm_order o ON o.id = p.order_id{outer_joins} "
        "LEFT JOIN ("
        "SELECT c2.id AS checkpoint_id, {progress.process_code:pr} AS step_code, "
        "SUM({progress.quantity:pr}) AS qty "
        "FROM scm_checkpoint c2 "
        "JOIN scm_alert_policy p2 ON p2.id = c2.policy_id "
        f"JOIN scm_order o2 ON o2.id = p2.order_id{inner_joins} "
        "JOIN {process_step} cs ON {process_step.code:cs} = c2.process_code "
        f"JOIN {{progress}} pr ON {{progress.order_ref:pr}} = {inner_ref} "
        "JOIN {process_step} ps ON {process_step.code:ps} = {progress.process_code:pr} "
        f"WHERE c2.id BETWEEN ? AND ? AND c2.policy_id BETWEEN ? AND ? AND {due.format(n='2')} "
        "AND {process_step.seq:ps} >= {process_step.seq:cs} "
        "AND {progress.reported_at:pr} <= c2.due_at_erp "
        "GROUP BY c2.id, {progress.process_code:pr}"
        ") s ON s.checkpoint_id = c.id "
        f"WHERE c.id BETWEEN ? AND ? AND c.policy_id BETWEEN ? AND ? AND {due.format(n='')} "
        "GROUP BY c.id, c.quantity")
    params = [first_id, last_id, policy_lo, policy_hi, at, warn]
    return Statement(sql, params + params)


def checkpoint_details(ids: Sequence[int]) -> Statement:
    return Statement(f"SELECT id AS checkpoint_id, policy_id, due_at, window_start, warn_from, process_code, "
                     f"quantity FROM scm_checkpoint WHERE id IN ({_marks(len(ids))})", list(ids))


def mark_met(ids: Sequence[int], at: dt.datetime) -> Statement:
    return Statement(f"UPDATE scm_checkpoint SET state = 'met', evaluated_at = ? "
                     f"WHERE state = 'pending' AND id IN ({_marks(len(ids))})", [at, *ids])


def alarm_list(scope: Scope, *, status: str | None, level: str | None, kind: str | None,
               customer_code: str | None, order_no: str | None, sort: str, descending: bool
               ) -> tuple[Statement, Statement]:
    """The count and the page of the alarm list; each given filter adds a condition."""
    cond, params = scope_condition(scope, "a.customer_code")
    where = [cond]
    for column, value in (("a.status", status), ("a.level", level), ("o.kind", kind),
                          ("a.customer_code", customer_code), ("o.order_no", order_no)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    where_sql = " AND ".join(where)
    base = (f"FROM scm_alarm a JOIN scm_order o ON o.id = a.order_id "
            f"LEFT JOIN scm_checkpoint c ON c.id = a.checkpoint_id "
            f"LEFT JOIN {{customer}} cu ON {{customer.code:cu}} = a.customer_code "
            f"LEFT JOIN scm_user u ON u.id = a.cancelled_by WHERE {where_sql}")
    order_by = _order_by(ALARM_SORTS, sort, "raised_at", descending)
    count = Statement(f"SELECT COUNT(*) AS n {base}", params)
    page = Statement(
        f"SELECT a.id, a.checkpoint_id, a.order_id, a.customer_code, {{customer.name:cu}} AS customer_name, "
        f"a.level, a.status, a.raised_at, a.detail, a.reached_qty, a.sms_batch_id, a.cancelled_at, "
        f"a.cancel_note, u.username AS cancelled_by_name, o.order_no, o.kind, o.contract_no, o.erp_form_no, "
        f"c.due_at, c.process_code, c.quantity {base} ORDER BY {order_by}, a.id DESC",
        params)
    return count, page


def open_alarm_count(scope: Scope) -> Statement:
    cond, params = scope_condition(scope, "a.customer_code")
    return Statement(f"SELECT COUNT(*) AS n FROM scm_alarm a WHERE a.status = 'open' "
                     f"AND a.level = 'alarm' AND {cond}", params)


def policy_search(where: list[str], params: list[Any], *, policy_state: str | None, sort: str,
                  descending: bool) -> tuple[Statement, Statement]:
    """The count and the page of the policy search: orders (conditions from
    ``order_filter``) with their policy state (none / active / alarm) and open warnings."""
    where = list(where)
    if policy_state == "alarm":
        where.append(_HAS_OPEN_ALARM)
    elif policy_state == "active":
        where.append(f"{_HAS_CHECKPOINTS} AND NOT {_HAS_OPEN_ALARM}")
    elif policy_state == "none":
        where.append(f"NOT {_HAS_CHECKPOINTS} AND NOT {_HAS_OPEN_ALARM}")
    where_sql = " AND ".join(where)
    order_by = _order_by(POLICY_SEARCH_SORTS, sort, "placed_at", descending)
    count = Statement(f"SELECT COUNT(*) AS n FROM scm_order o WHERE {where_sql}", params)
    page = Statement(
        f"SELECT o.id, o.order_no, o.kind, o.customer_code, {{customer.name:cu}} AS customer_name, o.status, "
        f"o.customer_order_no, o.requested_date, o.placed_at, o.erp_form_no, o.contract_no, "
        f"CASE WHEN {_HAS_OPEN_ALARM} THEN 'alarm' WHEN {_HAS_CHECKPOINTS} THEN 'active' ELSE 'none' END "
        f"AS policy_state, "
        f"(SELECT COUNT(*) FROM scm_alarm w WHERE w.order_id = o.id AND w.status = 'open' "
        f"AND w.level = 'warning') AS open_warnings, "
        f"(SELECT COUNT(*) FROM scm_alert_policy p2 JOIN scm_checkpoint c2 ON c2.policy_id = p2.id "
        f"WHERE p2.order_id = o.id AND c2.retired_at IS NULL) AS checkpoint_count "
        f"FROM scm_order o LEFT JOIN {{customer}} cu ON {{customer.code:cu}} = o.customer_code "
        f"WHERE {where_sql} ORDER BY {order_by}, o.id DESC",
        params)
    return count, page


# --- stock -------------------------------------------------------------------------------
def stock_of_items(codes: Sequence[str], exclude: Sequence[str] = ()) -> Statement:
    """The ERP's current stock of the items, one figure per warehouse and item: the rows
    of the stock table summed (U8's ``CurrentStock`` keeps a row per batch, free item and
    other keys), the ``exclude``d warehouses (``[warehouse] exclude``) left out, with the
    warehouse's name and kind. Summed before the warehouse is joined, so that nothing
    about the warehouse table can multiply a figure."""
    params: list[Any] = list(codes)
    skip = ""
    if exclude:
        skip = (f"AND ({{stock.warehouse_code:s}} IS NULL "
                f"OR {{stock.warehouse_code:s}} NOT IN ({_marks(len(exclude))})) ")
        params += list(exclude)
    return Statement(
        "SELECT t.inventory_code, t.warehouse_code, {warehouse.name:w} AS warehouse_name, "
        "{warehouse.kind:w} AS warehouse_kind, t.quantity "
        "FROM (SELECT {stock.inventory_code:s} AS inventory_code, {stock.warehouse_code:s} AS warehouse_code, "
        "SUM({stock.quantity:s}) AS quantity FROM {stock} s "
        f"WHERE {{stock.inventory_code:s}} IN ({_marks(len(codes))}) {skip}"
        "GROUP BY {stock.inventory_code:s}, {stock.warehouse_code:s}) t "
        "LEFT JOIN {warehouse} w ON {warehouse.code:w} = t.warehouse_code "
        "ORDER BY t.inventory_code, t.warehouse_code", params)


def supplier_stock_of_items(codes: Sequence[str]) -> Statement:
    return Statement(
        "SELECT ss.inventory_code, ss.supplier_code, {supplier.name:v} AS supplier_name, ss.quantity, "
        "ss.updated_at, ss.import_id, u.username AS updated_by_name, u.display_name AS updated_by_display "
        "FROM scm_supplier_stock ss "
        "LEFT JOIN {supplier} v ON {supplier.code:v} = ss.supplier_code "
        "LEFT JOIN scm_supplier_import si ON si.id = ss.import_id "
        "LEFT JOIN scm_user u ON u.id = si.imported_by "
        f"WHERE ss.inventory_code IN ({_marks(len(codes))}) "
        "ORDER BY ss.inventory_code, ss.supplier_code", list(codes))


def suppliers_by_code(codes: Sequence[str]) -> Statement:
    return Statement(f"SELECT {{supplier.code}} AS code, {{supplier.name}} AS name FROM {{supplier}} "
                     f"WHERE {{supplier.code}} IN ({_marks(len(codes))})", list(codes))


# An item's unit as shown (the unit's name where [unit] is mapped) and as the item keeps it.
ITEM_UNIT = ("{?unit}COALESCE({unit.name:u}, {item.unit:i}){/unit}{!unit}{item.unit:i}{/unit} AS unit, "
             "{item.unit:i} AS unit_code")
UNIT_JOIN = "{?unit}LEFT JOIN {unit} u ON {unit.code:u} = {item.unit:i} {/unit}"


def items_by_code(codes: Sequence[str]) -> Statement:
    return Statement(f"SELECT {{item.code:i}} AS code, {{item.name:i}} AS name, {ITEM_UNIT} "
                     f"FROM {{item}} i {UNIT_JOIN}WHERE {{item.code:i}} IN ({_marks(len(codes))})", list(codes))


def item_cards(codes: Sequence[str]) -> Statement:
    """Everything the ERP keeps of the items (as ``erp.item_by_code``), for many at once."""
    return Statement(f"SELECT {{item.code:i}} AS code, {{item.name:i}} AS name, {{item.spec:i}} AS spec, "
                     f"{ITEM_UNIT}, {{item.master_disc_no:i}} AS master_disc_no, {{item.family:i}} AS family, "
                     f"{{item.lead_days:i}} AS lead_days "
                     f"FROM {{item}} i {UNIT_JOIN}WHERE {{item.code:i}} IN ({_marks(len(codes))})", list(codes))


def customer_parts_of_items(customer_code: str, codes: Sequence[str]) -> Statement:
    """A customer's part number for each of our items (the lowest where it keeps several)."""
    return Statement("SELECT {customer_part.inventory_code} AS inventory_code, MIN({customer_part.part_no}) AS part_no "
                     "FROM {customer_part} WHERE {customer_part.customer_code} = ? "
                     f"AND {{customer_part.inventory_code}} IN ({_marks(len(codes))}) "
                     "GROUP BY {customer_part.inventory_code}", [customer_code, *codes])


def supplier_figures(supplier_codes: Sequence[str]) -> Statement:
    return Statement(f"SELECT supplier_code, inventory_code, quantity FROM scm_supplier_stock "
                     f"WHERE supplier_code IN ({_marks(len(supplier_codes))})", list(supplier_codes))


def customer_stock_of_items(scope: Scope, codes: Sequence[str]) -> Statement:
    """The recorded stock of the items at the customers in the scope."""
    cond, params = scope_condition(scope, "cs.customer_code")
    return Statement(
        "SELECT cs.inventory_code, cs.customer_code, {customer.name:c} AS customer_name, "
        "{customer.short_name:c} AS customer_short_name, cs.quantity, cs.remarks, cs.updated_at, "
        "u.username AS updated_by_name, u.display_name AS updated_by_display "
        "FROM scm_customer_stock cs "
        "LEFT JOIN {customer} c ON {customer.code:c} = cs.customer_code "
        "LEFT JOIN scm_user u ON u.id = cs.updated_by "
        f"WHERE cs.inventory_code IN ({_marks(len(codes))}) AND {cond} "
        "ORDER BY cs.inventory_code, cs.customer_code", [*codes, *params])


# --- feedback ----------------------------------------------------------------------------
FEEDBACK_SORTS = {
    "created_at": "f.created_at",
    "activity": "COALESCE(f.last_reply_at, f.created_at)",
    "customer": "f.customer_code",
    "type": "f.fb_type",
    "status": "f.status",
    "subject": "f.subject",
}


def feedback_search(scope: Scope, *, public_only: bool, fb_type: str | None, status: str | None,
                    customer_code: str | None, date_from: dt.datetime | None, date_to: dt.datetime | None,
                    sort: str, descending: bool) -> tuple[Statement, Statement]:
    """The count and the page of a feedback list; ``public_only`` counts only the
    replies the customer sees."""
    cond, params = scope_condition(scope, "f.customer_code")
    where = ["f.deleted_at IS NULL", cond]
    for column, value in (("f.fb_type", fb_type), ("f.status", status), ("f.customer_code", customer_code)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if date_from:
        where.append("f.created_at >= ?")
        params.append(date_from)
    if date_to:
        where.append("f.created_at < ?")
        params.append(date_to)
    where_sql = " AND ".join(where)
    order_by = _order_by(FEEDBACK_SORTS, sort, "created_at", descending)
    max_internal = 0 if public_only else 1
    count = Statement(f"SELECT COUNT(*) AS n FROM scm_feedback f WHERE {where_sql}", params)
    page = Statement(
        f"SELECT f.id, f.customer_code, {{customer.name:c}} AS customer_name, f.fb_type, f.subject, f.status, "
        f"f.created_by, cu.display_name AS created_by_name, f.created_at, f.last_reply_at, f.closed_at, "
        f"(SELECT COUNT(*) FROM scm_feedback_reply r WHERE r.feedback_id = f.id AND r.is_internal <= ?) "
        f"AS reply_count, "
        f"(SELECT COUNT(*) FROM scm_attachment a WHERE a.owner_type = 'feedback' AND a.owner_id = f.id) "
        f"AS file_count "
        f"FROM scm_feedback f LEFT JOIN {{customer}} c ON {{customer.code:c}} = f.customer_code "
        f"LEFT JOIN scm_user cu ON cu.id = f.created_by "
        f"WHERE {where_sql} ORDER BY {order_by}, f.id DESC",
        [max_internal, *params])
    return count, page


def feedback_status_counts(scope: Scope) -> Statement:
    cond, params = scope_condition(scope, "f.customer_code")
    return Statement(f"SELECT f.status, COUNT(*) AS n FROM scm_feedback f WHERE f.deleted_at IS NULL AND {cond} "
                     f"GROUP BY f.status", params)


# --- documents ---------------------------------------------------------------------------
DOCUMENT_SORTS = {
    "created_at": "d.created_at",
    "subject": "d.subject",
    "expires_at": "COALESCE(d.expires_at, d.created_at)",
}

_DOCUMENT_COLUMNS = ("d.id, d.subject, d.attachment_id, d.uploaded_by, u.display_name AS uploaded_by_name, "
                     "d.created_at, d.expires_at, a.original_name, a.content_type, a.size_bytes")
_DOCUMENT_FROM = ("FROM scm_document d "
                  "JOIN scm_attachment a ON a.id = d.attachment_id AND a.owner_type = 'document' "
                  "AND a.owner_id = d.id "
                  "LEFT JOIN scm_user u ON u.id = d.uploaded_by")


def document_targets_in_scope(scope: Scope, document_id: int) -> Statement:
    """How many of the document's customers lie in the scope."""
    cond, params = scope_condition(scope, "t.customer_code")
    return Statement(f"SELECT COUNT(*) AS n FROM scm_document_target t WHERE t.document_id = ? AND {cond}",
                     [document_id, *params])


def document_targets_outside(scope: Scope, document_id: int) -> Statement:
    """How many of the document's customers lie outside the scope."""
    cond, params = scope_condition(scope, "t.customer_code")
    return Statement(f"SELECT COUNT(*) AS n FROM scm_document_target t WHERE t.document_id = ? "
                     f"AND NOT ({cond})", [document_id, *params])


def document_search(scope: Scope, *, now: dt.datetime, customer_code: str | None, state: str | None,
                    date_from: dt.datetime | None, date_to: dt.datetime | None, sort: str,
                    descending: bool) -> tuple[Statement, Statement]:
    """The count and the page of the staff's document list: documents shared with a
    customer in the scope (with this customer, if given: a filter on a customer outside
    the scope finds nothing)."""
    cond, params = scope_condition(scope, "t.customer_code")
    if customer_code:
        visible = (f"EXISTS (SELECT 1 FROM scm_document_target t WHERE t.document_id = d.id "
                   f"AND t.customer_code = ? AND {cond})")
        params = [customer_code, *params]
    else:
        visible = f"EXISTS (SELECT 1 FROM scm_document_target t WHERE t.document_id = d.id AND {cond})"
    where = ["d.deleted_at IS NULL", visible]
    if state == "current":
        where.append("(d.expires_at IS NULL OR d.expires_at > ?)")
        params.append(now)
    elif state == "expired":
        where.append("d.expires_at <= ?")
        params.append(now)
    if date_from:
        where.append("d.created_at >= ?")
        params.append(date_from)
    if date_to:
        where.append("d.created_at < ?")
        params.append(date_to)
    where_sql = " AND ".join(where)
    order_by = _order_by(DOCUMENT_SORTS, sort, "created_at", descending)
    count = Statement(f"SELECT COUNT(*) AS n FROM scm_document d WHERE {where_sql}", params)
    page = Statement(f"SELECT {_DOCUMENT_COLUMNS} {_DOCUMENT_FROM} WHERE {where_sql} "
                     f"ORDER BY {order_by}, d.id DESC", params)
    return count, page


def document_targets(scope: Scope, document_ids: Sequence[int]) -> Statement:
    """The customers of these documents that lie in the scope, with their read receipts."""
    cond, params = scope_condition(scope, "t.customer_code")
    return Statement(
        f"SELECT t.document_id, t.customer_code, {{customer.name:c}} AS customer_name, "
        f"{{customer.short_name:c}} AS customer_short_name, t.first_download_at, t.last_download_at, "
        f"t.download_count, t.first_download_by, u.display_name AS first_download_by_name "
        f"FROM scm_document_target t LEFT JOIN {{customer}} c ON {{customer.code:c}} = t.customer_code "
        f"LEFT JOIN scm_user u ON u.id = t.first_download_by "
        f"WHERE t.document_id IN ({_marks(len(document_ids))}) AND {cond} ORDER BY t.document_id, t.customer_code",
        [*document_ids, *params])


# --- the outbox --------------------------------------------------------------------------
def outbox_listing(scope: Scope, status: str | None) -> tuple[Statement, Statement]:
    """The count and the page of the outbox list: rows of no customer or of one in scope."""
    cond, params = scope_condition(scope, "customer_code")
    where = f"(customer_code IS NULL OR {cond})"
    if status:
        where += " AND status = ?"
        params = params + [status]
    count = Statement(f"SELECT COUNT(*) AS n FROM scm_outbox WHERE {where}", params)
    page = Statement(f"SELECT id, channel, recipient, subject, status, attempts, next_attempt_at, last_error, "
                     f"created_at, sent_at, customer_code FROM scm_outbox WHERE {where} ORDER BY id DESC", params)
    return count, page


# --- SMS ---------------------------------------------------------------------------------
def _sms_batch_visible(scope: Scope, user_id: int | None) -> tuple[str, list[Any]]:
    """Every customer among the batch's messages (and the batch's own, for alarms) is in
    the scope, and the batch concerns a customer or the user wrote it."""
    m_cond, m_params = scope_condition(scope, "m.customer_code")
    b_cond, b_params = scope_condition(scope, "b.customer_code")
    sql = (f"NOT EXISTS (SELECT 1 FROM scm_sms_message m WHERE m.batch_id = b.id "
           f"AND m.customer_code IS NOT NULL AND NOT ({m_cond})) "
           f"AND (b.customer_code IS NULL OR {b_cond}) "
           f"AND (b.created_by = ? OR b.customer_code IS NOT NULL OR EXISTS (SELECT 1 FROM scm_sms_message m2 "
           f"WHERE m2.batch_id = b.id AND m2.customer_code IS NOT NULL))")
    return sql, [*m_params, *b_params, user_id if user_id is not None else -1]


def sms_batch_visible(scope: Scope, user_id: int | None, batch_id: int) -> Statement:
    """1 if the user may see the batch, else 0."""
    cond, params = _sms_batch_visible(scope, user_id)
    return Statement(f"SELECT COUNT(*) AS n FROM scm_sms_batch b WHERE b.id = ? AND {cond}", [batch_id, *params])


def sms_batches(scope: Scope, user_id: int | None, *, source: str | None, created_after: dt.datetime | None,
                created_before: dt.datetime | None) -> tuple[Statement, Statement]:
    """The count and the page of the batches the user may see, newest first."""
    cond, params = _sms_batch_visible(scope, user_id)
    where = [cond]
    if source:
        where.append("b.source = ?")
        params.append(source)
    if created_after:
        where.append("b.created_at >= ?")
        params.append(created_after)
    if created_before:
        where.append("b.created_at < ?")
        params.append(created_before)
    where_sql = " AND ".join(where)
    count = Statement(f"SELECT COUNT(*) AS n FROM scm_sms_batch b WHERE {where_sql}", params)
    page = Statement(f"SELECT b.id, b.text, b.signature, b.created_by, b.created_at, b.source, b.customer_code, "
                     f"b.ref_type, b.ref_id, u.display_name AS created_by_name "
                     f"FROM scm_sms_batch b LEFT JOIN scm_user u ON u.id = b.created_by "
                     f"WHERE {where_sql} ORDER BY b.created_at DESC, b.id DESC", params)
    return count, page


def sms_status_counts(batch_ids: Sequence[int]) -> Statement:
    """Messages per batch and status; a message whose outbox row failed counts as failed."""
    return Statement(f"SELECT m.batch_id, CASE WHEN m.status = 'queued' AND o.status = 'failed' THEN 'failed' "
                     f"ELSE m.status END AS status, COUNT(*) AS n "
                     f"FROM scm_sms_message m LEFT JOIN scm_outbox o ON o.id = m.outbox_id "
                     f"WHERE m.batch_id IN ({_marks(len(batch_ids))}) "
                     f"GROUP BY m.batch_id, CASE WHEN m.status = 'queued' AND o.status = 'failed' THEN 'failed' "
                     f"ELSE m.status END", list(batch_ids))


def sms_contacts(scope: Scope, *, search: str | None, customer_code: str | None) -> Statement:
    """Contacts of the customers in the scope, by customer and name; ``search`` matches the
    customer's code or name or the contact's name or numbers."""
    cond, params = scope_condition(scope, "{customer_contact.customer_code:k}")
    # A customer card without a contact on it (contacts kept on the card) is no contact.
    where = [cond, "({customer_contact.name:k} IS NOT NULL OR {customer_contact.mobile:k} IS NOT NULL "
                   "OR {customer_contact.phone:k} IS NOT NULL)"]
    if customer_code:
        where.append("{customer_contact.customer_code:k} = ?")
        params.append(customer_code)
    if search:
        like = _like(search)
        where.append("(UPPER({customer.code:c}) LIKE UPPER(?) ESCAPE '!' OR {customer.name:c} LIKE ? ESCAPE '!' "
                     "OR {customer.short_name:c} LIKE ? ESCAPE '!' OR {customer_contact.name:k} LIKE ? ESCAPE '!' "
                     "OR {customer_contact.mobile:k} LIKE ? ESCAPE '!' OR {customer_contact.phone:k} LIKE ? ESCAPE '!')")
        params.extend([like] * 6)
    return Statement(
        "SELECT {customer_contact.id:k} AS id, {customer_contact.customer_code:k} AS customer_code, "
        "{customer.name:c} AS customer_name, {customer.short_name:c} AS customer_short_name, "
        "{customer_contact.name:k} AS name, {customer_contact.mobile:k} AS mobile, "
        "{customer_contact.phone:k} AS phone "
        "FROM {customer_contact} k JOIN {customer} c ON {customer.code:c} = {customer_contact.customer_code:k} "
        f"WHERE {' AND '.join(where)} "
        "ORDER BY {customer_contact.customer_code:k}, {customer_contact.name:k}, {customer_contact.id:k}",
        params)
