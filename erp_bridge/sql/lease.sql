-- Leases of scheduled jobs (repos/lease.py): one holder at a time, across workers and hosts.

-- name: take
-- Ours already, free, or expired: then it is ours until expires_at.
UPDATE scm_lease SET holder = ?, expires_at = ?
WHERE name = ? AND (holder = ? OR expires_at IS NULL OR expires_at < ?)

-- name: count
SELECT COUNT(*) AS n FROM scm_lease WHERE name = ?

-- name: insert
INSERT INTO scm_lease (name, holder, expires_at) VALUES (?, ?, ?)

-- name: release
UPDATE scm_lease SET expires_at = NULL, holder = NULL WHERE name = ? AND holder = ?

-- name: by_name
SELECT name, holder, expires_at FROM scm_lease WHERE name = ?
