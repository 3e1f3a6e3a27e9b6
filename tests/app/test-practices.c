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
  app_test_screenshot (GTK_WIDGET (window), "screen-practices.png");
  app_test_window_free (window);
}

int
main (int argc, char **argv)
{
  if (!app_test_init (&argc, &argv))
    return 0;
  g_test_add_func ("/practices/list", test_list);
  return app_test_run ();
}
