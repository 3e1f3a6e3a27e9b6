-- les-schema-3.sql: schema version 3 — indexes for the desktop application's tables at national scale.
-- SPDX-License-Identifier: GPL-3.0-or-later
SELECT 1;
