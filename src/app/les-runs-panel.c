/* les-runs-panel.c: payment runs on the Payments screen — close a month, history, re-open, statements, report. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "les-reason-dialog.h"
#include "les-report.h"
#include "les-results.h"
#include "les-runs.h"
#include "les-runs-panel.h"
#include "les-statement.h"
#include "les-table-view.h"
#include "les-team-access.h"
#include "les-value.h"

struct _LesRunsPanel
{
  LesSessionWidget parent_instance;

  GtkLabel      *status_label;
  GtkDropDown   *month_dropdown;
  GtkListBox    *history;
  GtkWidget     *close_button;

  GArray        *months;     /* gint32 YYYYMM, as in the drop-down */
  GArray        *runs;       /* LesRun, newest first */
  gboolean       writing;    /* a close or re-open asked for and not back */
  gint32         closing;    /* the month being closed */
  gint64         reopening;  /* the run being re-opened */
  guint          n_statements;      /* of the last "save every statement" */
  gint64         statements_total;
};

G_DEFINE_FINAL_TYPE (LesRunsPanel, les_runs_panel, LES_TYPE_SESSION_WIDGET)

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

/* The reconciliation report being gathered: the job's data.  Plain data:
 * the worker may be the one to free it. */
typedef struct {
  int           fy;
  LesReport    *report;
} ReportData;

static void
report_data_free (gpointer data)
{
  ReportData *d = data;

  g_clear_pointer (&d->report, les_report_free);
  g_free (d);
}

/* What the main thread needs when the report's job ends */
typedef struct {
  LesRunsPanel *self;
  LesJob       *job;
  char         *how;        /* "print", "pdf" or "csv" */
} Pending;

static void
pending_free (Pending *p)
{
  g_object_unref (p->self);
  g_object_unref (p->job);
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

static LesSession *
panel_session (LesRunsPanel *self)
{
  return les_session_widget_get_session (LES_SESSION_WIDGET (self));
}

static LesStore *
panel_store (LesRunsPanel *self)
{
  return panel_session (self) != NULL ? les_session_get_store (panel_session (self)) : NULL;
}

static int
panel_year (LesRunsPanel *self)
{
  return panel_session (self) != NULL ? les_session_get_year (panel_session (self)) : 0;
}

static char *
describe_run (const LesRun *run, char **subtitle)
{
  g_autofree char *month = les_period_format_display (run->month);
  g_autofree char *total = les_money_format_display (run->total);
  g_autofree char *lines = les_count_format_display (run->n_lines);
  g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (run->created_at, NULL);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;
  g_autofree char *when = local ? g_date_time_format (local, "%-d %b %Y %H:%M") : g_strdup (run->created_at);

  if (run->reopened)
    *subtitle = g_strdup_printf (_("Re-opened by %s: %s (was %s)"), run->reopened_by, run->reopen_reason, total);
  else
    /* Translators: "£732,866.71 · 1,496 lines · 30 Nov 2026 13:13 by finance" */
    *subtitle = g_strdup_printf (g_dngettext (NULL, "%s · %s line · %s by %s", "%s · %s lines · %s by %s",
                                              run->n_lines),
                                 total, lines, when, run->created_by);
  return g_strdup_printf (_("Run %" G_GINT64_FORMAT " — %s"), run->run_id, month);
}

static void reload (LesRunsPanel *self);

/* The run of the history whose number is @run_id */
static const LesRun *
find_run (LesRunsPanel *self, gint64 run_id)
{
  for (guint i = 0; self->runs != NULL && i < self->runs->len; i++)
    if (g_array_index (self->runs, LesRun, i).run_id == run_id)
      return &g_array_index (self->runs, LesRun, i);
  return NULL;
}

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
      if (!run->reopened && latest_live)
        {
          latest_live = FALSE;
          button = gtk_button_new_with_mnemonic (_("Re-_open…"));
          gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
          gtk_widget_set_tooltip_text (button, _("Re-open the latest run: its lines become unpaid again"));
          gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "runs.reopen");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "x", run->run_id);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
        }
      {
        g_autoptr(GMenu) menu = g_menu_new ();
        g_autoptr(GMenuItem) all = g_menu_item_new (_("Save _Every Practice’s Statement…"), NULL);
        g_autoptr(GMenuItem) one = g_menu_item_new (_("_One Practice’s Statement…"), NULL);

        g_menu_item_set_action_and_target_value (all, "runs.statements-all", g_variant_new_int64 (run->run_id));
        g_menu_item_set_action_and_target_value (one, "runs.statements", g_variant_new_int64 (run->run_id));
        g_menu_append_item (menu, all);
        g_menu_append_item (menu, one);
        button = gtk_menu_button_new ();
        gtk_menu_button_set_label (GTK_MENU_BUTTON (button), _("_Statements"));
        gtk_menu_button_set_use_underline (GTK_MENU_BUTTON (button), TRUE);
        gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
        gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
        gtk_widget_set_tooltip_text (button, _("Save every practice’s payment statement for this run, or print or "
                                               "save one"));
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      }
      gtk_list_box_append (self->history, row);
    }
}

/* The months that can be closed now: from the next open month (the
 * default) to the month the year is computed to, never beyond, since a
 * run pays every line due up to its month */
static void
reload (LesRunsPanel *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autofree char *next_text = NULL;
  g_autofree char *to_text = NULL;
  g_autofree char *text = NULL;
  g_autofree char *why = NULL;
  gint32 next = 0, to = 0;
  gboolean computed;
  LesTeamRoles roles = panel_session (self) != NULL ? les_session_get_roles (panel_session (self)) : 0;

  g_clear_pointer (&self->runs, g_array_unref);
  g_array_set_size (self->months, 0);
  computed = panel_store (self) != NULL && panel_year (self) != 0
             && les_results_get_compute (panel_store (self), panel_year (self), &to, NULL, NULL, NULL);
  if (panel_store (self) != NULL && panel_year (self) != 0)
    {
      self->runs = les_runs_list (panel_store (self), panel_year (self), &error);
      if (self->runs == NULL)
        g_warning ("Cannot list the payment runs: %s", error->message);
      next = les_runs_next_open_month (panel_store (self), panel_year (self));
    }
  for (gint32 m = next; computed && m != 0 && m <= to && les_period_fy (m) == panel_year (self);
       m = les_period_add_months (m, 1))
    {
      /* "Sep 2024": the drop-down fits beside Close Month on a phone */
      g_autofree char *label = les_doc_format_month (m);

      g_array_append_val (self->months, m);
      gtk_string_list_append (labels, label);
    }
  gtk_drop_down_set_model (self->month_dropdown, G_LIST_MODEL (labels));
  gtk_widget_set_visible (GTK_WIDGET (self->month_dropdown), self->months->len > 0);
  if (self->months->len > 0)
    gtk_drop_down_set_selected (self->month_dropdown, 0);

  next_text = les_period_format_display (next);
  to_text = les_period_format_display (to);
  if (!computed)
    text = g_strdup (_("Compute the year before closing a month"));
  else if (next == 0)
    text = g_strdup (_("Every month of the year is closed"));
  else if (self->months->len == 0)
    /* Translators: "Figures to November 2024: compute to December 2024 to close it" */
    text = g_strdup_printf (_("Figures to %s: compute to %s to close it"), to_text, next_text);
  else
    {
      gint64 amount = 0, n = les_runs_pending_adjustments (panel_store (self), panel_year (self), &amount);
      g_autofree char *money = les_money_format_display (amount);
      g_autofree char *count = les_count_format_display (n);

      text = n > 0
        ? g_strdup_printf (g_dngettext (NULL, "Next open month %s · figures to %s · %s adjustment due (%s)",
                                        "Next open month %s · figures to %s · %s adjustments due (%s)", n),
                           next_text, to_text, count, money)
        /* Translators: "Next open month April 2024 · figures to December 2024" */
        : g_strdup_printf (_("Next open month %s · figures to %s"), next_text, to_text);
    }
  gtk_label_set_text (self->status_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_label), text);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "runs.close-month",
                                 self->months->len > 0 && !self->writing && les_team_access_may (roles, LES_TEAM_TASK_CLOSE_MONTH));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "runs.report", computed);
  /* a team role that may not: offered nowhere, and the button says why */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "runs.reopen", les_team_access_may (roles, LES_TEAM_TASK_REOPEN));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "runs.statements",
                                 les_team_access_may (roles, LES_TEAM_TASK_STATEMENTS));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "runs.statements-all",
                                 les_team_access_may (roles, LES_TEAM_TASK_STATEMENTS));
  why = les_team_access_why_not (roles, LES_TEAM_TASK_CLOSE_MONTH);
  gtk_widget_set_tooltip_text (self->close_button,
                               why != NULL ? why : _("Pay what is due and approved, and freeze it as a payment run"));
  fill_history (self);
}

static void
les_runs_panel_changed (LesSessionWidget *widget, LesChange what)
{
  /* runs, and what a compute (or a close, which computes first) left to pay */
  if (what & (LES_CHANGE_RUNS | LES_CHANGE_PAYMENTS))
    reload (LES_RUNS_PANEL (widget));
}

static void
les_runs_panel_session_replaced (LesSessionWidget *widget)
{
  reload (LES_RUNS_PANEL (widget));
}

static gint32
chosen_month (LesRunsPanel *self)
{
  guint i = gtk_drop_down_get_selected (self->month_dropdown);

  return i < self->months->len ? g_array_index (self->months, gint32, i) : 0;
}

static void
close_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LesRunsPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  LesRun run = { 0 };
  gboolean ok = les_session_close_month_finish (LES_SESSION (object), result, &run, &error);

  self->writing = FALSE;
  reload (self);
  if (ok)
    {
      g_autofree char *total = les_money_format_display (run.total);
      g_autofree char *message = g_strdup_printf (_("Run %" G_GINT64_FORMAT " paid %s"), run.run_id, total);

      toast (self, message);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *month = les_doc_format_month (self->closing);
      g_autofree char *message = g_strdup_printf (_("Closing %s was cancelled; nothing was paid"), month);

      toast (self, message);
    }
  else if (gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    show_error (self, _("The Month Was Not Closed"), error);
  les_run_clear (&run);
}

/* The session closes it as a write of its own: progress strip, Cancel */
static gboolean
start_close (LesRunsPanel *self, gint32 month, GError **error)
{
  if (self->writing)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY, _("A payment run is already being made"));
      return FALSE;
    }
  if (panel_session (self) == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("There is no open month to close"));
      return FALSE;
    }
  self->writing = TRUE;
  self->closing = month;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "runs.close-month", FALSE);
  les_session_close_month_async (panel_session (self), month, close_done_cb, g_object_ref (self));
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

/* The confirmation of a close: what it will pay, worked out on a reader */
typedef struct
{
  LesRunsPanel *self;
  GWeakRef      dialog;
  GCancellable *cancellable;   /* answering the dialog stops the preview */
  int           fy;
  gint32        month;
  LesRunPreview *preview;      /* once the read is back */
} Confirmation;

static void
confirmation_clear (gpointer data)
{
  Confirmation *c = data;

  g_object_unref (c->cancellable);
  g_clear_pointer (&c->preview, les_run_preview_free);
  g_object_unref (c->self);
  g_weak_ref_clear (&c->dialog);
}

static void
confirmation_release (gpointer data)
{
  g_rc_box_release_full (data, confirmation_clear);
}

/* The dialog is gone: the read, if not back, is not wanted */
static void
confirmation_closure_release (gpointer data, GClosure *closure)
{
  g_cancellable_cancel (((Confirmation *) data)->cancellable);
  confirmation_release (data);
}

static void
close_response_cb (AdwMessageDialog *dialog, const char *response, Confirmation *c)
{
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (c->cancellable);
  if (g_strcmp0 (response, "close") == 0 && !start_close (c->self, c->month, &error))
    show_error (c->self, _("The Month Was Not Closed"), error);
}

/* On a reader: what the run would pay and leave out, returned to the main thread */
static gpointer
preview_read (LesStore *reader, gpointer data, GCancellable *cancellable, GError **error)
{
  Confirmation *c = data;

  return les_runs_preview_month (reader, c->fy, c->month, cancellable, error);
}

static GtkWidget *
preview_cell (const char *text, gboolean numeric, gboolean bold)
{
  GtkWidget *label = les_cell_label_new (numeric);

  gtk_label_set_text (GTK_LABEL (label), text);
  if (numeric)
    /* a figure is never cut short: the names give way */
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_NONE);
  else
    {
      /* a service's name cut short is a tooltip away */
      gtk_widget_set_hexpand (label, TRUE);
      gtk_label_set_width_chars (GTK_LABEL (label), 12);
      gtk_widget_set_tooltip_text (label, text);
    }
  if (bold)
    gtk_widget_add_css_class (label, "heading");
  return label;
}

static void
preview_grid_row (GtkGrid *grid, int y, const char *name, const char *lines, const char *paid, gboolean bold)
{
  gtk_grid_attach (grid, preview_cell (name, FALSE, bold), 0, y, 1, 1);
  gtk_grid_attach (grid, preview_cell (lines, TRUE, bold), 1, y, 1, 1);
  gtk_grid_attach (grid, preview_cell (paid, TRUE, bold), 2, y, 1, 1);
}

/* What the run pays, per service, with the totals under them */
static GtkWidget *
preview_table (const LesRunPreview *preview)
{
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  g_autofree char *total = les_money_format_display (preview->totals.paid + preview->totals.adjustments);
  g_autofree char *n_total = les_count_format_display (preview->totals.n_paid + preview->totals.n_adjustments);
  int y = 1;

  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  preview_grid_row (GTK_GRID (grid), 0, _("Service"), _("Lines"), _("Paid"), TRUE);
  for (guint i = 0; i < preview->services->len; i++)
    {
      const LesRunPreviewRow *r = &g_array_index (preview->services, LesRunPreviewRow, i);
      g_autofree char *paid = NULL;
      g_autofree char *lines = NULL;

      if (r->n_paid + r->n_adjustments == 0)
        continue;
      paid = les_money_format_display (r->paid + r->adjustments);
      lines = les_count_format_display (r->n_paid + r->n_adjustments);
      preview_grid_row (GTK_GRID (grid), y++, r->service_name != NULL ? r->service_name : r->service_code,
                        lines, paid, FALSE);
    }
  preview_grid_row (GTK_GRID (grid), y, _("Total"), n_total, total, TRUE);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 260);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), grid);
  gtk_accessible_update_property (GTK_ACCESSIBLE (scrolled), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("What the run pays, by service"), -1);
  return scrolled;
}

/* For people: what the run leaves out and why, each count with its amount */
static char *
preview_left_out (const LesRunPreview *preview)
{
  const LesRunPreviewRow *t = &preview->totals;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *month = les_period_format_display (preview->month);
  g_autofree char *n_unapproved = les_count_format_display (t->n_unapproved + t->n_adjustments_waiting);
  g_autofree char *unapproved = les_money_format_display (t->unapproved + t->adjustments_waiting);
  g_autofree char *n_not_due = les_count_format_display (t->n_not_due);
  g_autofree char *not_due = les_money_format_display (t->not_due);
  g_autofree char *n_held = les_count_format_display (t->n_held);
  g_autofree char *held = les_money_format_display (t->held);

  /* Translators: "Left out: 1,234 lines waiting for their claims to be approved (£5,678.90)" */
  g_string_append_printf (text, g_dngettext (NULL, "Left out: %s line waiting for its claims to be approved (%s)",
                                             "Left out: %s lines waiting for their claims to be approved (%s)",
                                             t->n_unapproved + t->n_adjustments_waiting),
                          n_unapproved, unapproved);
  g_string_append (text, "; ");
  /* Translators: "56 approved or scheduled lines of months after December 2024 (£7,890.12)" */
  g_string_append_printf (text, g_dngettext (NULL, "%s approved or scheduled line of months after %s (%s)",
                                             "%s approved or scheduled lines of months after %s (%s)", t->n_not_due),
                          n_not_due, month, not_due);
  g_string_append (text, ".");
  if (t->n_held > 0)
    {
      g_string_append (text, " ");
      /* Translators: "Held, not paid: £1,234.56 on 12 lines over a cap." */
      g_string_append_printf (text, g_dngettext (NULL, "Held, not paid: %s on %s line over a cap.",
                                                 "Held, not paid: %s on %s lines over a cap.", t->n_held),
                              held, n_held);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
preview_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Confirmation *c = user_data;
  g_autoptr(GtkWidget) dialog = g_weak_ref_get (&c->dialog);
  g_autoptr(GError) error = NULL;
  g_autofree char *month = NULL;
  g_autofree char *money = NULL;
  g_autofree char *lines = NULL;
  g_autofree char *left_out = NULL;
  g_autofree char *body = NULL;
  LesRunPreview *preview = les_session_read_finish (LES_SESSION (object), result, &error);
  gint64 n;

  if (preview == NULL)
    {
      /* cancelled: the dialog was answered before the figures came */
      if (dialog == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      gtk_window_destroy (GTK_WINDOW (dialog));
      show_error (c->self, _("The Month Cannot Be Closed"), error);
      return;
    }
  g_clear_pointer (&c->preview, les_run_preview_free);
  c->preview = preview;
  if (dialog == NULL)
    return;
  n = preview->totals.n_paid + preview->totals.n_adjustments;
  month = les_period_format_display (c->month);
  money = les_money_format_display (preview->totals.paid + preview->totals.adjustments);
  lines = les_count_format_display (n);
  left_out = preview_left_out (preview);
  body = g_strdup_printf (g_dngettext (NULL,
                                       "The run will pay %s line of %s or earlier, a total of %s. "
                                       "What is paid is frozen: later changes become adjustments in the next run.",
                                       "The run will pay %s lines of %s or earlier, a total of %s. "
                                       "What is paid is frozen: later changes become adjustments in the next run.",
                                       n),
                          lines, month, money);
  if (preview->stale != 0)
    {
      g_autofree char *more = g_strconcat (body, " ", _("The figures are out of date: the run computes the year "
                                                         "again first, so what it pays may differ."), NULL);

      g_free (body);
      body = g_steal_pointer (&more);
    }
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), body);
  {
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
    GtkWidget *label = gtk_label_new (left_out);

    gtk_label_set_wrap (GTK_LABEL (label), TRUE);
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_widget_add_css_class (label, "dim-label");
    gtk_box_append (GTK_BOX (box), preview_table (preview));
    gtk_box_append (GTK_BOX (box), label);
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  }
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "close", n > 0);
}

/* The confirmation shows what the run will pay, which takes seconds to
 * work out nationally: a spinner until the worker has the figures. */
static void
close_month_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesRunsPanel *self = LES_RUNS_PANEL (widget);
  g_autofree char *month = NULL;
  g_autofree char *heading = NULL;
  gint32 chosen = chosen_month (self);
  GtkWidget *dialog, *spinner;
  Confirmation *c;

  if (chosen == 0 || self->writing || panel_session (self) == NULL)
    return;
  month = les_period_format_display (chosen);
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

  c = g_rc_box_new0 (Confirmation);
  c->self = g_object_ref (self);
  g_weak_ref_init (&c->dialog, dialog);
  c->cancellable = g_cancellable_new ();
  c->fy = panel_year (self);
  c->month = chosen;
  /* the dialog and the read each hold the confirmation, so whichever ends last frees it */
  g_signal_connect_data (dialog, "response", G_CALLBACK (close_response_cb), g_rc_box_acquire (c),
                         confirmation_closure_release, 0);
  /* read only, and cancelled with the dialog: no need for the window's progress strip */
  les_session_read_async (panel_session (self), preview_read, c, confirmation_release,
                          (GDestroyNotify) les_run_preview_free, c->cancellable, preview_done_cb, c);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
reopen_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LesRunsPanel) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = les_session_reopen_finish (LES_SESSION (object), result, &error);

  self->writing = FALSE;
  reload (self);
  if (ok)
    toast (self, _("Run re-opened"));
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = g_strdup_printf (_("Re-opening run %" G_GINT64_FORMAT " was cancelled; it "
                                                    "stands as it was"), self->reopening);

      toast (self, message);
    }
  else if (gtk_widget_get_root (GTK_WIDGET (self)) != NULL)
    show_error (self, _("The Run Was Not Re-opened"), error);
}

/* The run a reason is asked for, until the dialog is answered */
typedef struct
{
  LesRunsPanel *self;
  gint64        run_id;
} Reopening;

static void
reopening_free (gpointer data, GClosure *closure)
{
  Reopening *r = data;

  g_object_unref (r->self);
  g_free (r);
}

static void
reopen_response_cb (AdwMessageDialog *dialog, const char *response, Reopening *r)
{
  LesRunsPanel *self = r->self;
  g_autofree char *reason = les_reason_dialog_dup_reason (dialog);

  if (g_strcmp0 (response, "apply") != 0 || panel_session (self) == NULL)
    return;
  if (self->writing)
    {
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_BUSY,
                                                     _("A payment run is already being made"));

      show_error (self, _("The Run Was Not Re-opened"), error);
      return;
    }
  self->writing = TRUE;
  self->reopening = r->run_id;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "runs.close-month", FALSE);
  les_session_reopen_async (panel_session (self), self->reopening, reason, reopen_done_cb, g_object_ref (self));
}

/* "runs.reopen" with the run's number, from its row in the history */
static void
reopen_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesRunsPanel *self = LES_RUNS_PANEL (widget);
  const LesRun *run = find_run (self, g_variant_get_int64 (param));
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;
  Reopening *r;

  if (run == NULL)
    return;
  heading = g_strdup_printf (_("Re-open Run %" G_GINT64_FORMAT "?"), run->run_id);
  dialog = les_reason_dialog_new (GTK_WIDGET (self), heading,
                                  _("Its lines become unpaid again and its month can be closed "
                                    "again. Statements already sent for it no longer stand. The "
                                    "reason goes in the audit trail."),
                                  _("Reason (required)"), _("_Re-open"), ADW_RESPONSE_DESTRUCTIVE);
  r = g_new0 (Reopening, 1);
  r->self = g_object_ref (self);
  r->run_id = run->run_id;
  g_signal_connect_data (dialog, "response", G_CALLBACK (reopen_response_cb), r, reopening_free, 0);
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
  else if (result == GTK_PRINT_OPERATION_RESULT_APPLY && output != NULL && panel_store (self) != NULL)
    {
      if (output->statement != NULL)
        les_runs_record_statement (panel_store (self), output->statement, "print", NULL);
      else if (output->report != NULL)
        les_runs_record_report (panel_store (self), output->report, "print", NULL);
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
        les_runs_record_statement (panel_store (o->self), o->statement, form, NULL);
      else
        les_runs_record_report (panel_store (o->self), o->report, form, NULL);
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
  ReportData *d = data;

  d->report = les_runs_report (store, d->fy, error);
  return d->report != NULL;
}

static void
report_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Pending) p = user_data;
  LesRunsPanel *self = p->self;
  ReportData *d = les_job_get_data (p->job);
  g_autoptr(GError) error = NULL;
  g_autofree char *year = NULL;
  g_autofree char *name = NULL;
  Output *o;

  if (!les_session_run_finish (LES_SESSION (object), result, &error))
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
  ReportData *d;
  Pending *p;

  if (panel_session (self) == NULL)
    return;
  d = g_new0 (ReportData, 1);
  d->fy = panel_year (self);
  job = les_job_new (_("Preparing the reconciliation report…"), report_func, d, report_data_free);
  p = g_new0 (Pending, 1);
  p->self = g_object_ref (self);
  p->job = g_object_ref (job);
  p->how = g_variant_dup_string (param, NULL);
  /* a job of the session's (progress strip, Cancel) that writes nothing */
  les_session_run_async (panel_session (self), job, 0, report_done_cb, p);
}

/* A run's statements being chosen, until the dialog is answered */
typedef struct
{
  LesRunsPanel *self;
  gint64        run_id;
  GStrv         codes;       /* the practices it paid, as in the drop-down */
} Statements;

static void
statements_free (gpointer data, GClosure *closure)
{
  Statements *st = data;

  g_object_unref (st->self);
  g_strfreev (st->codes);
  g_free (st);
}

static void
statements_response_cb (AdwMessageDialog *dialog, const char *response, Statements *st)
{
  LesRunsPanel *self = st->self;
  GtkDropDown *practices = GTK_DROP_DOWN (adw_message_dialog_get_extra_child (dialog));
  const char *const *codes = (const char *const *) st->codes;
  guint selected = gtk_drop_down_get_selected (practices);
  gint64 run_id = st->run_id;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  g_autofree char *name = NULL;
  Output *o;

  if (selected == GTK_INVALID_LIST_POSITION || codes == NULL || g_strcmp0 (response, "cancel") == 0)
    return;
  code = g_strdup (codes[selected]);
  o = g_new0 (Output, 1);
  o->self = g_object_ref (self);
  o->statement = les_runs_statement (panel_store (self), run_id, code, &error);
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

/* "runs.statements" with the run's number, from its row in the history */
static void
statements_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesRunsPanel *self = LES_RUNS_PANEL (widget);
  gint64 run_id = g_variant_get_int64 (param);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  GStrv codes = les_runs_list_practices (panel_store (self), run_id, &names, &error);
  g_autoptr(GtkStringList) labels = NULL;
  g_autofree char *heading = g_strdup_printf (_("Statements for Run %" G_GINT64_FORMAT), run_id);
  g_autoptr(GtkExpression) expression = NULL;
  GtkWidget *dialog, *dropdown;
  Statements *st;

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
  st = g_new0 (Statements, 1);
  st->self = g_object_ref (self);
  st->run_id = run_id;
  st->codes = codes;
  g_signal_connect_data (dialog, "response", G_CALLBACK (statements_response_cb), st, statements_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Every practice's statement of a run, written into a folder off the main
 * thread: PRACTICE.pdf each and one CSV of them all, as the CLI's
 * `statement --all` does.  The job's data: plain, the worker may free it. */
typedef struct
{
  gint64  run_id;
  GFile  *folder;
  guint   n_written;
  gint64  total;      /* what the statements say was paid */
} StatementsAll;

static void
statements_all_free (gpointer data)
{
  StatementsAll *d = data;

  g_clear_object (&d->folder);
  g_free (d);
}

static gboolean
write_into (GFile *folder, const char *name, LesStatement *statement, GPtrArray *all, GCancellable *cancellable,
            GError **error)
{
  g_autoptr(GFile) file = g_file_get_child (folder, name);
  g_autoptr(GFileOutputStream) out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, error);

  if (out == NULL)
    return FALSE;
  if (statement != NULL ? !les_statement_write_pdf (statement, G_OUTPUT_STREAM (out), cancellable, error)
                        : !les_statements_write_csv (all, G_OUTPUT_STREAM (out), cancellable, error))
    return FALSE;
  return g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, error);
}

static gboolean
statements_all_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  StatementsAll *d = data;
  g_autoptr(GPtrArray) all = NULL;
  g_autofree char *csv = g_strdup_printf ("statements-run-%" G_GINT64_FORMAT ".csv", d->run_id);

  les_job_progress (job, 0, _("Gathering the statements…"));
  all = les_runs_statements (store, d->run_id, cancellable, error);
  if (all == NULL)
    return FALSE;
  for (guint i = 0; i < all->len; i++)
    {
      LesStatement *st = all->pdata[i];
      g_autofree char *name = g_strdup_printf ("%s.pdf", st->practice_code);
      g_autofree char *label = g_strdup_printf (_("Writing %s (%u of %u)…"), name, i + 1, all->len);

      les_job_progress (job, (double) i / (all->len + 1), label);
      if (!write_into (d->folder, name, st, NULL, cancellable, error)
          || !les_runs_record_statement (store, st, "pdf", error))
        return FALSE;
      d->n_written++;
      d->total += st->payable;
    }
  les_job_progress (job, (double) all->len / (all->len + 1), csv);
  if (!write_into (d->folder, csv, NULL, all, cancellable, error))
    return FALSE;
  for (guint i = 0; i < all->len; i++)
    if (!les_runs_record_statement (store, all->pdata[i], "csv", error))
      return FALSE;
  les_job_progress (job, 1, NULL);
  return TRUE;
}

static void
statements_all_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(Pending) p = user_data;
  StatementsAll *d = les_job_get_data (p->job);
  g_autoptr(GError) error = NULL;
  g_autofree char *where = g_file_get_parse_name (d->folder);
  g_autofree char *count = les_count_format_display (d->n_written);
  g_autofree char *total = les_money_format_display (d->total);
  g_autofree char *message = NULL;

  p->self->n_statements = d->n_written;
  p->self->statements_total = d->total;
  if (!les_session_run_finish (LES_SESSION (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Translators: "Cancelled after 12 statements" */
          message = g_strdup_printf (g_dngettext (NULL, "Cancelled after %s statement", "Cancelled after %s statements",
                                                  d->n_written), count);
          toast (p->self, message);
        }
      else if (gtk_widget_get_root (GTK_WIDGET (p->self)) != NULL)
        show_error (p->self, _("The Statements Were Not All Saved"), error);
      return;
    }
  /* Translators: "143 statements of run 1 saved in ~/Statements, paying £1,234,567.89" */
  message = g_strdup_printf (g_dngettext (NULL, "%s statement of run %" G_GINT64_FORMAT " saved in %s, paying %s",
                                          "%s statements of run %" G_GINT64_FORMAT " saved in %s, paying %s",
                                          d->n_written),
                             count, d->run_id, where, total);
  toast (p->self, message);
}

/**
 * les_runs_panel_save_all_statements:
 * @folder: where PRACTICE.pdf and statements-run-N.csv go
 *
 * Writes every statement of run @run_id into @folder as a job of the
 * session's (the progress strip, Cancel), as the folder chooser does.
 */
void
les_runs_panel_save_all_statements (LesRunsPanel *self, gint64 run_id, GFile *folder)
{
  g_autoptr(LesJob) job = NULL;
  StatementsAll *d;
  Pending *p;

  g_return_if_fail (LES_IS_RUNS_PANEL (self));
  g_return_if_fail (G_IS_FILE (folder));

  if (panel_session (self) == NULL)
    return;
  d = g_new0 (StatementsAll, 1);
  d->run_id = run_id;
  d->folder = g_object_ref (folder);
  job = les_job_new (_("Saving every practice’s statement…"), statements_all_func, d, statements_all_free);
  p = g_new0 (Pending, 1);
  p->self = g_object_ref (self);
  p->job = g_object_ref (job);
  /* audit rows only: nothing a screen shows changes */
  les_session_run_async (panel_session (self), job, 0, statements_all_done_cb, p);
}

typedef struct
{
  LesRunsPanel *self;
  gint64        run_id;
} FolderChoice;

static void
folder_response_cb (GtkNativeDialog *chooser, int response, FolderChoice *f)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (folder != NULL)
        les_runs_panel_save_all_statements (f->self, f->run_id, folder);
    }
  g_object_unref (f->self);
  g_free (f);
  g_object_unref (chooser);
}

/* "runs.statements-all" with the run's number: a folder, then the job */
static void
statements_all_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesRunsPanel *self = LES_RUNS_PANEL (widget);
  gint64 run_id = g_variant_get_int64 (param);
  g_autofree char *title = g_strdup_printf (_("Save Every Statement of Run %" G_GINT64_FORMAT), run_id);
  /* GtkFileDialog is GTK 4.10: the native chooser, through the portal when sandboxed */
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (title, parent_window (self),
                                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                                               _("_Save Here"), _("_Cancel"));
  FolderChoice *f = g_new0 (FolderChoice, 1);

  f->self = g_object_ref (self);
  f->run_id = run_id;
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (folder_response_cb), f);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
les_runs_panel_dispose (GObject *object)
{
  LesRunsPanel *self = LES_RUNS_PANEL (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LES_TYPE_RUNS_PANEL);

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
les_runs_panel_class_init (LesRunsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = les_runs_panel_dispose;
  object_class->finalize = les_runs_panel_finalize;
  LES_SESSION_WIDGET_CLASS (klass)->changed = les_runs_panel_changed;
  LES_SESSION_WIDGET_CLASS (klass)->session_replaced = les_runs_panel_session_replaced;
  LES_SESSION_WIDGET_CLASS (klass)->year_changed = les_runs_panel_session_replaced;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/lesclaims/LesClaims/les-runs-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, LesRunsPanel, status_label);
  gtk_widget_class_bind_template_child (widget_class, LesRunsPanel, month_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LesRunsPanel, history);
  gtk_widget_class_bind_template_child (widget_class, LesRunsPanel, close_button);
  gtk_widget_class_install_action (widget_class, "runs.close-month", NULL, close_month_action);
  gtk_widget_class_install_action (widget_class, "runs.report", "s", report_action);
  gtk_widget_class_install_action (widget_class, "runs.reopen", "x", reopen_action);
  gtk_widget_class_install_action (widget_class, "runs.statements", "x", statements_action);
  gtk_widget_class_install_action (widget_class, "runs.statements-all", "x", statements_all_action);
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

/* For tests: what the last "save every statement" wrote, and their total. */
guint
les_runs_panel_get_n_statements (LesRunsPanel *self, gint64 *total)
{
  g_return_val_if_fail (LES_IS_RUNS_PANEL (self), 0);

  if (total != NULL)
    *total = self->statements_total;
  return self->n_statements;
}

/* For tests: the months offered to close (YYYYMM), the chosen first. */
GArray *
les_runs_panel_get_months (LesRunsPanel *self)
{
  g_return_val_if_fail (LES_IS_RUNS_PANEL (self), NULL);

  return self->months;
}
