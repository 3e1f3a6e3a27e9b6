/* les-team-dialog.h: opening a team database on a PostgreSQL server — host, port, database, user, password. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "les-store.h"
#include "les-team.h"

G_BEGIN_DECLS

/* A team database's server: where, who, and how the connection is encrypted
 * (libpq's sslmode and sslrootcert); never the password */
typedef struct {
  char *host;
  char *port;
  char *database;
  char *user;
  char *sslmode;       /* "prefer", "require" or "verify-full" */
  char *sslrootcert;   /* (nullable) the certificate authority, for verify-full */
} LesTeamServer;

LesTeamServer *les_team_server_copy          (const LesTeamServer *server);
void           les_team_server_free          (LesTeamServer       *server);
/* The connection string, with @password (nullable) as "password=" */
char          *les_team_server_to_conninfo   (const LesTeamServer *server,
                                              const char          *password);
LesTeamServer *les_team_server_from_conninfo (const char          *conninfo);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesTeamServer, les_team_server_free)

/* Opens the team database on a worker, the password from the keyring when
 * @password is NULL (kept there when typed and it works) */
void           les_team_connect_async        (const LesTeamServer *server,
                                              const char          *password,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
LesStore      *les_team_connect_finish       (GAsyncResult        *result,
                                              LesTeamRoles        *roles,
                                              char               **note,
                                              GError             **error);

#define LES_TYPE_TEAM_DIALOG (les_team_dialog_get_type ())
G_DECLARE_FINAL_TYPE (LesTeamDialog, les_team_dialog, LES, TEAM_DIALOG, AdwWindow)

/* Signals:
 *   opened (LesStore *store, guint roles, const char *note)  the database
 *     is open, with the user's team roles (les_team_get_roles()) and, when
 *     the password typed could not be kept in the keyring, why (else NULL);
 *     the dialog closes after. */

GtkWidget *les_team_dialog_new         (GtkWindow     *parent);
/* Fills the fields (the last team database, from GSettings); @port 0 keeps 5432. */
void       les_team_dialog_set_server  (LesTeamDialog *self,
                                        const char    *host,
                                        guint          port,
                                        const char    *database,
                                        const char    *user);
/* The fields as they stand (out: transfer full) */
void       les_team_dialog_get_server  (LesTeamDialog *self,
                                        char         **host,
                                        guint         *port,
                                        char         **database,
                                        char         **user);
/* The encryption choice ("prefer", "require", "verify-full") and its certificate authority */
void       les_team_dialog_set_encryption (LesTeamDialog *self,
                                           const char    *sslmode,
                                           const char    *sslrootcert);
LesTeamServer *les_team_dialog_get_team_server (LesTeamDialog *self);
/* The fields' connection string, with @password (nullable) as "password=". */
char      *les_team_dialog_get_conninfo (LesTeamDialog *self,
                                         const char    *password);
/* The connection's failure as shown, or NULL (for tests) */
const char *les_team_dialog_get_error  (LesTeamDialog *self);
/* libpq's keyword=value form, each value quoted; empty values left out. */
char      *les_team_build_conninfo     (const char    *host,
                                        const char    *port,
                                        const char    *database,
                                        const char    *user,
                                        const char    *password);

G_END_DECLS
