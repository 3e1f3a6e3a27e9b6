-- les-schema-2.sql: schema version 2 — payment runs, the lines they froze, and adjustments due.
-- SPDX-License-Identifier: GPL-3.0-or-later
-- See docs/payment-runs.md. A run pays lines of its month and earlier; what
-- it paid is never rewritten: later differences become adjustments.

CREATE TABLE payment_runs (
  run_id        INTEGER PRIMARY KEY,         -- the run number finance quotes
  year          INTEGER NOT NULL,
  month         TEXT NOT NULL,               -- YYYY-MM closed by the run
  created_at    TEXT NOT NULL,
  created_by    TEXT NOT NULL,
  total         INTEGER NOT NULL,            -- pence paid (adjustments included)
  n_lines       INTEGER NOT NULL,
  reopened_at   TEXT,                        -- set when re-opened: its lines are unpaid again
  reopened_by   TEXT,
  reopen_reason TEXT
);
CREATE INDEX payment_runs_by_year ON payment_runs (year, month);

-- One row per line a run paid: an original line (corrects_id NULL) frozen as
-- computed, or an adjustment (the difference) to the paid line corrects_id.
CREATE TABLE paid_lines (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES payment_runs (run_id),
  year          INTEGER NOT NULL,
  practice_code TEXT NOT NULL,
  service_code  TEXT NOT NULL,
  rule_code     TEXT NOT NULL,
  period        TEXT NOT NULL,               -- the period the line is for
  units         INTEGER,
  rate          INTEGER,                     -- hundredths of a penny; NULL when none
  gross         INTEGER NOT NULL,
  payable       INTEGER NOT NULL,            -- what was paid
  held          INTEGER NOT NULL,
  held_reason   TEXT,                        -- finding codes, comma-separated
  corrects_id   INTEGER REFERENCES paid_lines (id)
);
CREATE INDEX paid_lines_by_run ON paid_lines (run_id, practice_code);
CREATE INDEX paid_lines_by_key ON paid_lines (year, practice_code, service_code, rule_code, period);

-- Differences the last compute found on paid lines, due in the next open
-- month; replaced by every compute, paid (moved to paid_lines) by a run.
CREATE TABLE adjustments (
  id            INTEGER PRIMARY KEY,
  year          INTEGER NOT NULL,
  corrects_id   INTEGER NOT NULL REFERENCES paid_lines (id),
  due_period    TEXT NOT NULL,
  units         INTEGER,
  gross         INTEGER NOT NULL,
  payable       INTEGER NOT NULL,
  held          INTEGER NOT NULL,
  held_reason   TEXT,
  UNIQUE (corrects_id)
);
CREATE INDEX adjustments_by_year ON adjustments (year);
