-- les-schema-6.sql: schema version 6 — payment lines kept by their key, and the services a compute must redo.
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

-- Claims again, with the status checked by a chain of comparisons: SQLite
-- checks "status IN (five words)" by building a temporary b-tree of the
-- words for every row written, which was a third of the work of importing
-- a claim (and of changing its status).  The columns, their order, the
-- references and the indexes are those of schema 5.  The store applies
-- migrations with foreign keys off, so that dropping the old table leaves
-- the patient lines that refer to it by claim_ref alone.
CREATE TABLE claims_v6 (
  id                INTEGER PRIMARY KEY,
  claim_ref         TEXT NOT NULL UNIQUE,
  practice_code     TEXT NOT NULL REFERENCES practices (practice_code),
  service_code      TEXT NOT NULL,
  year              INTEGER NOT NULL,
  item_code         TEXT NOT NULL,
  period            TEXT NOT NULL,
  count             INTEGER NOT NULL CHECK (count >= 0),
  submitted_date    TEXT NOT NULL,
  status            TEXT NOT NULL DEFAULT 'submitted'
                    CHECK (status = 'submitted' OR status = 'queried' OR status = 'approved'
                           OR status = 'rejected' OR status = 'withdrawn'),
  status_reason     TEXT,
  FOREIGN KEY (service_code, year, item_code) REFERENCES rules (service_code, year, rule_code)
);
INSERT INTO claims_v6 (id, claim_ref, practice_code, service_code, year, item_code, period, count, submitted_date,
                       status, status_reason)
  SELECT id, claim_ref, practice_code, service_code, year, item_code, period, count, submitted_date, status,
         status_reason FROM claims ORDER BY id;
DROP TABLE claims;
ALTER TABLE claims_v6 RENAME TO claims;
CREATE INDEX claims_by_service ON claims (year, service_code);
CREATE INDEX claims_by_year_ref ON claims (year, claim_ref);
CREATE INDEX claims_by_year_practice ON claims (year, practice_code);
CREATE INDEX claims_by_year_period ON claims (year, period);
CREATE INDEX claims_by_year_status ON claims (year, status);
CREATE INDEX claims_by_year_submitted ON claims (year, submitted_date);
CREATE INDEX claims_with_reason ON claims (status_reason) WHERE status_reason IS NOT NULL;
