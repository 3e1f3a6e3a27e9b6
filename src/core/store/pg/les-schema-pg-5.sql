-- les-schema-pg-5.sql: schema version 5 on PostgreSQL — the month each year is computed to, and what changed since its compute.
-- SPDX-License-Identifier: GPL-3.0-or-later
-- The same as SQLite's les-schema-5.sql (see there), in this backend's types:
-- BIGINT integers and text in byte order (COLLATE "C").

CREATE TABLE year_state (
  year        BIGINT PRIMARY KEY,
  to_period   TEXT COLLATE "C",
  imports     BIGINT NOT NULL DEFAULT 0,
  edits       BIGINT NOT NULL DEFAULT 0,
  decisions   BIGINT NOT NULL DEFAULT 0,
  changed_at  TEXT COLLATE "C"
);

ALTER TABLE computes ADD COLUMN imports_seen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE computes ADD COLUMN edits_seen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE computes ADD COLUMN decisions_seen BIGINT NOT NULL DEFAULT 0;

CREATE INDEX audit_by_row ON audit (table_name, row_key);

CREATE TABLE run_totals (
  run_id       BIGINT NOT NULL REFERENCES payment_runs (run_id),
  service_code TEXT COLLATE "C" NOT NULL,
  paid         BIGINT NOT NULL,
  n_lines      BIGINT NOT NULL,
  PRIMARY KEY (run_id, service_code)
);
INSERT INTO run_totals (run_id, service_code, paid, n_lines)
  SELECT run_id, service_code, sum (payable), count (*) FROM paid_lines GROUP BY run_id, service_code;
