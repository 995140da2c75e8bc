-- Inventory query (function 5): items by a complete key, our warehouses' stock (the ERP's
-- current stock), supplier stock kept in this system and its imports.
-- Lists of inventory codes (IN (...)) and the own stock (summed per warehouse and item,
-- without the excluded warehouses) are built in erp_bridge/dynamic.py. Items carry
-- ``unit`` (the unit's name where [unit] is mapped) and ``unit_code`` (see erp.sql).

-- name: items_by_code
SELECT {item.code:i} AS code, {item.name:i} AS name, {item.spec:i} AS spec,
       {?unit}COALESCE({unit.name:u}, {item.unit:i}){/unit}{!unit}{item.unit:i}{/unit} AS unit, {item.unit:i} AS unit_code,
       {item.master_disc_no:i} AS master_disc_no
FROM {item} i
{?unit}LEFT JOIN {unit} u ON {unit.code:u} = {item.unit:i}{/unit}
WHERE {item.code:i} = ?
ORDER BY {item.code:i}

-- name: items_by_name
SELECT {item.code:i} AS code, {item.name:i} AS name, {item.spec:i} AS spec,
       {?unit}COALESCE({unit.name:u}, {item.unit:i}){/unit}{!unit}{item.unit:i}{/unit} AS unit, {item.unit:i} AS unit_code,
       {item.master_disc_no:i} AS master_disc_no
FROM {item} i
{?unit}LEFT JOIN {unit} u ON {unit.code:u} = {item.unit:i}{/unit}
WHERE {item.name:i} = ?
ORDER BY {item.code:i}

-- name: items_by_master_disc_no
SELECT {item.code:i} AS code, {item.name:i} AS name, {item.spec:i} AS spec,
       {?unit}COALESCE({unit.name:u}, {item.unit:i}){/unit}{!unit}{item.unit:i}{/unit} AS unit, {item.unit:i} AS unit_code,
       {item.master_disc_no:i} AS master_disc_no
FROM {item} i
{?unit}LEFT JOIN {unit} u ON {unit.code:u} = {item.unit:i}{/unit}
WHERE {item.master_disc_no:i} = ?
ORDER BY {item.code:i}

-- name: supplier_by_code
SELECT {supplier.code} AS code, {supplier.name} AS name
FROM {supplier}
WHERE {supplier.code} = ?

-- name: supplier_stock_lock
SELECT id, quantity
FROM scm_supplier_stock{:lock}
WHERE supplier_code = ? AND inventory_code = ?{:for_update}

-- name: supplier_stock_insert
INSERT INTO scm_supplier_stock (supplier_code, inventory_code, quantity, import_id, updated_at)
VALUES (?, ?, ?, ?, ?)

-- name: supplier_stock_update
UPDATE scm_supplier_stock SET quantity = ?, import_id = ?, updated_at = ?
WHERE id = ?

-- name: supplier_history_insert
INSERT INTO scm_supplier_stock_history (supplier_code, inventory_code, old_quantity, new_quantity, import_id,
                                        changed_by, changed_at)
VALUES (?, ?, ?, ?, ?, ?, ?)

-- name: import_insert
INSERT INTO scm_supplier_import (filename, row_count, imported_by, imported_at)
VALUES (?, ?, ?, ?)

-- name: imports_recent
SELECT si.id, si.filename, si.row_count, si.imported_by, u.username AS imported_by_name,
       u.display_name AS imported_by_display, si.imported_at
FROM scm_supplier_import si
LEFT JOIN scm_user u ON u.id = si.imported_by
ORDER BY si.imported_at DESC, si.id DESC

-- name: import_by_id
SELECT si.id, si.filename, si.row_count, si.imported_by, u.username AS imported_by_name,
       u.display_name AS imported_by_display, si.imported_at
FROM scm_supplier_import si
LEFT JOIN scm_user u ON u.id = si.imported_by
WHERE si.id = ?

-- name: import_rows
SELECT h.supplier_code, {supplier.name:v} AS supplier_name, h.inventory_code, {item.name:i} AS item_name,
       h.old_quantity, h.new_quantity, h.changed_at
FROM scm_supplier_stock_history h
LEFT JOIN {supplier} v ON {supplier.code:v} = h.supplier_code
LEFT JOIN {item} i ON {item.code:i} = h.inventory_code
WHERE h.import_id = ?
ORDER BY h.id
