-- A user's customer grants as the scope reads them (repos/scope.py). The scope's filter
-- inside other queries is built by dynamic.scope_condition.

-- name: allows
SELECT COUNT(*) AS n FROM scm_grant
WHERE user_id = ? AND customer_code IN (?, '*') AND (valid_until IS NULL OR valid_until >= ?)

-- name: holds_all
SELECT COUNT(*) AS n FROM scm_grant
WHERE user_id = ? AND customer_code = '*' AND (valid_until IS NULL OR valid_until >= ?)
