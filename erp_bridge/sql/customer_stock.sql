-- Customer stock upkeep (function 6): the last figure per customer and item, and every
-- change as history (who, when, old → new), written in one transaction.

-- name: list_for_customer
SELECT cs.inventory_code, {item.name:i} AS item_name, {item.spec:i} AS spec,
       {?unit}COALESCE({unit.name:n}, {item.unit:i}){/unit}{!unit}{item.unit:i}{/unit} AS unit, {item.unit:i} AS unit_code,
       {item.master_disc_no:i} AS master_disc_no, cs.quantity, cs.remarks, cs.updated_at,
       cs.updated_by, u.username AS updated_by_name, u.display_name AS updated_by_display
FROM scm_customer_stock cs
LEFT JOIN {item} i ON {item.code:i} = cs.inventory_code
{?unit}LEFT JOIN {unit} n ON {unit.code:n} = {item.unit:i}{/unit}
LEFT JOIN scm_user u ON u.id = cs.updated_by
WHERE cs.customer_code = ?
ORDER BY cs.inventory_code

-- name: one
SELECT cs.id, cs.customer_code, cs.inventory_code, cs.quantity, cs.remarks, cs.updated_at, cs.updated_by,
       u.username AS updated_by_name, u.display_name AS updated_by_display
FROM scm_customer_stock cs
LEFT JOIN scm_user u ON u.id = cs.updated_by
WHERE cs.customer_code = ? AND cs.inventory_code = ?

-- name: lock
SELECT id, quantity, remarks
FROM scm_customer_stock{:lock}
WHERE customer_code = ? AND inventory_code = ?{:for_update}

-- name: insert
INSERT INTO scm_customer_stock (customer_code, inventory_code, quantity, remarks, updated_by, updated_at)
VALUES (?, ?, ?, ?, ?, ?)

-- name: update
UPDATE scm_customer_stock SET quantity = ?, remarks = ?, updated_by = ?, updated_at = ?
WHERE id = ?

-- name: history_insert
INSERT INTO scm_customer_stock_history (customer_code, inventory_code, old_quantity, new_quantity, remarks,
                                        changed_by, changed_at)
VALUES (?, ?, ?, ?, ?, ?, ?)

-- name: history_of_item
SELECT h.id, h.old_quantity, h.new_quantity, h.remarks, h.changed_at, h.changed_by,
       u.username AS changed_by_name, u.display_name AS changed_by_display
FROM scm_customer_stock_history h
LEFT JOIN scm_user u ON u.id = h.changed_by
WHERE h.customer_code = ? AND h.inventory_code = ?
ORDER BY h.changed_at DESC, h.id DESC

-- name: figures_since
-- The figures of every item of a customer recorded from a time on (oldest first).
SELECT h.inventory_code, h.new_quantity AS quantity, h.changed_at
FROM scm_customer_stock_history h
WHERE h.customer_code = ? AND h.changed_at >= ?
ORDER BY h.inventory_code, h.changed_at, h.id

-- name: figures_before
-- Per item of a customer, the last figure recorded before a time (the figure in force
-- then); ties on the time are settled by the caller (highest id).
SELECT h.id, h.inventory_code, h.new_quantity AS quantity, h.changed_at
FROM scm_customer_stock_history h
JOIN (SELECT inventory_code, MAX(changed_at) AS last_at
      FROM scm_customer_stock_history
      WHERE customer_code = ? AND changed_at < ?
      GROUP BY inventory_code) m
  ON m.inventory_code = h.inventory_code AND m.last_at = h.changed_at
WHERE h.customer_code = ?
