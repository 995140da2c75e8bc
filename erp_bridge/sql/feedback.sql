-- Customer feedback (function 7): complaints and suggestions, the replies, their files.
-- Deleted feedback keeps its rows (audit) but no query here returns it.

-- name: insert
INSERT INTO scm_feedback (customer_code, fb_type, subject, body, status, created_by, created_at)
VALUES (?, ?, ?, ?, 'new', ?, ?)

-- name: by_id
SELECT f.id, f.customer_code, {customer.name:c} AS customer_name, f.fb_type, f.subject, f.body, f.status,
       f.created_by, cu.display_name AS created_by_name, f.created_at, f.last_reply_at,
       f.closed_at, f.closed_by, xu.display_name AS closed_by_name
FROM scm_feedback f
LEFT JOIN {customer} c ON {customer.code:c} = f.customer_code
LEFT JOIN scm_user cu ON cu.id = f.created_by
LEFT JOIN scm_user xu ON xu.id = f.closed_by
WHERE f.id = ? AND f.deleted_at IS NULL

-- name: lock_by_id
SELECT id, customer_code, fb_type, subject, status, created_by, last_reply_at
FROM scm_feedback{:lock}
WHERE id = ? AND deleted_at IS NULL{:for_update}

-- name: insert_reply
INSERT INTO scm_feedback_reply (feedback_id, body, author_id, created_at, is_internal)
VALUES (?, ?, ?, ?, ?)

-- name: replies
-- max_internal: 0 = what the customer sees, 1 = internal notes too
SELECT r.id, r.feedback_id, r.body, r.author_id, u.display_name AS author_name, u.role AS author_role,
       r.created_at, r.is_internal
FROM scm_feedback_reply r
LEFT JOIN scm_user u ON u.id = r.author_id
WHERE r.feedback_id = ? AND r.is_internal <= ?
ORDER BY r.created_at, r.id

-- name: reply_by_id
SELECT id, feedback_id, body, author_id, created_at, is_internal
FROM scm_feedback_reply
WHERE id = ?

-- name: mark_replied
UPDATE scm_feedback
SET status = CASE WHEN status = 'new' THEN 'replied' ELSE status END, last_reply_at = ?
WHERE id = ? AND deleted_at IS NULL

-- name: close
UPDATE scm_feedback SET status = 'closed', closed_at = ?, closed_by = ?
WHERE id = ? AND status <> 'closed' AND deleted_at IS NULL

-- name: reopen
UPDATE scm_feedback
SET status = CASE WHEN last_reply_at IS NULL THEN 'new' ELSE 'replied' END, closed_at = NULL, closed_by = NULL
WHERE id = ? AND status = 'closed' AND deleted_at IS NULL

-- name: delete
UPDATE scm_feedback SET deleted_at = ?, deleted_by = ?
WHERE id = ? AND deleted_at IS NULL

-- name: attachments
-- The files of a feedback and of its replies (internal notes' files only when max_internal = 1).
SELECT a.id, a.owner_type, a.owner_id, a.customer_code, a.storage_name, a.original_name, a.content_type,
       a.size_bytes, a.sha256, a.uploaded_by, a.uploaded_at
FROM scm_attachment a
WHERE (a.owner_type = 'feedback' AND a.owner_id = ?)
   OR (a.owner_type = 'reply' AND a.owner_id IN (
           SELECT r.id FROM scm_feedback_reply r WHERE r.feedback_id = ? AND r.is_internal <= ?))
ORDER BY a.id

-- name: attachment
-- One file, only if it belongs to this feedback or one of its (visible) replies.
SELECT a.id, a.owner_type, a.owner_id, a.customer_code, a.storage_name, a.original_name, a.content_type,
       a.size_bytes, a.sha256, a.uploaded_by, a.uploaded_at
FROM scm_attachment a
WHERE a.id = ?
  AND ((a.owner_type = 'feedback' AND a.owner_id = ?)
    OR (a.owner_type = 'reply' AND a.owner_id IN (
           SELECT r.id FROM scm_feedback_reply r WHERE r.feedback_id = ? AND r.is_internal <= ?)))
