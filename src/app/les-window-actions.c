/* les-window-actions.c: the main window's actions — databases, import, compute, undo, export, pages and toasts. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "les-claims-page.h"
#include "les-import-dialog.h"
#include "les-team-access.h"
#include "les-team-dialog.h"
#include "les-value.h"
#include "les-window-private.h"

/* Kinds in the order their references need them (FORMATS.md). */
static const LesKind demo_kinds[] = {
  LES_KIND_PRACTICES, LES_KIND_LIST_SIZES, LES_KIND_SERVICES, LES_KIND_RULES,
  LES_KIND_SIGNUPS, LES_KIND_COHORTS, LES_KIND_ALLOCATIONS, LES_KIND_CLAIMS,
  LES_KIND_PATIENT_ACTIVITY, LES_KIND_ACHIEVEMENTS, LES_KIND_LEDGER,
};

void
les_window_update_actions (LesWindow *self)
{
  gboolean open = self->session != NULL;
  gboolean busy = open && les_session_get_busy (self->session);
  gboolean year = open && les_session_get_year (self->session) > 0;
  LesTeamRoles roles = open ? les_session_get_roles (self->session) : 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import",
                                 open && !busy && les_team_access_may (roles, LES_TEAM_TASK_IMPORT));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compute",
                                 open && !busy && year && les_team_access_may (roles, LES_TEAM_TASK_COMPUTE));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", open);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-job", self->job != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo", open && les_session_get_can_undo (self->session));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-database", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-database", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-team-database", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.start-empty",
                                 open && !busy && les_store_get_path (les_session_get_store (self->session)) != NULL);
}

/* Compute */

static void
compute_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  LesComputeSummary summary = { 0 };
  g_autofree char *year = NULL;
  g_autofree char *month = NULL;
  g_autofree char *payable = NULL;
  g_autofree char *findings = NULL;
  g_autofree char *title = NULL;

  if (!les_session_compute_finish (LES_SESSION (object), result, &summary, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        les_window_add_toast (self, error->message);
      else
        les_window_add_toast (self, _("Compute cancelled; the previous results are kept"));
      return;
    }
  year = les_year_format (summary.fy);
  month = les_period_format_display (summary.to_period);
  payable = les_money_format_display (summary.payable);
  {
    g_autofree char *count = les_count_format_display (summary.n_findings);

    findings = g_strdup_printf (ngettext ("%s finding", "%s findings", summary.n_findings), count);
  }
  /* Translators: "Computed 2024/25 to December 2024: £1,234.00 payable, 1,012 findings" */
  title = g_strdup_printf (_("Computed %s to %s: %s payable, %s"), year, month, payable, findings);
  les_window_add_toast (self, title);
}

/* Computes the selected year on the session's writer. */
void
les_window_compute (LesWindow *self)
{
  g_return_if_fail (LES_IS_WINDOW (self));

  if (self->session == NULL || les_session_get_year (self->session) == 0)
    return;
  les_session_compute_async (self->session, compute_done_cb, g_object_ref (self));
}

/* Imports */

static void
demo_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  AdwToast *toast;

  if (!les_session_import_finish (LES_SESSION (object), result, NULL, &error))
    {
      les_window_add_toast (self, error->message);
      return;
    }
  toast = adw_toast_new (_("The demo data set was loaded"));
  adw_toast_set_button_label (toast, _("Start Empty"));
  adw_toast_set_action_name (toast, "win.start-empty");
  adw_toast_set_timeout (toast, 10);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  /* behind the import, in turn; the new year is the session's by now */
  les_window_compute (self);
}

static void
demo_message_cb (LesJob *job, const char *message, gpointer user_data)
{
  g_debug ("demo import: %s", message);
}

void
les_window_import_demo (LesWindow *self)
{
  g_autofree char *dir = les_application_get_demo_dir ();
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) kinds = g_array_new (FALSE, FALSE, sizeof (LesKind));
  LesJob *job;

  g_return_if_fail (LES_IS_WINDOW (self));

  if (self->session == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (demo_kinds); i++)
    {
      g_autofree char *name = g_strconcat (les_kind_to_string (demo_kinds[i]), ".csv", NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      g_ptr_array_add (files, g_file_new_for_path (path));
      g_array_append_val (kinds, demo_kinds[i]);
    }
  if (files->len == 0)
    return;
  job = les_session_import_async (self->session, (GFile **) files->pdata, (const LesKind *) (gpointer) kinds->data,
                                  files->len, demo_done_cb, g_object_ref (self));
  g_signal_connect (job, "message", G_CALLBACK (demo_message_cb), NULL);
}

/* Opens the import dialog, on @files[0] if any. */
void
les_window_import_files (LesWindow *self, GFile **files, guint n_files)
{
  GtkWidget *dialog;

  g_return_if_fail (LES_IS_WINDOW (self));

  if (self->session == NULL || les_session_get_busy (self->session))
    return;
  dialog = les_import_dialog_new (GTK_WINDOW (self), self->session);
  if (n_files > 0)
    les_import_dialog_set_file (LES_IMPORT_DIALOG (dialog), files[0]);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Databases */

static void
open_response_cb (GtkNativeDialog *dialog, int response, LesWindow *self)
{
  gboolean create = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog)) == GTK_FILE_CHOOSER_ACTION_SAVE;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);

      if (create && g_file_test (path, G_FILE_TEST_EXISTS))
        {
          /* The chooser asked before replacing: start the file afresh */
          g_autofree char *wal = g_strconcat (path, "-wal", NULL);
          g_autofree char *shm = g_strconcat (path, "-shm", NULL);
          g_remove (path);
          g_remove (wal);
          g_remove (shm);
        }
      les_window_open_database (self, path);
    }
  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->chooser);
}

static void
choose_database (LesWindow *self, gboolean create)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (create ? _("New Database") : _("Open Database"), GTK_WINDOW (self),
                                               create ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_OPEN,
                                               create ? _("C_reate") : _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _("LES Claims databases"));
  gtk_file_filter_add_pattern (filter, "*.db");
  gtk_file_filter_add_mime_type (filter, "application/vnd.sqlite3");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  if (create)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), _("LES Claims.db"));
  g_signal_connect (self->chooser, "response", G_CALLBACK (open_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* Team databases */

static void
team_opened_cb (LesTeamDialog *dialog, LesStore *store, guint roles, const char *note, LesWindow *self)
{
  g_autofree char *host = NULL;
  g_autofree char *database = NULL;
  g_autofree char *user = NULL;
  guint port;

  g_autoptr(LesTeamServer) server = les_team_dialog_get_team_server (dialog);
  g_autofree char *conninfo = les_team_server_to_conninfo (server, NULL);

  les_window_open_team_store (self, store, roles);
  /* remembered without the password, which stays in the keyring; opened
   * again at start, as the last file is */
  les_team_dialog_get_server (dialog, &host, &port, &database, &user);
  g_settings_delay (self->settings);
  g_settings_set (self->settings, "last-team-database", "(suss)", host, port, database, user);
  g_settings_set (self->settings, "last-team-encryption", "(ss)", server->sslmode,
                  server->sslrootcert != NULL ? server->sslrootcert : "");
  g_settings_set_string (self->settings, "last-database", conninfo);
  g_settings_apply (self->settings);
  if (note != NULL)
    les_window_add_toast (self, note);
}

/* Asks for a server, pre-filled with the last one */
static void
open_team_database_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesWindow *self = LES_WINDOW (widget);
  GtkWidget *dialog = les_team_dialog_new (GTK_WINDOW (self));
  g_autofree char *host = NULL;
  g_autofree char *database = NULL;
  g_autofree char *user = NULL;
  g_autofree char *sslmode = NULL;
  g_autofree char *sslrootcert = NULL;
  guint port = 0;

  g_settings_get (self->settings, "last-team-database", "(suss)", &host, &port, &database, &user);
  les_team_dialog_set_server (LES_TEAM_DIALOG (dialog), host, port, database, user);
  g_settings_get (self->settings, "last-team-encryption", "(ss)", &sslmode, &sslrootcert);
  les_team_dialog_set_encryption (LES_TEAM_DIALOG (dialog), sslmode, sslrootcert);
  g_signal_connect_object (dialog, "opened", G_CALLBACK (team_opened_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Actions */

static void
open_database_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  choose_database (LES_WINDOW (widget), FALSE);
}

static void
new_database_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  choose_database (LES_WINDOW (widget), TRUE);
}

static void
start_empty_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesWindow *self = LES_WINDOW (widget);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  /* a file beside a server's database has no place: offered only for a file */
  if (self->session == NULL || les_session_get_busy (self->session)
      || les_store_get_path (les_session_get_store (self->session)) == NULL)
    return;
  /* A fresh file beside the demo one, which stays for later */
  dir = g_path_get_dirname (les_store_get_path (les_session_get_store (self->session)));
  for (guint i = 1; path == NULL || g_file_test (path, G_FILE_TEST_EXISTS); i++)
    {
      g_autofree char *name = i == 1 ? g_strdup ("les-claims-empty.db") : g_strdup_printf ("les-claims-empty-%u.db", i);
      g_free (path);
      path = g_build_filename (dir, name, NULL);
    }
  if (les_window_open_database (self, path))
    les_window_add_toast (self, _("Started an empty database"));
}

static void
import_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  les_window_import_files (LES_WINDOW (widget), NULL, 0);
}

static void
compute_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  les_window_compute (LES_WINDOW (widget));
}

static void
cancel_job_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesWindow *self = LES_WINDOW (widget);

  if (self->job != NULL)
    les_job_cancel (self->job);
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  gtk_widget_activate_action (adw_view_stack_get_visible_child (LES_WINDOW (widget)->stack), "page.export", NULL);
}

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  gtk_widget_activate_action (adw_view_stack_get_visible_child (LES_WINDOW (widget)->stack), "page.search", NULL);
}

typedef struct
{
  LesWindow *window;
  char      *title;
} UndoCall;

static void
undo_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  UndoCall *call = user_data;
  g_autoptr(GError) error = NULL;

  call->window->n_undoing--;
  if (!les_session_undo_finish (LES_SESSION (object), result, &error))
    les_window_add_toast (call->window, error->message);
  else
    {
      g_autofree char *title = g_strdup_printf (_("Undone: %s"), call->title);

      les_window_add_toast (call->window, title);
    }
  g_object_unref (call->window);
  g_free (call->title);
  g_free (call);
}

/* Undoes the latest edit, as a write in turn */
static void
undo_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesWindow *self = LES_WINDOW (widget);
  UndoCall *call;

  if (self->session == NULL || !les_session_get_can_undo (self->session))
    return;
  call = g_new0 (UndoCall, 1);
  call->window = g_object_ref (self);
  call->title = g_strdup (les_session_get_undo_title (self->session));
  self->n_undoing++;
  les_session_undo_async (self->session, undo_done_cb, call);
}

static void
show_page_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  adw_view_stack_set_visible_child_name (LES_WINDOW (widget)->stack, g_variant_get_string (param, NULL));
}

static void
show_toast_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  les_window_add_toast (LES_WINDOW (widget), g_variant_get_string (param, NULL));
}

static void
show_finding_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesWindow *self = LES_WINDOW (widget);

  les_claims_page_show_finding (LES_CLAIMS_PAGE (self->claims_page), g_variant_get_string (param, NULL));
  adw_view_stack_set_visible_child_name (self->stack, "claims");
}

void
les_window_class_add_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.open-database", NULL, open_database_action);
  gtk_widget_class_install_action (widget_class, "win.new-database", NULL, new_database_action);
  gtk_widget_class_install_action (widget_class, "win.open-team-database", NULL, open_team_database_action);
  gtk_widget_class_install_action (widget_class, "win.start-empty", NULL, start_empty_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.compute", NULL, compute_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-job", NULL, cancel_job_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.show-page", "s", show_page_action);
  gtk_widget_class_install_action (widget_class, "win.show-toast", "s", show_toast_action);
  gtk_widget_class_install_action (widget_class, "win.show-error", "s", show_toast_action);
  gtk_widget_class_install_action (widget_class, "win.show-finding", "s", show_finding_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.show-page", "s", "overview");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.show-page", "s", "services");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.show-page", "s", "practices");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.show-page", "s", "claims");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_5, GDK_ALT_MASK, "win.show-page", "s", "payments");
}
