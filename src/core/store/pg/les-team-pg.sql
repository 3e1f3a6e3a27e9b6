-- pg/les-team-pg.sql: a team database — roles, grants, separation of duties and a server-written audit trail (les-claims-cli team setup).
-- SPDX-License-Identifier: GPL-3.0-or-later
-- Applied by the database's owner, once after `init` and again after an
-- upgrade (it is idempotent: every object is made if missing or replaced,
-- and a setting an administrator changed is kept). It is not a schema
-- version: a team database is an ordinary LES Claims database with these
-- rules on top, and docs/team-server.md says what each one enforces.
--
-- Role names are the cluster's, not the database's: two LES Claims
-- databases on one server share les_viewer and the others (their grants
-- are each database's own).

-- (the notices of objects made or replaced for the first time are noise)
SET LOCAL client_min_messages = warning;

-- ---- the roles ---------------------------------------------------------

DO $$
DECLARE
  r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['les_viewer', 'les_contract_manager', 'les_finance', 'les_admin'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
      EXECUTE format ('CREATE ROLE %I NOLOGIN', r);
    END IF;
  END LOOP;
END
$$;

-- everyone reads; the administrator sees what the others see
GRANT les_viewer TO les_contract_manager, les_finance, les_admin;
-- whoever sets the team up administers it
DO $$
BEGIN
  EXECUTE format ('GRANT les_admin TO %I', session_user);
END
$$;

-- Only the four roles connect, and nobody makes objects of their own
-- beside the schema (a table or function in public could shadow ours)
DO $$
BEGIN
  EXECUTE format ('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM PUBLIC', current_database ());
  EXECUTE format ('GRANT CONNECT ON DATABASE %I TO les_viewer', current_database ());
END
$$;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO les_viewer;

-- ---- the team's own tables ----------------------------------------------

-- Policies an administrator may switch (les_team_set_policy)
CREATE TABLE IF NOT EXISTS team_settings (
  name  TEXT COLLATE "C" PRIMARY KEY,
  value BOOLEAN NOT NULL
);
INSERT INTO team_settings (name, value) VALUES ('separation_of_duties', TRUE)
  ON CONFLICT (name) DO NOTHING;

-- Who was given or lost a role, and every policy switched: written only by
-- the functions below (no role may write it)
CREATE TABLE IF NOT EXISTS team_log (
  id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at      TIMESTAMPTZ NOT NULL DEFAULT now (),
  by_user TEXT COLLATE "C" NOT NULL DEFAULT session_user,
  action  TEXT COLLATE "C" NOT NULL,
  detail  TEXT COLLATE "C"
);

-- Actions the server refused for separation of duties.  The refusal rolls
-- its own transaction back, so les-db-pg.c records it afterwards through
-- les_team_record_refusal(); the server's log has it either way (the
-- refusing trigger raises a WARNING first, which no rollback takes back).
CREATE TABLE IF NOT EXISTS team_refusals (
  id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at      TIMESTAMPTZ NOT NULL DEFAULT now (),
  by_user TEXT COLLATE "C" NOT NULL DEFAULT session_user,
  action  TEXT COLLATE "C" NOT NULL,
  detail  TEXT COLLATE "C"
);

-- Who approved each claim: set by the server (les_team_claims_approver)
ALTER TABLE claims ADD COLUMN IF NOT EXISTS approved_by TEXT COLLATE "C";

-- ---- grants -------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM les_viewer, les_contract_manager, les_finance, les_admin;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM les_viewer, les_contract_manager, les_finance, les_admin;

-- Viewer: reads everything, writes nothing
GRANT SELECT ON ALL TABLES IN SCHEMA public TO les_viewer;

-- Every writer writes the audit trail (INSERT only: no role may change or
-- delete a row of it) and its sealed end in meta (a row-level policy below
-- keeps them to that one row)
GRANT INSERT ON audit TO les_contract_manager, les_finance;
GRANT INSERT, UPDATE ON meta TO les_contract_manager, les_finance;

-- Contract managers: services and rules, reference data, claims and their
-- patient lines (imports), claim decisions (status and reason only)
GRANT INSERT, UPDATE, DELETE ON pcns, practices, list_sizes, services, rules, signups, cohorts, allocations,
  achievements, patient_lines TO les_contract_manager;
GRANT INSERT ON claims TO les_contract_manager;
GRANT UPDATE (status, status_reason) ON claims TO les_contract_manager;

-- Finance: the ledger, payment runs and what they pay, re-opening a run
GRANT INSERT, UPDATE, DELETE ON ledger TO les_finance;
GRANT INSERT, UPDATE ON payment_runs TO les_finance;
GRANT INSERT ON paid_lines TO les_finance;

-- A compute rewrites the year's results: contract managers compute to see
-- what their decisions pay, and finance's payment run recomputes first
GRANT INSERT, UPDATE, DELETE ON computes, payment_lines, service_totals, findings, adjustments
  TO les_contract_manager, les_finance;

-- Every write says what it makes out of date: the year's counters of
-- changes and the month it is worked to (schema 5), the services a
-- compute must redo (schema 6); a run records what it paid per service
GRANT INSERT, UPDATE ON year_state TO les_contract_manager, les_finance;
GRANT INSERT, DELETE ON stale_services TO les_contract_manager, les_finance;
GRANT INSERT, DELETE ON run_totals TO les_finance;

GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO les_contract_manager, les_finance;

-- The team's tables: read by the administrator, written by functions only
REVOKE SELECT ON team_log, team_refusals FROM les_viewer;
GRANT SELECT ON team_settings TO les_viewer;
GRANT SELECT ON team_log, team_refusals TO les_admin;

-- meta: every role reads it; writers write only the audit trail's end
ALTER TABLE meta ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS les_meta_read ON meta;
CREATE POLICY les_meta_read ON meta FOR SELECT TO les_viewer USING (TRUE);
DROP POLICY IF EXISTS les_meta_insert ON meta;
CREATE POLICY les_meta_insert ON meta FOR INSERT TO les_contract_manager, les_finance
  WITH CHECK (key = 'audit_head');
DROP POLICY IF EXISTS les_meta_update ON meta;
CREATE POLICY les_meta_update ON meta FOR UPDATE TO les_contract_manager, les_finance
  USING (key = 'audit_head') WITH CHECK (key = 'audit_head');

-- ---- the server's own record of who did what ------------------------------

-- Who: the authenticated user, never a name the client sends
CREATE OR REPLACE FUNCTION les_team_audit_user () RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
  NEW.os_user := session_user;
  RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS les_team_audit_user ON audit;
CREATE TRIGGER les_team_audit_user BEFORE INSERT ON audit
  FOR EACH ROW EXECUTE FUNCTION les_team_audit_user ();

-- Written once: not even the owner changes a row without dropping this first
CREATE OR REPLACE FUNCTION les_team_audit_frozen () RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = '42501',
    MESSAGE = format ('the audit trail is written once: %s is refused', TG_OP);
END
$$;
DROP TRIGGER IF EXISTS les_team_audit_frozen ON audit;
CREATE TRIGGER les_team_audit_frozen BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION les_team_audit_frozen ();
DROP TRIGGER IF EXISTS les_team_audit_truncate ON audit;
CREATE TRIGGER les_team_audit_truncate BEFORE TRUNCATE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION les_team_audit_frozen ();

-- A run's and a compute's "by" the server's user too (a run's seal is
-- made from the row as stored, after this)
CREATE OR REPLACE FUNCTION les_team_runs_user () RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.created_by := session_user;
  ELSE
    NEW.created_by := OLD.created_by;
    IF NEW.reopened_at IS DISTINCT FROM OLD.reopened_at THEN
      NEW.reopened_by := CASE WHEN NEW.reopened_at IS NULL THEN NULL ELSE session_user END;
    ELSE
      NEW.reopened_by := OLD.reopened_by;
    END IF;
  END IF;
  RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS les_team_runs_user ON payment_runs;
CREATE TRIGGER les_team_runs_user BEFORE INSERT OR UPDATE ON payment_runs
  FOR EACH ROW EXECUTE FUNCTION les_team_runs_user ();

CREATE OR REPLACE FUNCTION les_team_computes_user () RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
  NEW.computed_by := session_user;
  RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS les_team_computes_user ON computes;
CREATE TRIGGER les_team_computes_user BEFORE INSERT OR UPDATE ON computes
  FOR EACH ROW EXECUTE FUNCTION les_team_computes_user ();

-- ---- several people at once ----------------------------------------------

-- A claim decision or a payment run by any client (psql too) first takes the
-- write lock LES Claims' writers take (les-db-pg.c's WRITE_LOCK_KEY), so a
-- decision LES Claims checks against the status it reads inside its write
-- transaction cannot be overtaken by a writer that skips the lock.  The
-- lock is the transaction's, and taken again by its holder at no cost.
CREATE OR REPLACE FUNCTION les_team_write_lock () RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
  PERFORM pg_advisory_xact_lock (21468322294874955);
  RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS les_team_claims_lock ON claims;
CREATE TRIGGER les_team_claims_lock BEFORE UPDATE OR DELETE ON claims
  FOR EACH STATEMENT EXECUTE FUNCTION les_team_write_lock ();
DROP TRIGGER IF EXISTS les_team_runs_lock ON payment_runs;
CREATE TRIGGER les_team_runs_lock BEFORE INSERT OR UPDATE OR DELETE ON payment_runs
  FOR EACH STATEMENT EXECUTE FUNCTION les_team_write_lock ();

-- ---- separation of duties --------------------------------------------------

CREATE OR REPLACE FUNCTION les_team_policy (policy text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  SELECT coalesce ((SELECT value FROM team_settings WHERE name = policy), TRUE)
$$;
REVOKE ALL ON FUNCTION les_team_policy (text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION les_team_policy (text) TO les_viewer;

-- Who approved a claim is whoever set it approved, by the server's word
CREATE OR REPLACE FUNCTION les_team_claims_approver () RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
  IF NEW.status <> 'approved' THEN
    NEW.approved_by := NULL;
  ELSIF TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'approved' THEN
    NEW.approved_by := session_user;
  ELSE
    NEW.approved_by := OLD.approved_by;
  END IF;
  RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS les_team_claims_approver ON claims;
CREATE TRIGGER les_team_claims_approver BEFORE INSERT OR UPDATE ON claims
  FOR EACH ROW EXECUTE FUNCTION les_team_claims_approver ();

-- Whoever approved a claim may not close the payment run that pays it: the
-- lines a run freezes (its own, and adjustments to lines paid before) are
-- checked against the claims that make them up.  SQLSTATE LES01, which
-- les-db-pg.c turns into LES_ERROR_SEPARATION_OF_DUTIES; DETAIL lists the
-- first claims.
CREATE OR REPLACE FUNCTION les_team_paid_lines_check () RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
DECLARE
  n bigint;
  refs text;
BEGIN
  IF NOT les_team_policy ('separation_of_duties') THEN
    RETURN NULL;
  END IF;
  SELECT count (*), string_agg (claim_ref, ', ' ORDER BY claim_ref) FILTER (WHERE k <= 10)
    INTO n, refs
    FROM (SELECT c.claim_ref, row_number () OVER (ORDER BY c.claim_ref) AS k
          FROM claims AS c
          WHERE c.status = 'approved' AND c.approved_by = session_user
          AND EXISTS (SELECT 1 FROM new_lines AS p WHERE p.year = c.year AND p.practice_code = c.practice_code
                      AND p.service_code = c.service_code AND p.rule_code = c.item_code
                      AND p.period = c.period)) AS mine;
  IF n > 0 THEN
    IF n > 10 THEN
      refs := refs || format (' and %s more', n - 10);
    END IF;
    -- the server's log keeps it whatever becomes of the transaction
    RAISE WARNING 'LES Claims: separation of duties: % may not close a payment run that pays % claims they approved (%)',
      session_user, n, refs;
    RAISE EXCEPTION USING ERRCODE = 'LES01',
      MESSAGE = format ('%s approved %s of the claims this payment run pays', session_user, n),
      DETAIL = refs,
      HINT = 'Whoever approves a claim may not close the run that pays it: a colleague closes the month.';
  END IF;
  RETURN NULL;
END
$$;
DROP TRIGGER IF EXISTS les_team_paid_lines_check ON paid_lines;
CREATE TRIGGER les_team_paid_lines_check AFTER INSERT ON paid_lines
  REFERENCING NEW TABLE AS new_lines
  FOR EACH STATEMENT EXECUTE FUNCTION les_team_paid_lines_check ();

-- Records a refusal after its transaction was rolled back (les-db-pg.c);
-- always in the caller's own name
CREATE OR REPLACE FUNCTION les_team_record_refusal (what text, detail text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
  INSERT INTO team_refusals (by_user, action, detail)
  VALUES (session_user, left (what, 100), left (detail, 2000))
$$;
REVOKE ALL ON FUNCTION les_team_record_refusal (text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION les_team_record_refusal (text, text) TO les_viewer;

-- ---- people and roles (les_admin) -------------------------------------------

CREATE OR REPLACE FUNCTION les_team_require_admin () RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
  IF NOT pg_has_role (session_user, 'les_admin', 'MEMBER') THEN
    RAISE EXCEPTION USING ERRCODE = '42501',
      MESSAGE = format ('%s is not an administrator of this team (role les_admin)', session_user);
  END IF;
END
$$;
REVOKE ALL ON FUNCTION les_team_require_admin () FROM PUBLIC;

CREATE OR REPLACE FUNCTION les_team_add_user (who text, team_role text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  PERFORM les_team_require_admin ();
  IF team_role NOT IN ('les_viewer', 'les_contract_manager', 'les_finance', 'les_admin') THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = format ('%s is not a role of the team', team_role);
  END IF;
  IF who IS NULL OR who = '' OR who LIKE 'les\_%' OR who LIKE 'pg\_%' THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = format ('%s cannot be a person of the team', who);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = who) THEN
    EXECUTE format ('CREATE ROLE %I LOGIN', who);
  ELSIF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = who AND rolsuper) THEN
    RAISE EXCEPTION USING ERRCODE = '22023',
      MESSAGE = format ('%s is a superuser of the server, which no role of the team can limit', who);
  END IF;
  EXECUTE format ('GRANT %I TO %I', team_role, who);
  INSERT INTO team_log (action, detail) VALUES ('add-user', format ('%s: %s', who, team_role));
END
$$;
REVOKE ALL ON FUNCTION les_team_add_user (text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION les_team_add_user (text, text) TO les_admin;

-- Takes one role of the team from a person, or every one (NULL); the login
-- itself stays, as it may serve other databases of the server
CREATE OR REPLACE FUNCTION les_team_remove_user (who text, team_role text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
  r text;
  n bigint := 0;
BEGIN
  PERFORM les_team_require_admin ();
  FOR r IN SELECT g.rolname FROM pg_auth_members AS a JOIN pg_roles AS g ON g.oid = a.roleid
           JOIN pg_roles AS m ON m.oid = a.member
           WHERE m.rolname = who AND (team_role IS NULL OR g.rolname = team_role)
           AND g.rolname IN ('les_viewer', 'les_contract_manager', 'les_finance', 'les_admin') LOOP
    EXECUTE format ('REVOKE %I FROM %I', r, who);
    n := n + 1;
  END LOOP;
  IF n > 0 THEN
    INSERT INTO team_log (action, detail) VALUES ('remove-user', format ('%s: %s', who, coalesce (team_role, 'every role')));
  END IF;
  RETURN n;
END
$$;
REVOKE ALL ON FUNCTION les_team_remove_user (text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION les_team_remove_user (text, text) TO les_admin;

-- Separation of duties off (or on again): administrators only, and logged
CREATE OR REPLACE FUNCTION les_team_set_policy (policy text, enabled boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
  PERFORM les_team_require_admin ();
  IF policy NOT IN ('separation_of_duties') THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = format ('%s is not a policy of the team', policy);
  END IF;
  INSERT INTO team_settings (name, value) VALUES (policy, enabled)
    ON CONFLICT (name) DO UPDATE SET value = excluded.value;
  INSERT INTO team_log (action, detail)
    VALUES ('set-policy', format ('%s %s', policy, CASE WHEN enabled THEN 'on' ELSE 'off' END));
END
$$;
REVOKE ALL ON FUNCTION les_team_set_policy (text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION les_team_set_policy (text, boolean) TO les_admin;
