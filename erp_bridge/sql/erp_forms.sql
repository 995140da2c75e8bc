-- The ERP's review forms (repos/erp_forms.py), one query per kind: 合同评审单
-- (contract_review) for sales orders, 样品制作评审单 (sample_review) for sample orders.
-- The rows themselves are inserted by dynamic.insert_mapped: their columns are what the
-- mapping has.

-- name: lock_counter
-- Taken first by every approval of one form kind: they run one after another from here.
UPDATE scm_form_counter SET updated_at = ? WHERE entity = ?

-- name: add_counter
INSERT INTO scm_form_counter (entity, prefix, last_value) VALUES (?, '', 0)

-- name: counter
SELECT prefix, last_value FROM scm_form_counter WHERE entity = ?

-- name: set_counter
UPDATE scm_form_counter SET prefix = ?, last_value = ?, updated_at = ? WHERE entity = ?

-- name: sales_set_form_no
UPDATE {contract_review} SET {contract_review.form_no} = ? WHERE {contract_review.id} = ?

-- name: sales_by_source
-- The form made from a web order, if any (the second exactly-once guard).
SELECT {contract_review.id} AS id, {contract_review.form_no} AS form_no, {contract_review.status} AS status,
       {contract_review.contract_no} AS contract_no
FROM {contract_review}
WHERE {contract_review.source_order_no} = ?

-- name: sales_by_id
SELECT {contract_review.id} AS id, {contract_review.form_no} AS form_no, {contract_review.status} AS status,
       {contract_review.contract_no} AS contract_no, {contract_review.customer_code} AS customer_code,
       {contract_review.delivery_date} AS delivery_date, {contract_review.source_order_no} AS source_order_no
FROM {contract_review}
WHERE {contract_review.id} = ?

-- name: sales_lines
SELECT {contract_review_line.row_no} AS row_no, {contract_review_line.inventory_code} AS inventory_code,
       {contract_review_line.customer_part_no} AS customer_part_no, {contract_review_line.item_name} AS item_name,
       {contract_review_line.master_disc_no} AS master_disc_no, {contract_review_line.quantity} AS quantity,
       {contract_review_line.unit} AS unit, {contract_review_line.remarks} AS remarks
FROM {contract_review_line}
WHERE {contract_review_line.header_id} = ?
ORDER BY {contract_review_line.row_no}

-- name: sales_sync_contract_nos
-- Contract numbers the ERP's flow has assigned, copied into the plugin's orders in one
-- set-based statement (orders are searchable by contract no).
UPDATE scm_order SET contract_no = (SELECT {contract_review.contract_no:f} FROM {contract_review} f
                                    WHERE {contract_review.id:f} = scm_order.erp_form_id)
WHERE kind = ? AND status = 'approved' AND contract_no IS NULL AND erp_form_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM {contract_review} f2 WHERE {contract_review.id:f2} = scm_order.erp_form_id
              AND {contract_review.contract_no:f2} IS NOT NULL)

-- name: sample_set_form_no
UPDATE {sample_review} SET {sample_review.form_no} = ? WHERE {sample_review.id} = ?

-- name: sample_by_source
-- The form made from a web order, if any (the second exactly-once guard).
SELECT {sample_review.id} AS id, {sample_review.form_no} AS form_no, {sample_review.status} AS status,
       {sample_review.contract_no} AS contract_no
FROM {sample_review}
WHERE {sample_review.source_order_no} = ?

-- name: sample_by_id
SELECT {sample_review.id} AS id, {sample_review.form_no} AS form_no, {sample_review.status} AS status,
       {sample_review.contract_no} AS contract_no, {sample_review.customer_code} AS customer_code,
       {sample_review.delivery_date} AS delivery_date, {sample_review.source_order_no} AS source_order_no
FROM {sample_review}
WHERE {sample_review.id} = ?

-- name: sample_lines
SELECT {sample_review_line.row_no} AS row_no, {sample_review_line.inventory_code} AS inventory_code,
       {sample_review_line.customer_part_no} AS customer_part_no, {sample_review_line.item_name} AS item_name,
       {sample_review_line.master_disc_no} AS master_disc_no, {sample_review_line.quantity} AS quantity,
       {sample_review_line.unit} AS unit, {sample_review_line.remarks} AS remarks
FROM {sample_review_line}
WHERE {sample_review_line.header_id} = ?
ORDER BY {sample_review_line.row_no}

-- name: sample_sync_contract_nos
-- Contract numbers the ERP's flow has assigned, copied into the plugin's orders in one
-- set-based statement (orders are searchable by contract no).
UPDATE scm_order SET contract_no = (SELECT {sample_review.contract_no:f} FROM {sample_review} f
                                    WHERE {sample_review.id:f} = scm_order.erp_form_id)
WHERE kind = ? AND status = 'approved' AND contract_no IS NULL AND erp_form_id IS NOT NULL
  AND EXISTS (SELECT 1 FROM {sample_review} f2 WHERE {sample_review.id:f2} = scm_order.erp_form_id
              AND {sample_review.contract_no:f2} IS NOT NULL)
