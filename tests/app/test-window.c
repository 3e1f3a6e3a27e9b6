/* test-window.c: the main window — an empty database, the demo import, compute, undo from the toast's action, dark style. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "app-test.h"
#include "les-claims-page.h"
#include "les-overview-page.h"

static void
test_empty (void)
{
  LesWindow *window = app_test_window_new (FALSE);

  g_assert_nonnull (app_test_session (window));
  g_assert_cmpint (les_session_get_year (app_test_session (window)), ==, 0);
  g_assert_true (LES_IS_OVERVIEW_PAGE (les_window_get_page (window, "overview")));
  /* nothing to compute or undo yet */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.compute", NULL);
  g_assert_false (les_session_get_busy (app_test_session (window)));
  g_assert_false (les_session_get_can_undo (app_test_session (window)));
  app_test_screenshot (GTK_WIDGET (window), "screen-empty.png");
  app_test_window_free (window);
}

/* The demo data set: imported in one write, then computed, with the progress strip */
static void
test_import_demo (void)
{
  LesWindow *window = app_test_window_new (FALSE);
  LesSession *session = app_test_session (window);
  LesOverviewPage *overview = LES_OVERVIEW_PAGE (les_window_get_page (window, "overview"));

  les_window_import_demo (window);
  g_assert_true (les_session_get_busy (session));
  g_assert_nonnull (les_session_get_job (session));
  app_test_screenshot (GTK_WIDGET (window), "screen-importing.png");
  app_test_wait_idle (window);
  g_assert_cmpint (les_store_count_rows (app_test_store (window), "claims"), >, 1000);
  g_assert_cmpint (les_session_get_year (session), >, 0);
  /* the compute that follows the demo import */
  g_assert_cmpint (les_overview_page_get_total_payable (overview), >, 0);
  app_test_window_free (window);
}

/* Compute from the window's action: a write of the session's, the overview refilled */
static void
test_compute (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesSession *session = app_test_session (window);
  LesOverviewPage *overview = LES_OVERVIEW_PAGE (les_window_get_page (window, "overview"));

  app_test_show_page (window, "overview");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.compute", NULL));
  g_assert_true (les_session_get_busy (session));
  app_test_wait_idle (window);
  g_assert_cmpint (les_overview_page_get_total_payable (overview), >, 0);
  app_test_screenshot (GTK_WIDGET (window), "screen-overview.png");
  app_test_window_free (window);
}

/* An edit's Undo is the window's action, on the session's latest command */
static void
test_undo (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesSession *session = app_test_session (window);
  LesClaimsPage *page = LES_CLAIMS_PAGE (les_window_get_page (window, "claims"));
  LesStore *store = app_test_store (window);
  gint64 audit = les_store_count_rows (store, "audit");
  LesClaimList *list;

  app_test_show_page (window, "claims");
  list = les_claims_page_get_list (page);
  g_assert_false (les_session_get_can_undo (session));
  gtk_selection_model_select_range (les_claims_page_get_selection (page), 0, 2, TRUE);
  g_assert_true (les_claims_page_apply_status (page, LES_CLAIM_STATUS_APPROVED, NULL));
  app_test_wait_idle (window);
  g_assert_true (les_session_get_can_undo (session));
  g_assert_cmpstr (les_session_get_undo_title (session), ==, "2 claims approved");
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit + 2);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  g_assert_true (les_session_get_busy (session));
  app_test_wait_idle (window);
  les_claim_list_wait (list);
  g_assert_false (les_session_get_can_undo (session));
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit + 4);
  app_test_window_free (window);
}

static void
test_dark (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  LesWindow *window = app_test_window_new (TRUE);

  g_settings_set_string (settings, "color-scheme", "dark");
  app_test_show_page (window, "overview");
  g_assert_true (adw_style_manager_get_dark (adw_style_manager_get_default ()));
  app_test_screenshot (GTK_WIDGET (window), "screen-overview-dark.png");
  g_settings_set_string (settings, "color-scheme", "default");
  app_test_window_free (window);
}

int
main (int argc, char **argv)
{
  if (!app_test_init (&argc, &argv))
    return 0;
  g_test_add_func ("/window/empty", test_empty);
  g_test_add_func ("/window/import-demo", test_import_demo);
  g_test_add_func ("/window/compute", test_compute);
  g_test_add_func ("/window/undo", test_undo);
  g_test_add_func ("/window/dark", test_dark);
  return app_test_run ();
}
