/* test-overview.c: the Overview screen — totals, chart and findings of the computed year, and a finding opening its claims. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "app-test.h"
#include "les-claims-page.h"
#include "les-overview-page.h"
#include "les-results.h"
#include "les-value.h"
#include "les-year-status.h"

static void
test_totals (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesOverviewPage *page = LES_OVERVIEW_PAGE (les_window_get_page (window, "overview"));

  app_test_show_page (window, "overview");
  g_assert_cmpint (les_overview_page_get_total_payable (page), >, 0);
  g_assert_cmpuint (les_overview_page_get_n_findings (page), >, 0);
  g_assert_cmpuint (les_table_view_get_n_rows (les_overview_page_get_table (page)), >, 0);
  app_test_window_free (window);
}

/* "win.show-finding": the claims of a finding, on the Claims screen */
static void
test_finding (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesClaimsPage *claims = LES_CLAIMS_PAGE (les_window_get_page (window, "claims"));
  LesClaimList *list;
  guint n_all;

  app_test_show_page (window, "claims");
  list = les_claims_page_get_list (claims);
  n_all = g_list_model_get_n_items (G_LIST_MODEL (list));
  app_test_show_page (window, "overview");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-finding", "s", "*"));
  app_test_wait_idle (window);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (claims)));
  g_assert_cmpstr (les_claim_list_get_filter (list, LES_CLAIM_FILTER_FINDING), ==, "*");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), <, n_all);
  app_test_window_free (window);
}

static void
compute_from_window (LesWindow *window)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.compute", NULL));
  g_assert_true (les_session_get_busy (app_test_session (window)));
  app_test_wait_idle (window);
}

/* The month chosen on the Overview: kept in the database, the banner says
 * the figures are out of date, Compute works to it */
static void
test_month (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesSession *session = app_test_session (window);
  LesOverviewPage *page = LES_OVERVIEW_PAGE (les_window_get_page (window, "overview"));
  LesStore *store = app_test_store (window);
  g_autoptr(GError) error = NULL;
  gint32 computed_to = 0;
  gboolean is_default = FALSE;

  app_test_show_page (window, "overview");
  /* the demo's default: the latest month with claims */
  g_assert_cmpint (les_session_get_to_period (session), ==, 202412);
  g_assert_cmpint (les_overview_page_get_month (page), ==, 202412);
  g_assert_null (les_window_get_stale_text (window));
  app_test_screenshot (GTK_WIDGET (window), "screen-overview-month.png");

  les_overview_page_choose_month (page, 202411);
  app_test_wait_idle (window);
  g_assert_cmpint (les_session_get_to_period (session), ==, 202411);
  g_assert_cmpint (les_year_get_to_period (store, 2024, &is_default, &error), ==, 202411);
  g_assert_no_error (error);
  g_assert_false (is_default);
  g_assert_nonnull (les_window_get_stale_text (window));
  g_assert_nonnull (strstr (les_window_get_stale_text (window), "November 2024"));
  app_test_screenshot (GTK_WIDGET (window), "screen-overview-stale.png");

  compute_from_window (window);
  g_assert_null (les_window_get_stale_text (window));
  g_assert_true (les_results_get_compute (store, 2024, &computed_to, NULL, NULL, NULL));
  g_assert_cmpint (computed_to, ==, 202411);
  g_assert_cmpint (les_overview_page_get_month (page), ==, 202411);

  /* a claim decision since: out of date again, and the banner says why */
  {
    g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
    gint64 id = 1;

    g_array_append_val (ids, id);
    les_session_set_status_async (session, ids, NULL, NULL, LES_CLAIM_STATUS_REJECTED, "Test", NULL, NULL);
    app_test_wait_idle (window);
    g_assert_nonnull (les_window_get_stale_text (window));
    g_assert_nonnull (strstr (les_window_get_stale_text (window), "claim decision"));
  }
  app_test_window_free (window);
}

static char *
run_cli (const char *db, const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) app_test_get_cli ());
  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, (gpointer) db);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                               &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("les-claims-cli failed: %s", err);
  return g_steal_pointer (&out);
}

/* The Overview computed to December 2024 shows what `les-claims-cli compute
 * --to 2024-12` computes on the same data, and its reconciliation */
static void
test_matches_cli (void)
{
  g_autofree char *db = g_build_filename (app_test_get_tmp_dir (), "cli.db", NULL);
  g_autofree char *csv = g_build_filename (app_test_get_tmp_dir (), "cli-reconciliation.csv", NULL);
  const char *compute[] = { "compute", "--year", "2024/25", "--to", "2024-12", NULL };
  const char *export[] = { "export", "reconciliation", "--year", "2024/25", "-o", csv, NULL };
  g_autofree char *summary = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *payable = NULL;
  g_auto(GStrv) lines = NULL;
  LesWindow *window;
  LesOverviewPage *page;
  LesTableView *table;
  const char *p;
  guint n_checked = 0;

  if (app_test_get_cli () == NULL)
    {
      g_test_skip ("no les-claims-cli given");
      return;
    }
  app_test_copy_demo_db (db);
  summary = run_cli (db, compute);
  g_free (run_cli (db, export));
  /* "2024/25 to 2024-12: 11,536 claims, …, payable £1,234.56, held …" */
  g_assert_nonnull (strstr (summary, "2024/25 to 2024-12:"));
  p = strstr (summary, "payable ");
  g_assert_nonnull (p);
  p += strlen ("payable ");
  g_assert_nonnull (strstr (p, ", held"));
  payable = g_strndup (p, strstr (p, ", held") - p);

  window = app_test_window_new (TRUE);
  page = LES_OVERVIEW_PAGE (les_window_get_page (window, "overview"));
  app_test_show_page (window, "overview");
  les_overview_page_choose_month (page, 202412);
  compute_from_window (window);
  g_assert_null (les_window_get_stale_text (window));
  {
    g_autofree char *shown = les_money_format_display (les_overview_page_get_total_payable (page));

    g_assert_cmpstr (shown, ==, payable);
  }

  /* service by service: payable, held, ledger and forecast as the CLI exports them */
  table = les_overview_page_get_table (page);
  g_assert_true (g_file_get_contents (csv, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "service_code,service_name,budget,payable,held,ledger,forecast,variance"));
  for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_auto(GStrv) cells = g_strsplit (lines[i], ",", -1);
      guint n = g_strv_length (cells);
      gboolean found = FALSE;

      /* a name with a comma is quoted: the figures are the last six cells */
      g_assert_cmpuint (n, >=, 8);
      for (guint r = 0; r < les_table_view_get_n_rows (table); r++)
        {
          LesRow *row = les_table_view_get_visible_row (table, r);
          gint64 pence = 0;

          if (g_strcmp0 (les_row_get_text (row, 0), cells[0]) != 0)
            continue;
          found = TRUE;
          /* Overview columns: code, name, budget, payable, paid, not yet paid, held, ledger, forecast, variance */
          g_assert_true (les_money_parse (cells[n - 5], &pence, NULL));
          g_assert_cmpint (les_row_get_number (row, 3), ==, pence);
          g_assert_true (les_money_parse (cells[n - 4], &pence, NULL));
          g_assert_cmpint (les_row_get_number (row, 6), ==, pence);
          g_assert_true (les_money_parse (cells[n - 3], &pence, NULL));
          g_assert_cmpint (les_row_get_number (row, 7), ==, pence);
          g_assert_true (les_money_parse (cells[n - 2], &pence, NULL));
          g_assert_cmpint (les_row_get_number (row, 8), ==, pence);
        }
      g_assert_true (found);
      n_checked++;
    }
  g_assert_cmpuint (n_checked, ==, les_table_view_get_n_rows (table));
  /* the totals row under them adds up the same payable */
  g_assert_nonnull (les_table_view_get_totals (table));
  g_assert_cmpstr (les_row_get_text (les_table_view_get_totals (table), 3), ==, payable);
  app_test_screenshot (GTK_WIDGET (window), "screen-overview-december.png");
  app_test_window_free (window);
}

/* Narrow: the window and the screens of the month end fit a phone's width.
 * The window is as wide as its widest screen: the others (another's work)
 * are hidden meanwhile. */
static void
test_narrow (void)
{
  static const char *const pages[] = { "overview", "practices", "payments" };
  static const char *const others[] = { "services", "claims" };
  LesWindow *window = app_test_window_new (TRUE);
  g_autofree char *layout = NULL;
  int min_width = 0;

  /* GNOME's own window controls: a close button */
  g_object_get (gtk_settings_get_default (), "gtk-decoration-layout", &layout, NULL);
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", ":close", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    gtk_widget_set_visible (les_window_get_page (window, others[i]), FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *name = g_strdup_printf ("screen-%s-narrow.png", pages[i]);

      app_test_show_page (window, pages[i]);
      gtk_widget_measure (les_window_get_page (window, pages[i]), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL,
                          NULL, NULL);
      g_test_message ("%s: at least %d px wide", pages[i], min_width);
      g_assert_cmpint (min_width, <=, 360);
      app_test_screenshot_at (GTK_WIDGET (window), 360, 720, name);
    }
  gtk_widget_measure (GTK_WIDGET (window), GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  g_assert_cmpint (min_width, <=, 360);
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    gtk_widget_set_visible (les_window_get_page (window, others[i]), TRUE);
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", layout, NULL);
  app_test_window_free (window);
}

int
main (int argc, char **argv)
{
  if (!app_test_init (&argc, &argv))
    return 0;
  g_test_add_func ("/overview/totals", test_totals);
  g_test_add_func ("/overview/finding", test_finding);
  g_test_add_func ("/overview/month", test_month);
  g_test_add_func ("/overview/matches-cli", test_matches_cli);
  g_test_add_func ("/overview/narrow", test_narrow);
  return app_test_run ();
}
