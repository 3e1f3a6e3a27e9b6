/* test-overview.c: the Overview screen — totals, chart and findings of the computed year, and a finding opening its claims. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "app-test.h"
#include "les-claims-page.h"
#include "les-overview-page.h"

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

int
main (int argc, char **argv)
{
  if (!app_test_init (&argc, &argv))
    return 0;
  g_test_add_func ("/overview/totals", test_totals);
  g_test_add_func ("/overview/finding", test_finding);
  return app_test_run ();
}
