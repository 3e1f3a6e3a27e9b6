-- les-schema-pg-6.sql: schema version 6 on PostgreSQL — payment lines found by their key, and the services a compute must redo.
-- SPDX-License-Identifier: GPL-3.0-or-later
-- What les-schema-6.sql does on SQLite, in PostgreSQL's terms (see there
-- and docs/engine.md).  SQLite's claims table is rebuilt there only to
-- change how it checks a status; PostgreSQL's needs nothing.

-- A line is found by its key (the unique constraint): no row id, and no
-- index by service, which every first compute would have to fill
ALTER TABLE payment_lines DROP COLUMN id;
DROP INDEX payment_lines_by_service;

-- What a compute of each service found, beside its payable and held
ALTER TABLE service_totals ADD COLUMN gross BIGINT NOT NULL DEFAULT 0;
ALTER TABLE service_totals ADD COLUMN n_claims BIGINT NOT NULL DEFAULT 0;
ALTER TABLE service_totals ADD COLUMN n_findings BIGINT NOT NULL DEFAULT 0;
ALTER TABLE service_totals ADD COLUMN n_errors BIGINT NOT NULL DEFAULT 0;

-- The services whose inputs changed since their year was last computed
-- (service_code '' is every service of the year)
CREATE TABLE stale_services (
  year         BIGINT NOT NULL,
  service_code TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (year, service_code)
);
INSERT INTO stale_services (year, service_code) SELECT year, '' FROM computes;
