/* test-app.c: widget tests driving the real flows under a headless display, saving a screenshot of each screen. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "les-application.h"
#include "les-claims-edit.h"
#include "les-claims-page.h"
#include "les-import-dialog.h"
#include "les-overview-page.h"
#include "les-payments-page.h"
#include "les-practices-page.h"
#include "les-runs-panel.h"
#include "les-runs.h"
#include "les-service-example.h"
#include "les-service-editor.h"
#include "les-services-page.h"
#include "les-window.h"

static LesApplication *app;
static LesWindow *window;
static char *tmp_dir;
static const char *demo_dir;
static const char *shot_dir;

typedef gboolean (*Condition) (gpointer data);

static gboolean
wait_until (Condition condition, gpointer data, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static void
settle (void)
{
  gint64 end = g_get_monotonic_time () + 300 * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (5000);
    }
}

static gboolean
has_size (gpointer data)
{
  return gtk_widget_get_width (data) > 0 && gtk_widget_get_mapped (data);
}

static void
screenshot (GtkWidget *widget, const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (shot_dir, name, NULL);
  int width, height;

  settle ();
  wait_until (has_size, widget, 5000);
  settle ();
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static gboolean
not_busy (gpointer data)
{
  return !les_window_is_busy (window);
}

static gboolean
window_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
test_empty (void)
{
  GtkWidget *overview = les_window_get_page (window, "overview");

  g_assert_nonnull (les_window_get_store (window));
  g_assert_cmpint (les_window_get_year (window), ==, 0);
  g_assert_true (LES_IS_OVERVIEW_PAGE (overview));
  screenshot (GTK_WIDGET (window), "screen-empty.png");
}

static void
test_import_dialog (void)
{
  g_autofree char *path = g_build_filename (demo_dir, "practices.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWidget *dialog = les_import_dialog_new (window, les_window_get_store (window));
  gpointer weak = dialog;

  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  gtk_window_present (GTK_WINDOW (dialog));
  les_import_dialog_set_file (LES_IMPORT_DIALOG (dialog), file);
  g_assert_cmpint (les_import_dialog_get_kind (LES_IMPORT_DIALOG (dialog)), ==, LES_KIND_PRACTICES);
  g_assert_cmpuint (les_import_dialog_get_preview_rows (LES_IMPORT_DIALOG (dialog)), >, 0);
  screenshot (dialog, "screen-import-preview.png");

  g_assert_true (les_import_dialog_start (LES_IMPORT_DIALOG (dialog)));
  /* A successful import closes the dialog and tells the window */
  g_assert_true (wait_until (window_gone, &weak, 30000));
  g_assert_cmpint (les_store_count_rows (les_window_get_store (window), "practices"), >, 100);
}

static void
test_import_errors (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "bad-list-sizes.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWidget *dialog;
  const char *csv = "practice_code,date,registered\nY90001,2024-04-01,abc\nNOPE,2024-04-01,100\n";

  g_assert_true (g_file_set_contents (path, csv, -1, NULL));
  dialog = les_import_dialog_new (window, les_window_get_store (window));
  gtk_window_present (GTK_WINDOW (dialog));
  les_import_dialog_set_file (LES_IMPORT_DIALOG (dialog), file);
  g_assert_cmpint (les_import_dialog_get_kind (LES_IMPORT_DIALOG (dialog)), ==, LES_KIND_LIST_SIZES);
  g_assert_true (les_import_dialog_start (LES_IMPORT_DIALOG (dialog)));
  while (les_import_dialog_is_running (LES_IMPORT_DIALOG (dialog)))
    g_main_context_iteration (NULL, TRUE);
  /* Every bad row with its line, and nothing written */
  g_assert_cmpuint (g_list_model_get_n_items (les_import_dialog_get_messages (LES_IMPORT_DIALOG (dialog))), >=, 2);
  g_assert_cmpint (les_store_count_rows (les_window_get_store (window), "list_sizes"), ==, 0);
  screenshot (dialog, "screen-import-errors.png");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_import_demo (void)
{
  les_window_import_demo (window);
  g_assert_true (les_window_is_busy (window));
  screenshot (GTK_WIDGET (window), "screen-importing.png");
  g_assert_true (wait_until (not_busy, NULL, 120000));
  g_assert_cmpint (les_store_count_rows (les_window_get_store (window), "claims"), >, 1000);
  g_assert_cmpint (les_window_get_year (window), >, 0);
}

static void
test_services (void)
{
  LesServicesPage *page = LES_SERVICES_PAGE (les_window_get_page (window, "services"));

  les_window_show_page (window, "services");
  settle ();
  g_assert_cmpuint (les_table_view_get_n_rows (les_services_page_get_table (page)), >, 5);
  screenshot (GTK_WIDGET (window), "screen-services.png");
}

static void
test_compute (void)
{
  LesOverviewPage *page = LES_OVERVIEW_PAGE (les_window_get_page (window, "overview"));

  les_window_show_page (window, "overview");
  les_window_compute (window);
  g_assert_true (wait_until (not_busy, NULL, 120000));
  settle ();
  g_assert_cmpint (les_overview_page_get_total_payable (page), >, 0);
  screenshot (GTK_WIDGET (window), "screen-overview.png");
}

static void
test_claims (void)
{
  LesClaimsPage *page = LES_CLAIMS_PAGE (les_window_get_page (window, "claims"));
  LesStore *store = les_window_get_store (window);
  LesClaimList *list;
  GtkSelectionModel *selection;
  gint64 audit_before = les_store_count_rows (store, "audit");
  g_autoptr(LesClaimRow) first = NULL;
  g_autoptr(LesClaimRow) again = NULL;
  gint64 first_id;
  guint n_all;

  les_window_show_page (window, "claims");
  settle ();
  list = les_claims_page_get_list (page);
  les_claim_list_wait (list);
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
  g_assert_true (les_claims_page_apply_status (page, "approved", NULL));
  les_claim_list_wait (list);
  settle ();
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit_before + 3);

  /* Approved claims leave the "submitted" filter; undo brings them back */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n_all - 3);
  g_assert_true (les_window_undo (window));
  les_claim_list_wait (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n_all);
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit_before + 6);
  again = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_cmpint (les_claim_row_get_id (again), ==, first_id);
  g_assert_cmpstr (les_claim_row_get (again, LES_CLAIM_FIELD_STATUS), ==, "submitted");

  /* A rejection needs a reason */
  gtk_selection_model_select_range (selection, 0, 2, TRUE);
  g_assert_false (les_claims_page_apply_status (page, "rejected", ""));
  g_assert_true (les_claims_page_apply_status (page, "rejected", "Not signed up in that month"));
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_STATUS, NULL);
  les_claim_list_wait (list);
  gtk_selection_model_select_range (selection, 5, 20, TRUE);
  settle ();
  screenshot (GTK_WIDGET (window), "screen-claims.png");
  gtk_selection_model_unselect_all (selection);

  /* A change to thousands of claims runs as a job; undo puts them back */
  {
    gint64 audit = les_store_count_rows (store, "audit");
    guint n_submitted;

    les_claim_list_set_filter (list, LES_CLAIM_FILTER_STATUS, "submitted");
    les_claim_list_wait (list);
    n_submitted = g_list_model_get_n_items (G_LIST_MODEL (list));
    g_assert_cmpuint (n_submitted, >, 5000);
    gtk_selection_model_select_all (selection);
    g_assert_true (les_claims_page_apply_status (page, "queried", "Evidence needed"));
    g_assert_true (les_window_is_busy (window));
    g_assert_true (wait_until (not_busy, NULL, 60000));
    les_claim_list_wait (list);
    g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit + n_submitted);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
    /* so is undoing it */
    g_assert_true (les_window_undo (window));
    g_assert_true (les_window_is_busy (window));
    g_assert_true (wait_until (not_busy, NULL, 60000));
    les_claim_list_wait (list);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n_submitted);
    g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit + 2 * n_submitted);
    les_claim_list_set_filter (list, LES_CLAIM_FILTER_STATUS, NULL);
    les_claim_list_wait (list);
  }

  /* Export writes the claims shown, on a worker */
  {
    g_autofree char *path = g_build_filename (g_get_tmp_dir (), "les-test-claims-export.csv", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autofree char *contents = NULL;
    g_auto(GStrv) lines = NULL;
    guint shown;

    les_claims_page_set_text (page, "DEMO-0001");
    les_claim_list_wait (list);
    shown = g_list_model_get_n_items (G_LIST_MODEL (list));
    g_assert_cmpuint (shown, >, 0);
    g_assert_true (les_claims_page_export_to (page, file));
    g_assert_true (wait_until (not_busy, NULL, 60000));
    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    lines = g_strsplit (contents, "\n", -1);
    /* a header, a line per claim and the empty string after the last LF */
    g_assert_cmpuint (g_strv_length (lines), ==, shown + 2);
    g_assert_true (g_str_has_prefix (lines[1], "DEMO-0001"));
    g_unlink (path);
    les_claims_page_set_text (page, "");
    les_claim_list_wait (list);
  }
}

static void
test_recompute_changes_overview (void)
{
  LesOverviewPage *overview = LES_OVERVIEW_PAGE (les_window_get_page (window, "overview"));
  LesClaimsPage *claims = LES_CLAIMS_PAGE (les_window_get_page (window, "claims"));
  LesClaimList *list = les_claims_page_get_list (claims);
  gint64 before = les_overview_page_get_total_payable (overview);
  GtkSelectionModel *selection = les_claims_page_get_selection (claims);

  /* Reject a whole service-period's claims, then compute: less is payable */
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_STATUS, "submitted");
  les_claim_list_wait (list);
  gtk_selection_model_select_range (selection, 0, 200, TRUE);
  g_assert_true (les_claims_page_apply_status (claims, "rejected", "Duplicate submission"));
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_STATUS, NULL);
  les_window_show_page (window, "overview");
  les_window_compute (window);
  g_assert_true (wait_until (not_busy, NULL, 120000));
  settle ();
  g_assert_cmpint (les_overview_page_get_total_payable (overview), <, before);
}

static void
test_service_editor (void)
{
  LesServicesPage *page = LES_SERVICES_PAGE (les_window_get_page (window, "services"));
  LesOverviewPage *overview = LES_OVERVIEW_PAGE (les_window_get_page (window, "overview"));
  LesStore *store = les_window_get_store (window);
  int fy = les_window_get_year (window);
  gint64 payable_before = les_overview_page_get_total_payable (overview);
  gint64 audit_before = les_store_count_rows (store, "audit");
  LesServiceEditor *editor;
  GtkWidget *rate, *list_size;
  gint64 example_before;

  les_window_show_page (window, "services");
  settle ();
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
  screenshot (GTK_WIDGET (window), "screen-service-editor.png");

  /* Saved with an audit row; recomputing pays more */
  g_assert_true (les_service_editor_save (editor));
  g_assert_false (les_service_editor_get_can_save (editor));
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit_before + 1);
  les_window_show_page (window, "overview");
  les_window_compute (window);
  g_assert_true (wait_until (not_busy, NULL, 120000));
  settle ();
  g_assert_cmpint (les_overview_page_get_total_payable (overview), >, payable_before);

  /* Undo puts the rate back */
  g_assert_true (les_window_undo (window));
  {
    g_autoptr(LesServiceDraft) draft = les_service_draft_load (store, "WARF", fy, NULL);

    g_assert_nonnull (draft);
    for (guint i = 0; i < les_service_draft_get_n_rules (draft); i++)
      if (g_str_equal (les_service_draft_get_rule (draft, i, "rule_code"), "REVIEW"))
        g_assert_cmpstr (les_service_draft_get_rule (draft, i, "rate"), ==, "193.00");
  }
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (rate)), ==, "193.00");

  /* Duplicate for next year, then retire; each undone */
  les_window_show_page (window, "services");
  settle ();
  g_assert_true (les_services_page_duplicate (page));
  {
    g_autoptr(LesServiceDraft) next = les_service_draft_load (store, "WARF", fy + 1, NULL);

    g_assert_nonnull (next);
    g_assert_cmpuint (les_service_draft_get_n_rules (next), >, 0);
  }
  g_assert_true (les_window_undo (window));
  g_assert_null (les_service_draft_load (store, "WARF", fy + 1, NULL));
  g_assert_true (les_services_page_retire (page, NULL));
  {
    g_autoptr(LesServiceDraft) retired = les_service_draft_load (store, "WARF", fy, NULL);
    g_autofree char *end = g_strdup_printf ("%d-03-31", fy + 1);

    g_assert_cmpstr (les_service_draft_get (retired, "end_date"), ==, end);
  }
  g_assert_true (les_window_undo (window));
  {
    g_autoptr(LesServiceDraft) back = les_service_draft_load (store, "WARF", fy, NULL);

    g_assert_cmpstr (les_service_draft_get (back, "end_date"), ==, "");
  }
}

static void
test_payments (void)
{
  LesPaymentsPage *page = LES_PAYMENTS_PAGE (les_window_get_page (window, "payments"));
  LesTableView *table;
  g_autofree char *explanation = NULL;

  les_window_show_page (window, "payments");
  settle ();
  table = les_payments_page_get_table (page);
  g_assert_cmpuint (les_table_view_get_n_rows (table), >, 0);
  screenshot (GTK_WIDGET (window), "screen-payments.png");

  /* Service → PCN → practice → lines → explanation */
  for (guint level = 0; level < 3; level++)
    {
      g_assert_cmpuint (les_table_view_get_n_visible (table), >, 0);
      les_table_view_activate (table, 0);
      g_assert_cmpuint (les_payments_page_get_level (page), ==, level + 1);
    }
  g_assert_cmpuint (les_table_view_get_n_visible (table), >, 0);
  les_table_view_activate (table, 0);
  explanation = les_payments_page_dup_explanation (page);
  g_assert_nonnull (explanation);
  g_assert_cmpuint (strlen (explanation), >, 10);
  screenshot (GTK_WIDGET (window), "screen-payments-explain.png");

  {
    g_autofree char *csv = g_build_filename (tmp_dir, "lines.csv", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (csv);
    g_autofree char *contents = NULL;

    g_assert_true (les_table_view_write_csv (table, file, NULL));
    g_assert_true (g_file_get_contents (csv, &contents, NULL, NULL));
    g_assert_true (g_str_has_prefix (contents, "rule_code,period,units,gross,payable,held\n"));
  }
  les_payments_page_up (page);
  les_payments_page_up (page);
  les_payments_page_up (page);
  g_assert_cmpuint (les_payments_page_get_level (page), ==, 0);
}

static GtkWidget *
find_widget (GtkWidget *widget, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_button (GtkWidget *widget, const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

static gboolean
preview_ready (gpointer data)
{
  return adw_message_dialog_get_response_enabled (data, "close");
}

static gboolean
no_message_dialog (gpointer data)
{
  return find_message_dialog () == NULL;
}

/* The confirmation works out what the run will pay on a worker: a spinner, then the figures. */
static void
test_runs_preview (void)
{
  GtkWidget *page = GTK_WIDGET (les_window_get_page (window, "payments"));
  GtkWidget *panel = find_widget (page, LES_TYPE_RUNS_PANEL);
  AdwMessageDialog *dialog;

  les_window_show_page (window, "payments");
  settle ();
  g_assert_true (gtk_widget_activate_action (panel, "runs.close-month", NULL));
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  /* the figures are not in before the main loop has run */
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "close"));
  g_assert_true (GTK_IS_SPINNER (adw_message_dialog_get_extra_child (dialog)));
  g_assert_true (wait_until (preview_ready, dialog, 30000));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "will pay"));
  g_assert_null (adw_message_dialog_get_extra_child (dialog));
  /* as the Cancel button does */
  adw_message_dialog_response (dialog, "cancel");
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (wait_until (no_message_dialog, NULL, 5000));
  g_assert_cmpuint (les_runs_panel_get_n_runs (LES_RUNS_PANEL (panel)), ==, 0);
}

/* Close a month from the Payments screen, as a job on a worker: cancelling
 * leaves the database as it was; then the history shows the run. */
static void
test_runs (void)
{
  GtkWidget *page = GTK_WIDGET (les_window_get_page (window, "payments"));
  LesRunsPanel *panel = LES_RUNS_PANEL (find_widget (page, LES_TYPE_RUNS_PANEL));
  LesStore *store = les_window_get_store (window);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(LesClaimsChange) change = NULL;
  g_autoptr(GArray) runs = NULL;
  gint64 n_audit;

  les_window_show_page (window, "payments");
  settle ();
  g_assert_nonnull (panel);
  g_assert_cmpuint (les_runs_panel_get_n_runs (panel), ==, 0);
  ids = les_claims_ids_for_year (store, les_window_get_year (window), TRUE, NULL, &error);
  g_assert_no_error (error);
  change = les_claims_set_status (store, (gint64 *) ids->data, NULL, ids->len, LES_CLAIM_STATUS_APPROVED, NULL, &error);
  g_assert_no_error (error);

  /* cancelled at once: nothing paid, nothing computed, nothing audited */
  n_audit = les_store_count_rows (store, "audit");
  g_assert_true (les_runs_panel_close_month (panel, &error));
  g_assert_no_error (error);
  g_assert_true (les_window_is_busy (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel-job", NULL));
  g_assert_true (wait_until (not_busy, NULL, 60000));
  settle ();
  g_assert_null (find_message_dialog ());   /* a toast says so, not an error */
  g_assert_cmpuint (les_runs_panel_get_n_runs (panel), ==, 0);
  runs = les_runs_list (store, les_window_get_year (window), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 0);
  g_clear_pointer (&runs, g_array_unref);
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, n_audit);

  /* the job runs on a worker: the window is busy until it ends, then the panel has reloaded */
  g_assert_true (les_runs_panel_close_month (panel, &error));
  g_assert_no_error (error);
  g_assert_true (les_window_is_busy (window));
  g_assert_cmpuint (les_runs_panel_get_n_runs (panel), ==, 0);
  g_assert_true (wait_until (not_busy, NULL, 60000));
  settle ();
  g_assert_cmpuint (les_runs_panel_get_n_runs (panel), ==, 1);
  runs = les_runs_list (store, les_window_get_year (window), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 1);
  g_assert_cmpint (g_array_index (runs, LesRun, 0).total, >, 0);
  g_assert_cmpint (les_store_count_rows (store, "audit"), >, n_audit);
  screenshot (GTK_WIDGET (window), "screen-payment-runs.png");

  /* A run's statements: the practices it paid, by code and name */
  {
    GtkWidget *button = find_button (GTK_WIDGET (panel), _("_Statements…"));
    AdwMessageDialog *dialog;
    GtkDropDown *practices;
    GtkStringObject *first;

    g_assert_nonnull (button);
    g_signal_emit_by_name (button, "clicked");
    dialog = find_message_dialog ();
    g_assert_nonnull (dialog);
    practices = GTK_DROP_DOWN (adw_message_dialog_get_extra_child (dialog));
    g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (practices)), >, 100);
    first = gtk_drop_down_get_selected_item (practices);
    g_assert_true (g_str_has_prefix (gtk_string_object_get_string (first), "Y90001 · "));
    g_assert_nonnull (strstr (gtk_string_object_get_string (first), "(demo)"));
    adw_message_dialog_response (dialog, "cancel");
    gtk_window_destroy (GTK_WINDOW (dialog));
    g_assert_true (wait_until (no_message_dialog, NULL, 5000));
  }
}

static void
test_practices (void)
{
  LesPracticesPage *page = LES_PRACTICES_PAGE (les_window_get_page (window, "practices"));
  LesTableView *table;

  les_window_show_page (window, "practices");
  settle ();
  table = les_practices_page_get_table (page);
  g_assert_cmpuint (les_table_view_get_n_rows (table), >, 100);
  les_practices_page_show_practice (page, les_row_get_text (les_table_view_get_visible_row (table, 0), 0));
  screenshot (GTK_WIDGET (window), "screen-practices.png");
}

static void
test_dark (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);

  g_settings_set_string (settings, "color-scheme", "dark");
  les_window_show_page (window, "overview");
  settle ();
  g_assert_true (adw_style_manager_get_dark (adw_style_manager_get_default ()));
  screenshot (GTK_WIDGET (window), "screen-overview-dark.png");
  g_settings_set_string (settings, "color-scheme", "default");
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  int status;

  /* a build without a display (the Flatpak's, a plain `meson test`) skips these */
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display to open windows on\n");
      return 0;
    }
  gtk_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, >=, 3);
  demo_dir = argv[1];
  shot_dir = argv[2];

  tmp_dir = g_dir_make_tmp ("les-app-test-XXXXXX", &error);
  g_assert_no_error (error);
  /* Never the user's own database */
  g_setenv ("XDG_DATA_HOME", tmp_dir, TRUE);
  g_setenv ("LES_DEMO_DIR", demo_dir, TRUE);

  app = les_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  window = les_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  db = g_build_filename (tmp_dir, "test.db", NULL);
  g_assert_true (les_window_open_database (window, db));
  gtk_window_present (GTK_WINDOW (window));
  settle ();

  g_test_add_func ("/app/empty", test_empty);
  g_test_add_func ("/app/import-dialog", test_import_dialog);
  g_test_add_func ("/app/import-errors", test_import_errors);
  g_test_add_func ("/app/import-demo", test_import_demo);
  g_test_add_func ("/app/services", test_services);
  g_test_add_func ("/app/compute", test_compute);
  g_test_add_func ("/app/claims", test_claims);
  g_test_add_func ("/app/recompute", test_recompute_changes_overview);
  g_test_add_func ("/app/service-editor", test_service_editor);
  g_test_add_func ("/app/payments", test_payments);
  g_test_add_func ("/app/runs-preview", test_runs_preview);
  g_test_add_func ("/app/runs", test_runs);
  g_test_add_func ("/app/practices", test_practices);
  g_test_add_func ("/app/dark", test_dark);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (app);
  return status;
}
