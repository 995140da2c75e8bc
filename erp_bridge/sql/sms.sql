-- SMS: batches and their messages (function 9 and the alert job), delivery reports, and
-- the ERP's customer contacts they are sent to.

-- name: insert_batch
INSERT INTO scm_sms_batch (text, signature, created_by, created_at, source, customer_code, ref_type, ref_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)

-- name: insert_message
INSERT INTO scm_sms_message (batch_id, input, number, kind, customer_code, contact_ref, contact_name,
                             status, error, dlr_secret)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: set_outbox
UPDATE scm_sms_message SET outbox_id = ? WHERE id = ?

-- name: message_by_id
SELECT id, batch_id, input, number, kind, customer_code, contact_ref, contact_name, status, error,
       gateway_ref, dlr_secret, outbox_id, sent_at, delivered_at
FROM scm_sms_message
WHERE id = ?

-- The gateway took it. A delivery report may have come first: never step back from it.
-- name: mark_sent
UPDATE scm_sms_message SET status = 'sent', sent_at = ?, error = NULL
WHERE id = ? AND status IN ('queued', 'failed')

-- name: set_gateway_ref
UPDATE scm_sms_message SET gateway_ref = ?
WHERE id = ?

-- Why it is still queued (the gateway is down, retrying).
-- name: note_error
UPDATE scm_sms_message SET error = ?
WHERE id = ? AND status = 'queued'

-- Only a message still waiting: one the gateway took (sent, delivered) keeps that state.
-- name: mark_failed
UPDATE scm_sms_message SET status = 'failed', error = ?
WHERE id = ? AND status = 'queued'

-- Delivery reports: accepted by the carrier, delivered to the phone, or failed.
-- name: report_accepted
UPDATE scm_sms_message SET status = 'sent', sent_at = ?
WHERE id = ? AND status = 'queued'

-- name: report_delivered
UPDATE scm_sms_message SET status = 'delivered', delivered_at = ?, error = NULL
WHERE id = ? AND status IN ('queued', 'sent', 'failed')

-- name: report_failed
UPDATE scm_sms_message SET status = 'failed', error = ?
WHERE id = ? AND status IN ('queued', 'sent')

-- name: batch_by_id
SELECT b.id, b.text, b.signature, b.created_by, b.created_at, b.source, b.customer_code, b.ref_type,
       b.ref_id, u.display_name AS created_by_name
FROM scm_sms_batch b
LEFT JOIN scm_user u ON u.id = b.created_by
WHERE b.id = ?

-- name: messages_of_batch
SELECT m.id, m.input, m.number, m.kind, m.customer_code, m.contact_ref, m.contact_name, m.status,
       m.error, m.gateway_ref, m.sent_at, m.delivered_at, o.status AS outbox_status,
       o.attempts AS attempts, o.next_attempt_at AS next_attempt_at, o.last_error AS outbox_error
FROM scm_sms_message m
LEFT JOIN scm_outbox o ON o.id = m.outbox_id
WHERE m.batch_id = ?
ORDER BY m.id

-- The id is compared as the ERP keeps it: a whole number, or the customer's code for
-- contacts kept on the customer card (repos.sms.contact_key).
-- name: contact_by_id
SELECT {customer_contact.id} AS id, {customer_contact.customer_code} AS customer_code,
       {customer_contact.name} AS name, {customer_contact.mobile} AS mobile,
       {customer_contact.phone} AS phone
FROM {customer_contact}
WHERE {customer_contact.id} = ?
