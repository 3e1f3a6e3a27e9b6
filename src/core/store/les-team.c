/* les-team.c: a team database on PostgreSQL — setting it up, its people and roles, its policies. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-core-resources.h"
#include "les-error.h"
#include "les-store-private.h"
#include "les-team.h"

/* What the server enforces lives in les-team-pg.sql, applied by
 * les_team_setup(); this file only asks it, and says the answers in words. */

#define TEAM_SQL "resource:///org/lesclaims/LesClaims/core/pg/les-team-pg.sql"

static const struct {
  LesTeamRoles  role;
  const char   *word;
  const char   *server;   /* the role's name on the server */
} roles[] = {
  { LES_TEAM_VIEWER, "viewer", "les_viewer" },
  { LES_TEAM_CONTRACT_MANAGER, "contract-manager", "les_contract_manager" },
  { LES_TEAM_FINANCE, "finance", "les_finance" },
  { LES_TEAM_ADMIN, "admin", "les_admin" },
};

void
les_team_member_free (LesTeamMember *member)
{
  if (member == NULL)
    return;
  g_free (member->user);
  g_free (member);
}

const char *
les_team_role_to_word (LesTeamRoles role)
{
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (roles[i].role == role)
      return roles[i].word;
  return NULL;
}

/**
 * les_team_role_from_word:
 *
 * Returns: the role @word names (any case; "contract_manager" too), or 0
 */
LesTeamRoles
les_team_role_from_word (const char *word)
{
  g_autofree char *lower = NULL;

  if (word == NULL)
    return 0;
  lower = g_strdelimit (g_ascii_strdown (word, -1), "_", '-');
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (strcmp (lower, roles[i].word) == 0)
      return roles[i].role;
  return 0;
}

const char *
les_team_role_list_words (void)
{
  return "viewer, contract-manager, finance, admin";
}

static const char *
server_role (LesTeamRoles role)
{
  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    if (roles[i].role == role)
      return roles[i].server;
  return NULL;
}

static gboolean
require_server (LesStore *store, GError **error)
{
  if (strcmp (les_store_get_backend_name (store), "postgresql") == 0)
    return TRUE;
  g_set_error (error, LES_ERROR, LES_ERROR_INVALID,
               _("%s is a file on this computer: roles and separation of duties are a team database’s, on a "
                 "PostgreSQL server (docs/team-server.md)"), les_store_get_location (store));
  return FALSE;
}

/**
 * les_team_setup:
 *
 * Applies les-team-pg.sql: the roles, what each may do, separation of
 * duties, the audit trail's user written by the server.  Run by the
 * database's owner, who must be allowed to create roles (CREATEROLE); again
 * after each upgrade (it changes nothing that is already as it should be,
 * and keeps the policies as an administrator left them).
 */
gboolean
les_team_setup (LesStore *store, GError **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);

  if (!require_server (store, error))
    return FALSE;
  (void) les_core_get_resource ();
  file = g_file_new_for_uri (TEAM_SQL);
  bytes = g_file_load_bytes (file, NULL, NULL, error);
  if (bytes == NULL)
    return FALSE;
  sql = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (!les_store_begin (store, error))
    return FALSE;
  if (!les_store_exec (store, sql, &local))
    {
      les_store_rollback (store);
      if (les_db_last_failure (les_store_get_db (store)) == LES_DB_FAILURE_PERMISSION)
        g_set_error (error, LES_ERROR, LES_ERROR_PERMISSION,
                     _("%s: only the database’s owner, allowed to create roles (CREATEROLE), can set a team up: %s"),
                     les_store_get_location (store), local->message);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return les_store_commit (store, error);
}

/* The one value of a statement with @text (may be NULL) bound as ?1 and @text2 as ?2 */
static char *
query_one (LesStore *store, const char *sql, const char *text, const char *text2, gboolean *found, GError **error)
{
  LesStmt *stmt = les_store_prepare (store, sql, error);
  char *value = NULL;
  LesStep rc;

  *found = FALSE;
  if (stmt == NULL)
    return NULL;
  if (les_stmt_param_count (stmt) >= 1)
    les_stmt_bind_text_or_null (stmt, 1, text);
  if (les_stmt_param_count (stmt) >= 2)
    les_stmt_bind_text_or_null (stmt, 2, text2);
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    {
      *found = TRUE;
      value = g_strdup (les_stmt_text (stmt, 0));
    }
  les_stmt_reset (stmt);
  return value;
}

/**
 * les_team_is_set_up:
 *
 * Returns: whether les_team_setup() was applied to the database; FALSE
 * (and no error) for a file
 */
gboolean
les_team_is_set_up (LesStore *store, GError **error)
{
  g_autofree char *value = NULL;
  gboolean found;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);

  if (strcmp (les_store_get_backend_name (store), "postgresql") != 0)
    return FALSE;
  value = query_one (store, les_sql_team_is_set_up, NULL, NULL, &found, error);
  return found && g_strcmp0 (value, "1") == 0;
}

static gboolean
require_team (LesStore *store, GError **error)
{
  g_autoptr(GError) local = NULL;

  if (!require_server (store, error))
    return FALSE;
  if (les_team_is_set_up (store, &local))
    return TRUE;
  if (local != NULL)
    g_propagate_error (error, g_steal_pointer (&local));
  else
    g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND,
                 _("%s has no team roles yet: its owner sets them up with “les-claims-cli team setup”"),
                 les_store_get_location (store));
  return FALSE;
}

/**
 * les_team_get_roles:
 *
 * Returns: the team roles of the user this store is connected as (a contract
 * manager is a viewer too); 0 for a file, or a server database not set up
 * for a team, where the server lets the user do whatever their grants allow
 */
LesTeamRoles
les_team_get_roles (LesStore *store, GError **error)
{
  LesTeamRoles held = 0;
  LesStmt *stmt;
  LesStep rc;

  g_return_val_if_fail (LES_IS_STORE (store), 0);

  if (strcmp (les_store_get_backend_name (store), "postgresql") != 0)
    return 0;
  stmt = les_store_prepare (store, les_sql_team_roles, error);
  if (stmt == NULL)
    return 0;
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
      if (g_strcmp0 (les_stmt_text (stmt, 0), roles[i].server) == 0)
        held |= roles[i].role;
  les_stmt_reset (stmt);
  return rc == LES_STEP_ERROR ? 0 : held;
}

/* Runs one of the team's functions, in a transaction of its own */
static gboolean
call (LesStore *store, const char *sql, const char *text, const char *text2, GError **error)
{
  g_autofree char *value = NULL;
  gboolean found;
  GError *local = NULL;

  if (!require_team (store, error) || !les_store_begin (store, error))
    return FALSE;
  value = query_one (store, sql, text, text2, &found, &local);
  if (local != NULL)
    {
      les_store_rollback (store);
      g_propagate_error (error, local);
      return FALSE;
    }
  return les_store_commit (store, error);
}

/**
 * les_team_add_user:
 * @user: a login of the server; made (without a password) when it does not exist
 * @role: one role
 *
 * Gives @user @role.  Only an administrator may; the server logs it.
 */
gboolean
les_team_add_user (LesStore *store, const char *user, LesTeamRoles role, GError **error)
{
  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (server_role (role) != NULL, FALSE);

  return call (store, les_sql_team_add_user, user, server_role (role), error);
}

/**
 * les_team_remove_user:
 * @role: one role, or 0 for every role of the team
 *
 * Takes @role from @user (their login stays: it may serve other databases).
 * Fails with LES_ERROR_NOT_FOUND when they did not have it.
 */
gboolean
les_team_remove_user (LesStore *store, const char *user, LesTeamRoles role, GError **error)
{
  g_autofree char *n = NULL;
  gboolean found;
  GError *local = NULL;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);
  g_return_val_if_fail (role == 0 || server_role (role) != NULL, FALSE);

  if (!require_team (store, error) || !les_store_begin (store, error))
    return FALSE;
  n = query_one (store, les_sql_team_remove_user, user, role != 0 ? server_role (role) : NULL, &found, &local);
  if (local != NULL)
    {
      les_store_rollback (store);
      g_propagate_error (error, local);
      return FALSE;
    }
  if (!les_store_commit (store, error))
    return FALSE;
  if (g_strcmp0 (n, "0") == 0)
    {
      if (role != 0)
        g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND, _("%s is not %s in this team"), user,
                     les_team_role_to_word (role));
      else
        g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND, _("%s has no role in this team"), user);
      return FALSE;
    }
  return TRUE;
}

/**
 * les_team_list:
 *
 * Returns: (transfer container) (element-type LesTeamMember): each person
 * and role given, by name
 */
GPtrArray *
les_team_list (LesStore *store, GError **error)
{
  g_autoptr(GPtrArray) members = g_ptr_array_new_with_free_func ((GDestroyNotify) les_team_member_free);
  LesStmt *stmt;
  LesStep rc;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  if (!require_team (store, error))
    return NULL;
  stmt = les_store_prepare (store, les_sql_team_members, error);
  if (stmt == NULL)
    return NULL;
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
      if (g_strcmp0 (les_stmt_text (stmt, 1), roles[i].server) == 0)
        {
          LesTeamMember *m = g_new0 (LesTeamMember, 1);

          m->user = g_strdup (les_stmt_text (stmt, 0));
          m->role = roles[i].role;
          g_ptr_array_add (members, m);
        }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return NULL;
  return g_steal_pointer (&members);
}

/**
 * les_team_set_separation_of_duties:
 *
 * Turns the rule that whoever approved a claim may not close the run that
 * pays it off (or on again).  Only an administrator may; the server logs it.
 */
gboolean
les_team_set_separation_of_duties (LesStore *store, gboolean enabled, GError **error)
{
  g_return_val_if_fail (LES_IS_STORE (store), FALSE);

  return call (store, les_sql_team_set_policy, "separation_of_duties", enabled ? "true" : "false", error);
}

gboolean
les_team_get_separation_of_duties (LesStore *store, gboolean *enabled, GError **error)
{
  g_autofree char *value = NULL;
  gboolean found;
  GError *local = NULL;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (enabled != NULL, FALSE);

  if (!require_team (store, error))
    return FALSE;
  value = query_one (store, les_sql_team_get_policy, "separation_of_duties", NULL, &found, &local);
  if (local != NULL)
    {
      g_propagate_error (error, local);
      return FALSE;
    }
  *enabled = g_strcmp0 (value, "1") == 0;
  return TRUE;
}
