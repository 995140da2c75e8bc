-- Attachment metadata; the files themselves live in the storage folder.

-- name: insert
INSERT INTO scm_attachment (owner_type, owner_id, customer_code, storage_name, original_name, content_type,
                            size_bytes, sha256, uploaded_by, uploaded_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: by_id
SELECT id, owner_type, owner_id, customer_code, storage_name, original_name, content_type, size_bytes,
       sha256, uploaded_by, uploaded_at
FROM scm_attachment
WHERE id = ?

-- name: adopt_draft
UPDATE scm_attachment SET owner_type = ?, owner_id = ?, customer_code = ?
WHERE id = ? AND owner_type = 'draft' AND uploaded_by = ?

-- name: drafts_of_user
SELECT id, original_name, content_type, size_bytes, uploaded_at
FROM scm_attachment
WHERE owner_type = 'draft' AND uploaded_by = ?
ORDER BY id

-- name: stale_drafts
SELECT id, storage_name
FROM scm_attachment
WHERE owner_type = 'draft' AND uploaded_at < ?
ORDER BY id

-- name: delete_draft
DELETE FROM scm_attachment WHERE id = ? AND owner_type = 'draft'
