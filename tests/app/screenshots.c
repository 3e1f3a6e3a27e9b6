/* screenshots.c: the metainfo's screenshots, taken on the demo data at 1000×700 (build-aux/screenshots.sh). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Flathub's guidelines: at most 1000×700, the window's own decoration, no
 * transient toast.  Each shot is a test, so that a screen that fails to
 * load fails the script.  argv: DEMO_DIR OUT_DIR. */

#include "config.h"

#include "app-test.h"
#include "les-claims-edit.h"
#include "les-claims-page.h"
#include "les-runs-panel.h"
#include "les-services-page.h"

#define SHOT_WIDTH 1000
#define SHOT_HEIGHT 700

static gboolean
no_toast (gpointer data)
{
  GType type = g_type_from_name ("AdwToastWidget");

  return type == 0 || app_test_find_widget (data, type) == NULL;
}

static void
shoot (LesWindow *window, const char *page, const char *name)
{
  if (page != NULL)
    app_test_show_page (window, page);
  /* a toast lasts seconds: the shot waits it out rather than shows it */
  app_test_wait (no_toast, window, "the toasts to go");
  app_test_screenshot_at (GTK_WIDGET (window), SHOT_WIDTH, SHOT_HEIGHT, name);
}

static void
test_screenshots (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesSession *session = app_test_session (window);
  LesStore *store = app_test_store (window);
  LesRunsPanel *panel = LES_RUNS_PANEL (app_test_find_widget (les_window_get_page (window, "payments"),
                                                              LES_TYPE_RUNS_PANEL));
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;

  /* a month paid, as finance would have it by the second month end */
  ids = les_claims_ids_for_year (store, les_session_get_year (session), TRUE, NULL, &error);
  g_assert_no_error (error);
  les_session_set_status_async (session, ids, NULL, NULL, LES_CLAIM_STATUS_APPROVED, NULL, NULL, NULL);
  app_test_wait_idle (window);
  app_test_show_page (window, "payments");
  g_assert_true (les_runs_panel_close_month (panel, &error));
  g_assert_no_error (error);
  app_test_wait_idle (window);

  /* The window is as wide as its widest screen, the claims table: the
   * others are shot without it measured (its tab stays), then it alone */
  gtk_widget_set_visible (les_window_get_page (window, "claims"), FALSE);
  shoot (window, "overview", "overview.png");
  app_test_show_page (window, "services");
  g_assert_true (les_services_page_show_service (LES_SERVICES_PAGE (les_window_get_page (window, "services")),
                                                 "WARF"));
  shoot (window, NULL, "services.png");
  shoot (window, "payments", "payments.png");
  gtk_widget_set_visible (les_window_get_page (window, "claims"), TRUE);
  shoot (window, "claims", "claims.png");
  app_test_window_free (window);
}

int
main (int argc, char **argv)
{
  if (!app_test_init (&argc, &argv))
    return 1;
  /* GNOME's own window controls */
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", "appmenu:close", NULL);
  g_test_add_func ("/screenshots", test_screenshots);
  return app_test_run ();
}
