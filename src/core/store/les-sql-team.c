/* les-sql-team.c: the statements of a team database — its roles, its people and its policies (PostgreSQL only). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "les-sql.h"

/* The functions and tables named here are les-team-pg.sql's */

const char les_sql_team_is_set_up[] =
  "SELECT to_regclass ('team_settings') IS NOT NULL";

/* The roles of the team this connection's user holds, directly or through another */
const char les_sql_team_roles[] =
  "SELECT r.rolname FROM pg_roles AS r "
  "WHERE r.rolname IN ('les_viewer', 'les_contract_manager', 'les_finance', 'les_admin') "
  "AND pg_has_role (session_user, r.oid, 'MEMBER') ORDER BY r.rolname";

/* The people of the team and the roles each was given (not the roles' own nesting) */
const char les_sql_team_members[] =
  "SELECT m.rolname, g.rolname FROM pg_auth_members AS a "
  "JOIN pg_roles AS g ON g.oid = a.roleid JOIN pg_roles AS m ON m.oid = a.member "
  "WHERE g.rolname IN ('les_viewer', 'les_contract_manager', 'les_finance', 'les_admin') "
  "AND m.rolname NOT IN ('les_viewer', 'les_contract_manager', 'les_finance', 'les_admin') "
  "ORDER BY m.rolname, g.rolname";

const char les_sql_team_add_user[] =
  "SELECT les_team_add_user (?1, ?2)";

/* ?2 NULL: every role of the team */
const char les_sql_team_remove_user[] =
  "SELECT les_team_remove_user (?1, ?2)";

const char les_sql_team_set_policy[] =
  "SELECT les_team_set_policy (?1, CAST (?2 AS boolean))";

const char les_sql_team_get_policy[] =
  "SELECT les_team_policy (?1)";

const char les_sql_team_refusals[] =
  "SELECT to_char (at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), by_user, action, detail "
  "FROM team_refusals ORDER BY id";
