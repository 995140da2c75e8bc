-- Documents for customers (function 8): a subject and one file shared with one or more
-- customers, an optional expiry, and per customer whether and when it was downloaded.
-- Withdrawn documents keep their rows (audit) but no query here returns them.

-- name: insert
INSERT INTO scm_document (subject, attachment_id, uploaded_by, created_at, expires_at)
VALUES (?, NULL, ?, ?, ?)

-- name: set_attachment
UPDATE scm_document SET attachment_id = ? WHERE id = ?

-- name: insert_target
INSERT INTO scm_document_target (document_id, customer_code, download_count) VALUES (?, ?, 0)

-- name: by_id
SELECT d.id, d.subject, d.attachment_id, d.uploaded_by, u.display_name AS uploaded_by_name, d.created_at,
       d.expires_at, a.storage_name, a.original_name, a.content_type, a.size_bytes, a.sha256
FROM scm_document d
JOIN scm_attachment a ON a.id = d.attachment_id AND a.owner_type = 'document' AND a.owner_id = d.id
LEFT JOIN scm_user u ON u.id = d.uploaded_by
WHERE d.id = ? AND d.deleted_at IS NULL

-- name: lock_by_id
SELECT id, subject, expires_at
FROM scm_document{:lock}
WHERE id = ? AND deleted_at IS NULL{:for_update}

-- name: target
SELECT t.id, t.document_id, t.customer_code, t.first_download_at, t.last_download_at, t.download_count
FROM scm_document_target t
WHERE t.document_id = ? AND t.customer_code = ?

-- name: record_download
UPDATE scm_document_target
SET download_count = download_count + 1,
    first_download_at = COALESCE(first_download_at, ?),
    first_download_by = COALESCE(first_download_by, ?),
    last_download_at = ?
WHERE document_id = ? AND customer_code = ?

-- name: withdraw
UPDATE scm_document SET deleted_at = ?, deleted_by = ?
WHERE id = ? AND deleted_at IS NULL

-- name: customer_count
-- The documents shared with a customer that have not expired.
SELECT COUNT(*) AS n
FROM scm_document d
JOIN scm_document_target t ON t.document_id = d.id
WHERE d.deleted_at IS NULL AND t.customer_code = ? AND (d.expires_at IS NULL OR d.expires_at > ?)

-- name: customer_page
SELECT d.id, d.subject, d.attachment_id, d.uploaded_by, u.display_name AS uploaded_by_name, d.created_at,
       d.expires_at, a.original_name, a.content_type, a.size_bytes, t.customer_code, t.first_download_at,
       t.last_download_at, t.download_count
FROM scm_document d
JOIN scm_attachment a ON a.id = d.attachment_id AND a.owner_type = 'document' AND a.owner_id = d.id
LEFT JOIN scm_user u ON u.id = d.uploaded_by
JOIN scm_document_target t ON t.document_id = d.id
WHERE d.deleted_at IS NULL AND t.customer_code = ? AND (d.expires_at IS NULL OR d.expires_at > ?)
ORDER BY d.created_at DESC, d.id DESC
