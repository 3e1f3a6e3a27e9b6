-- les-schema-3.sql: schema version 3 — indexes for the desktop application's tables at national scale.
-- SPDX-License-Identifier: GPL-3.0-or-later
-- See docs/app.md ("Claims at national scale"). An index on (year, X) is
-- ordered by (year, X, id), so each serves the claims table's ORDER BY X, id
-- for a year without sorting millions of rows, and counts without the table.

-- Sorting by reference (the default), and claim_ref prefix searches (GLOB)
CREATE INDEX claims_by_year_ref ON claims (year, claim_ref);
-- Sorting by practice, period, status and submission date
CREATE INDEX claims_by_year_practice ON claims (year, practice_code);
CREATE INDEX claims_by_year_period ON claims (year, period);
CREATE INDEX claims_by_year_status ON claims (year, status);
CREATE INDEX claims_by_year_submitted ON claims (year, submitted_date);
-- Free-text search of reasons: only the few claims that have one
CREATE INDEX claims_with_reason ON claims (status_reason) WHERE status_reason IS NOT NULL;
-- Practice codes and names searched by prefix
CREATE INDEX practices_by_name ON practices (practice_name);

-- (year, practice_code) above serves every practice filter
DROP INDEX claims_by_practice;

-- The year's payable and held per service, written by each compute with the
-- lines: the Overview and the reconciliation read 30 rows, not 3 million
CREATE TABLE service_totals (
  year         INTEGER NOT NULL,
  service_code TEXT NOT NULL,
  payable      INTEGER NOT NULL,
  held         INTEGER NOT NULL,
  n_lines      INTEGER NOT NULL,
  PRIMARY KEY (year, service_code)
);
