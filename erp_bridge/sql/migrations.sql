-- The record of applied migrations (migrations/__init__.py).

-- name: current_version
SELECT COALESCE(MAX(version), 0) AS v FROM scm_schema_version

-- name: applied_versions
SELECT version FROM scm_schema_version

-- name: record_version
INSERT INTO scm_schema_version (version, description, applied_at) VALUES (?, ?, ?)

