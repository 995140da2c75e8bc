-- Alert policies (functions 3 and 4): policies, checkpoints, alarms, templates, and the
-- set-based evaluation against the ERP's production-progress records (订单打更记录).
--
-- The met rule: a checkpoint "by T, step P, quantity Q" is met when, for P or some later
-- step of the route, the quantity reported at that one step with a report time at or
-- before T adds up to Q. Quantities of different steps are not added to each other (one
-- master disc, four stampers and 30000 replicated discs are not 30005 of anything).
-- Report times are the ERP's local times; c.due_at_erp is T in that same zone, computed
-- once when the checkpoint is saved. The evaluation itself is built in dynamic.py
-- (``evaluate_checkpoints``): how progress names an order depends on the mapping's
-- ``[progress] order_ref_is`` (the form number, or the contract number the ERP's form
-- holds at evaluation time). It takes a range of checkpoint ids (the checker walks the
-- ids of ``due_ids`` in bounded chunks, so no statement grows with a backlog), a range of
-- policy ids (all, or the one being edited) and the evaluation time twice (due, or in
-- its warning window). A checkpoint not yet due is judged on what has been reported so
-- far (reports stamped later than the evaluation time exist only in a what-if run with
-- ``run-alerts --at`` in the past; they count towards T as the met rule says).
--
-- The queries of one order's progress take the number its records are filed under
-- (``dynamic.progress_ref_of_order``) as a parameter. Progress records need no key of
-- their own: the latest are listed by report time and their other columns.

-- name: due_ids
SELECT id FROM scm_checkpoint
WHERE state = 'pending' AND retired_at IS NULL AND (due_at <= ? OR warn_from <= ?)
ORDER BY id

-- name: due_ids_of_policy
SELECT id FROM scm_checkpoint
WHERE policy_id = ? AND state = 'pending' AND retired_at IS NULL AND (due_at <= ? OR warn_from <= ?)
ORDER BY id

-- name: order_of_policy
SELECT o.id AS order_id, o.order_no, o.kind, o.customer_code, o.erp_form_no, o.contract_no
FROM scm_alert_policy p
JOIN scm_order o ON o.id = p.order_id
WHERE p.id = ?

-- name: reached_of_policy
SELECT s.checkpoint_id, MAX(s.qty) AS reached
FROM (
    SELECT c.id AS checkpoint_id, {progress.process_code:pr} AS step_code,
           SUM({progress.quantity:pr}) AS qty
    FROM scm_checkpoint c
    JOIN {process_step} cs ON {process_step.code:cs} = c.process_code
    JOIN {progress} pr ON {progress.order_ref:pr} = ?
    JOIN {process_step} ps ON {process_step.code:ps} = {progress.process_code:pr}
    WHERE c.policy_id = ? AND c.retired_at IS NULL
      AND {process_step.seq:ps} >= {process_step.seq:cs}
      AND {progress.reported_at:pr} <= c.due_at_erp
    GROUP BY c.id, {progress.process_code:pr}
) s
GROUP BY s.checkpoint_id

-- name: progress_summary
SELECT {progress.process_code:pr} AS process_code, SUM({progress.quantity:pr}) AS quantity,
       COUNT(*) AS reports, MIN({progress.reported_at:pr}) AS first_at,
       MAX({progress.reported_at:pr}) AS last_at
FROM {progress} pr
WHERE {progress.order_ref:pr} = ?
GROUP BY {progress.process_code:pr}

-- name: progress_records
SELECT {progress.id:pr} AS id, {progress.process_code:pr} AS process_code,
       {progress.quantity:pr} AS quantity, {progress.reported_at:pr} AS reported_at,
       {progress.reporter:pr} AS reporter
FROM {progress} pr
WHERE {progress.order_ref:pr} = ?
ORDER BY {progress.reported_at:pr} DESC, {progress.process_code:pr}, {progress.quantity:pr} DESC

-- name: mark_missed
UPDATE scm_checkpoint SET state = 'missed', evaluated_at = ?
WHERE id = ? AND state = 'pending' AND retired_at IS NULL

-- name: checkpoint_is_pending
SELECT COUNT(*) AS n FROM scm_checkpoint WHERE id = ? AND state = 'pending' AND retired_at IS NULL

-- name: policy_by_order
SELECT id, order_id, sms_to, template_id, updated_by, updated_at
FROM scm_alert_policy
WHERE order_id = ?

-- name: lock_policy
SELECT id, order_id, sms_to
FROM scm_alert_policy{:lock}
WHERE id = ?{:for_update}

-- name: insert_policy
INSERT INTO scm_alert_policy (order_id, sms_to, template_id, updated_by, updated_at)
VALUES (?, ?, ?, ?, ?)

-- name: update_policy
UPDATE scm_alert_policy SET sms_to = ?, template_id = ?, updated_by = ?, updated_at = ?
WHERE id = ?

-- name: checkpoints_of_policy
SELECT id, policy_id, seq, due_at, due_at_erp, window_start, warn_from, process_code, quantity,
       state, evaluated_at
FROM scm_checkpoint
WHERE policy_id = ? AND retired_at IS NULL
ORDER BY seq, id

-- name: insert_checkpoint
INSERT INTO scm_checkpoint (policy_id, seq, due_at, due_at_erp, window_start, warn_from, process_code,
                            quantity, state)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')

-- name: update_checkpoint_plan
UPDATE scm_checkpoint SET seq = ?, window_start = ?, warn_from = ?
WHERE id = ?

-- name: checkpoint_alarm_count
SELECT COUNT(*) AS n FROM scm_alarm WHERE checkpoint_id = ?

-- name: delete_checkpoint
DELETE FROM scm_checkpoint WHERE id = ?

-- name: retire_checkpoint
UPDATE scm_checkpoint SET retired_at = ? WHERE id = ?

-- name: open_alarm_count
SELECT COUNT(*) AS n FROM scm_alarm WHERE order_id = ? AND status = 'open' AND level = 'alarm'

-- name: insert_alarm
INSERT INTO scm_alarm (checkpoint_id, order_id, customer_code, level, status, raised_at, detail, reached_qty)
VALUES (?, ?, ?, ?, 'open', ?, ?, ?)

-- name: warning_count
SELECT COUNT(*) AS n FROM scm_alarm WHERE checkpoint_id = ? AND level = 'warning'

-- name: set_alarm_sms
UPDATE scm_alarm SET sms_batch_id = ? WHERE id = ?

-- name: alarm_by_id
SELECT a.id, a.checkpoint_id, a.order_id, a.customer_code, a.level, a.status, a.raised_at, a.detail,
       a.reached_qty, a.sms_batch_id, a.cancelled_by, a.cancelled_at, a.cancel_note,
       o.order_no, o.kind, o.contract_no, o.erp_form_no,
       c.due_at, c.process_code, c.quantity, c.retired_at
FROM scm_alarm a
JOIN scm_order o ON o.id = a.order_id
LEFT JOIN scm_checkpoint c ON c.id = a.checkpoint_id
WHERE a.id = ?

-- name: lock_alarm
SELECT id, order_id, customer_code, level, status, checkpoint_id
FROM scm_alarm{:lock}
WHERE id = ?{:for_update}

-- name: cancel_alarm
UPDATE scm_alarm SET status = 'cancelled', cancelled_by = ?, cancelled_at = ?, cancel_note = ?
WHERE id = ? AND status = 'open'

-- name: alarms_of_order
SELECT a.id, a.checkpoint_id, a.level, a.status, a.raised_at, a.detail, a.reached_qty, a.sms_batch_id,
       a.cancelled_at, a.cancel_note, u.username AS cancelled_by_name,
       c.due_at, c.process_code, c.quantity, c.retired_at
FROM scm_alarm a
LEFT JOIN scm_checkpoint c ON c.id = a.checkpoint_id
LEFT JOIN scm_user u ON u.id = a.cancelled_by
WHERE a.order_id = ?
ORDER BY a.raised_at DESC, a.id DESC

-- name: first_line
SELECT item_name, inventory_code, quantity
FROM scm_order_line
WHERE order_id = ?
ORDER BY line_no

-- name: order_lines_with_family
SELECT l.line_no, l.inventory_code, l.item_name, l.quantity, {item.family:i} AS family
FROM scm_order_line l
LEFT JOIN {item} i ON {item.code:i} = l.inventory_code
WHERE l.order_id = ?
ORDER BY l.line_no

-- name: item_families
SELECT DISTINCT {item.family:i} AS family
FROM {item} i
WHERE {item.family:i} IS NOT NULL
ORDER BY {item.family:i}

-- name: templates_all
SELECT id, family, name, spec, updated_by, updated_at
FROM scm_checkpoint_template
ORDER BY family, name, id

-- name: template_by_id
SELECT id, family, name, spec, updated_by, updated_at
FROM scm_checkpoint_template
WHERE id = ?

-- name: insert_template
INSERT INTO scm_checkpoint_template (family, name, spec, updated_by, updated_at)
VALUES (?, ?, ?, ?, ?)

-- name: update_template
UPDATE scm_checkpoint_template SET family = ?, name = ?, spec = ?, updated_by = ?, updated_at = ?
WHERE id = ?

-- name: delete_template
DELETE FROM scm_checkpoint_template WHERE id = ?
