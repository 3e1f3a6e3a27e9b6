-- les-schema-pg.sql: the LES Claims database on PostgreSQL, at schema version 3 (applied by les-store.c).
-- SPDX-License-Identifier: GPL-3.0-or-later
-- The same tables, constraints and indexes as SQLite's les-schema.sql with
-- les-schema-2.sql and les-schema-3.sql applied: a PostgreSQL database starts
-- at the current version, and later versions add files of their own.
--
-- Money is BIGINT pence; rates BIGINT hundredths of a penny; percentages
-- BIGINT hundredths of a percent; dates TEXT YYYY-MM-DD; periods TEXT YYYY-MM;
-- a financial year is the BIGINT calendar year it starts in (2024 = 2024/25).
-- Every integer is BIGINT, as SQLite's INTEGER is 64 bits.
--
-- Every text column compares in byte order (COLLATE "C"), as SQLite's BINARY
-- does, whatever the database's locale: exports, statements and the
-- compute's merge of stored and new lines depend on that order, and an index
-- serves an ORDER BY only in its column's collation.
--
-- Row ids are identity columns, numbered in the order rows are written as
-- SQLite's do. A payment run's number is not: les_sql_runs_insert gives the
-- next one itself, so that a run given up (rolled back) leaves no gap in the
-- numbers finance quotes, as on SQLite.

CREATE TABLE schema_version (
  version BIGINT NOT NULL
);
INSERT INTO schema_version (version) VALUES (0);

CREATE TABLE meta (
  key   TEXT COLLATE "C" PRIMARY KEY,
  value TEXT COLLATE "C" NOT NULL
);

CREATE TABLE pcns (
  pcn_code TEXT COLLATE "C" PRIMARY KEY,
  pcn_name TEXT COLLATE "C"
);

CREATE TABLE practices (
  practice_code TEXT COLLATE "C" PRIMARY KEY,
  practice_name TEXT COLLATE "C" NOT NULL,
  pcn_code      TEXT COLLATE "C" NOT NULL REFERENCES pcns (pcn_code),
  open_date     TEXT COLLATE "C",
  close_date    TEXT COLLATE "C"
);
CREATE INDEX practices_by_pcn ON practices (pcn_code);
CREATE INDEX practices_by_name ON practices (practice_name);

CREATE TABLE list_sizes (
  practice_code TEXT COLLATE "C" NOT NULL REFERENCES practices (practice_code),
  date          TEXT COLLATE "C" NOT NULL,
  registered    BIGINT NOT NULL CHECK (registered >= 0),
  weighted      BIGINT CHECK (weighted >= 0),   -- hundredths of a patient
  PRIMARY KEY (practice_code, date)
);

CREATE TABLE services (
  service_code        TEXT COLLATE "C" NOT NULL,
  year                BIGINT NOT NULL,
  name                TEXT COLLATE "C" NOT NULL,
  cap_mode            TEXT COLLATE "C" NOT NULL DEFAULT 'none' CHECK (cap_mode IN ('none', 'hold', 'prorata')),
  budget              BIGINT,
  schedule            TEXT COLLATE "C" NOT NULL DEFAULT 'monthly' CHECK (schedule IN ('monthly', 'quarterly')),
  claim_frequency     TEXT COLLATE "C" NOT NULL DEFAULT 'monthly'
                      CHECK (claim_frequency IN ('monthly', 'quarterly', 'annual')),
  claim_deadline_days BIGINT CHECK (claim_deadline_days >= 0),
  start_date          TEXT COLLATE "C",
  end_date            TEXT COLLATE "C",
  description         TEXT COLLATE "C",
  PRIMARY KEY (service_code, year)
);

CREATE TABLE rules (
  service_code           TEXT COLLATE "C" NOT NULL,
  year                   BIGINT NOT NULL,
  rule_code              TEXT COLLATE "C" NOT NULL,
  kind                   TEXT COLLATE "C" NOT NULL CHECK (kind IN ('item', 'capitation', 'block', 'threshold')),
  description            TEXT COLLATE "C",
  rate                   BIGINT,
  rate_per               TEXT COLLATE "C" CHECK (rate_per IN ('year', 'quarter', 'month')),
  base                   TEXT COLLATE "C" CHECK (base IN ('registered', 'weighted', 'cohort', 'beds')),
  max_units_per_practice BIGINT CHECK (max_units_per_practice >= 0),
  max_per_patient        BIGINT CHECK (max_per_patient >= 0),
  fixed_amount           BIGINT,
  upfront_pct            BIGINT,
  lower_pct              BIGINT,
  upper_pct              BIGINT,
  settlement             TEXT COLLATE "C" CHECK (settlement IN ('remainder', 'recover')),
  PRIMARY KEY (service_code, year, rule_code),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);

CREATE TABLE signups (
  practice_code TEXT COLLATE "C" NOT NULL REFERENCES practices (practice_code),
  service_code  TEXT COLLATE "C" NOT NULL,
  year          BIGINT NOT NULL,
  from_date     TEXT COLLATE "C" NOT NULL,
  to_date       TEXT COLLATE "C",
  PRIMARY KEY (practice_code, service_code, year, from_date),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);
CREATE INDEX signups_by_service ON signups (service_code, year);

CREATE TABLE cohorts (
  practice_code TEXT COLLATE "C" NOT NULL REFERENCES practices (practice_code),
  service_code  TEXT COLLATE "C" NOT NULL,
  year          BIGINT NOT NULL,
  size          BIGINT NOT NULL CHECK (size >= 0),
  PRIMARY KEY (practice_code, service_code, year),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);
CREATE INDEX cohorts_by_service ON cohorts (service_code, year);

CREATE TABLE allocations (
  practice_code TEXT COLLATE "C" NOT NULL REFERENCES practices (practice_code),
  service_code  TEXT COLLATE "C" NOT NULL,
  year          BIGINT NOT NULL,
  block_amount  BIGINT CHECK (block_amount >= 0),
  cap_amount    BIGINT CHECK (cap_amount >= 0),
  PRIMARY KEY (practice_code, service_code, year),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);
CREATE INDEX allocations_by_service ON allocations (service_code, year);

CREATE TABLE claims (
  id                BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  claim_ref         TEXT COLLATE "C" NOT NULL UNIQUE,
  practice_code     TEXT COLLATE "C" NOT NULL REFERENCES practices (practice_code),
  service_code      TEXT COLLATE "C" NOT NULL,
  year              BIGINT NOT NULL,
  item_code         TEXT COLLATE "C" NOT NULL,
  period            TEXT COLLATE "C" NOT NULL,
  count             BIGINT NOT NULL CHECK (count >= 0),
  submitted_date    TEXT COLLATE "C" NOT NULL,
  status            TEXT COLLATE "C" NOT NULL DEFAULT 'submitted'
                    CHECK (status IN ('submitted', 'queried', 'approved', 'rejected', 'withdrawn')),
  status_reason     TEXT COLLATE "C",
  FOREIGN KEY (service_code, year, item_code) REFERENCES rules (service_code, year, rule_code)
);
-- An index on (year, X) is ordered by (year, X, id) in SQLite, where every
-- index ends in the rowid; here the id is written out, so that each still
-- serves the claims table's ORDER BY X, id for a year without sorting.
CREATE INDEX claims_by_service ON claims (year, service_code);
CREATE INDEX claims_by_year_ref ON claims (year, claim_ref);
CREATE INDEX claims_by_year_practice ON claims (year, practice_code, id);
CREATE INDEX claims_by_year_period ON claims (year, period, id);
CREATE INDEX claims_by_year_status ON claims (year, status, id);
CREATE INDEX claims_by_year_submitted ON claims (year, submitted_date, id);
-- Free-text search of reasons: only the few claims that have one
CREATE INDEX claims_with_reason ON claims (status_reason) WHERE status_reason IS NOT NULL;

CREATE TABLE patient_lines (
  claim_ref     TEXT COLLATE "C" NOT NULL REFERENCES claims (claim_ref),
  line_no       BIGINT NOT NULL,
  nhs_hash      TEXT COLLATE "C",                 -- HMAC-SHA256 of a valid number; NULL when invalid
  activity_date TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (claim_ref, line_no)
);

CREATE TABLE achievements (
  practice_code TEXT COLLATE "C" NOT NULL REFERENCES practices (practice_code),
  service_code  TEXT COLLATE "C" NOT NULL,
  year          BIGINT NOT NULL,
  achieved_pct  BIGINT NOT NULL CHECK (achieved_pct >= 0),
  PRIMARY KEY (practice_code, service_code, year),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);

CREATE TABLE ledger (
  service_code TEXT COLLATE "C" NOT NULL,
  year         BIGINT NOT NULL,
  period       TEXT COLLATE "C" NOT NULL,
  amount       BIGINT NOT NULL,
  reference    TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (service_code, period, reference),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);

CREATE TABLE computes (
  year        BIGINT PRIMARY KEY,
  to_period   TEXT COLLATE "C" NOT NULL,
  computed_at TEXT COLLATE "C" NOT NULL,
  computed_by TEXT COLLATE "C" NOT NULL
);

CREATE TABLE payment_lines (
  id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  year          BIGINT NOT NULL,
  practice_code TEXT COLLATE "C" NOT NULL,
  service_code  TEXT COLLATE "C" NOT NULL,
  rule_code     TEXT COLLATE "C" NOT NULL,
  period        TEXT COLLATE "C" NOT NULL,
  units         BIGINT,
  gross         BIGINT NOT NULL,
  payable       BIGINT NOT NULL,
  held          BIGINT NOT NULL,
  UNIQUE (year, practice_code, service_code, rule_code, period)
);
CREATE INDEX payment_lines_by_service ON payment_lines (year, service_code);

-- The year's payable and held per service, written by each compute with the
-- lines: the Overview and the reconciliation read 30 rows, not 3 million
CREATE TABLE service_totals (
  year         BIGINT NOT NULL,
  service_code TEXT COLLATE "C" NOT NULL,
  payable      BIGINT NOT NULL,
  held         BIGINT NOT NULL,
  n_lines      BIGINT NOT NULL,
  PRIMARY KEY (year, service_code)
);

CREATE TABLE findings (
  id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  year          BIGINT NOT NULL,
  severity      TEXT COLLATE "C" NOT NULL CHECK (severity IN ('error', 'warning')),
  code          TEXT COLLATE "C" NOT NULL,
  practice_code TEXT COLLATE "C",
  service_code  TEXT COLLATE "C",
  rule_code     TEXT COLLATE "C",
  period        TEXT COLLATE "C",
  claim_ref     TEXT COLLATE "C",
  message       TEXT COLLATE "C" NOT NULL
);
CREATE INDEX findings_by_year ON findings (year, code);
CREATE INDEX findings_by_claim ON findings (claim_ref);

CREATE TABLE audit (
  id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  at         TEXT COLLATE "C" NOT NULL,
  os_user    TEXT COLLATE "C" NOT NULL,
  action     TEXT COLLATE "C" NOT NULL,
  table_name TEXT COLLATE "C",
  row_key    TEXT COLLATE "C",
  before     TEXT COLLATE "C",
  after      TEXT COLLATE "C"
);

-- Payment runs, the lines they froze, and adjustments due (docs/payment-runs.md)
CREATE TABLE payment_runs (
  run_id        BIGINT PRIMARY KEY,                 -- the run number finance quotes
  year          BIGINT NOT NULL,
  month         TEXT COLLATE "C" NOT NULL,          -- YYYY-MM closed by the run
  created_at    TEXT COLLATE "C" NOT NULL,
  created_by    TEXT COLLATE "C" NOT NULL,
  total         BIGINT NOT NULL,                    -- pence paid (adjustments included)
  n_lines       BIGINT NOT NULL,
  reopened_at   TEXT COLLATE "C",                   -- set when re-opened: its lines are unpaid again
  reopened_by   TEXT COLLATE "C",
  reopen_reason TEXT COLLATE "C"
);
CREATE INDEX payment_runs_by_year ON payment_runs (year, month);

-- One row per line a run paid: an original line (corrects_id NULL) frozen as
-- computed, or an adjustment (the difference) to the paid line corrects_id.
CREATE TABLE paid_lines (
  id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  run_id        BIGINT NOT NULL REFERENCES payment_runs (run_id),
  year          BIGINT NOT NULL,
  practice_code TEXT COLLATE "C" NOT NULL,
  service_code  TEXT COLLATE "C" NOT NULL,
  rule_code     TEXT COLLATE "C" NOT NULL,
  period        TEXT COLLATE "C" NOT NULL,        -- the period the line is for
  units         BIGINT,
  rate          BIGINT,                           -- hundredths of a penny; NULL when none
  gross         BIGINT NOT NULL,
  payable       BIGINT NOT NULL,                  -- what was paid
  held          BIGINT NOT NULL,
  held_reason   TEXT COLLATE "C",                 -- finding codes, comma-separated
  corrects_id   BIGINT REFERENCES paid_lines (id)
);
CREATE INDEX paid_lines_by_run ON paid_lines (run_id, practice_code);
CREATE INDEX paid_lines_by_key ON paid_lines (year, practice_code, service_code, rule_code, period);

-- Differences the last compute found on paid lines, due in the next open
-- month; replaced by every compute, paid (moved to paid_lines) by a run.
CREATE TABLE adjustments (
  id            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  year          BIGINT NOT NULL,
  corrects_id   BIGINT NOT NULL REFERENCES paid_lines (id),
  due_period    TEXT COLLATE "C" NOT NULL,
  units         BIGINT,
  gross         BIGINT NOT NULL,
  payable       BIGINT NOT NULL,
  held          BIGINT NOT NULL,
  held_reason   TEXT COLLATE "C",
  UNIQUE (corrects_id)
);
CREATE INDEX adjustments_by_year ON adjustments (year);
