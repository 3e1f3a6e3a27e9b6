-- les-schema-2.sql: schema version 2 — payment runs (filled in with the payment-run work).
-- SPDX-License-Identifier: GPL-3.0-or-later
SELECT 1;
