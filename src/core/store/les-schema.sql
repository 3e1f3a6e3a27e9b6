-- les-schema.sql: version 1 of the LES Claims database (applied by les-store.c).
-- SPDX-License-Identifier: GPL-3.0-or-later
-- Money is INTEGER pence; rates INTEGER hundredths of a penny; percentages
-- INTEGER hundredths of a percent; dates TEXT YYYY-MM-DD; periods TEXT YYYY-MM;
-- a financial year is the INTEGER calendar year it starts in (2024 = 2024/25).

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE pcns (
  pcn_code TEXT PRIMARY KEY,
  pcn_name TEXT
);

CREATE TABLE practices (
  practice_code TEXT PRIMARY KEY,
  practice_name TEXT NOT NULL,
  pcn_code      TEXT NOT NULL REFERENCES pcns (pcn_code),
  open_date     TEXT,
  close_date    TEXT
);
CREATE INDEX practices_by_pcn ON practices (pcn_code);

CREATE TABLE list_sizes (
  practice_code TEXT NOT NULL REFERENCES practices (practice_code),
  date          TEXT NOT NULL,
  registered    INTEGER NOT NULL CHECK (registered >= 0),
  weighted      INTEGER CHECK (weighted >= 0),   -- hundredths of a patient
  PRIMARY KEY (practice_code, date)
);

CREATE TABLE services (
  service_code        TEXT NOT NULL,
  year                INTEGER NOT NULL,
  name                TEXT NOT NULL,
  cap_mode            TEXT NOT NULL DEFAULT 'none' CHECK (cap_mode IN ('none', 'hold', 'prorata')),
  budget              INTEGER,
  schedule            TEXT NOT NULL DEFAULT 'monthly' CHECK (schedule IN ('monthly', 'quarterly')),
  claim_frequency     TEXT NOT NULL DEFAULT 'monthly' CHECK (claim_frequency IN ('monthly', 'quarterly', 'annual')),
  claim_deadline_days INTEGER CHECK (claim_deadline_days >= 0),
  start_date          TEXT,
  end_date            TEXT,
  description         TEXT,
  PRIMARY KEY (service_code, year)
);

CREATE TABLE rules (
  service_code           TEXT NOT NULL,
  year                   INTEGER NOT NULL,
  rule_code              TEXT NOT NULL,
  kind                   TEXT NOT NULL CHECK (kind IN ('item', 'capitation', 'block', 'threshold')),
  description            TEXT,
  rate                   INTEGER,
  rate_per               TEXT CHECK (rate_per IN ('year', 'quarter', 'month')),
  base                   TEXT CHECK (base IN ('registered', 'weighted', 'cohort', 'beds')),
  max_units_per_practice INTEGER CHECK (max_units_per_practice >= 0),
  max_per_patient        INTEGER CHECK (max_per_patient >= 0),
  fixed_amount           INTEGER,
  upfront_pct            INTEGER,
  lower_pct              INTEGER,
  upper_pct              INTEGER,
  settlement             TEXT CHECK (settlement IN ('remainder', 'recover')),
  PRIMARY KEY (service_code, year, rule_code),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);

CREATE TABLE signups (
  practice_code TEXT NOT NULL REFERENCES practices (practice_code),
  service_code  TEXT NOT NULL,
  year          INTEGER NOT NULL,
  from_date     TEXT NOT NULL,
  to_date       TEXT,
  PRIMARY KEY (practice_code, service_code, year, from_date),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);
CREATE INDEX signups_by_service ON signups (service_code, year);

CREATE TABLE cohorts (
  practice_code TEXT NOT NULL REFERENCES practices (practice_code),
  service_code  TEXT NOT NULL,
  year          INTEGER NOT NULL,
  size          INTEGER NOT NULL CHECK (size >= 0),
  PRIMARY KEY (practice_code, service_code, year),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);
CREATE INDEX cohorts_by_service ON cohorts (service_code, year);

CREATE TABLE allocations (
  practice_code TEXT NOT NULL REFERENCES practices (practice_code),
  service_code  TEXT NOT NULL,
  year          INTEGER NOT NULL,
  block_amount  INTEGER CHECK (block_amount >= 0),
  cap_amount    INTEGER CHECK (cap_amount >= 0),
  PRIMARY KEY (practice_code, service_code, year),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);
CREATE INDEX allocations_by_service ON allocations (service_code, year);

CREATE TABLE claims (
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
                    CHECK (status IN ('submitted', 'queried', 'approved', 'rejected', 'withdrawn')),
  status_reason     TEXT,
  FOREIGN KEY (service_code, year, item_code) REFERENCES rules (service_code, year, rule_code)
);
CREATE INDEX claims_by_service ON claims (year, service_code);
CREATE INDEX claims_by_practice ON claims (practice_code);

CREATE TABLE patient_lines (
  claim_ref     TEXT NOT NULL REFERENCES claims (claim_ref),
  line_no       INTEGER NOT NULL,
  nhs_hash      TEXT,                 -- HMAC-SHA256 of a valid number; NULL when invalid
  activity_date TEXT NOT NULL,
  PRIMARY KEY (claim_ref, line_no)
);

CREATE TABLE achievements (
  practice_code TEXT NOT NULL REFERENCES practices (practice_code),
  service_code  TEXT NOT NULL,
  year          INTEGER NOT NULL,
  achieved_pct  INTEGER NOT NULL CHECK (achieved_pct >= 0),
  PRIMARY KEY (practice_code, service_code, year),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);

CREATE TABLE ledger (
  service_code TEXT NOT NULL,
  year         INTEGER NOT NULL,
  period       TEXT NOT NULL,
  amount       INTEGER NOT NULL,
  reference    TEXT NOT NULL,
  PRIMARY KEY (service_code, period, reference),
  FOREIGN KEY (service_code, year) REFERENCES services (service_code, year)
);

CREATE TABLE computes (
  year        INTEGER PRIMARY KEY,
  to_period   TEXT NOT NULL,
  computed_at TEXT NOT NULL,
  computed_by TEXT NOT NULL
);

CREATE TABLE payment_lines (
  id            INTEGER PRIMARY KEY,
  year          INTEGER NOT NULL,
  practice_code TEXT NOT NULL,
  service_code  TEXT NOT NULL,
  rule_code     TEXT NOT NULL,
  period        TEXT NOT NULL,
  units         INTEGER,
  gross         INTEGER NOT NULL,
  payable       INTEGER NOT NULL,
  held          INTEGER NOT NULL,
  UNIQUE (year, practice_code, service_code, rule_code, period)
);
CREATE INDEX payment_lines_by_service ON payment_lines (year, service_code);

CREATE TABLE findings (
  id            INTEGER PRIMARY KEY,
  year          INTEGER NOT NULL,
  severity      TEXT NOT NULL CHECK (severity IN ('error', 'warning')),
  code          TEXT NOT NULL,
  practice_code TEXT,
  service_code  TEXT,
  rule_code     TEXT,
  period        TEXT,
  claim_ref     TEXT,
  message       TEXT NOT NULL
);
CREATE INDEX findings_by_year ON findings (year, code);
CREATE INDEX findings_by_claim ON findings (claim_ref);

CREATE TABLE audit (
  id         INTEGER PRIMARY KEY,
  at         TEXT NOT NULL,
  os_user    TEXT NOT NULL,
  action     TEXT NOT NULL,
  table_name TEXT,
  row_key    TEXT,
  before     TEXT,
  after      TEXT
);
