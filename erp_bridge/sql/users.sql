-- The plugin's users, customer grants and API tokens.

-- name: by_username
SELECT id, username, display_name, role, customer_code, password_hash, email, mobile, locale,
       erp_name, active, failed_logins, locked_until, last_login_at, created_at
FROM scm_user
WHERE username = ?

-- name: by_id
SELECT id, username, display_name, role, customer_code, password_hash, email, mobile, locale,
       erp_name, active, failed_logins, locked_until, last_login_at, created_at
FROM scm_user
WHERE id = ?

-- name: all_users
SELECT id, username, display_name, role, customer_code, email, mobile, erp_name, active, locked_until,
       last_login_at, created_at
FROM scm_user
ORDER BY role, username

-- name: insert
INSERT INTO scm_user (username, display_name, role, customer_code, password_hash, email, mobile,
                      locale, erp_name, active, failed_logins, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0, ?)

-- name: update_profile
UPDATE scm_user SET display_name = ?, role = ?, customer_code = ?, email = ?, mobile = ?, erp_name = ?,
                    active = ?
WHERE id = ?

-- name: set_password
UPDATE scm_user SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?

-- name: set_locale
UPDATE scm_user SET locale = ? WHERE id = ?

-- name: login_failed
UPDATE scm_user SET failed_logins = failed_logins + 1, locked_until = ? WHERE id = ?

-- name: login_succeeded
UPDATE scm_user SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE id = ?

-- name: grants_of_user
SELECT g.id, g.customer_code, g.valid_until, g.granted_by, g.created_at, {customer.name:c} AS customer_name
FROM scm_grant g
LEFT JOIN {customer} c ON {customer.code:c} = g.customer_code
WHERE g.user_id = ?
ORDER BY g.customer_code

-- name: all_grants
SELECT g.id, g.user_id, u.username, u.display_name, g.customer_code, g.valid_until, g.granted_by,
       g.created_at, {customer.name:c} AS customer_name
FROM scm_grant g
JOIN scm_user u ON u.id = g.user_id
LEFT JOIN {customer} c ON {customer.code:c} = g.customer_code
ORDER BY u.username, g.customer_code

-- name: grant_find
SELECT id, valid_until FROM scm_grant WHERE user_id = ? AND customer_code = ?

-- name: grant_insert
INSERT INTO scm_grant (user_id, customer_code, valid_until, granted_by, created_at) VALUES (?, ?, ?, ?, ?)

-- name: grant_update
UPDATE scm_grant SET valid_until = ?, granted_by = ? WHERE id = ?

-- name: grant_delete
DELETE FROM scm_grant WHERE user_id = ? AND customer_code = ?

-- name: reps_of_customer
SELECT DISTINCT u.id, u.username, u.display_name, u.email, u.mobile, u.locale
FROM scm_user u
JOIN scm_grant g ON g.user_id = u.id
WHERE u.active = 1 AND u.role IN ('rep', 'admin')
  AND (g.customer_code = ? OR g.customer_code = '*')
  AND (g.valid_until IS NULL OR g.valid_until >= ?)
ORDER BY u.username

-- name: token_insert
INSERT INTO scm_api_token (user_id, token_hash, name, created_at) VALUES (?, ?, ?, ?)

-- name: token_user
SELECT t.id AS token_id, u.id
FROM scm_api_token t
JOIN scm_user u ON u.id = t.user_id
WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.active = 1

-- name: token_touch
UPDATE scm_api_token SET last_used_at = ? WHERE id = ?

-- name: audit_insert
INSERT INTO scm_audit (at, actor, action, object_type, object_id, customer_code, ip, detail)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)

-- name: audit_of_object
SELECT id, at, actor, action, object_type, object_id, customer_code, ip, detail
FROM scm_audit
WHERE object_type = ? AND object_id = ?
ORDER BY at, id
