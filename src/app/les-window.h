/* les-window.h: the main window — one database, the selected year and the five screens. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "les-application.h"
#include "les-job.h"
#include "les-store.h"

G_BEGIN_DECLS

#define LES_TYPE_WINDOW (les_window_get_type ())
G_DECLARE_FINAL_TYPE (LesWindow, les_window, LES, WINDOW, AdwApplicationWindow)

/* Called with the store after an undoable edit is undone. */
typedef gboolean (*LesWindowUndoFunc) (LesStore  *store,
                                       gpointer   data,
                                       GError   **error);

LesWindow  *les_window_new            (LesApplication *app);
gboolean    les_window_open_database  (LesWindow      *self,
                                       const char     *path);
LesStore   *les_window_get_store      (LesWindow      *self);
int         les_window_get_year       (LesWindow      *self);
void        les_window_set_year       (LesWindow      *self,
                                       int             year);
void        les_window_show_page      (LesWindow      *self,
                                       const char     *name);
GtkWidget  *les_window_get_page       (LesWindow      *self,
                                       const char     *name);
void        les_window_add_toast      (LesWindow      *self,
                                       const char     *title);
/* Shows a toast with Undo; @func undoes the edit (Ctrl+Z too). */
void        les_window_push_undo      (LesWindow      *self,
                                       const char     *title,
                                       LesWindowUndoFunc func,
                                       gpointer        data,
                                       GDestroyNotify  destroy);
/* The same for an edit whose undoing is long: undone as a job on a worker,
 * after which the window tells the store's listeners @table_name changed. */
void        les_window_push_undo_job  (LesWindow      *self,
                                       const char     *title,
                                       LesWindowUndoFunc func,
                                       gpointer        data,
                                       GDestroyNotify  destroy,
                                       const char     *table_name);
/* Undoes the latest edit (or starts undoing it, for a job); FALSE when
 * there is none, a job is running or the undo failed. */
gboolean    les_window_undo           (LesWindow      *self);
/* Runs @job with the progress strip; FALSE when another is running. */
gboolean    les_window_run_job        (LesWindow      *self,
                                       LesJob         *job,
                                       GAsyncReadyCallback callback,
                                       gpointer        user_data);
/* In a les_window_run_job() callback (@result as given): the job's outcome. */
gboolean    les_window_finish_job     (LesWindow      *self,
                                       LesJob         *job,
                                       GAsyncResult   *result,
                                       GError        **error);
gboolean    les_window_is_busy        (LesWindow      *self);
/* Runs @job on a connection of its own to @store's file.  Until the
 * screens run their work through a LesSession (issue #10). */
void        les_run_job_on_copy       (LesJob              *job,
                                       LesStore            *store,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data);
/* Computes the selected year on a worker thread. */
void        les_window_compute        (LesWindow      *self);
/* Imports the demo data set (FORMATS.md kinds in dependency order). */
void        les_window_import_demo    (LesWindow      *self);
void        les_window_import_files   (LesWindow      *self,
                                       GFile         **files,
                                       guint           n_files);

G_END_DECLS
