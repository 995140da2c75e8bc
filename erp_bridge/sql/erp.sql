-- Reads of the ERP's master data, through the mapping.

-- name: customer_by_code
SELECT {customer.code} AS code, {customer.name} AS name, {customer.short_name} AS short_name,
       {customer.email} AS email
FROM {customer}
WHERE {customer.code} = ?

-- name: customers_all
SELECT {customer.code} AS code, {customer.name} AS name, {customer.short_name} AS short_name
FROM {customer}
ORDER BY {customer.code}

-- name: contacts_of_customer
SELECT {customer_contact.id} AS id, {customer_contact.customer_code} AS customer_code,
       {customer_contact.name} AS name, {customer_contact.mobile} AS mobile,
       {customer_contact.phone} AS phone, {customer_contact.email} AS email
FROM {customer_contact}
WHERE {customer_contact.customer_code} = ?
ORDER BY {customer_contact.name}

-- Items carry two unit columns: ``unit`` is what to show (the unit's name where [unit]
-- is mapped, else the item's unit as the ERP keeps it) and ``unit_code`` the item's own.
-- name: item_by_code
SELECT {item.code:i} AS code, {item.name:i} AS name, {item.spec:i} AS spec,
       {?unit}COALESCE({unit.name:u}, {item.unit:i}){/unit}{!unit}{item.unit:i}{/unit} AS unit, {item.unit:i} AS unit_code,
       {item.master_disc_no:i} AS master_disc_no, {item.family:i} AS family, {item.lead_days:i} AS lead_days
FROM {item} i
{?unit}LEFT JOIN {unit} u ON {unit.code:u} = {item.unit:i}{/unit}
WHERE {item.code:i} = ?

-- name: item_by_customer_part
SELECT {item.code:i} AS code, {item.name:i} AS name, {item.spec:i} AS spec,
       {?unit}COALESCE({unit.name:u}, {item.unit:i}){/unit}{!unit}{item.unit:i}{/unit} AS unit, {item.unit:i} AS unit_code,
       {item.master_disc_no:i} AS master_disc_no, {item.family:i} AS family,
       {item.lead_days:i} AS lead_days, {customer_part.part_no:p} AS customer_part_no
FROM {customer_part} p
JOIN {item} i ON {item.code:i} = {customer_part.inventory_code:p}
{?unit}LEFT JOIN {unit} u ON {unit.code:u} = {item.unit:i}{/unit}
WHERE {customer_part.customer_code:p} = ? AND {customer_part.part_no:p} = ?

-- name: process_steps
SELECT {process_step.code} AS code, {process_step.name} AS name, {process_step.seq} AS seq
FROM {process_step}
ORDER BY {process_step.seq}

-- name: customer_count
SELECT COUNT(*) AS n FROM {customer}
