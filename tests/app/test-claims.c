/* test-claims.c: the Claims screen — filters in SQL, status changes through the session and their undo, a change to every claim matched, export. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>

#include "app-test.h"
#include "les-claims-page.h"
#include "les-overview-page.h"

static void
test_filter_approve_undo (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesClaimsPage *page = LES_CLAIMS_PAGE (les_window_get_page (window, "claims"));
  LesStore *store = app_test_store (window);
  gint64 audit_before = les_store_count_rows (store, "audit");
  g_autoptr(LesClaimRow) first = NULL;
  g_autoptr(LesClaimRow) again = NULL;
  GtkSelectionModel *selection;
  LesClaimList *list;
  gint64 first_id;
  guint n_all;

  app_test_show_page (window, "claims");
  list = les_claims_page_get_list (page);
  g_assert_false (les_claim_list_is_loading (list));
  g_assert_false (les_claim_list_is_counting (list));
  n_all = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_assert_cmpuint (n_all, >, 1000);

  /* Filters run in SQL */
  les_claims_page_set_text (page, "DEMO-00001");
  g_assert_true (les_claim_list_is_loading (list));
  les_claim_list_wait (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), <, n_all);
  les_claims_page_set_text (page, "");
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_STATUS, "submitted");
  les_claim_list_wait (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n_all);

  selection = les_claims_page_get_selection (page);
  gtk_selection_model_select_range (selection, 0, 3, TRUE);
  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  first_id = les_claim_row_get_id (first);
  g_assert_true (les_claims_page_apply_status (page, LES_CLAIM_STATUS_APPROVED, NULL));
  app_test_wait_idle (window);
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit_before + 3);

  /* Approved claims leave the "submitted" filter; undo brings them back */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n_all - 3);
  app_test_undo (window);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n_all);
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit_before + 6);
  again = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_cmpint (les_claim_row_get_id (again), ==, first_id);
  g_assert_cmpstr (les_claim_row_get (again, LES_CLAIM_FIELD_STATUS), ==, "submitted");

  /* A rejection needs a reason */
  gtk_selection_model_select_range (selection, 0, 2, TRUE);
  g_assert_false (les_claims_page_apply_status (page, LES_CLAIM_STATUS_REJECTED, ""));
  g_assert_false (les_claims_page_apply_status (page, LES_CLAIM_STATUS_REJECTED, "   "));
  g_assert_true (les_claims_page_apply_status (page, LES_CLAIM_STATUS_REJECTED, "Not signed up in that month"));
  app_test_wait_idle (window);
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_STATUS, NULL);
  les_claim_list_wait (list);
  gtk_selection_model_select_range (selection, 5, 20, TRUE);
  app_test_screenshot (GTK_WIDGET (window), "screen-claims.png");
  gtk_selection_model_unselect_all (selection);
  app_test_window_free (window);
}

/* Everything the filters match, changed in one write by the query (no
 * threshold decides): the progress strip, then undo puts them back */
static void
test_all_matched (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesClaimsPage *page = LES_CLAIMS_PAGE (les_window_get_page (window, "claims"));
  LesStore *store = app_test_store (window);
  gint64 audit = les_store_count_rows (store, "audit");
  LesClaimList *list;
  guint n_submitted;

  app_test_show_page (window, "claims");
  list = les_claims_page_get_list (page);
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_STATUS, "submitted");
  les_claim_list_wait (list);
  n_submitted = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_assert_cmpuint (n_submitted, >, 5000);
  gtk_selection_model_select_all (les_claims_page_get_selection (page));
  g_assert_true (les_claims_page_apply_status (page, LES_CLAIM_STATUS_QUERIED, "Evidence needed"));
  g_assert_nonnull (les_session_get_job (app_test_session (window)));
  app_test_wait_idle (window);
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit + n_submitted);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_true (g_str_has_suffix (les_session_get_undo_title (app_test_session (window)), " claims queried"));

  app_test_undo (window);
  les_claim_list_wait (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n_submitted);
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit + 2 * n_submitted);
  app_test_window_free (window);
}

/* Export writes the claims shown, in their order, as a job of the session's */
static void
test_export (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesClaimsPage *page = LES_CLAIMS_PAGE (les_window_get_page (window, "claims"));
  g_autofree char *path = g_build_filename (app_test_get_tmp_dir (), "claims-export.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  LesClaimList *list;
  guint shown;

  app_test_show_page (window, "claims");
  list = les_claims_page_get_list (page);
  les_claims_page_set_text (page, "DEMO-0001");
  les_claim_list_wait (list);
  shown = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_assert_cmpuint (shown, >, 0);
  g_assert_true (les_claims_page_export_to (page, file));
  app_test_wait_idle (window);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  /* a header, a line per claim and the empty string after the last LF */
  g_assert_cmpuint (g_strv_length (lines), ==, shown + 2);
  g_assert_true (g_str_has_prefix (lines[1], "DEMO-0001"));
  g_unlink (path);
  /* an export changes nothing: nothing to undo */
  g_assert_false (les_session_get_can_undo (app_test_session (window)));
  app_test_window_free (window);
}

/* Rejecting claims and computing again lowers what the Overview says is payable */
static void
test_recompute (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesOverviewPage *overview = LES_OVERVIEW_PAGE (les_window_get_page (window, "overview"));
  LesClaimsPage *claims = LES_CLAIMS_PAGE (les_window_get_page (window, "claims"));
  gint64 before = les_overview_page_get_total_payable (overview);
  LesClaimList *list;

  app_test_show_page (window, "claims");
  list = les_claims_page_get_list (claims);
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_STATUS, "submitted");
  les_claim_list_wait (list);
  gtk_selection_model_select_range (les_claims_page_get_selection (claims), 0, 200, TRUE);
  g_assert_true (les_claims_page_apply_status (claims, LES_CLAIM_STATUS_REJECTED, "Duplicate submission"));
  app_test_wait_idle (window);
  app_test_show_page (window, "overview");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.compute", NULL));
  app_test_wait_idle (window);
  g_assert_cmpint (les_overview_page_get_total_payable (overview), <, before);
  app_test_window_free (window);
}

int
main (int argc, char **argv)
{
  if (!app_test_init (&argc, &argv))
    return 0;
  g_test_add_func ("/claims/filter-approve-undo", test_filter_approve_undo);
  g_test_add_func ("/claims/all-matched", test_all_matched);
  g_test_add_func ("/claims/export", test_export);
  g_test_add_func ("/claims/recompute", test_recompute);
  return app_test_run ();
}
