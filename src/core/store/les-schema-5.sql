-- les-schema-5.sql: schema version 5 — the month each year is computed to, and what changed since its compute.
-- SPDX-License-Identifier: GPL-3.0-or-later
-- See docs/payment-runs.md ("Month end"). A write that changes what a
-- compute reads adds one to its year's counter; a compute records the
-- counters it saw, so that figures can say they are out of date and why.

CREATE TABLE year_state (
  year        INTEGER PRIMARY KEY,
  to_period   TEXT,                         -- YYYY-MM the year is worked to; NULL: the default
  imports     INTEGER NOT NULL DEFAULT 0,   -- imports that changed claims or reference data
  edits       INTEGER NOT NULL DEFAULT 0,   -- services and rules saved or deleted
  decisions   INTEGER NOT NULL DEFAULT 0,   -- claims moved into or out of what a compute counts
  changed_at  TEXT                          -- the latest of them, ISO 8601
);

-- The counters of year_state when the compute read the year
ALTER TABLE computes ADD COLUMN imports_seen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE computes ADD COLUMN edits_seen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE computes ADD COLUMN decisions_seen INTEGER NOT NULL DEFAULT 0;

-- A claim's history (its audit rows, newest first) for its detail: the
-- trail grows by a row per decision, millions at national scale
CREATE INDEX audit_by_row ON audit (table_name, row_key);

-- What each payment run paid per service, written with the run: the
-- Overview and the report add up a few rows per run, not millions of
-- paid lines
CREATE TABLE run_totals (
  run_id       INTEGER NOT NULL REFERENCES payment_runs (run_id),
  service_code TEXT NOT NULL,
  paid         INTEGER NOT NULL,   -- pence, adjustments included
  n_lines      INTEGER NOT NULL,
  PRIMARY KEY (run_id, service_code)
);
INSERT INTO run_totals (run_id, service_code, paid, n_lines)
  SELECT run_id, service_code, sum (payable), count (*) FROM paid_lines GROUP BY run_id, service_code;
