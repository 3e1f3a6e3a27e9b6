-- pg/les-schema-pg-4.sql: schema version 4 on PostgreSQL — the audit trail and payment runs sealed; the key out of the file.
-- SPDX-License-Identifier: GPL-3.0-or-later
-- The same as les-schema-4.sql, with the byte-order collation every text column has here.
-- See docs/data-and-imports.md ("The key" and "Tamper evidence"). The key that
-- made NHS numbers' hashes leaves meta (les-store.c moves it to the keyring or
-- a key file); meta keeps its id and a check value instead.

-- seal: HMAC of the row before's seal and this row; digest: the seal of what
-- the row's action froze (a payment run's), so the trail vouches for it
ALTER TABLE audit ADD COLUMN digest TEXT COLLATE "C";
ALTER TABLE audit ADD COLUMN seal TEXT COLLATE "C";

-- A run's seal covers its header, total, frozen lines and claims_seal, the
-- seal of the claims its lines paid (those up to claims_upto, the last claim
-- held when it closed: claims imported later are not the run's)
ALTER TABLE payment_runs ADD COLUMN claims_upto BIGINT;
ALTER TABLE payment_runs ADD COLUMN claims_seal TEXT COLLATE "C";
ALTER TABLE payment_runs ADD COLUMN seal TEXT COLLATE "C";
