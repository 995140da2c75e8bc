-- Web orders (sales and sample in one table, by kind), their lines and attachments.

-- name: insert
INSERT INTO scm_order (order_no, kind, customer_code, status, customer_order_no, requested_date, remarks,
                       placed_by, placed_at, copied_from)
VALUES (?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)

-- name: set_number
UPDATE scm_order SET order_no = ? WHERE id = ?

-- name: insert_line
INSERT INTO scm_order_line (order_id, line_no, inventory_code, customer_part_no, item_name, master_disc_no,
                            quantity, unit, remarks)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: header_by_no
SELECT o.id, o.order_no, o.kind, o.customer_code, {customer.name:c} AS customer_name, o.status,
       o.customer_order_no, o.requested_date, o.remarks, o.placed_by, pu.username AS placed_by_name,
       o.placed_at, o.reviewed_by, ru.username AS reviewed_by_name, o.reviewed_at, o.reject_reason,
       o.erp_form_id, o.erp_form_no, o.contract_no, o.copied_from
FROM scm_order o
LEFT JOIN {customer} c ON {customer.code:c} = o.customer_code
LEFT JOIN scm_user pu ON pu.id = o.placed_by
LEFT JOIN scm_user ru ON ru.id = o.reviewed_by
WHERE o.order_no = ?

-- name: lines
SELECT id, line_no, inventory_code, customer_part_no, item_name, master_disc_no, quantity, unit, remarks
FROM scm_order_line
WHERE order_id = ?
ORDER BY line_no

-- name: attachments
SELECT id, original_name, content_type, size_bytes, sha256, uploaded_by, uploaded_at, storage_name
FROM scm_attachment
WHERE owner_type = ? AND owner_id = ?
ORDER BY id

-- name: idempotency_find
SELECT i.order_id, i.request_hash, o.order_no
FROM scm_idempotency i
JOIN scm_order o ON o.id = i.order_id
WHERE i.user_id = ? AND i.idem_key = ?

-- name: idempotency_insert
INSERT INTO scm_idempotency (user_id, idem_key, order_id, created_at, request_hash) VALUES (?, ?, ?, ?, ?)

-- name: customer_notify
SELECT notify_reps FROM scm_customer_pref WHERE customer_code = ?

-- name: lock_by_no
SELECT id, order_no, kind, customer_code, status, customer_order_no, requested_date, remarks,
       erp_form_id, erp_form_no, contract_no, reject_reason
FROM scm_order{:lock}
WHERE order_no = ?{:for_update}

-- name: mark_approved
UPDATE scm_order SET status = 'approved', reviewed_by = ?, reviewed_at = ?, erp_form_id = ?, erp_form_no = ?
WHERE id = ? AND status = 'pending'

-- name: mark_rejected
UPDATE scm_order SET status = 'rejected', reviewed_by = ?, reviewed_at = ?, reject_reason = ?
WHERE id = ? AND status = 'pending'

-- name: set_contract_no
UPDATE scm_order SET contract_no = ? WHERE id = ? AND contract_no IS NULL

-- name: seen_get
SELECT seen_at FROM scm_user_seen WHERE user_id = ? AND view_name = ?

-- name: seen_update
UPDATE scm_user_seen SET seen_at = ? WHERE user_id = ? AND view_name = ?

-- name: seen_insert
INSERT INTO scm_user_seen (user_id, view_name, seen_at) VALUES (?, ?, ?)

-- name: customer_users
SELECT id, username, display_name, email, locale
FROM scm_user
WHERE role = 'customer' AND customer_code = ? AND active = 1
ORDER BY username

-- name: customer_pref_update
UPDATE scm_customer_pref SET notify_reps = ?, updated_by = ?, updated_at = ? WHERE customer_code = ?

-- name: customer_pref_insert
INSERT INTO scm_customer_pref (customer_code, notify_reps, updated_by, updated_at) VALUES (?, ?, ?, ?)
