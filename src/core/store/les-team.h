/* les-team.h: a team database on PostgreSQL — setting it up, its people and roles, its policies. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "les-store.h"

G_BEGIN_DECLS

/* The roles of a team (docs/team-server.md): what the server lets each do */
typedef enum { /*< flags >*/
  LES_TEAM_VIEWER           = 1 << 0,   /* reads everything, changes nothing */
  LES_TEAM_CONTRACT_MANAGER = 1 << 1,   /* services, rules, reference data, imports, claim decisions, computes */
  LES_TEAM_FINANCE          = 1 << 2,   /* the ledger, payment runs, statements, the report, computes */
  LES_TEAM_ADMIN            = 1 << 3,   /* people and roles, the team's policies */
} LesTeamRoles;

typedef struct {
  char         *user;
  LesTeamRoles  role;     /* one role a row */
} LesTeamMember;

void          les_team_member_free     (LesTeamMember *member);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesTeamMember, les_team_member_free)

/* "viewer", "contract-manager", "finance", "admin" */
const char   *les_team_role_to_word    (LesTeamRoles   role);
LesTeamRoles  les_team_role_from_word  (const char    *word);
const char   *les_team_role_list_words (void);

gboolean      les_team_setup           (LesStore      *store,
                                        GError       **error);
gboolean      les_team_is_set_up       (LesStore      *store,
                                        GError       **error);
LesTeamRoles  les_team_get_roles       (LesStore      *store,
                                        GError       **error);
gboolean      les_team_add_user        (LesStore      *store,
                                        const char    *user,
                                        LesTeamRoles   role,
                                        GError       **error);
gboolean      les_team_remove_user     (LesStore      *store,
                                        const char    *user,
                                        LesTeamRoles   role,
                                        GError       **error);
GPtrArray    *les_team_list            (LesStore      *store,
                                        GError       **error);
gboolean      les_team_set_separation_of_duties (LesStore  *store,
                                                 gboolean   enabled,
                                                 GError   **error);
gboolean      les_team_get_separation_of_duties (LesStore  *store,
                                                 gboolean  *enabled,
                                                 GError   **error);

G_END_DECLS
