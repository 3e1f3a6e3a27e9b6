/* test-claims.c: the Claims screen — filters in SQL, status changes through the session and their undo, a claim examined in its pane, approving a selection with errors, the reason dialog, narrow windows, export. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>

#include "app-test.h"
#include "les-claim-detail.h"
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

/* Waiting for the pane and the dialogs */

static gboolean
pane_read (gpointer data)
{
  return !les_claim_pane_is_loading (data) && les_claim_pane_get_detail (data) != NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return app_test_find_message_dialog () != NULL;
}

static gboolean
no_dialog (gpointer data)
{
  return app_test_find_message_dialog () == NULL;
}

static gboolean
has_label (GtkWidget *widget, const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0
      && gtk_widget_get_mapped (widget))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (has_label (child, text))
      return TRUE;
  return FALSE;
}

static GtkWidget *
find_row (GtkWidget *widget, const char *title)
{
  if (ADW_IS_PREFERENCES_ROW (widget)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

typedef struct
{
  LesClaimPane *pane;
  const char   *ref;
} PaneShows;

static gboolean
pane_shows (gpointer data)
{
  PaneShows *p = data;

  return pane_read (p->pane) && g_strcmp0 (les_claim_pane_get_detail (p->pane)->claim_ref, p->ref) == 0;
}

/* The scrolled window shown (a status page hides one of its own) */
static GtkWidget *
shown_scrolled_window (GtkWidget *widget)
{
  if (GTK_IS_SCROLLED_WINDOW (widget) && gtk_widget_get_mapped (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = shown_scrolled_window (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gint64
selected_claim_id (LesClaimsPage *page)
{
  GtkSelectionModel *selection = les_claims_page_get_selection (page);
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (selection);
  g_autoptr(LesClaimRow) row = NULL;

  g_assert_cmpuint (gtk_bitset_get_size (selected), ==, 1);
  row = g_list_model_get_item (G_LIST_MODEL (les_claims_page_get_list (page)), gtk_bitset_get_minimum (selected));
  return les_claim_row_get_id (row);
}

/* A duplicate examined: its value and how, its lines, findings in words
 * with its code secondary, a link to its original that selects it, and a
 * decision from the pane that its history then shows */
static void
test_detail (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesClaimsPage *page = LES_CLAIMS_PAGE (les_window_get_page (window, "claims"));
  LesClaimPane *pane = les_claims_page_get_pane (page);
  LesStore *store = app_test_store (window);
  gint64 audit = les_store_count_rows (store, "audit");
  const LesClaimDetail *d;
  g_autofree char *original_ref = NULL;
  g_autofree char *link = NULL;
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;
  gint64 original_id;
  GtkWidget *row;
  LesClaimList *list;

  app_test_show_page (window, "claims");
  list = les_claims_page_get_list (page);
  les_claims_page_show_finding (page, "DUPLICATE");
  les_claim_list_wait (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), >, 0);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (pane)));

  /* opened as activating its row does, read on a reader */
  les_claims_page_show_claim_at (page, 0);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (pane)));
  g_assert_true (les_claim_pane_is_loading (pane));
  app_test_wait (pane_read, pane, "the claim to be read");
  d = les_claim_pane_get_detail (pane);
  g_assert_cmpint (d->id, ==, selected_claim_id (page));
  g_assert_true (les_claim_detail_has_errors (d));
  g_assert_nonnull (d->original_ref);
  g_assert_cmpint (d->original_id, >, 0);
  original_ref = g_strdup (d->original_ref);
  original_id = d->original_id;
  /* the finding in words, its code beside it, and what is worth and why */
  g_assert_true (has_label (GTK_WIDGET (pane), les_finding_get_title (LES_FINDING_DUPLICATE)));
  g_assert_true (has_label (GTK_WIDGET (pane), "DUPLICATE"));
  g_assert_true (has_label (GTK_WIDGET (pane), d->value_text));
  g_assert_true (has_label (GTK_WIDGET (pane), d->claim_ref));
  /* its patient lines, or that it has none */
  g_assert_true (has_label (GTK_WIDGET (pane), d->patient_lines->len > 0 ? "Line 1" : "No patient lines"));
  /* beside the table at 1024 px */
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (pane)));
  app_test_screenshot (GTK_WIDGET (window), "claims-detail-duplicate.png");

  /* the link selects the original and shows it */
  link = g_strdup_printf ("Original Claim %s", original_ref);
  row = find_row (GTK_WIDGET (pane), link);
  g_assert_nonnull (row);
  gtk_widget_activate (row);
  app_test_wait (pane_shows, &(PaneShows) { pane, original_ref }, "the original to be shown");
  app_test_wait_idle (window);
  d = les_claim_pane_get_detail (pane);
  g_assert_cmpstr (d->claim_ref, ==, original_ref);
  g_assert_cmpint (selected_claim_id (page), ==, original_id);
  g_assert_cmpstr (les_claim_list_get_filter (list, LES_CLAIM_FILTER_FINDING), ==, NULL);
  app_test_screenshot (GTK_WIDGET (window), "claims-detail-original.png");

  /* a decision from the pane, the reason asked for that one claim; its history says so once read again */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pane), "page.decide-claim", "s", "queried"));
  app_test_wait (dialog_shown, NULL, "the reason dialog");
  dialog = app_test_find_message_dialog ();
  heading = g_strdup_printf ("Query Claim %s", original_ref);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, heading);
  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), "Evidence needed");
  g_signal_emit_by_name (adw_message_dialog_get_extra_child (dialog), "activate");
  app_test_wait (no_dialog, NULL, "the dialog to close");
  app_test_wait_idle (window);
  app_test_wait (pane_read, pane, "the claim to be read again");
  d = les_claim_pane_get_detail (pane);
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit + 1);
  g_assert_cmpuint (d->history->len, ==, 1);
  g_assert_cmpint (d->status, ==, LES_CLAIM_STATUS_QUERIED);
  g_assert_cmpstr (d->status_reason, ==, "Evidence needed");
  app_test_screenshot (GTK_WIDGET (window), "claims-detail-queried.png");
  /* its fields, patient lines and history, further down */
  {
    GtkScrolledWindow *scrolled = GTK_SCROLLED_WINDOW (shown_scrolled_window (GTK_WIDGET (pane)));
    GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (scrolled);

    gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));
    app_test_screenshot (GTK_WIDGET (window), "claims-detail-history.png");
  }

  /* closed beside the table */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pane), "page.close-claim", NULL));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (pane)));
  g_assert_cmpint (les_claim_pane_get_claim_id (pane), ==, 0);
  app_test_window_free (window);
}

typedef struct
{
  LesStore *store;
  gint64    rows;
} AuditCount;

static gboolean
audit_reaches (gpointer data)
{
  AuditCount *a = data;

  return les_store_count_rows (a->store, "audit") >= a->rows;
}

/* A selection with errors: asked first, the default approves the clean
 * ones only; "all" approves every one; Cancel none */
static void
test_approve_with_errors (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesClaimsPage *page = LES_CLAIMS_PAGE (les_window_get_page (window, "claims"));
  LesStore *store = app_test_store (window);
  gint64 audit = les_store_count_rows (store, "audit");
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) clean = NULL;
  g_autoptr(GArray) with_errors = NULL;
  g_autoptr(GArray) unchecked = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *clean_label = NULL;
  g_autofree char *all_label = NULL;
  GtkSelectionModel *selection = les_claims_page_get_selection (page);
  AdwMessageDialog *dialog;
  LesClaimList *list;
  gint64 expected;
  guint n;

  app_test_show_page (window, "claims");
  list = les_claims_page_get_list (page);
  /* DEMO-000200 to DEMO-000299, a duplicate among them (issue 11) */
  les_claims_page_set_text (page, "DEMO-0002");
  les_claim_list_wait (list);
  n = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_assert_cmpuint (n, ==, 100);
  ids = les_claim_list_dup_all_ids (list, &error);
  g_assert_no_error (error);
  g_assert_true (les_claims_sort_by_check (store, (gint64 *) ids->data, ids->len, &clean, &with_errors, &unchecked,
                                           &error));
  g_assert_no_error (error);
  g_assert_cmpuint (with_errors->len, >, 0);
  g_assert_cmpuint (clean->len, >, 0);

  /* Cancel: nothing */
  gtk_selection_model_select_range (selection, 0, n - 1, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.set-status", "s", "approved"));
  app_test_wait (dialog_shown, NULL, "the question about errors");
  dialog = app_test_find_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "clean");
  gtk_widget_activate (app_test_find_button (GTK_WIDGET (dialog), "_Cancel"));
  app_test_wait (no_dialog, NULL, "the dialog to close");
  app_test_wait_idle (window);
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit);

  /* The default: the clean ones (everything matched, read by its query) */
  gtk_selection_model_select_all (selection);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.set-status", "s", "approved"));
  app_test_wait (dialog_shown, NULL, "the question about errors");
  dialog = app_test_find_message_dialog ();
  clean_label = g_strdup_printf ("Approve %u _Clean Claims", clean->len);
  all_label = g_strdup_printf ("Approve _All %u", n);
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "clean"), ==, clean_label);
  g_assert_cmpstr (adw_message_dialog_get_response_label (dialog, "all"), ==, all_label);
  app_test_screenshot (GTK_WIDGET (dialog), "claims-approve-errors-dialog.png");
  gtk_widget_activate (app_test_find_button (GTK_WIDGET (dialog), clean_label));
  app_test_wait (no_dialog, NULL, "the dialog to close");
  app_test_wait_idle (window);
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit + clean->len);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LesClaimRow) row = g_list_model_get_item (G_LIST_MODEL (list), i);
      gboolean is_clean = FALSE;

      for (guint j = 0; j < clean->len; j++)
        is_clean |= g_array_index (clean, gint64, j) == les_claim_row_get_id (row);
      g_assert_cmpstr (les_claim_row_get (row, LES_CLAIM_FIELD_STATUS), ==, is_clean ? "approved" : "submitted");
    }
  app_test_screenshot (GTK_WIDGET (window), "claims-approved-clean.png");
  app_test_undo (window);

  /* "Approve All": every one, errors included */
  gtk_selection_model_select_range (selection, 0, n, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.set-status", "s", "approved"));
  app_test_wait (dialog_shown, NULL, "the question about errors");
  gtk_widget_activate (app_test_find_button (GTK_WIDGET (app_test_find_message_dialog ()), all_label));
  app_test_wait (no_dialog, NULL, "the dialog to close");
  app_test_wait_idle (window);
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit + 2 * clean->len + n);

  /* a selection without errors is approved at once */
  app_test_undo (window);
  les_claims_page_show_finding (page, LES_CLAIM_FINDING_NO_ERROR);
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_STATUS, "submitted");
  les_claim_list_wait (list);
  gtk_selection_model_select_range (selection, 0, 3, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.set-status", "s", "approved"));
  /* checked on a reader, then written */
  expected = audit + 2 * clean->len + 2 * n + 3;
  app_test_wait (audit_reaches, &(AuditCount) { store, expected }, "the clean claims to be approved");
  app_test_wait_idle (window);
  g_assert_null (app_test_find_message_dialog ());
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, expected);
  app_test_window_free (window);
}

/* Enter in the reason dialog applies the change and closes the dialog */
static void
test_reason_enter (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesClaimsPage *page = LES_CLAIMS_PAGE (les_window_get_page (window, "claims"));
  LesStore *store = app_test_store (window);
  gint64 audit = les_store_count_rows (store, "audit");
  g_autoptr(AdwMessageDialog) dialog = NULL;
  GtkWidget *entry;
  LesClaimList *list;

  app_test_show_page (window, "claims");
  list = les_claims_page_get_list (page);
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_STATUS, "submitted");
  les_claim_list_wait (list);
  gtk_selection_model_select_range (les_claims_page_get_selection (page), 0, 2, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.set-status", "s", "rejected"));
  app_test_wait (dialog_shown, NULL, "the reason dialog");
  dialog = g_object_ref (app_test_find_message_dialog ());
  entry = adw_message_dialog_get_extra_child (dialog);
  /* Enter with no reason does nothing */
  g_signal_emit_by_name (entry, "activate");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  gtk_editable_set_text (GTK_EDITABLE (entry), "Not signed up in that month");
  app_test_screenshot (GTK_WIDGET (dialog), "claims-reason-dialog.png");
  /* twice, fast: one change */
  g_signal_emit_by_name (entry, "activate");
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "apply"));
  g_signal_emit_by_name (entry, "activate");
  app_test_wait (no_dialog, NULL, "the dialog to close");
  app_test_wait_idle (window);
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, audit + 2);
  g_assert_cmpstr (les_session_get_undo_title (app_test_session (window)), ==, "2 claims rejected");
  app_test_undo (window);
  g_assert_false (les_session_get_can_undo (app_test_session (window)));
  /* what the dialog's answer held goes with it */
  g_assert_finalize_object (g_steal_pointer (&dialog));
  app_test_window_free (window);
}

/* The finding filter: none, errors, no errors, each finding; and the filter button says how many are on */
static void
test_finding_filters (void)
{
  LesWindow *window = app_test_window_new (TRUE);
  LesClaimsPage *page = LES_CLAIMS_PAGE (les_window_get_page (window, "claims"));
  GtkMenuButton *filters;
  LesClaimList *list;
  guint n_all, n_none, n_errors, n_no_errors, n_late;

  app_test_show_page (window, "claims");
  list = les_claims_page_get_list (page);
  n_all = g_list_model_get_n_items (G_LIST_MODEL (list));
  les_claims_page_show_finding (page, LES_CLAIM_FINDING_NONE);
  les_claim_list_wait (list);
  n_none = g_list_model_get_n_items (G_LIST_MODEL (list));
  les_claims_page_show_finding (page, LES_CLAIM_FINDING_NO_ERROR);
  les_claim_list_wait (list);
  n_no_errors = g_list_model_get_n_items (G_LIST_MODEL (list));
  les_claims_page_show_finding (page, "LATE");
  les_claim_list_wait (list);
  n_late = g_list_model_get_n_items (G_LIST_MODEL (list));
  les_claims_page_show_finding (page, LES_CLAIM_FINDING_ERROR);
  les_claim_list_wait (list);
  n_errors = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_assert_cmpstr (les_claim_list_get_filter (list, LES_CLAIM_FILTER_FINDING), ==, "!");
  g_assert_cmpuint (n_none, >, 0);
  g_assert_cmpuint (n_late, >, 0);
  g_assert_cmpuint (n_errors, >=, n_late);
  g_assert_cmpuint (n_none, <=, n_no_errors);
  g_assert_cmpuint (n_errors + n_no_errors, ==, n_all);
  filters = GTK_MENU_BUTTON (app_test_find_widget (GTK_WIDGET (page), GTK_TYPE_MENU_BUTTON));
  g_assert_cmpstr (gtk_menu_button_get_label (filters), ==, "1 Filter");
  /* the findings in words, errors in the error colour */
  g_assert_true (has_label (GTK_WIDGET (page), les_finding_get_title (LES_FINDING_LATE)));
  app_test_screenshot (GTK_WIDGET (window), "claims-with-errors.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "page.clear-filters", NULL));
  les_claim_list_wait (list);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n_all);
  g_assert_cmpstr (gtk_menu_button_get_label (filters), ==, "Filters");
  app_test_window_free (window);
}

/* Whether @widget is drawn whole inside @within's width */
static gboolean
inside (GtkWidget *widget, GtkWidget *within)
{
  graphene_rect_t bounds;

  if (!gtk_widget_get_mapped (widget) || !gtk_widget_compute_bounds (widget, within, &bounds))
    return FALSE;
  return bounds.origin.x >= 0 && bounds.origin.x + bounds.size.width <= gtk_widget_get_width (within) + 0.5;
}

/* The page on its own (the window's other screens are wider than a phone):
 * at 360 px the three decisions and the search stay on screen, and the
 * pane covers the table with a back button; at 1024 px both fit */
static gboolean
leaflet_folded (gpointer data)
{
  return adw_leaflet_get_folded (data) && !adw_leaflet_get_child_transition_running (data);
}

/* Unfolded, the table shown beside the pane (the leaflet animates) */
static gboolean
leaflet_unfolded (gpointer data)
{
  AdwLeaflet *leaflet = data;
  GtkWidget *list = adw_leaflet_get_child_by_name (leaflet, "list");

  return !adw_leaflet_get_folded (leaflet) && !adw_leaflet_get_child_transition_running (leaflet)
         && gtk_widget_get_mapped (list) && gtk_widget_get_width (list) > 360;
}

/* The button labelled @label that is shown (the squeezer keeps others unmapped) */
static GtkWidget *
shown_button (GtkWidget *widget, const char *label)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget)
      && (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0
          || g_strcmp0 (gtk_widget_get_tooltip_text (widget), label) == 0))
    return widget;
  if (GTK_IS_MENU_BUTTON (widget) && gtk_widget_get_mapped (widget)
      && g_strcmp0 (gtk_widget_get_tooltip_text (widget), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = shown_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
test_narrow (void)
{
  LesWindow *main_window = app_test_window_new (TRUE);
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  LesClaimsPage *page = g_object_new (LES_TYPE_CLAIMS_PAGE, NULL);
  LesClaimPane *pane = les_claims_page_get_pane (page);
  AdwLeaflet *leaflet;
  GtkWidget *search;

  gtk_window_set_child (window, GTK_WIDGET (page));
  les_session_widget_set_session (LES_SESSION_WIDGET (page), app_test_session (main_window));
  gtk_window_set_default_size (window, 360, 720);
  gtk_window_present (window);
  les_claim_list_wait (les_claims_page_get_list (page));
  leaflet = ADW_LEAFLET (app_test_find_widget (GTK_WIDGET (page), ADW_TYPE_LEAFLET));
  search = app_test_find_widget (GTK_WIDGET (page), GTK_TYPE_SEARCH_ENTRY);
  gtk_selection_model_select_range (les_claims_page_get_selection (page), 0, 2, TRUE);
  app_test_screenshot (GTK_WIDGET (window), "claims-360.png");
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 400);
  g_assert_true (inside (search, GTK_WIDGET (window)));
  g_assert_true (inside (shown_button (GTK_WIDGET (page), "Approve"), GTK_WIDGET (window)));
  /* Query and Reject on the bar, or in the menu beside Approve */
  if (shown_button (GTK_WIDGET (page), "Query…") != NULL)
    {
      g_assert_true (inside (shown_button (GTK_WIDGET (page), "Query…"), GTK_WIDGET (window)));
      g_assert_true (inside (shown_button (GTK_WIDGET (page), "Reject…"), GTK_WIDGET (window)));
    }
  else
    g_assert_true (inside (shown_button (GTK_WIDGET (page), "More Actions"), GTK_WIDGET (window)));

  /* the pane over the table, with a way back */
  les_claims_page_show_claim_at (page, 0);
  app_test_wait (pane_read, pane, "the claim to be read");
  app_test_wait (leaflet_folded, leaflet, "the pane to cover the table");
  g_assert_true (adw_leaflet_get_visible_child (leaflet) == GTK_WIDGET (pane));
  app_test_screenshot (GTK_WIDGET (window), "claims-360-detail.png");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pane), "page.close-claim", NULL));
  g_assert_true (adw_leaflet_get_visible_child (leaflet) != GTK_WIDGET (pane));

  /* side by side when there is room */
  les_claims_page_show_claim_at (page, 1);
  app_test_wait (pane_read, pane, "the claim to be read");
  gtk_window_set_default_size (window, 1024, 720);
  app_test_wait (leaflet_unfolded, leaflet, "the table and the pane side by side");
  app_test_screenshot (GTK_WIDGET (window), "claims-1024-page.png");
  g_assert_true (inside (GTK_WIDGET (pane), GTK_WIDGET (window)));
  /* the table's three decisions on its bar beside the pane */
  g_assert_true (inside (shown_button (GTK_WIDGET (page), "Query…"), GTK_WIDGET (window)));
  g_assert_true (inside (shown_button (GTK_WIDGET (page), "Reject…"), GTK_WIDGET (window)));
  gtk_window_destroy (window);
  app_test_window_free (main_window);
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
  g_test_add_func ("/claims/detail", test_detail);
  g_test_add_func ("/claims/approve-with-errors", test_approve_with_errors);
  g_test_add_func ("/claims/reason-enter", test_reason_enter);
  g_test_add_func ("/claims/finding-filters", test_finding_filters);
  g_test_add_func ("/claims/narrow", test_narrow);
  return app_test_run ();
}
