/* les-team-access.c: what a team role may do in the window — which actions to offer, and why not. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "les-team-access.h"

/* Who may, as the server's grants have it (les-team-pg.sql); the window only
 * mirrors them so that nobody is offered what the server would refuse. */
static LesTeamRoles
task_roles (LesTeamTask task)
{
  switch (task)
    {
    case LES_TEAM_TASK_IMPORT:
    case LES_TEAM_TASK_COMPUTE:
      return LES_TEAM_CONTRACT_MANAGER | LES_TEAM_FINANCE;
    case LES_TEAM_TASK_IMPORT_REFERENCE:
    case LES_TEAM_TASK_DECIDE_CLAIMS:
    case LES_TEAM_TASK_EDIT_SERVICES:
      return LES_TEAM_CONTRACT_MANAGER;
    case LES_TEAM_TASK_IMPORT_LEDGER:
    case LES_TEAM_TASK_CLOSE_MONTH:
    case LES_TEAM_TASK_REOPEN:
    case LES_TEAM_TASK_STATEMENTS:
      return LES_TEAM_FINANCE;
    default:
      g_assert_not_reached ();
    }
}

gboolean
les_team_access_may (LesTeamRoles roles, LesTeamTask task)
{
  return roles == 0 || (roles & task_roles (task)) != 0;
}

char *
les_team_access_role_words (LesTeamRoles roles)
{
  static const LesTeamRoles order[] = { LES_TEAM_CONTRACT_MANAGER, LES_TEAM_FINANCE, LES_TEAM_ADMIN };
  g_autoptr(GString) words = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    if (roles & order[i])
      {
        if (words->len > 0)
          g_string_append (words, ", ");
        g_string_append (words, les_team_role_to_word (order[i]));
      }
  if (words->len == 0)
    g_string_append (words, les_team_role_to_word (LES_TEAM_VIEWER));
  return g_string_free (g_steal_pointer (&words), FALSE);
}

char *
les_team_access_why_not (LesTeamRoles roles, LesTeamTask task)
{
  g_autofree char *words = NULL;
  const char *format = NULL;

  if (les_team_access_may (roles, task))
    return NULL;
  words = les_team_access_role_words (roles);
  /* Translators: each "%s" is the user's team role(s), e.g. "viewer" or "finance" */
  switch (task)
    {
    case LES_TEAM_TASK_IMPORT:
      format = _("Your role, %s, may not import files");
      break;
    case LES_TEAM_TASK_IMPORT_REFERENCE:
      format = _("Your role, %s, may not import claims or reference data");
      break;
    case LES_TEAM_TASK_IMPORT_LEDGER:
      format = _("Your role, %s, may not import the ledger");
      break;
    case LES_TEAM_TASK_DECIDE_CLAIMS:
      format = _("Your role, %s, may not decide claims");
      break;
    case LES_TEAM_TASK_EDIT_SERVICES:
      format = _("Your role, %s, may not change services");
      break;
    case LES_TEAM_TASK_COMPUTE:
      format = _("Your role, %s, may not compute payments");
      break;
    case LES_TEAM_TASK_CLOSE_MONTH:
      format = _("Your role, %s, may not close a month");
      break;
    case LES_TEAM_TASK_REOPEN:
      format = _("Your role, %s, may not re-open a payment run");
      break;
    case LES_TEAM_TASK_STATEMENTS:
      format = _("Your role, %s, may not issue statements");
      break;
    default:
      g_assert_not_reached ();
    }
  return g_strdup_printf (format, words);
}

/**
 * les_team_access_describe:
 *
 * Returns: (nullable): what @roles may not do in a sentence, for the window
 * to say once when a team database opens; NULL when they may do everything
 */
char *
les_team_access_describe (LesTeamRoles roles)
{
  g_autofree char *words = les_team_access_role_words (roles);

  /* Translators: each "%s" is the user's team role(s), e.g. "viewer" or "finance" */
  if (!les_team_access_may (roles, LES_TEAM_TASK_IMPORT))
    return g_strdup_printf (_("Your role, %s, may read and export, not change anything"), words);
  if (!les_team_access_may (roles, LES_TEAM_TASK_CLOSE_MONTH))
    return g_strdup_printf (_("Your role, %s, may not import the ledger, close a month or re-open a payment run"),
                            words);
  if (!les_team_access_may (roles, LES_TEAM_TASK_DECIDE_CLAIMS))
    return g_strdup_printf (_("Your role, %s, may not import claims or reference data, decide claims or change "
                              "services"), words);
  return NULL;
}
