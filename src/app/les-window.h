/* les-window.h: the main window — one database's session, the selected year and the five screens. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "les-application.h"
#include "les-session.h"

G_BEGIN_DECLS

#define LES_TYPE_WINDOW (les_window_get_type ())
G_DECLARE_FINAL_TYPE (LesWindow, les_window, LES, WINDOW, AdwApplicationWindow)

LesWindow  *les_window_new            (LesApplication *app);
gboolean    les_window_open_database  (LesWindow      *self,
                                       const char     *path);
/* The database opened last (the settings' last-database): a file, or a team
 * database, connected to without blocking; a failure shows in the window. */
void        les_window_open_last_database (LesWindow  *self);
void        les_window_open_team_store (LesWindow     *self,
                                        LesStore      *store,
                                        LesTeamRoles   roles);
/* The open database's session, which every screen shares (NULL when none is open). */
LesSession *les_window_get_session    (LesWindow      *self);
GtkWidget  *les_window_get_page       (LesWindow      *self,
                                       const char     *name);
const char *les_window_get_stale_text (LesWindow      *self);
/* The banner's words while the team database's server is lost, else NULL (for tests). */
const char *les_window_get_server_text (LesWindow     *self);
/* Why the database could not be opened, while the window says so, else NULL (for tests). */
const char *les_window_get_error_text (LesWindow      *self);
/* Imports the demo data set (FORMATS.md kinds in dependency order), then computes. */
void        les_window_import_demo    (LesWindow      *self);

G_END_DECLS
