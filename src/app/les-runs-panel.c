/* les-runs-panel.c: payment runs on the Payments screen — close a month, history, re-open, statements, report. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "les-job.h"
#include "les-report.h"
#include "les-results.h"
#include "les-runs.h"
#include "les-runs-panel.h"
#include "les-statement.h"
#include "les-value.h"
#include "les-window.h"

struct _LesRunsPanel
{
  GtkWidget      parent_instance;

  GtkLabel      *status_label;
  GtkDropDown   *month_dropdown;
  GtkListBox    *history;

  LesStore      *store;
  gulong         changed_id;
  int            year;
  GArray        *months;     /* gint32 YYYYMM, as in the drop-down */
  GArray        *runs;       /* LesRun, newest first */
  LesJob        *job;        /* closing or re-opening, while it runs */
};

G_DEFINE_FINAL_TYPE (LesRunsPanel, les_runs_panel, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_YEAR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What a file chooser or print operation is producing */
typedef struct {
  LesRunsPanel *self;
  LesStatement *statement;   /* or */
  LesReport    *report;
  gboolean      pdf;
} Output;

static void
output_free (Output *o)
{
  g_clear_object (&o->self);
  g_clear_pointer (&o->statement, les_statement_free);
  g_clear_pointer (&o->report, les_report_free);
  g_free (o);
}

/* What a job works on and gives back.  Plain data: the worker may be
 * the one to free it. */
typedef struct {
  int           fy;
  gint32        month;
  gint64        run_id;
  char         *reason;
  gint64        total;
  gint64        n_lines;
  LesRun        run;
  LesReport    *report;
} JobData;

static void
job_data_free (gpointer data)
{
  JobData *d = data;

  g_free (d->reason);
  les_run_clear (&d->run);
  g_clear_pointer (&d->report, les_report_free);
  g_free (d);
}

/* What the main thread needs when a job ends */
typedef struct {
  LesRunsPanel *self;
  LesJob       *job;
  GWeakRef      dialog;
  char         *how;        /* the report: "print", "pdf" or "csv" */
} Pending;

static Pending *
pending_new (LesRunsPanel *self, LesJob *job, GtkWidget *dialog)
{
  Pending *p = g_new0 (Pending, 1);

  p->self = g_object_ref (self);
  p->job = g_object_ref (job);
  g_weak_ref_init (&p->dialog, dialog);
  return p;
}

static void
pending_free (Pending *p)
{
  g_object_unref (p->self);
  g_object_unref (p->job);
  g_weak_ref_clear (&p->dialog);
  g_free (p->how);
  g_free (p);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

static GtkWindow *
parent_window (LesRunsPanel *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
toast (LesRunsPanel *self, const char *message)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", message);
}

static void
show_error (LesRunsPanel *self, const char *heading, const GError *error)
{
  GtkWidget *dialog = adw_message_dialog_new (parent_window (self), heading, error->message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Long work runs on a worker, with the window's progress strip and Cancel. */
static gboolean
start_job (LesRunsPanel *self, LesJob *job, GAsyncReadyCallback done, Pending *pending, GError **error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (!LES_IS_WINDOW (root))
    {
      les_run_job_on_copy (job, self->store, done, pending);
      return TRUE;
    }
  if (!les_window_run_job (LES_WINDOW (root), job, done, pending))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           _("Other work is still running; try again when it has finished"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
finish_job (LesJob *job, GAsyncResult *result, GError **error)
{
  g_autoptr(GAsyncResult) inner = NULL;

  if (g_task_get_source_object (G_TASK (result)) == (gpointer) job)
    return les_job_finish (job, result, error);
  /* les_window_run_job() hands on the job's result inside a task of its own */
  inner = g_task_propagate_pointer (G_TASK (result), error);
  return inner != NULL && les_job_finish (job, inner, error);
}

static char *
describe_run (const LesRun *run, char **subtitle)
{
  g_autofree char *month = les_doc_format_month (run->month);
  g_autofree char *total = les_money_format_display (run->total);
  g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (run->created_at, NULL);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;
  g_autofree char *when = local ? g_date_time_format (local, "%-d %b %Y %H:%M") : g_strdup (run->created_at);

  if (run->reopened)
    *subtitle = g_strdup_printf (_("Re-opened by %s: %s (was %s)"), run->reopened_by, run->reopen_reason, total);
  else
    *subtitle = g_strdup_printf (g_dngettext (NULL, "%s · %" G_GINT64_FORMAT " line · %s by %s",
                                              "%s · %" G_GINT64_FORMAT " lines · %s by %s", run->n_lines),
                                 total, run->n_lines, when, run->created_by);
  return g_strdup_printf (_("Run %" G_GINT64_FORMAT " — %s"), run->run_id, month);
}

static void reload (LesRunsPanel *self);

static void
statements_response_cb (AdwMessageDialog *dialog, const char *response, LesRunsPanel *self);
static void
reopen_clicked_cb (GtkButton *button, LesRunsPanel *self);
static void
statements_clicked_cb (GtkButton *button, LesRunsPanel *self);

static void
fill_history (LesRunsPanel *self)
{
  GtkWidget *child;
  gboolean latest_live = TRUE;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->history))) != NULL)
    gtk_list_box_remove (self->history, child);
  if (self->runs == NULL || self->runs->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No payment runs yet"));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                                   _("Approve claims, then close a month to pay practices and send statements"));
      gtk_list_box_append (self->history, row);
      return;
    }
  for (guint i = 0; i < self->runs->len; i++)
    {
      const LesRun *run = &g_array_index (self->runs, LesRun, i);
      g_autofree char *subtitle = NULL;
      g_autofree char *title = describe_run (run, &subtitle);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      g_object_set_data (G_OBJECT (row), "run-index", GUINT_TO_POINTER (i));
      if (!run->reopened && latest_live)
        {
          latest_live = FALSE;
          button = gtk_button_new_with_mnemonic (_("Re-_open…"));
          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          gtk_widget_set_tooltip_text (button, _("Re-open the latest run: its lines become unpaid again"));
          g_object_set_data (G_OBJECT (button), "run-index", GUINT_TO_POINTER (i));
          g_signal_connect (button, "clicked", G_CALLBACK (reopen_clicked_cb), self);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
        }
      button = gtk_button_new_with_mnemonic (_("_Statements…"));
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, _("Print or save a practice’s payment statement for this run"));
      g_object_set_data (G_OBJECT (button), "run-index", GUINT_TO_POINTER (i));
      g_signal_connect (button, "clicked", G_CALLBACK (statements_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (self->history, row);
    }
}

static void
reload (LesRunsPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  gint32 next = 0, to = 0;
  guint selected = 0;
  gboolean computed;

  g_clear_pointer (&self->runs, g_array_unref);
  g_array_set_size (self->months, 0);
  computed = self->store != NULL && self->year != 0
             && les_results_get_compute (self->store, self->year, &to, NULL, NULL, NULL);
  if (self->store != NULL && self->year != 0)
    {
      self->runs = les_runs_list (self->store, self->year, &error);
      if (self->runs == NULL)
        g_warning ("Cannot list the payment runs: %s", error->message);
      next = les_runs_next_open_month (self->store, self->year);
    }
  for (gint32 m = next; computed && m != 0 && les_period_fy (m) == self->year; m = les_period_add_months (m, 1))
    {
      g_autofree char *label = les_doc_format_month (m);

      if (m == to)
        selected = self->months->len;
      g_array_append_val (self->months, m);
      gtk_string_list_append (labels, label);
    }
  gtk_drop_down_set_model (self->month_dropdown, G_LIST_MODEL (labels));
  gtk_widget_set_visible (GTK_WIDGET (self->month_dropdown), self->months->len > 0);
  if (self->months->len > 0)
    gtk_drop_down_set_selected (self->month_dropdown, selected);

  if (!computed)
    gtk_label_set_text (self->status_label, _("Compute the year before closing a month"));
  else if (next == 0)
    gtk_label_set_text (self->status_label, _("Every month of the year is closed"));
  else
    {
      gint64 amount = 0, n = les_runs_pending_adjustments (self->store, self->year, &amount);
      g_autofree char *month = les_doc_format_month (next);
      g_autofree char *money = les_money_format_display (amount);
      g_autofree char *text = n > 0
        ? g_strdup_printf (g_dngettext (NULL, "Next open month %s · %" G_GINT64_FORMAT " adjustment due (%s)",
                                        "Next open month %s · %" G_GINT64_FORMAT " adjustments due (%s)", n),
                           month, n, money)
        : g_strdup_printf (_("Next open month %s"), month);

      gtk_label_set_text (self->status_label, text);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "runs.close-month", self->months->len > 0 && self->job == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "runs.report", computed);
  fill_history (self);
}

static void
store_changed_cb (LesStore *store, const char *table_name, LesRunsPanel *self)
{
  reload (self);
}

static gint32
chosen_month (LesRunsPanel *self)
{
  guint i = gtk_drop_down_get_selected (self->month_dropdown);

  return i < self->months->len ? g_array_index (self->months, gint32, i) : 0;
}

static gboolean
close_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  JobData *d = data;

  return les_runs_close_month (store, d->fy, d->month, les_job_progress_cb, job, cancellable, &d->run, error);
}

static void
close_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Pending) p = user_data;
  LesRunsPanel *self = p->self;
  JobData *d = les_job_get_data (p->job);
  g_autoptr(GError) error = NULL;
  gboolean ok = finish_job (p->job, result, &error);

  g_clear_object (&self->job);
  /* the panel has been disposed meanwhile */
  if (self->store == NULL)
    return;
  if (ok)
    {
      /* the run computed the year again before paying */
      les_store_emit_changed (self->store, "payment_lines");
      les_store_emit_changed (self->store, "findings");
      les_store_emit_changed (self->store, "payment_runs");
    }
  reload (self);
  if (ok)
    {
      g_autofree char *total = les_money_format_display (d->run.total);
      g_autofree char *message = g_strdup_printf (_("Run %" G_GINT64_FORMAT " paid %s"), d->run.run_id, total);

      toast (self, message);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *month = les_doc_format_month (d->month);
      g_autofree char *message = g_strdup_printf (_("Closing %s was cancelled; nothing was paid"), month);

      toast (self, message);
    }
  else
    show_error (self, _("The Month Was Not Closed"), error);
}

static gboolean
start_close (LesRunsPanel *self, gint32 month, GError **error)
{
  g_autoptr(LesJob) job = NULL;
  g_autofree char *label = les_doc_format_month (month);
  g_autofree char *title = g_strdup_printf (_("Closing %s…"), label);
  JobData *d;
  Pending *p;

  if (self->job != NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY, _("A payment run is already being made"));
      return FALSE;
    }
  d = g_new0 (JobData, 1);
  d->fy = self->year;
  d->month = month;
  job = les_job_new (title, close_func, d, job_data_free);
  p = pending_new (self, job, NULL);
  if (!start_job (self, job, close_done_cb, p, error))
    {
      pending_free (p);
      return FALSE;
    }
  self->job = g_object_ref (job);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "runs.close-month", FALSE);
  return TRUE;
}

/**
 * les_runs_panel_close_month:
 *
 * Starts closing the month chosen in the drop-down, as confirming does:
 * on a worker thread, with the window's progress strip and Cancel.  The
 * history shows the run when the job has ended.
 *
 * Returns: whether the job started
 */
gboolean
les_runs_panel_close_month (LesRunsPanel *self, GError **error)
{
  gint32 month;

  g_return_val_if_fail (LES_IS_RUNS_PANEL (self), FALSE);

  month = chosen_month (self);
  if (month == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("There is no open month to close"));
      return FALSE;
    }
  return start_close (self, month, error);
}

static void
close_response_cb (AdwMessageDialog *dialog, const char *response, LesRunsPanel *self)
{
  LesJob *preview = g_object_get_data (G_OBJECT (dialog), "job");
  gint32 month = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "month"));
  g_autoptr(GError) error = NULL;

  if (les_job_is_running (preview))
    les_job_cancel (preview);
  if (g_strcmp0 (response, "close") == 0 && !start_close (self, month, &error))
    show_error (self, _("The Month Was Not Closed"), error);
}

/* A preview nobody will read is not worked out to the end */
static void
cancel_and_unref (gpointer job)
{
  les_job_cancel (job);
  g_object_unref (job);
}

static gboolean
preview_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  JobData *d = data;

  return les_runs_preview (store, d->fy, d->month, cancellable, &d->total, &d->n_lines, error);
}

static void
preview_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Pending) p = user_data;
  g_autoptr(GtkWidget) dialog = g_weak_ref_get (&p->dialog);
  JobData *d = les_job_get_data (p->job);
  g_autoptr(GError) error = NULL;
  g_autofree char *month = NULL;
  g_autofree char *money = NULL;
  g_autofree char *body = NULL;

  if (!finish_job (p->job, result, &error))
    {
      /* cancelled: the dialog was answered before the figures came */
      if (dialog == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      gtk_window_destroy (GTK_WINDOW (dialog));
      show_error (p->self, _("The Month Cannot Be Closed"), error);
      return;
    }
  if (dialog == NULL)
    return;
  month = les_doc_format_month (d->month);
  money = les_money_format_display (d->total);
  body = g_strdup_printf (g_dngettext (NULL,
                                       "The run will pay %" G_GINT64_FORMAT " line of %s or earlier, a total of "
                                       "%s, as computed now (the year is computed again first). What is paid "
                                       "is frozen: later changes become adjustments in the next run.",
                                       "The run will pay %" G_GINT64_FORMAT " lines of %s or earlier, a total of "
                                       "%s, as computed now (the year is computed again first). What is paid "
                                       "is frozen: later changes become adjustments in the next run.", d->n_lines),
                          d->n_lines, month, money);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), body);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), NULL);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "close", TRUE);
}

/* The confirmation shows what the run will pay, which takes seconds to
 * work out nationally: a spinner until the worker has the figures. */
static void
close_month_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesRunsPanel *self = LES_RUNS_PANEL (widget);
  g_autoptr(LesJob) job = NULL;
  g_autofree char *month = NULL;
  g_autofree char *heading = NULL;
  gint32 chosen = chosen_month (self);
  GtkWidget *dialog, *spinner;
  JobData *d;

  if (chosen == 0 || self->job != NULL)
    return;
  month = les_doc_format_month (chosen);
  heading = g_strdup_printf (_("Close %s?"), month);
  dialog = adw_message_dialog_new (parent_window (self), heading, _("Working out what the run will pay…"));
  spinner = gtk_spinner_new ();
  gtk_spinner_start (GTK_SPINNER (spinner));
  gtk_widget_set_size_request (spinner, 32, 32);
  gtk_widget_set_halign (spinner, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Working out what the run will pay"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), spinner);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "close", _("C_lose Month and Pay"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "close", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "close", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  d = g_new0 (JobData, 1);
  d->fy = self->year;
  d->month = chosen;
  job = les_job_new (_("Working out what the run will pay…"), preview_func, d, job_data_free);
  g_object_set_data_full (G_OBJECT (dialog), "job", g_object_ref (job), cancel_and_unref);
  g_object_set_data (G_OBJECT (dialog), "month", GINT_TO_POINTER (chosen));
  g_signal_connect_object (dialog, "response", G_CALLBACK (close_response_cb), self, 0);
  /* read only, and cancelled with the dialog: no need for the window's progress strip */
  les_run_job_on_copy (job, self->store, preview_done_cb, pending_new (self, job, dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
reason_changed_cb (GtkEditable *entry, AdwMessageDialog *dialog)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "reopen", text[0] != '\0');
}

static gboolean
reopen_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  JobData *d = data;

  return les_runs_reopen (store, d->run_id, d->reason, cancellable, error);
}

static void
reopen_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Pending) p = user_data;
  LesRunsPanel *self = p->self;
  JobData *d = les_job_get_data (p->job);
  g_autoptr(GError) error = NULL;
  gboolean ok = finish_job (p->job, result, &error);

  g_clear_object (&self->job);
  /* the panel has been disposed meanwhile */
  if (self->store == NULL)
    return;
  if (ok)
    les_store_emit_changed (self->store, "payment_runs");
  reload (self);
  if (ok)
    toast (self, _("Run re-opened"));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("Re-opening run %" G_GINT64_FORMAT " was cancelled; it "
                                                    "stands as it was"), d->run_id);

      toast (self, message);
    }
  else
    show_error (self, _("The Run Was Not Re-opened"), error);
}

static void
reopen_response_cb (AdwMessageDialog *dialog, const char *response, LesRunsPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LesJob) job = NULL;
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *title = NULL;
  JobData *d;
  Pending *p;

  if (g_strcmp0 (response, "reopen") != 0)
    return;
  d = g_new0 (JobData, 1);
  d->run_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "run-id"));
  d->reason = g_strdup (gtk_editable_get_text (entry));
  title = g_strdup_printf (_("Re-opening run %" G_GINT64_FORMAT "…"), d->run_id);
  job = les_job_new (title, reopen_func, d, job_data_free);
  p = pending_new (self, job, NULL);
  if (!start_job (self, job, reopen_done_cb, p, &error))
    {
      pending_free (p);
      show_error (self, _("The Run Was Not Re-opened"), error);
      return;
    }
  self->job = g_object_ref (job);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "runs.close-month", FALSE);
}

static void
reopen_clicked_cb (GtkButton *button, LesRunsPanel *self)
{
  guint i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "run-index"));
  const LesRun *run = &g_array_index (self->runs, LesRun, i);
  g_autofree char *heading = g_strdup_printf (_("Re-open Run %" G_GINT64_FORMAT "?"), run->run_id);
  GtkWidget *dialog = adw_message_dialog_new (parent_window (self), heading,
                                              _("Its lines become unpaid again and its month can be closed "
                                                "again. Statements already sent for it no longer stand. The "
                                                "reason goes in the audit trail."));
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Reason (required)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reason for re-opening"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "reopen", _("_Re-open"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "reopen", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "reopen", FALSE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "run-id", GSIZE_TO_POINTER (run->run_id));
  g_signal_connect (entry, "changed", G_CALLBACK (reason_changed_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (reopen_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Printing and saving */

static void
draw_page_cb (GtkPrintOperation *op, GtkPrintContext *context, int page, LesDoc *doc)
{
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double scale = MIN (gtk_print_context_get_width (context) / les_doc_get_width (doc),
                      gtk_print_context_get_height (context) / les_doc_get_height (doc));

  cairo_scale (cr, scale, scale);
  les_doc_draw_page (doc, cr, page);
}

static void
print_done_cb (GtkPrintOperation *op, GtkPrintOperationResult result, LesRunsPanel *self)
{
  g_autoptr(GError) error = NULL;

  Output *output = g_object_get_data (G_OBJECT (op), "output");

  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      gtk_print_operation_get_error (op, &error);
      show_error (self, _("Printing Failed"), error);
    }
  else if (result == GTK_PRINT_OPERATION_RESULT_APPLY && output != NULL && self->store != NULL)
    {
      if (output->statement != NULL)
        les_runs_record_statement (self->store, output->statement, "print", NULL);
      else if (output->report != NULL)
        les_runs_record_report (self->store, output->report, "print", NULL);
    }
}

/* Prints @doc, which keeps pointers into @output: both are freed with the operation. */
static void
print_doc (LesRunsPanel *self, LesDoc *doc, Output *output, const char *job_name)
{
  g_autoptr(GtkPrintOperation) op = gtk_print_operation_new ();
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);
  g_autoptr(GError) error = NULL;

  gtk_page_setup_set_paper_size_and_default_margins (setup, a4);
  gtk_page_setup_set_orientation (setup, les_doc_get_width (doc) > les_doc_get_height (doc)
                                         ? GTK_PAGE_ORIENTATION_LANDSCAPE : GTK_PAGE_ORIENTATION_PORTRAIT);
  gtk_print_operation_set_default_page_setup (op, setup);
  gtk_print_operation_set_use_full_page (op, TRUE);
  gtk_print_operation_set_unit (op, GTK_UNIT_POINTS);
  gtk_print_operation_set_n_pages (op, les_doc_get_n_pages (doc));
  gtk_print_operation_set_job_name (op, job_name);
  gtk_print_operation_set_embed_page_setup (op, TRUE);
  gtk_print_operation_set_allow_async (op, TRUE);
  g_object_set_data_full (G_OBJECT (op), "output", output, (GDestroyNotify) output_free);
  g_object_set_data_full (G_OBJECT (op), "doc", doc, (GDestroyNotify) les_doc_free);
  g_signal_connect (op, "draw-page", G_CALLBACK (draw_page_cb), doc);
  g_signal_connect_object (op, "done", G_CALLBACK (print_done_cb), self, 0);
  if (gtk_print_operation_run (op, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, parent_window (self), &error)
      == GTK_PRINT_OPERATION_RESULT_ERROR)
    show_error (self, _("Printing Failed"), error);
}

static void
save_response_cb (GtkNativeDialog *chooser, int response, Output *o)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (response != GTK_RESPONSE_ACCEPT)
    goto out;
  file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  if (out == NULL)
    ok = FALSE;
  else if (o->statement != NULL)
    ok = o->pdf ? les_statement_write_pdf (o->statement, G_OUTPUT_STREAM (out), NULL, &error)
                : les_statement_write_csv (o->statement, G_OUTPUT_STREAM (out), NULL, &error);
  else
    ok = o->pdf ? les_report_write_pdf (o->report, G_OUTPUT_STREAM (out), NULL, &error)
                : les_report_write_csv (o->report, G_OUTPUT_STREAM (out), NULL, &error);
  if (ok)
    ok = g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error);
  if (!ok)
    show_error (o->self, _("The File Was Not Saved"), error);
  else
    {
      g_autofree char *name = g_file_get_basename (file);
      const char *form = o->pdf ? "pdf" : "csv";

      if (o->statement != NULL)
        les_runs_record_statement (o->self->store, o->statement, form, NULL);
      else
        les_runs_record_report (o->self->store, o->report, form, NULL);
      g_autofree char *message = g_strdup_printf (_("Saved %s"), name);

      toast (o->self, message);
    }
out:
  output_free (o);
  g_object_unref (chooser);
}

static void
save_output (LesRunsPanel *self, Output *o, const char *suggested)
{
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (_("Save"), parent_window (self),
                                                               GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                                               _("_Cancel"));

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggested);
  g_signal_connect (chooser, "response", G_CALLBACK (save_response_cb), o);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static gboolean
report_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  JobData *d = data;

  d->report = les_runs_report (store, d->fy, error);
  return d->report != NULL;
}

static void
report_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Pending) p = user_data;
  LesRunsPanel *self = p->self;
  JobData *d = les_job_get_data (p->job);
  g_autoptr(GError) error = NULL;
  g_autofree char *year = NULL;
  g_autofree char *name = NULL;
  Output *o;

  if (!finish_job (p->job, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && gtk_widget_get_root (GTK_WIDGET (self)))
        show_error (self, _("No Report"), error);
      return;
    }
  if (gtk_widget_get_root (GTK_WIDGET (self)) == NULL)
    return;
  o = g_new0 (Output, 1);
  o->self = g_object_ref (self);
  o->report = g_steal_pointer (&d->report);
  year = les_year_format (o->report->year);
  if (g_strcmp0 (p->how, "print") == 0)
    {
      g_autofree char *job = g_strdup_printf (_("Reconciliation %s"), year);

      print_doc (self, les_report_doc_new (o->report), o, job);
      return;
    }
  o->pdf = g_strcmp0 (p->how, "pdf") == 0;
  name = g_strdup_printf ("reconciliation-report-%.4s-%s.%s", year, year + 5, o->pdf ? "pdf" : "csv");
  save_output (self, o, name);
}

/* What runs have paid is summed over every paid line: a worker's job nationally */
static void
report_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesRunsPanel *self = LES_RUNS_PANEL (widget);
  g_autoptr(LesJob) job = NULL;
  g_autoptr(GError) error = NULL;
  JobData *d = g_new0 (JobData, 1);
  Pending *p;

  d->fy = self->year;
  job = les_job_new (_("Preparing the reconciliation report…"), report_func, d, job_data_free);
  p = pending_new (self, job, NULL);
  p->how = g_variant_dup_string (param, NULL);
  if (!start_job (self, job, report_done_cb, p, &error))
    {
      pending_free (p);
      show_error (self, _("No Report"), error);
    }
}

static void
statements_response_cb (AdwMessageDialog *dialog, const char *response, LesRunsPanel *self)
{
  GtkDropDown *practices = GTK_DROP_DOWN (adw_message_dialog_get_extra_child (dialog));
  const char *const *codes = g_object_get_data (G_OBJECT (dialog), "codes");
  guint selected = gtk_drop_down_get_selected (practices);
  gint64 run_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "run-id"));
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *name = NULL;
  Output *o;

  if (selected == GTK_INVALID_LIST_POSITION || codes == NULL || g_strcmp0 (response, "cancel") == 0)
    return;
  code = g_strdup (codes[selected]);
  o = g_new0 (Output, 1);
  o->self = g_object_ref (self);
  o->statement = les_runs_statement (self->store, run_id, code, &error);
  if (o->statement == NULL)
    {
      show_error (self, _("No Statement"), error);
      output_free (o);
      return;
    }
  if (g_strcmp0 (response, "print") == 0)
    {
      g_autofree char *job = g_strdup_printf (_("Statement %s run %" G_GINT64_FORMAT), code, run_id);

      print_doc (self, les_statement_doc_new (o->statement), o, job);
      return;
    }
  o->pdf = g_strcmp0 (response, "pdf") == 0;
  name = g_strdup_printf ("statement-run%" G_GINT64_FORMAT "-%s.%s", run_id, code, o->pdf ? "pdf" : "csv");
  save_output (self, o, name);
}

static void
statements_clicked_cb (GtkButton *button, LesRunsPanel *self)
{
  guint i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "run-index"));
  const LesRun *run = &g_array_index (self->runs, LesRun, i);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  GStrv codes = les_runs_list_practices (self->store, run->run_id, &names, &error);
  g_autoptr(GtkStringList) labels = NULL;
  g_autofree char *heading = g_strdup_printf (_("Statements for Run %" G_GINT64_FORMAT), run->run_id);
  g_autoptr(GtkExpression) expression = NULL;
  GtkWidget *dialog, *dropdown;

  if (codes == NULL)
    {
      show_error (self, _("No Statements"), error);
      return;
    }
  dialog = adw_message_dialog_new (parent_window (self), heading,
                                   _("Choose a practice: its statement lists every line this run paid it, what "
                                     "was held and why, and the adjustments with the lines they correct."));
  /* "Y90001 · Shelcombe Group Practice": searched by code or name */
  labels = gtk_string_list_new (NULL);
  for (guint p = 0; codes[p] != NULL; p++)
    {
      g_autofree char *label = names[p][0] != '\0' ? g_strdup_printf ("%s · %s", codes[p], names[p])
                                                    : g_strdup (codes[p]);
      gtk_string_list_append (labels, label);
    }
  dropdown = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&labels)), NULL);
  expression = gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");
  gtk_drop_down_set_expression (GTK_DROP_DOWN (dropdown), expression);
  gtk_drop_down_set_enable_search (GTK_DROP_DOWN (dropdown), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Practice"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), dropdown);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "csv", _("Save _CSV…"),
                                    "pdf", _("Save _PDF…"), "print", _("_Print…"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "print", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "run-id", GSIZE_TO_POINTER (run->run_id));
  g_object_set_data_full (G_OBJECT (dialog), "codes", codes, (GDestroyNotify) g_strfreev);
  g_signal_connect_object (dialog, "response", G_CALLBACK (statements_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
set_store (LesRunsPanel *self, LesStore *store)
{
  if (self->store == store)
    return;
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_set_object (&self->store, store);
  if (store != NULL)
    self->changed_id = g_signal_connect_object (store, "changed", G_CALLBACK (store_changed_cb), self, 0);
  reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

static void
les_runs_panel_dispose (GObject *object)
{
  LesRunsPanel *self = LES_RUNS_PANEL (object);

  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);
  g_clear_object (&self->job);
  gtk_widget_dispose_template (GTK_WIDGET (self), LES_TYPE_RUNS_PANEL);
  /* the template's top box is not bound, so it is not cleared with the bound children */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (les_runs_panel_parent_class)->dispose (object);
}

static void
les_runs_panel_finalize (GObject *object)
{
  LesRunsPanel *self = LES_RUNS_PANEL (object);

  g_clear_pointer (&self->months, g_array_unref);
  g_clear_pointer (&self->runs, g_array_unref);

  G_OBJECT_CLASS (les_runs_panel_parent_class)->finalize (object);
}

static void
les_runs_panel_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LesRunsPanel *self = LES_RUNS_PANEL (object);

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
les_runs_panel_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LesRunsPanel *self = LES_RUNS_PANEL (object);

  switch (prop_id)
    {
    case PROP_STORE:
      set_store (self, g_value_get_object (value));
      break;
    case PROP_YEAR:
      if (self->year != g_value_get_int (value))
        {
          self->year = g_value_get_int (value);
          reload (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
les_runs_panel_class_init (LesRunsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = les_runs_panel_dispose;
  object_class->finalize = les_runs_panel_finalize;
  object_class->get_property = les_runs_panel_get_property;
  object_class->set_property = les_runs_panel_set_property;

  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, LES_TYPE_STORE,
                                                G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
                                                | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_YEAR] = g_param_spec_int ("year", NULL, NULL, 0, G_MAXINT, 0,
                                            G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/lesclaims/LesClaims/les-runs-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, LesRunsPanel, status_label);
  gtk_widget_class_bind_template_child (widget_class, LesRunsPanel, month_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LesRunsPanel, history);
  gtk_widget_class_install_action (widget_class, "runs.close-month", NULL, close_month_action);
  gtk_widget_class_install_action (widget_class, "runs.report", "s", report_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
les_runs_panel_init (LesRunsPanel *self)
{
  self->months = g_array_new (FALSE, FALSE, sizeof (gint32));
  gtk_widget_init_template (GTK_WIDGET (self));
  reload (self);
}

guint
les_runs_panel_get_n_runs (LesRunsPanel *self)
{
  g_return_val_if_fail (LES_IS_RUNS_PANEL (self), 0);

  return self->runs ? self->runs->len : 0;
}
