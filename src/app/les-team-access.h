/* les-team-access.h: what a team role may do in the window — which actions to offer, and why not. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "les-team.h"

G_BEGIN_DECLS

/* The window's tasks that write, by who may do them (docs/team-server.md, "Roles and people") */
typedef enum {
  LES_TEAM_TASK_IMPORT,           /* any import: contract managers (reference data, claims), finance (ledger) */
  LES_TEAM_TASK_IMPORT_REFERENCE, /* practices, list sizes, services, rules, sign-ups, ..., claims */
  LES_TEAM_TASK_IMPORT_LEDGER,
  LES_TEAM_TASK_DECIDE_CLAIMS,
  LES_TEAM_TASK_EDIT_SERVICES,
  LES_TEAM_TASK_COMPUTE,
  LES_TEAM_TASK_CLOSE_MONTH,
  LES_TEAM_TASK_REOPEN,
  LES_TEAM_TASK_STATEMENTS,
} LesTeamTask;

/* @roles 0 is a file (or a server database not set up for a team): everything */
gboolean  les_team_access_may        (LesTeamRoles  roles,
                                      LesTeamTask   task);
/* "Your role, viewer, may not decide claims"; NULL when @roles may */
char     *les_team_access_why_not    (LesTeamRoles  roles,
                                      LesTeamTask   task);
/* What @roles may not do, in one sentence; NULL when they may do everything */
char     *les_team_access_describe   (LesTeamRoles  roles);
/* "viewer", "contract-manager, finance": the roles that give rights (a
 * contract manager is a viewer too, which goes without saying) */
char     *les_team_access_role_words (LesTeamRoles  roles);

G_END_DECLS
