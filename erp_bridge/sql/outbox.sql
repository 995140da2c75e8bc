-- The mail/SMS outbox: rows written with the business change, sent by the relay.

-- name: insert
INSERT INTO scm_outbox (channel, recipient, subject, body, payload, status, attempts, next_attempt_at,
                        created_at, ref_type, ref_id, customer_code)
VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?, ?)

-- name: due_ids
SELECT id FROM scm_outbox{:lock_skip_locked}
WHERE (status = 'pending' AND next_attempt_at <= ?)
   OR (status = 'sending' AND claimed_at < ?)
ORDER BY id

-- name: by_id
SELECT id, channel, recipient, subject, body, payload, status, attempts, next_attempt_at, claimed_at,
       claimed_by, last_error, created_at, sent_at, ref_type, ref_id, customer_code
FROM scm_outbox
WHERE id = ?

-- name: claim
UPDATE scm_outbox SET status = 'sending', claimed_at = ?, claimed_by = ?, attempts = attempts + 1
WHERE id = ? AND (status = 'pending' OR (status = 'sending' AND claimed_at < ?))

-- name: mark_sent
UPDATE scm_outbox SET status = 'sent', sent_at = ?, last_error = NULL
WHERE id = ? AND status = 'sending' AND claimed_by = ?

-- name: mark_retry
UPDATE scm_outbox SET status = 'pending', next_attempt_at = ?, last_error = ?
WHERE id = ? AND status = 'sending' AND claimed_by = ?

-- name: mark_failed
UPDATE scm_outbox SET status = 'failed', last_error = ?
WHERE id = ? AND status = 'sending' AND claimed_by = ?

-- name: retry_failed
UPDATE scm_outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, last_error = NULL
WHERE id = ? AND status = 'failed'

-- name: of_ref
SELECT id, channel, recipient, subject, status, attempts, last_error, created_at, sent_at
FROM scm_outbox
WHERE ref_type = ? AND ref_id = ?
ORDER BY id
