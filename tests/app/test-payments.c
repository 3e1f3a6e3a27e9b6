/* test-payments.c: the Payments screen and its runs panel — the drill-down to an explanation, export, a close's confirmation, a close cancelled and one made. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "app-test.h"
#include "les-claims-edit.h"
#include "les-payments-page.h"
#include "les-runs-panel.h"
#include "les-runs.h"

static void
test_drill_down (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesPaymentsPage *page = LES_PAYMENTS_PAGE (les_window_get_page (window, "payments"));
  g_autofree char *explanation = NULL;
  LesTableView *table;

  app_test_show_page (window, "payments");
  table = les_payments_page_get_table (page);
  g_assert_cmpuint (les_table_view_get_n_rows (table), >, 0);
  app_test_screenshot (GTK_WIDGET (window), "screen-payments.png");
  /* a search: the totals of the rows shown */
  {
    LesRow *first = les_table_view_get_visible_row (table, 0);
    g_autofree char *code = g_strdup (les_row_get_text (first, 0));
    g_autofree char *payable = g_strdup (les_row_get_text (first, 3));

    les_table_view_set_search (table, code);
    g_assert_cmpstr (les_row_get_text (les_table_view_get_totals (table), 0), ==, _("Total shown"));
    if (les_table_view_get_n_visible (table) == 1)
      g_assert_cmpstr (les_row_get_text (les_table_view_get_totals (table), 3), ==, payable);
    les_table_view_set_search (table, NULL);
    g_assert_cmpstr (les_row_get_text (les_table_view_get_totals (table), 0), ==, _("Total"));
  }

  /* Service → PCN → practice → lines → explanation */
  for (guint level = 0; level < 3; level++)
    {
      g_assert_cmpuint (les_table_view_get_n_visible (table), >, 0);
      les_table_view_activate (table, 0);
      g_assert_cmpuint (les_payments_page_get_level (page), ==, level + 1);
    }
  g_assert_cmpuint (les_table_view_get_n_visible (table), >, 0);
  /* the lines' totals: amounts added up, the run that paid a line never */
  g_assert_nonnull (les_table_view_get_totals (table));
  g_assert_cmpstr (les_row_get_text (les_table_view_get_totals (table), 0), ==, _("Total"));
  g_assert_cmpstr (les_row_get_text (les_table_view_get_totals (table), 6), ==, "");
  les_table_view_activate (table, 0);
  explanation = les_payments_page_dup_explanation (page);
  g_assert_nonnull (explanation);
  g_assert_cmpuint (strlen (explanation), >, 10);
  app_test_screenshot (GTK_WIDGET (window), "screen-payments-explain.png");

  {
    g_autofree char *csv = g_build_filename (app_test_get_tmp_dir (), "lines.csv", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (csv);
    g_autofree char *contents = NULL;

    g_assert_true (les_table_view_write_csv (table, file, NULL));
    g_assert_true (g_file_get_contents (csv, &contents, NULL, NULL));
    g_assert_true (g_str_has_prefix (contents, "rule_code,period,units,gross,payable,held,paid_run\n"));
  }
  les_payments_page_up (page);
  les_payments_page_up (page);
  les_payments_page_up (page);
  g_assert_cmpuint (les_payments_page_get_level (page), ==, 0);
  app_test_window_free (window);
}

static gboolean
preview_ready (gpointer data)
{
  return adw_message_dialog_get_response_enabled (data, "close");
}

static gboolean
no_message_dialog (gpointer data)
{
  return app_test_find_message_dialog () == NULL;
}

/* The confirmation works out what the run will pay on a reader: a spinner, then the figures. */
static void
test_runs_preview (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  GtkWidget *panel = app_test_find_widget (les_window_get_page (window, "payments"), LES_TYPE_RUNS_PANEL);
  AdwMessageDialog *dialog;
  GArray *months;

  app_test_show_page (window, "payments");
  /* from the next open month, the default, to the month computed to: never beyond */
  months = les_runs_panel_get_months (LES_RUNS_PANEL (panel));
  g_assert_cmpuint (months->len, ==, 9);
  g_assert_cmpint (g_array_index (months, gint32, 0), ==, 202404);
  g_assert_cmpint (g_array_index (months, gint32, months->len - 1), ==, 202412);
  g_assert_true (gtk_widget_activate_action (panel, "runs.close-month", NULL));
  dialog = app_test_find_message_dialog ();
  g_assert_nonnull (dialog);
  /* the figures are not in before the main loop has run */
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "close"));
  g_assert_true (GTK_IS_SPINNER (adw_message_dialog_get_extra_child (dialog)));
  app_test_wait (preview_ready, dialog, "the run's figures");
  /* the next open month, what it pays per service, and what it leaves out */
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "April 2024"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "will pay"));
  {
    GtkWidget *extra = adw_message_dialog_get_extra_child (dialog);
    GtkWidget *left_out = gtk_widget_get_last_child (extra);

    g_assert_true (GTK_IS_SCROLLED_WINDOW (gtk_widget_get_first_child (extra)));
    g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (left_out)), "Left out: "));
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (left_out)), "waiting for their claims to be approved"));
    g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (left_out)), "lines of months after April 2024"));
  }
  app_test_screenshot (GTK_WIDGET (dialog), "dialog-close-month.png");
  /* as the Cancel button does */
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_close (GTK_WINDOW (dialog));
  app_test_wait (no_message_dialog, NULL, "the confirmation to close");
  g_assert_cmpuint (les_runs_panel_get_n_runs (LES_RUNS_PANEL (panel)), ==, 0);
  app_test_window_free (window);
}

/* Close a month from the Payments screen, as a write of the session's:
 * cancelling leaves the database as it was; then the history shows the run. */
static void
test_runs (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesSession *session = app_test_session (window);
  LesRunsPanel *panel = LES_RUNS_PANEL (app_test_find_widget (les_window_get_page (window, "payments"),
                                                              LES_TYPE_RUNS_PANEL));
  LesStore *store = app_test_store (window);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) runs = NULL;
  gint64 n_audit;

  app_test_show_page (window, "payments");
  g_assert_nonnull (panel);
  g_assert_cmpuint (les_runs_panel_get_n_runs (panel), ==, 0);
  ids = les_claims_ids_for_year (store, les_session_get_year (session), TRUE, NULL, &error);
  g_assert_no_error (error);
  les_session_set_status_async (session, ids, NULL, NULL, LES_CLAIM_STATUS_APPROVED, NULL, NULL, NULL);
  app_test_wait_idle (window);

  /* cancelled at once: nothing paid, nothing computed, nothing audited */
  n_audit = les_store_count_rows (store, "audit");
  g_assert_true (les_runs_panel_close_month (panel, &error));
  g_assert_no_error (error);
  g_assert_true (les_session_get_busy (session));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel-job", NULL));
  app_test_wait_idle (window);
  g_assert_null (app_test_find_message_dialog ());   /* a toast says so, not an error */
  g_assert_cmpuint (les_runs_panel_get_n_runs (panel), ==, 0);
  runs = les_runs_list (store, les_session_get_year (session), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 0);
  g_clear_pointer (&runs, g_array_unref);
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, n_audit);

  /* the write runs on the session's writer: busy until it ends, then the panel has reloaded */
  g_assert_true (les_runs_panel_close_month (panel, &error));
  g_assert_no_error (error);
  g_assert_true (les_session_get_busy (session));
  g_assert_cmpuint (les_runs_panel_get_n_runs (panel), ==, 0);
  app_test_wait_idle (window);
  g_assert_cmpuint (les_runs_panel_get_n_runs (panel), ==, 1);
  runs = les_runs_list (store, les_session_get_year (session), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 1);
  g_assert_cmpint (g_array_index (runs, LesRun, 0).total, >, 0);
  g_assert_cmpint (les_store_count_rows (store, "audit"), >, n_audit);
  /* the run computed the year again: the figures are up to date */
  g_assert_null (les_window_get_stale_text (window));
  /* April is closed: May is offered first */
  g_assert_cmpint (g_array_index (les_runs_panel_get_months (panel), gint32, 0), ==, 202405);
  app_test_screenshot (GTK_WIDGET (window), "screen-payment-runs.png");

  /* Every practice's statement in one job: a PDF each and one CSV, adding up to the run */
  {
    gint64 run_id = g_array_index (runs, LesRun, 0).run_id;
    g_autofree char *dir = g_build_filename (app_test_get_tmp_dir (), "statements", NULL);
    g_autoptr(GFile) folder = g_file_new_for_path (dir);
    g_autofree char *csv_name = g_strdup_printf ("statements-run-%" G_GINT64_FORMAT ".csv", run_id);
    g_autofree char *csv = g_build_filename (dir, csv_name, NULL);
    g_autoptr(GPtrArray) all = les_runs_statements (store, run_id, NULL, &error);
    g_autoptr(GDir) listing = NULL;
    const char *name;
    guint n_pdf = 0;
    gint64 total = 0;

    g_assert_no_error (error);
    g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    les_runs_panel_save_all_statements (panel, run_id, folder);
    g_assert_true (les_session_get_busy (session));
    app_test_wait_idle (window);
    g_assert_cmpuint (les_runs_panel_get_n_statements (panel, &total), ==, all->len);
    g_assert_cmpuint (all->len, >, 100);
    g_assert_cmpint (total, ==, g_array_index (runs, LesRun, 0).total);
    listing = g_dir_open (dir, 0, &error);
    g_assert_no_error (error);
    while ((name = g_dir_read_name (listing)) != NULL)
      n_pdf += g_str_has_suffix (name, ".pdf");
    g_assert_cmpuint (n_pdf, ==, all->len);
    g_assert_true (g_file_test (csv, G_FILE_TEST_IS_REGULAR));
  }

  /* A run's statements: the practices it paid, by code and name */
  {
    AdwMessageDialog *dialog;
    GtkDropDown *practices;
    GtkStringObject *first;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (panel), "runs.statements", "x",
                                               g_array_index (runs, LesRun, 0).run_id));
    dialog = app_test_find_message_dialog ();
    g_assert_nonnull (dialog);
    practices = GTK_DROP_DOWN (adw_message_dialog_get_extra_child (dialog));
    g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (practices)), >, 100);
    first = gtk_drop_down_get_selected_item (practices);
    g_assert_true (g_str_has_prefix (gtk_string_object_get_string (first), "Y90001 · "));
    g_assert_nonnull (strstr (gtk_string_object_get_string (first), "(demo)"));
    adw_message_dialog_response (dialog, "cancel");
    gtk_window_destroy (GTK_WINDOW (dialog));
    app_test_wait (no_message_dialog, NULL, "the statements dialog to close");
  }
  app_test_window_free (window);
}

int
main (int argc, char **argv)
{
  if (!app_test_init (&argc, &argv))
    return 0;
  g_test_add_func ("/payments/drill-down", test_drill_down);
  g_test_add_func ("/payments/runs-preview", test_runs_preview);
  g_test_add_func ("/payments/runs", test_runs);
  return app_test_run ();
}
