/* les-import-dialog.c: importing one CSV file — choose or drop it, see its kind and a preview, follow progress and errors. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "les-import.h"
#include "les-import-dialog.h"
#include "les-job.h"
#include "les-table-view.h"
#include "les-team-access.h"

#define PREVIEW_ROWS 20

struct _LesImportDialog
{
  AdwWindow             parent_instance;

  GtkButton            *cancel_button;
  GtkButton            *import_button;
  GtkButton            *choose_button;
  AdwActionRow         *file_row;
  AdwComboRow          *kind_row;
  GtkStack             *preview_stack;
  AdwStatusPage        *preview_status;
  LesTableView         *preview;
  GtkListView          *errors_view;
  GtkProgressBar       *progress_bar;
  GtkLabel             *summary_label;

  LesSession           *session;
  GFile                *file;
  LesJob               *job;
  GtkStringList        *messages;
  GPtrArray            *column_specs;  /* LesColumnSpec arrays kept for the preview's life */
  GtkFileChooserNative *chooser;
  LesImportStats        stats;
  gboolean              updating_kind;
};

G_DEFINE_FINAL_TYPE (LesImportDialog, les_import_dialog, ADW_TYPE_WINDOW)

typedef struct
{
  LesKind  kind;
  GFile   *file;
  char    *name;
  LesImportStats *stats;
} ImportData;

static void
import_data_free (gpointer data)
{
  ImportData *d = data;

  g_object_unref (d->file);
  g_free (d->name);
  g_free (d);
}

static void
spec_array_free (gpointer data)
{
  GArray *specs = data;

  for (guint i = 0; i < specs->len; i++)
    {
      LesColumnSpec *spec = &g_array_index (specs, LesColumnSpec, i);
      g_free ((char *) spec->id);
    }
  g_array_unref (specs);
}

/* "Your role, finance, may not import claims or reference data", or NULL */
static char *
kind_refused (LesImportDialog *self, guint kind)
{
  LesTeamRoles roles = self->session != NULL ? les_session_get_roles (self->session) : 0;

  if (kind >= LES_N_KINDS)
    return NULL;
  return les_team_access_why_not (roles, kind == LES_KIND_LEDGER ? LES_TEAM_TASK_IMPORT_LEDGER
                                                                 : LES_TEAM_TASK_IMPORT_REFERENCE);
}

static void
update_buttons (LesImportDialog *self)
{
  gboolean running = self->job != NULL;
  guint kind = adw_combo_row_get_selected (self->kind_row);
  g_autofree char *refused = kind_refused (self, kind);

  gtk_widget_set_sensitive (GTK_WIDGET (self->import_button),
                            !running && self->file != NULL && kind < LES_N_KINDS && refused == NULL);
  /* the server would refuse it: say so before the user tries */
  if (refused != NULL)
    gtk_label_set_text (self->summary_label, refused);
  gtk_widget_set_sensitive (GTK_WIDGET (self->choose_button), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->kind_row), !running);
}

static void
show_preview (LesImportDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) header = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GListStore) model = NULL;
  LesKind kind;
  GArray *specs;
  LesTable *table;
  guint n_columns;

  kind = les_import_preview (self->file, PREVIEW_ROWS, &header, &rows, &error);
  if (error != NULL)
    {
      adw_status_page_set_title (self->preview_status, _("Cannot Read the File"));
      adw_status_page_set_description (self->preview_status, error->message);
      gtk_stack_set_visible_child_name (self->preview_stack, "none");
      return;
    }

  self->updating_kind = TRUE;
  adw_combo_row_set_selected (self->kind_row, kind == LES_KIND_INVALID ? GTK_INVALID_LIST_POSITION : (guint) kind);
  self->updating_kind = FALSE;
  if (kind == LES_KIND_INVALID)
    gtk_label_set_text (self->summary_label,
                        _("The header row does not match any kind of file LES Claims imports. Choose the kind, or check the column names."));
  else
    {
      g_autofree char *refused = kind_refused (self, kind);

      gtk_label_set_text (self->summary_label, refused != NULL ? refused : "");
    }

  n_columns = header != NULL ? g_strv_length (header) : 0;
  specs = g_array_sized_new (FALSE, TRUE, sizeof (LesColumnSpec), n_columns);
  for (guint i = 0; i < n_columns; i++)
    {
      LesColumnSpec spec = { g_strdup (header[i]), NULL, LES_CELL_TEXT };
      spec.title = spec.id;
      g_array_append_val (specs, spec);
    }
  g_ptr_array_add (self->column_specs, specs);

  model = g_list_store_new (LES_TYPE_ROW);
  for (guint r = 0; rows != NULL && r < rows->len; r++)
    {
      GStrv cells = g_ptr_array_index (rows, r);
      g_autoptr(LesRow) row = les_row_new (n_columns);

      for (guint i = 0; i < n_columns && cells[i] != NULL; i++)
        les_row_set (row, i, cells[i], 0);
      g_list_store_append (model, row);
    }
  table = g_new0 (LesTable, 1);
  table->columns = (const LesColumnSpec *) specs->data;
  table->n_columns = n_columns;
  table->rows = G_LIST_MODEL (g_steal_pointer (&model));
  les_table_view_set_table (self->preview, table);
  gtk_stack_set_visible_child_name (self->preview_stack, "preview");
}

static void
kind_selected_cb (LesImportDialog *self)
{
  update_buttons (self);
}

/* The import */

static gboolean
import_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  ImportData *d = data;

  return les_import_file (store, d->kind, d->file, d->name, les_job_message_cb, les_job_progress_cb, job,
                          cancellable, d->stats, error);
}

static void
job_message_cb (LesJob *job, const char *message, LesImportDialog *self)
{
  gtk_string_list_append (self->messages, message);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->messages)) == 1)
    gtk_stack_set_visible_child_name (self->preview_stack, "errors");
}

static void
job_fraction_cb (LesJob *job, GParamSpec *pspec, LesImportDialog *self)
{
  g_autofree char *text = g_strdup_printf (_("%.0f%%"), les_job_get_fraction (job) * 100);

  gtk_progress_bar_set_fraction (self->progress_bar, les_job_get_fraction (job));
  gtk_progress_bar_set_text (self->progress_bar, les_job_get_label (job) != NULL ? les_job_get_label (job) : text);
}

static void
import_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LesImportDialog) self = user_data;
  g_autoptr(LesJob) job = g_steal_pointer (&self->job);
  ImportData *d = les_job_get_data (job);
  g_autoptr(GError) error = NULL;
  gboolean ok = les_session_run_finish (LES_SESSION (object), result, &error);

  g_signal_handlers_disconnect_by_data (job, self);
  gtk_button_set_label (self->cancel_button, _("_Close"));
  update_buttons (self);

  if (ok)
    {
      g_autofree char *name = g_file_get_basename (d->file);
      g_autofree char *title = NULL;

      /* Translators: "Imported claims.csv: 1200 new rows, 3 changed, 0 unchanged" */
      title = g_strdup_printf (_("Imported %s: %" G_GINT64_FORMAT " new, %" G_GINT64_FORMAT " changed, %" G_GINT64_FORMAT " unchanged"),
                               name, self->stats.inserted, self->stats.replaced, self->stats.unchanged);
      /* the window the dialog belongs to says it */
      if (gtk_window_get_transient_for (GTK_WINDOW (self)) != NULL)
        gtk_widget_activate_action (GTK_WIDGET (gtk_window_get_transient_for (GTK_WINDOW (self))),
                                    "win.show-toast", "s", title);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_label_set_text (self->summary_label, _("Import cancelled: nothing was imported."));
  else
    {
      g_autofree char *text = NULL;

      if (self->stats.errors > 0)
        text = g_strdup_printf (ngettext ("Nothing was imported: %" G_GINT64_FORMAT " row has errors. Correct the file and import it again.",
                                          "Nothing was imported: %" G_GINT64_FORMAT " rows have errors. Correct the file and import it again.",
                                          self->stats.errors), self->stats.errors);
      else
        text = g_strdup_printf (_("Nothing was imported: %s"), error->message);
      gtk_label_set_text (self->summary_label, text);
      gtk_widget_add_css_class (GTK_WIDGET (self->summary_label), "error");
      if (g_list_model_get_n_items (G_LIST_MODEL (self->messages)) == 0)
        gtk_string_list_append (self->messages, error->message);
      gtk_stack_set_visible_child_name (self->preview_stack, "errors");
    }
}

gboolean
les_import_dialog_start (LesImportDialog *self)
{
  ImportData *d;
  guint kind;

  g_return_val_if_fail (LES_IS_IMPORT_DIALOG (self), FALSE);

  kind = adw_combo_row_get_selected (self->kind_row);
  if (self->job != NULL || self->file == NULL || kind >= LES_N_KINDS)
    return FALSE;

  memset (&self->stats, 0, sizeof self->stats);
  gtk_string_list_splice (self->messages, 0, g_list_model_get_n_items (G_LIST_MODEL (self->messages)), NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->summary_label), "error");
  gtk_label_set_text (self->summary_label, "");

  d = g_new0 (ImportData, 1);
  d->kind = kind;
  d->file = g_object_ref (self->file);
  d->name = g_file_get_basename (self->file);
  d->stats = &self->stats;
  self->job = les_job_new (_("Importing…"), import_func, d, import_data_free);
  g_signal_connect (self->job, "message", G_CALLBACK (job_message_cb), self);
  g_signal_connect (self->job, "notify::fraction", G_CALLBACK (job_fraction_cb), self);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  /* the session's writer, in turn; the screens hear of it by its kind's domain */
  les_session_run_async (self->session, self->job, les_change_for_kind (kind), import_done_cb, g_object_ref (self));
  update_buttons (self);
  return TRUE;
}

static void
import_clicked_cb (LesImportDialog *self)
{
  les_import_dialog_start (self);
}

static void
cancel_clicked_cb (LesImportDialog *self)
{
  if (self->job != NULL)
    les_job_cancel (self->job);
  else
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
chooser_response_cb (GtkNativeDialog *dialog, int response, LesImportDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GFile) folder = g_file_get_parent (file);
      g_autoptr(GSettings) settings = g_settings_new (APP_ID);
      g_autofree char *path = folder != NULL ? g_file_get_path (folder) : NULL;

      if (path != NULL)
        g_settings_set_string (settings, "last-import-folder", path);
      les_import_dialog_set_file (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->chooser);
}

static void
choose_clicked_cb (LesImportDialog *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *folder = g_settings_get_string (settings, "last-import-folder");

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Import a CSV File"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _("CSV files"));
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_filter_add_pattern (filter, "*.CSV");
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  if (folder[0] != '\0')
    {
      g_autoptr(GFile) dir = g_file_new_for_path (folder);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), dir, NULL);
    }
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static gboolean
drop_cb (GtkDropTarget *target, const GValue *value, double x, double y, LesImportDialog *self)
{
  if (self->job != NULL || !G_VALUE_HOLDS (value, G_TYPE_FILE))
    return FALSE;
  les_import_dialog_set_file (self, g_value_get_object (value));
  return TRUE;
}

static void
setup_message_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "monospace");
  gtk_list_item_set_child (item, label);
}

static void
bind_message_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  GtkStringObject *string = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (string));
}

static gboolean
les_import_dialog_close_request (GtkWindow *window)
{
  LesImportDialog *self = LES_IMPORT_DIALOG (window);

  /* Closing while importing cancels; the window goes when the worker has stopped */
  if (self->job != NULL)
    {
      les_job_cancel (self->job);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (les_import_dialog_parent_class)->close_request (window);
}

static void
les_import_dialog_dispose (GObject *object)
{
  LesImportDialog *self = (LesImportDialog *) object;

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), LES_TYPE_IMPORT_DIALOG);
  g_clear_object (&self->session);
  g_clear_object (&self->file);
  g_clear_object (&self->messages);

  G_OBJECT_CLASS (les_import_dialog_parent_class)->dispose (object);
}

static void
les_import_dialog_finalize (GObject *object)
{
  LesImportDialog *self = (LesImportDialog *) object;

  g_ptr_array_unref (self->column_specs);

  G_OBJECT_CLASS (les_import_dialog_parent_class)->finalize (object);
}

static void
les_import_dialog_class_init (LesImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = les_import_dialog_dispose;
  object_class->finalize = les_import_dialog_finalize;
  window_class->close_request = les_import_dialog_close_request;

  g_type_ensure (LES_TYPE_TABLE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/lesclaims/LesClaims/les-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LesImportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, LesImportDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, LesImportDialog, choose_button);
  gtk_widget_class_bind_template_child (widget_class, LesImportDialog, file_row);
  gtk_widget_class_bind_template_child (widget_class, LesImportDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, LesImportDialog, preview_stack);
  gtk_widget_class_bind_template_child (widget_class, LesImportDialog, preview_status);
  gtk_widget_class_bind_template_child (widget_class, LesImportDialog, preview);
  gtk_widget_class_bind_template_child (widget_class, LesImportDialog, errors_view);
  gtk_widget_class_bind_template_child (widget_class, LesImportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LesImportDialog, summary_label);
  gtk_widget_class_bind_template_callback (widget_class, import_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, kind_selected_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
les_import_dialog_init (LesImportDialog *self)
{
  g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);
  GtkListItemFactory *factory;
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->column_specs = g_ptr_array_new_with_free_func (spec_array_free);
  self->messages = gtk_string_list_new (NULL);

  for (LesKind k = 0; k < LES_N_KINDS; k++)
    gtk_string_list_append (kinds, les_kind_to_string (k));
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (kinds));
  adw_combo_row_set_selected (self->kind_row, GTK_INVALID_LIST_POSITION);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_message_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_message_cb), NULL);
  gtk_list_view_set_factory (self->errors_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->errors_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->messages)))));

  drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}

/* A dialog importing into @session's database, transient for @parent (which shows the toast of a success). */
GtkWidget *
les_import_dialog_new (GtkWindow *parent, LesSession *session)
{
  LesImportDialog *self;

  g_return_val_if_fail (LES_IS_SESSION (session), NULL);

  self = g_object_new (LES_TYPE_IMPORT_DIALOG, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  return GTK_WIDGET (self);
}

void
les_import_dialog_set_file (LesImportDialog *self, GFile *file)
{
  g_autofree char *name = NULL;

  g_return_if_fail (LES_IS_IMPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->job != NULL)
    return;
  g_set_object (&self->file, file);
  name = g_file_get_parse_name (file);
  adw_action_row_set_subtitle (self->file_row, name);
  gtk_string_list_splice (self->messages, 0, g_list_model_get_n_items (G_LIST_MODEL (self->messages)), NULL);
  show_preview (self);
  update_buttons (self);
}

LesKind
les_import_dialog_get_kind (LesImportDialog *self)
{
  guint selected;

  g_return_val_if_fail (LES_IS_IMPORT_DIALOG (self), LES_KIND_INVALID);
  selected = adw_combo_row_get_selected (self->kind_row);
  return selected < LES_N_KINDS ? (LesKind) selected : LES_KIND_INVALID;
}

gboolean
les_import_dialog_is_running (LesImportDialog *self)
{
  g_return_val_if_fail (LES_IS_IMPORT_DIALOG (self), FALSE);
  return self->job != NULL;
}

GListModel *
les_import_dialog_get_messages (LesImportDialog *self)
{
  g_return_val_if_fail (LES_IS_IMPORT_DIALOG (self), NULL);
  return G_LIST_MODEL (self->messages);
}

guint
les_import_dialog_get_preview_rows (LesImportDialog *self)
{
  g_return_val_if_fail (LES_IS_IMPORT_DIALOG (self), 0);
  return les_table_view_get_n_rows (self->preview);
}
