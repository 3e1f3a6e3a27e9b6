/* les-window.c: the main window — one database, the selected year and the five screens. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "les-claims-page.h"
#include "les-compute.h"
#include "les-import.h"
#include "les-import-dialog.h"
#include "les-overview-page.h"
#include "les-payments-page.h"
#include "les-practices-page.h"
#include "les-services-page.h"
#include "les-value.h"
#include "les-window.h"

typedef struct
{
  char              *title;
  LesWindowUndoFunc  func;
  gpointer           data;
  GDestroyNotify     destroy;
  char              *job_table;     /* undone as a job: the table to announce after */
} UndoItem;

struct _LesWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  GtkDropDown          *year_dropdown;
  GtkRevealer          *progress_revealer;
  GtkLabel             *progress_label;
  GtkProgressBar       *progress_bar;
  GtkStack             *main_stack;
  AdwStatusPage        *error_page;
  AdwViewStack         *stack;
  GtkWidget            *overview_page;
  GtkWidget            *services_page;
  GtkWidget            *practices_page;
  GtkWidget            *claims_page;
  GtkWidget            *payments_page;

  GSettings            *settings;
  LesStore             *store;
  gulong                changed_id;
  int                   year;
  GArray               *years;         /* int, as in the drop-down */
  gboolean              updating_years;
  GQueue                undo_stack;    /* UndoItem, newest first */
  LesJob               *job;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (LesWindow, les_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_YEAR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Kinds in the order their references need them (FORMATS.md). */
static const LesKind demo_kinds[] = {
  LES_KIND_PRACTICES, LES_KIND_LIST_SIZES, LES_KIND_SERVICES, LES_KIND_RULES,
  LES_KIND_SIGNUPS, LES_KIND_COHORTS, LES_KIND_ALLOCATIONS, LES_KIND_CLAIMS,
  LES_KIND_PATIENT_ACTIVITY, LES_KIND_ACHIEVEMENTS, LES_KIND_LEDGER,
};

static void
undo_item_free (gpointer data)
{
  UndoItem *item = data;

  if (item->destroy != NULL)
    item->destroy (item->data);
  g_free (item->title);
  g_free (item->job_table);
  g_free (item);
}

static void
update_actions (LesWindow *self)
{
  gboolean open = self->store != NULL;
  gboolean busy = self->job != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import", open && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.compute", open && !busy && self->year > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", open);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-job", busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo", !g_queue_is_empty (&self->undo_stack) && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-database", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-database", !busy);
}

static void
reload_years (LesWindow *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  int wanted = self->year > 0 ? self->year : g_settings_get_int (self->settings, "selected-year");
  guint selected = GTK_INVALID_LIST_POSITION;

  g_clear_pointer (&self->years, g_array_unref);
  self->years = self->store != NULL ? les_store_list_years (self->store)
                                    : g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; i < self->years->len; i++)
    {
      int y = g_array_index (self->years, int, i);
      g_autofree char *label = les_year_format (y);

      gtk_string_list_append (labels, label);
      if (y == wanted)
        selected = i;
    }
  if (selected == GTK_INVALID_LIST_POSITION && self->years->len > 0)
    selected = self->years->len - 1;

  self->updating_years = TRUE;
  gtk_drop_down_set_model (self->year_dropdown, G_LIST_MODEL (labels));
  gtk_drop_down_set_selected (self->year_dropdown, selected);
  self->updating_years = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->year_dropdown), self->years->len > 0);

  les_window_set_year (self, selected != GTK_INVALID_LIST_POSITION
                               ? g_array_index (self->years, int, selected) : 0);
}

static void
year_selected_cb (GtkDropDown *dropdown, GParamSpec *pspec, LesWindow *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (self->updating_years || self->years == NULL || selected >= self->years->len)
    return;
  les_window_set_year (self, g_array_index (self->years, int, selected));
  g_settings_set_int (self->settings, "selected-year", self->year);
}

static void
store_changed_cb (LesStore *store, const char *table_name, LesWindow *self)
{
  if (g_strcmp0 (table_name, "services") == 0)
    reload_years (self);
}

static void
set_store (LesWindow *self, LesStore *store)
{
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_queue_clear_full (&self->undo_stack, undo_item_free);
  /* The year first, so that pages never query a new store for an old year */
  self->year = 0;
  g_set_object (&self->store, store);
  if (store != NULL)
    self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (store_changed_cb), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  reload_years (self);
  update_actions (self);
}

static void
update_subtitle (LesWindow *self)
{
  g_autofree char *name = self->store != NULL ? g_path_get_basename (les_store_get_path (self->store)) : NULL;

  adw_view_switcher_title_set_subtitle (self->switcher_title, name);
}

/* Jobs */

static void
job_progress_cb (LesJob *job, GParamSpec *pspec, LesWindow *self)
{
  const char *label = les_job_get_label (job);

  gtk_progress_bar_set_fraction (self->progress_bar, les_job_get_fraction (job));
  gtk_label_set_text (self->progress_label, label != NULL ? label : les_job_get_title (job));
}

static void
job_finished_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  LesWindow *self = g_task_get_source_object (task);

  g_signal_handlers_disconnect_by_func (object, job_progress_cb, self);
  g_clear_object (&self->job);
  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  update_actions (self);
  g_task_return_pointer (task, g_object_ref (result), g_object_unref);
}

gboolean
les_window_run_job (LesWindow           *self,
                    LesJob              *job,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_return_val_if_fail (LES_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (LES_IS_JOB (job), FALSE);

  if (self->job != NULL)
    return FALSE;
  self->job = g_object_ref (job);
  gtk_label_set_text (self->progress_label, les_job_get_title (job));
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
  g_signal_connect (job, "notify::fraction", G_CALLBACK (job_progress_cb), self);
  g_signal_connect (job, "notify::label", G_CALLBACK (job_progress_cb), self);
  update_actions (self);
  /* The caller's callback gets the inner result through a task of ours */
  les_run_job_on_copy (job, self->store, job_finished_cb, g_task_new (self, NULL, callback, user_data));
  return TRUE;
}

void
les_run_job_on_copy (LesJob *job, LesStore *store, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LesStore) copy = les_store_dup (store, &error);

  if (copy == NULL)
    {
      /* the job then fails, cancelled, without touching @store */
      g_message ("Cannot open a second connection to %s: %s", les_store_get_path (store), error->message);
      les_job_cancel (job);
      les_job_run_async (job, store, callback, user_data);
      return;
    }
  les_job_run_async (job, copy, callback, user_data);
}

gboolean
les_window_is_busy (LesWindow *self)
{
  g_return_val_if_fail (LES_IS_WINDOW (self), FALSE);
  return self->job != NULL;
}

/* The result given to les_window_run_job()'s callback wraps the job's. */
static gboolean
finish_job (LesJob *job, GAsyncResult *result, GError **error)
{
  g_autoptr(GAsyncResult) inner = g_task_propagate_pointer (G_TASK (result), error);

  if (inner == NULL)
    return FALSE;
  return les_job_finish (job, inner, error);
}

gboolean
les_window_finish_job (LesWindow *self, LesJob *job, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (LES_IS_WINDOW (self), FALSE);
  return finish_job (job, result, error);
}

/* Compute */

typedef struct
{
  int               fy;
  LesComputeSummary summary;
} ComputeData;

static gboolean
compute_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  ComputeData *cd = data;

  return les_compute_year (store, cd->fy, 0, les_job_progress_cb, job, cancellable, &cd->summary, error);
}

static void
compute_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LesJob) job = user_data;
  LesWindow *self = LES_WINDOW (object);
  ComputeData *cd = les_job_get_data (job);
  g_autoptr(GError) error = NULL;

  if (!finish_job (job, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        les_window_add_toast (self, error->message);
      else
        les_window_add_toast (self, _("Compute cancelled; the previous results are kept"));
      return;
    }
  if (self->store != NULL)
    {
      les_store_emit_changed (self->store, "payment_lines");
      les_store_emit_changed (self->store, "findings");
    }
  {
    g_autofree char *year = les_year_format (cd->fy);
    g_autofree char *payable = les_money_format_display (cd->summary.payable);
    g_autofree char *findings = g_strdup_printf (ngettext ("%" G_GINT64_FORMAT " finding",
                                                           "%" G_GINT64_FORMAT " findings",
                                                           cd->summary.n_findings),
                                                 cd->summary.n_findings);
    /* Translators: "Computed 2024/25: £1,234.00 payable, 12 findings" */
    g_autofree char *title = g_strdup_printf (_("Computed %s: %s payable, %s"), year, payable, findings);
    les_window_add_toast (self, title);
  }
}

void
les_window_compute (LesWindow *self)
{
  g_autoptr(LesJob) job = NULL;
  ComputeData *cd;

  g_return_if_fail (LES_IS_WINDOW (self));

  if (self->store == NULL || self->year == 0 || self->job != NULL)
    return;
  cd = g_new0 (ComputeData, 1);
  cd->fy = self->year;
  job = les_job_new (_("Computing payments…"), compute_func, cd, g_free);
  les_window_run_job (self, job, compute_done_cb, g_object_ref (job));
}

/* Imports of several files in turn (drag and drop of many, and the demo) */

typedef struct
{
  GPtrArray *files;   /* GFile */
  GArray    *kinds;   /* LesKind */
  gint64     rows;
  guint      done;
} ImportAllData;

static void
import_all_data_free (gpointer data)
{
  ImportAllData *d = data;

  g_ptr_array_unref (d->files);
  g_array_unref (d->kinds);
  g_free (d);
}

static gboolean
import_all_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  ImportAllData *d = data;

  for (guint i = 0; i < d->files->len; i++)
    {
      GFile *file = g_ptr_array_index (d->files, i);
      LesKind kind = g_array_index (d->kinds, LesKind, i);
      g_autofree char *name = g_file_get_basename (file);
      LesImportStats stats = { 0 };
      g_autofree char *label = g_strdup_printf (_("Importing %s (%u of %u)…"), name, i + 1, d->files->len);

      les_job_progress (job, (double) i / d->files->len, label);
      if (!les_import_file (store, kind, file, name, les_job_message_cb, NULL, job, cancellable, &stats, error))
        return FALSE;
      d->rows += stats.rows;
      d->done++;
    }
  les_job_progress (job, 1.0, NULL);
  return TRUE;
}

static void
import_all_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LesJob) job = user_data;
  LesWindow *self = LES_WINDOW (object);
  ImportAllData *d = les_job_get_data (job);
  g_autoptr(GError) error = NULL;
  gboolean demo = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (job), "demo"));

  if (!finish_job (job, result, &error))
    les_window_add_toast (self, error->message);
  if (self->store == NULL)
    return;
  for (guint i = 0; i < d->done; i++)
    les_store_emit_changed (self->store, les_kind_get_info (g_array_index (d->kinds, LesKind, i))->table);
  if (d->done == d->files->len && demo)
    {
      AdwToast *toast = adw_toast_new (_("The demo data set was loaded"));

      adw_toast_set_button_label (toast, _("Start Empty"));
      adw_toast_set_action_name (toast, "win.start-empty");
      adw_toast_set_timeout (toast, 10);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
      les_window_compute (self);
    }
  else if (d->done == d->files->len)
    {
      g_autofree char *title = g_strdup_printf (ngettext ("Imported %u file", "Imported %u files", d->done), d->done);
      les_window_add_toast (self, title);
    }
}

static void
import_message_cb (LesJob *job, const char *message, LesWindow *self)
{
  g_debug ("demo import: %s", message);
}

void
les_window_import_demo (LesWindow *self)
{
  g_autofree char *dir = les_application_get_demo_dir ();
  g_autoptr(LesJob) job = NULL;
  ImportAllData *d;

  g_return_if_fail (LES_IS_WINDOW (self));

  if (self->store == NULL)
    return;
  d = g_new0 (ImportAllData, 1);
  d->files = g_ptr_array_new_with_free_func (g_object_unref);
  d->kinds = g_array_new (FALSE, FALSE, sizeof (LesKind));
  for (guint i = 0; i < G_N_ELEMENTS (demo_kinds); i++)
    {
      g_autofree char *name = g_strconcat (les_kind_to_string (demo_kinds[i]), ".csv", NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        continue;
      g_ptr_array_add (d->files, g_file_new_for_path (path));
      g_array_append_val (d->kinds, demo_kinds[i]);
    }
  if (d->files->len == 0)
    {
      import_all_data_free (d);
      return;
    }
  job = les_job_new (_("Loading the demo data set…"), import_all_func, d, import_all_data_free);
  g_object_set_data (G_OBJECT (job), "demo", GINT_TO_POINTER (TRUE));
  g_signal_connect (job, "message", G_CALLBACK (import_message_cb), self);
  les_window_run_job (self, job, import_all_done_cb, g_object_ref (job));
}

void
les_window_import_files (LesWindow *self, GFile **files, guint n_files)
{
  GtkWidget *dialog;

  g_return_if_fail (LES_IS_WINDOW (self));

  if (self->store == NULL || self->job != NULL)
    return;
  dialog = les_import_dialog_new (self, self->store);
  if (n_files > 0)
    les_import_dialog_set_file (LES_IMPORT_DIALOG (dialog), files[0]);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
drop_cb (GtkDropTarget *target, const GValue *value, double x, double y, LesWindow *self)
{
  GSList *list;
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  list = g_value_get_boxed (value);
  for (GSList *l = list; l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  if (files->len == 0)
    return FALSE;
  les_window_import_files (self, (GFile **) files->pdata, files->len);
  return TRUE;
}

/* Databases */

static void
open_response_cb (GtkNativeDialog *dialog, int response, LesWindow *self)
{
  gboolean create = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "create"));

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
  g_object_set_data (G_OBJECT (self->chooser), "create", GINT_TO_POINTER (create));
  g_signal_connect (self->chooser, "response", G_CALLBACK (open_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
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

  if (self->store == NULL || self->job != NULL)
    return;
  /* A fresh file beside the demo one, which stays for later */
  dir = g_path_get_dirname (les_store_get_path (self->store));
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

static GtkWidget *
visible_page (LesWindow *self)
{
  return adw_view_stack_get_visible_child (self->stack);
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  gtk_widget_activate_action (visible_page (LES_WINDOW (widget)), "page.export", NULL);
}

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  gtk_widget_activate_action (visible_page (LES_WINDOW (widget)), "page.search", NULL);
}

static void
undo_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  les_window_undo (LES_WINDOW (widget));
}

static void
show_page_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  les_window_show_page (LES_WINDOW (widget), g_variant_get_string (param, NULL));
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
  les_window_show_page (self, "claims");
}

/* Overrides */

static gboolean
les_window_close_request (GtkWindow *window)
{
  LesWindow *self = LES_WINDOW (window);
  int width, height;

  if (self->job != NULL)
    les_job_cancel (self->job);
  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_apply (self->settings);

  return GTK_WINDOW_CLASS (les_window_parent_class)->close_request (window);
}

static void
les_window_dispose (GObject *object)
{
  LesWindow *self = (LesWindow *) object;

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->job != NULL)
    les_job_cancel (self->job);
  g_clear_object (&self->job);
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_queue_clear_full (&self->undo_stack, undo_item_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), LES_TYPE_WINDOW);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->years, g_array_unref);

  G_OBJECT_CLASS (les_window_parent_class)->dispose (object);
}

static void
les_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LesWindow *self = LES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_YEAR:
      g_value_set_int (value, self->year);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
les_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LesWindow *self = LES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_YEAR:
      les_window_set_year (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
les_window_class_init (LesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = les_window_dispose;
  object_class->get_property = les_window_get_property;
  object_class->set_property = les_window_set_property;
  window_class->close_request = les_window_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, LES_TYPE_STORE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_YEAR] =
    g_param_spec_int ("year", NULL, NULL, 0, 9999, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LES_TYPE_OVERVIEW_PAGE);
  g_type_ensure (LES_TYPE_SERVICES_PAGE);
  g_type_ensure (LES_TYPE_PRACTICES_PAGE);
  g_type_ensure (LES_TYPE_CLAIMS_PAGE);
  g_type_ensure (LES_TYPE_PAYMENTS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/lesclaims/LesClaims/les-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LesWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, year_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, overview_page);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, services_page);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, practices_page);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, claims_page);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, payments_page);
  gtk_widget_class_bind_template_callback (widget_class, year_selected_cb);

  gtk_widget_class_install_action (widget_class, "win.open-database", NULL, open_database_action);
  gtk_widget_class_install_action (widget_class, "win.new-database", NULL, new_database_action);
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

static void
les_window_init (LesWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  g_queue_init (&self->undo_stack);
  self->settings = g_settings_new (APP_ID);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  if (g_strcmp0 (PACKAGE_VERSION, "") != 0 && strstr (APP_ID, "Devel") != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
  update_actions (self);
}

LesWindow *
les_window_new (LesApplication *app)
{
  return g_object_new (LES_TYPE_WINDOW, "application", app, NULL);
}

gboolean
les_window_open_database (LesWindow *self, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LesStore) store = NULL;
  g_autofree char *default_path = les_store_default_path ();

  g_return_val_if_fail (LES_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  store = les_store_open (path, &error);
  if (store == NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->main_stack, "error");
      /* Keep working in the database already open, if any */
      if (self->store != NULL)
        {
          gtk_stack_set_visible_child_name (self->main_stack, "content");
          les_window_add_toast (self, error->message);
        }
      return FALSE;
    }

  set_store (self, store);
  update_subtitle (self);
  gtk_stack_set_visible_child_name (self->main_stack, "content");
  g_settings_set_string (self->settings, "last-database", g_strcmp0 (path, default_path) == 0 ? "" : path);

  /* The default database starts with the demo data set, so there is something to see */
  if (g_strcmp0 (path, default_path) == 0 && les_store_is_empty (store))
    les_window_import_demo (self);
  return TRUE;
}

LesStore *
les_window_get_store (LesWindow *self)
{
  g_return_val_if_fail (LES_IS_WINDOW (self), NULL);
  return self->store;
}

int
les_window_get_year (LesWindow *self)
{
  g_return_val_if_fail (LES_IS_WINDOW (self), 0);
  return self->year;
}

void
les_window_set_year (LesWindow *self, int year)
{
  g_return_if_fail (LES_IS_WINDOW (self));

  if (self->year == year)
    return;
  self->year = year;
  if (self->years != NULL)
    for (guint i = 0; i < self->years->len; i++)
      if (g_array_index (self->years, int, i) == year && gtk_drop_down_get_selected (self->year_dropdown) != i)
        {
          self->updating_years = TRUE;
          gtk_drop_down_set_selected (self->year_dropdown, i);
          self->updating_years = FALSE;
        }
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_YEAR]);
}

void
les_window_show_page (LesWindow *self, const char *name)
{
  g_return_if_fail (LES_IS_WINDOW (self));
  adw_view_stack_set_visible_child_name (self->stack, name);
}

GtkWidget *
les_window_get_page (LesWindow *self, const char *name)
{
  g_return_val_if_fail (LES_IS_WINDOW (self), NULL);
  return adw_view_stack_get_child_by_name (self->stack, name);
}

void
les_window_add_toast (LesWindow *self, const char *title)
{
  AdwToast *toast;
  g_autofree char *escaped = NULL;

  g_return_if_fail (LES_IS_WINDOW (self));

  escaped = g_markup_escape_text (title, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void push_undo (LesWindow *self, const char *title, LesWindowUndoFunc func, gpointer data,
                       GDestroyNotify destroy, const char *job_table);

void
les_window_push_undo (LesWindow         *self,
                      const char        *title,
                      LesWindowUndoFunc  func,
                      gpointer           data,
                      GDestroyNotify     destroy)
{
  g_return_if_fail (LES_IS_WINDOW (self));
  push_undo (self, title, func, data, destroy, NULL);
}

void
les_window_push_undo_job (LesWindow         *self,
                          const char        *title,
                          LesWindowUndoFunc  func,
                          gpointer           data,
                          GDestroyNotify     destroy,
                          const char        *table_name)
{
  g_return_if_fail (LES_IS_WINDOW (self));
  g_return_if_fail (table_name != NULL);
  push_undo (self, title, func, data, destroy, table_name);
}

static void
push_undo (LesWindow         *self,
           const char        *title,
           LesWindowUndoFunc  func,
           gpointer           data,
           GDestroyNotify     destroy,
           const char        *job_table)
{
  UndoItem *item;
  AdwToast *toast;
  g_autofree char *escaped = NULL;

  item = g_new0 (UndoItem, 1);
  item->job_table = g_strdup (job_table);
  item->title = g_strdup (title);
  item->func = func;
  item->data = data;
  item->destroy = destroy;
  g_queue_push_head (&self->undo_stack, item);
  /* A long history of undos is not what people expect from a toast */
  while (g_queue_get_length (&self->undo_stack) > 20)
    undo_item_free (g_queue_pop_tail (&self->undo_stack));

  escaped = g_markup_escape_text (title, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo");
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  update_actions (self);
}

static gboolean
undo_job_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  UndoItem *item = data;

  return item->func (store, item->data, error);
}

static void
undo_job_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  LesWindow *self = LES_WINDOW (object);
  LesJob *job = user_data;
  UndoItem *item = les_job_get_data (job);
  g_autoptr(GError) error = NULL;

  if (!les_window_finish_job (self, job, result, &error))
    les_window_add_toast (self, error->message);
  else
    {
      g_autofree char *title = g_strdup_printf (_("Undone: %s"), item->title);

      /* the job's connection told nobody */
      if (self->store != NULL)
        les_store_emit_changed (self->store, item->job_table);
      les_window_add_toast (self, title);
    }
  g_object_unref (job);
}

gboolean
les_window_undo (LesWindow *self)
{
  UndoItem *item;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_return_val_if_fail (LES_IS_WINDOW (self), FALSE);

  if (self->store == NULL || self->job != NULL || g_queue_is_empty (&self->undo_stack))
    return FALSE;
  item = g_queue_pop_head (&self->undo_stack);
  if (item->job_table != NULL)
    {
      LesJob *job = les_job_new (_("Undoing…"), undo_job_func, item, undo_item_free);

      ok = les_window_run_job (self, job, undo_job_done_cb, job);
      if (!ok)
        g_object_unref (job);
      update_actions (self);
      return ok;
    }
  ok = item->func (self->store, item->data, &error);
  if (!ok)
    les_window_add_toast (self, error->message);
  else
    {
      g_autofree char *title = g_strdup_printf (_("Undone: %s"), item->title);
      les_window_add_toast (self, title);
    }
  undo_item_free (item);
  update_actions (self);
  return ok;
}
