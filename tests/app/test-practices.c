/* test-practices.c: the Practices screen — the practices of the year and one practice's tables. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "app-test.h"
#include "les-practices-page.h"

static void
test_list (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesPracticesPage *page = LES_PRACTICES_PAGE (les_window_get_page (window, "practices"));
  LesTableView *table;

  app_test_show_page (window, "practices");
  table = les_practices_page_get_table (page);
  g_assert_cmpuint (les_table_view_get_n_rows (table), >, 100);
  les_practices_page_show_practice (page, les_row_get_text (les_table_view_get_visible_row (table, 0), 0));
  /* its payments say the month they reach */
  g_assert_true (g_str_has_suffix (les_practices_page_get_subtitle (page), "payments to December 2024"));
  /* side by side at 1024 px */
  g_assert_false (les_practices_page_get_folded (page, NULL));
  app_test_screenshot (GTK_WIDGET (window), "screen-practices.png");
  app_test_window_free (window);
}

static gboolean
folded (gpointer data)
{
  return les_practices_page_get_folded (data, NULL);
}

/* Narrow: the list, then the practice alone with Back */
static void
test_narrow (void)
{
  static const char *const others[] = { "services", "claims" };
  LesWindow *window = app_test_window_new (TRUE);
  LesPracticesPage *page = LES_PRACTICES_PAGE (les_window_get_page (window, "practices"));
  const char *shown = NULL;
  g_autofree char *layout = NULL;

  /* GNOME's own window controls: a close button */
  g_object_get (gtk_settings_get_default (), "gtk-decoration-layout", &layout, NULL);
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", ":close", NULL);
  /* the window is as wide as its widest screen: the others out of the way meanwhile */
  for (guint i = 0; i < G_N_ELEMENTS (others); i++)
    gtk_widget_set_visible (les_window_get_page (window, others[i]), FALSE);
  app_test_show_page (window, "practices");
  gtk_window_set_default_size (GTK_WINDOW (window), 360, 720);
  app_test_wait (folded, page, "the practices to fold");
  les_practices_page_show_practice (page, "Y90002");
  g_assert_true (les_practices_page_get_folded (page, &shown));
  g_assert_cmpstr (shown, ==, "detail");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.back", NULL));
  g_assert_true (les_practices_page_get_folded (page, &shown));
  g_assert_cmpstr (shown, ==, "list");
  les_practices_page_show_practice (page, "Y90002");
  app_test_screenshot_at (GTK_WIDGET (window), 360, 720, "screen-practice-narrow.png");
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
  g_test_add_func ("/practices/list", test_list);
  g_test_add_func ("/practices/narrow", test_narrow);
  return app_test_run ();
}
