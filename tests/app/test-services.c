/* test-services.c: the Services screen and the service editor — checked as typed, the live example, save, copy and retire through the session, each undone. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "app-test.h"
#include "les-overview-page.h"
#include "les-service-draft.h"
#include "les-service-editor.h"
#include "les-service-row.h"
#include "les-services-page.h"

static gboolean
column_titled (GtkColumnView *view, const char *title, GtkColumnViewColumn **column)
{
  GListModel *columns = gtk_column_view_get_columns (view);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(GtkColumnViewColumn) c = g_list_model_get_item (columns, i);

      if (g_strcmp0 (gtk_column_view_column_get_title (c), title) == 0)
        {
          *column = g_steal_pointer (&c);
          return TRUE;
        }
    }
  return FALSE;
}

/* The services as typed rows in declared columns: searched, sorted by the
 * column view's sorter, exported in the order shown */
static void
test_list (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesServicesPage *page = LES_SERVICES_PAGE (les_window_get_page (window, "services"));
  GtkColumnView *view;
  g_autoptr(GtkColumnViewColumn) budget = NULL;
  g_autoptr(LesServiceRow) first = NULL;
  g_autoptr(LesServiceRow) last = NULL;
  GListModel *rows;
  guint n;

  app_test_show_page (window, "services");
  rows = les_services_page_get_rows (page);
  n = g_list_model_get_n_items (rows);
  g_assert_cmpuint (n, >, 5);
  app_test_screenshot (GTK_WIDGET (window), "screen-services.png");

  /* Sorted by budget, descending, as a click on its header twice does */
  view = GTK_COLUMN_VIEW (app_test_find_widget (GTK_WIDGET (page), GTK_TYPE_COLUMN_VIEW));
  g_assert_true (column_titled (view, "Budget", &budget));
  gtk_column_view_sort_by_column (view, budget, GTK_SORT_DESCENDING);
  first = g_list_model_get_item (rows, 0);
  last = g_list_model_get_item (rows, n - 1);
  {
    gint64 a, b;
    g_autofree char *text = NULL;

    g_object_get (first, "budget", &a, "budget-text", &text, NULL);
    g_object_get (last, "budget", &b, NULL);
    g_assert_cmpint (a, >=, b);
    /* money as the screens show it */
    g_assert_true (g_str_has_prefix (text, "£"));
    g_assert_nonnull (strchr (text, ','));
  }

  /* The search: code or name */
  {
    GtkEditable *entry = GTK_EDITABLE (app_test_find_widget (GTK_WIDGET (page), GTK_TYPE_SEARCH_ENTRY));
    g_autoptr(LesServiceRow) found = NULL;

    gtk_editable_set_text (entry, "WARF");
    g_assert_cmpuint (g_list_model_get_n_items (rows), ==, 1);
    found = g_list_model_get_item (rows, 0);
    g_assert_cmpstr (les_service_row_get_code (found), ==, "WARF");
    gtk_editable_set_text (entry, "");
    g_assert_cmpuint (g_list_model_get_n_items (rows), ==, n);
  }

  /* CSV as before: the import's column names, plain amounts */
  {
    g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
    g_autoptr(GError) error = NULL;
    g_autofree char *csv = NULL;

    g_assert_true (les_service_rows_write_csv (rows, out, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_output_stream_close (out, NULL, NULL));
    csv = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                     g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
    g_assert_true (g_str_has_prefix (csv, "service_code,name,cap_mode,budget,schedule,claim_frequency,rules,"
                                          "practices,claim_count\n"));
  }
  app_test_window_free (window);
}

static void
test_editor (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesServicesPage *page = LES_SERVICES_PAGE (les_window_get_page (window, "services"));
  LesOverviewPage *overview = LES_OVERVIEW_PAGE (les_window_get_page (window, "overview"));
  LesStore *store = app_test_store (window);
  int fy = les_session_get_year (app_test_session (window));
  gint64 payable_before = les_overview_page_get_total_payable (overview);
  gint64 audit_before = les_store_count_rows (store, "audit");
  LesServiceEditor *editor;
  GtkWidget *rate, *list_size;
  gint64 example_before;

  app_test_show_page (window, "services");
  g_assert_true (les_services_page_show_service (page, "WARF"));
  editor = les_services_page_get_editor (page);
  g_assert_cmpstr (les_service_editor_get_code (editor), ==, "WARF");
  g_assert_true (les_service_editor_select_rule (editor, "REVIEW"));
  example_before = les_service_editor_get_example_year (editor);
  g_assert_cmpint (example_before, >, 0);
  g_assert_false (les_service_editor_get_can_save (editor));

  /* Checked as typed: a bad rate is marked and cannot be saved */
  rate = les_service_editor_get_row (editor, TRUE, "rate");
  g_assert_true (gtk_widget_get_visible (rate));
  g_assert_false (gtk_widget_get_visible (les_service_editor_get_row (editor, TRUE, "upper_pct")));
  gtk_editable_set_text (GTK_EDITABLE (rate), "12.3.4");
  g_assert_true (gtk_widget_has_css_class (rate, "error"));
  g_assert_nonnull (les_service_editor_get_message (editor));
  g_assert_false (les_service_editor_get_can_save (editor));
  gtk_editable_set_text (GTK_EDITABLE (rate), "");
  g_assert_false (les_service_editor_get_can_save (editor));

  /* The live example follows the rate, and an explicit list size */
  gtk_editable_set_text (GTK_EDITABLE (rate), "386.00");
  g_assert_false (gtk_widget_has_css_class (rate, "error"));
  g_assert_null (les_service_editor_get_message (editor));
  g_assert_cmpint (les_service_editor_get_example_year (editor), ==, 2 * example_before);
  g_assert_true (les_service_editor_get_can_save (editor));
  list_size = les_service_editor_get_row (editor, FALSE, "example_list_size");
  gtk_editable_set_text (GTK_EDITABLE (list_size), "x");
  g_assert_true (gtk_widget_has_css_class (list_size, "error"));
  gtk_editable_set_text (GTK_EDITABLE (list_size), "");
  /* as a person sees it while typing the rate */
  gtk_widget_grab_focus (rate);
  app_test_screenshot (GTK_WIDGET (window), "screen-service-editor.png");

  /* Saved through the session with an audit row; recomputing pays more */
  g_assert_true (les_service_editor_save (editor));
  g_assert_false (les_service_editor_get_can_save (editor));
  app_test_wait_idle (window);
  g_assert_false (les_service_editor_get_can_save (editor));
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit_before + 1);
  g_assert_cmpstr (les_session_get_undo_title (app_test_session (window)), ==, "Saved WARF");
  app_test_show_page (window, "overview");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.compute", NULL));
  app_test_wait_idle (window);
  g_assert_cmpint (les_overview_page_get_total_payable (overview), >, payable_before);

  /* Undo puts the rate back, in the database and in the editor */
  app_test_undo (window);
  {
    g_autoptr(LesServiceDraft) draft = les_service_draft_load (store, "WARF", fy, NULL);

    g_assert_nonnull (draft);
    for (guint i = 0; i < les_service_draft_get_n_rules (draft); i++)
      if (g_str_equal (les_service_draft_get_rule (draft, i, "rule_code"), "REVIEW"))
        g_assert_cmpstr (les_service_draft_get_rule (draft, i, "rate"), ==, "193.00");
  }
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (rate)), ==, "193.00");

  /* Duplicate for next year, then retire; each undone */
  app_test_show_page (window, "services");
  g_assert_true (les_services_page_duplicate (page));
  app_test_wait_idle (window);
  {
    g_autoptr(LesServiceDraft) next = les_service_draft_load (store, "WARF", fy + 1, NULL);

    g_assert_nonnull (next);
    g_assert_cmpuint (les_service_draft_get_n_rules (next), >, 0);
  }
  app_test_undo (window);
  g_assert_null (les_service_draft_load (store, "WARF", fy + 1, NULL));
  g_assert_true (les_services_page_retire (page, NULL));
  app_test_wait_idle (window);
  {
    g_autoptr(LesServiceDraft) retired = les_service_draft_load (store, "WARF", fy, NULL);
    g_autofree char *end = g_strdup_printf ("%d-03-31", fy + 1);

    g_assert_cmpstr (les_service_draft_get (retired, "end_date"), ==, end);
  }
  app_test_undo (window);
  {
    g_autoptr(LesServiceDraft) back = les_service_draft_load (store, "WARF", fy, NULL);

    g_assert_cmpstr (les_service_draft_get (back, "end_date"), ==, "");
  }
  app_test_window_free (window);
}

int
main (int argc, char **argv)
{
  if (!app_test_init (&argc, &argv))
    return 0;
  g_test_add_func ("/services/list", test_list);
  g_test_add_func ("/services/editor", test_editor);
  return app_test_run ();
}
