-- Demo only: what the customer's ERP would do on its own side. Not part of the plugin.

-- name: forms_awaiting_contract
SELECT {contract_review.id} AS id, {contract_review.form_no} AS form_no, {contract_review.form_date} AS form_date
FROM {contract_review}
WHERE {contract_review.status} = ? AND {contract_review.contract_no} IS NULL

-- name: sample_forms_awaiting_contract
SELECT {sample_review.id} AS id, {sample_review.form_no} AS form_no, {sample_review.form_date} AS form_date
FROM {sample_review}
WHERE {sample_review.status} = ? AND {sample_review.contract_no} IS NULL

-- name: assign_contract
UPDATE {contract_review} SET {contract_review.contract_no} = ?, {contract_review.status} = ?
WHERE {contract_review.id} = ? AND {contract_review.contract_no} IS NULL

-- name: assign_sample_contract
UPDATE {sample_review} SET {sample_review.contract_no} = ?, {sample_review.status} = ?
WHERE {sample_review.id} = ? AND {sample_review.contract_no} IS NULL

-- name: running_forms
SELECT {contract_review.form_no:f} AS form_no, {contract_review.contract_no:f} AS contract_no,
       {contract_review.form_date:f} AS form_date,
       (SELECT SUM({contract_review_line.quantity:l}) FROM {contract_review_line} l
         WHERE {contract_review_line.header_id:l} = {contract_review.id:f}) AS quantity
FROM {contract_review} f
WHERE {contract_review.contract_no:f} IS NOT NULL
UNION ALL
SELECT {sample_review.form_no:s} AS form_no, {sample_review.contract_no:s} AS contract_no,
       {sample_review.form_date:s} AS form_date,
       (SELECT SUM({sample_review_line.quantity:l}) FROM {sample_review_line} l
         WHERE {sample_review_line.header_id:l} = {sample_review.id:s}) AS quantity
FROM {sample_review} s
WHERE {sample_review.contract_no:s} IS NOT NULL

-- name: reported
SELECT {progress.process_code} AS process_code, SUM({progress.quantity}) AS quantity
FROM {progress}
WHERE {progress.order_ref} = ?
GROUP BY {progress.process_code}
