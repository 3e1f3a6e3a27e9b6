-- les-schema-4.sql: schema version 4 — payment lines kept by their key, and the services a compute must redo.
-- SPDX-License-Identifier: GPL-3.0-or-later
-- See docs/engine.md ("Storing the results") and docs/data-and-imports.md
-- ("The database").  WITHOUT ROWID is SQLite's; other backends make the
-- key the table's primary key in their own schema.

-- A payment line is found by its key, so the key is the row: one b-tree
-- where there were three (the rows, the unique key and (year, service)),
-- 3.25 million lines nationally in 155 MB instead of 366 MB, and a first
-- compute appends to one b-tree in key order.  Nothing refers to a line
-- by a row id: payment runs copy what they pay into paid_lines.
CREATE TABLE payment_lines_by_key (
  year          INTEGER NOT NULL,
  practice_code TEXT NOT NULL,
  service_code  TEXT NOT NULL,
  rule_code     TEXT NOT NULL,
  period        TEXT NOT NULL,
  units         INTEGER,
  gross         INTEGER NOT NULL,
  payable       INTEGER NOT NULL,
  held          INTEGER NOT NULL,
  PRIMARY KEY (year, practice_code, service_code, rule_code, period)
) WITHOUT ROWID;
INSERT INTO payment_lines_by_key (year, practice_code, service_code, rule_code, period, units, gross, payable, held)
  SELECT year, practice_code, service_code, rule_code, period, units, gross, payable, held FROM payment_lines
  ORDER BY year, practice_code, service_code, rule_code, period;
DROP TABLE payment_lines;
ALTER TABLE payment_lines_by_key RENAME TO payment_lines;

-- What a compute of each service found, beside its payable and held: a
-- compute that redoes only some services adds these up for the year
ALTER TABLE service_totals ADD COLUMN gross INTEGER NOT NULL DEFAULT 0;
ALTER TABLE service_totals ADD COLUMN n_claims INTEGER NOT NULL DEFAULT 0;
ALTER TABLE service_totals ADD COLUMN n_findings INTEGER NOT NULL DEFAULT 0;
ALTER TABLE service_totals ADD COLUMN n_errors INTEGER NOT NULL DEFAULT 0;

-- The services whose inputs changed since their year was last computed
-- (service_code '' is every service of the year): every write to a
-- service's inputs adds its row in the same transaction, and a compute
-- redoes those services only, then clears the year's rows
CREATE TABLE stale_services (
  year         INTEGER NOT NULL,
  service_code TEXT NOT NULL,
  PRIMARY KEY (year, service_code)
);
-- service_totals' new columns are known only after a compute
INSERT INTO stale_services (year, service_code) SELECT year, '' FROM computes;
