/* les-claims-page.c: the Claims screen — a filterable table over every claim, paged from SQLite, with status changes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "les-claim-detail.h"
#include "les-claim-pane.h"
#include "les-claims-page.h"
#include "les-error.h"
#include "les-queries.h"
#include "les-reason-dialog.h"
#include "les-session.h"
#include "les-table-view.h"
#include "les-team-access.h"
#include "les-value.h"

struct _LesClaimsPage
{
  LesPage          parent_instance;

  GtkSearchBar      *search_bar;
  GtkSearchEntry    *search_entry;
  GtkEntry          *practice_entry;
  GtkEntry          *pcn_entry;
  GtkDropDown       *service_dropdown;
  GtkEntry          *item_entry;
  GtkDropDown       *period_dropdown;
  GtkDropDown       *status_dropdown;
  GtkDropDown       *finding_dropdown;
  GtkStack          *stack;
  GtkColumnView     *column_view;
  GtkLabel          *count_label;
  GtkSpinner        *count_spinner;
  GtkMenuButton     *filters_button;
  AdwLeaflet        *leaflet;
  GtkWidget         *list_box;
  GtkWidget         *pane_separator;
  LesClaimPane      *pane;

  gboolean           updating;
  LesClaimList      *list;
  GtkMultiSelection *selection;
  GStrv              service_codes;
  GStrv              finding_codes;
  GHashTable        *cells;        /* GtkLabel → Cell, for each cell's widget */
  GPtrArray         *column_data;  /* ColumnData, one a column */
  int                probed_field;
  LesClaimRow       *probe_a;
  LesClaimRow       *probe_b;
  char              *pending_finding;
  char              *pending_ref;    /* a claim to select once the rows read show it */
  GCancellable      *check;          /* the check of a selection about to be approved */
};

G_DEFINE_FINAL_TYPE (LesClaimsPage, les_claims_page, LES_TYPE_PAGE)

typedef struct {
  LesClaimField  field;
  const char    *title;
  int            width;       /* 0: expands */
  gboolean       numeric;
} Column;

static const Column columns[] = {
  { LES_CLAIM_FIELD_REF, N_("Reference"), 130, FALSE },
  { LES_CLAIM_FIELD_PRACTICE, N_("Practice"), 80, FALSE },
  { LES_CLAIM_FIELD_PRACTICE_NAME, N_("Practice Name"), 0, FALSE },
  { LES_CLAIM_FIELD_PCN, N_("PCN"), 80, FALSE },
  { LES_CLAIM_FIELD_SERVICE, N_("Service"), 80, FALSE },
  { LES_CLAIM_FIELD_ITEM, N_("Item"), 80, FALSE },
  { LES_CLAIM_FIELD_PERIOD, N_("Period"), 76, FALSE },
  { LES_CLAIM_FIELD_COUNT, N_("Count"), 64, TRUE },
  { LES_CLAIM_FIELD_SUBMITTED, N_("Submitted"), 100, FALSE },
  { LES_CLAIM_FIELD_STATUS, N_("Status"), 96, FALSE },
  { LES_CLAIM_FIELD_FINDINGS, N_("Findings"), 220, FALSE },
  { LES_CLAIM_FIELD_REASON, N_("Reason"), 0, FALSE },
};

/* The finding filter's first choices, then each finding of the year by its title */
static const struct {
  const char *value;
  const char *label;
} finding_choices[] = {
  { NULL, N_("Any or No Findings") },
  { LES_CLAIM_FINDING_NONE, N_("No Findings") },
  { LES_CLAIM_FINDING_ERROR, N_("With Errors") },
  { LES_CLAIM_FINDING_NO_ERROR, N_("Without Errors") },
  { LES_CLAIM_FINDING_ANY, N_("With Any Finding") },
};

/* As LesClaimField, for the claims-sort-column setting */
static const char *const field_names[LES_N_CLAIM_FIELDS] = {
  "claim_ref", "practice_code", "practice_name", "pcn_code", "service_code", "item_code",
  "period", "count", "submitted_date", "status", "status_reason", "findings",
};

/* A stored status word as people read it */
static const char *
status_label (const char *word)
{
  int status = les_claim_status_from_word (word);

  return status >= 0 ? les_claim_status_get_label (status) : word;
}

/* A team role that may not decide claims is not offered to (the server would refuse) */
static gboolean
may_decide (LesClaimsPage *self)
{
  LesSession *session = les_session_widget_get_session (LES_SESSION_WIDGET (self));

  return les_team_access_may (session != NULL ? les_session_get_roles (session) : 0, LES_TEAM_TASK_DECIDE_CLAIMS);
}

static void
update_count (LesClaimsPage *self)
{
  guint n = self->list != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->list)) : 0;
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  guint64 n_selected = gtk_bitset_get_size (selected);
  gboolean loading = self->list == NULL || les_claim_list_is_loading (self->list);
  gboolean counting = self->list != NULL && les_claim_list_is_counting (self->list);
  g_autofree char *text = NULL;
  g_autofree char *count = NULL;
  g_autofree char *n_sel = NULL;
  gboolean any_filter = FALSE;
  guint n_filters = 0;
  g_autofree char *filters = NULL;

  if (self->list != NULL)
    for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
      if (les_claim_list_get_filter (self->list, i) != NULL)
        {
          any_filter = TRUE;
          /* the search entry shows its own */
          n_filters += i != LES_CLAIM_FILTER_TEXT;
        }
  /* the filters are in a popover: the button says how many are on */
  if (n_filters > 0)
    filters = g_strdup_printf (ngettext ("%u Filter", "%u Filters", n_filters), n_filters);
  gtk_menu_button_set_label (self->filters_button, filters != NULL ? filters : _("Filters"));

  /* While counting, the number is how many have been found so far */
  count = les_count_format_display (n);
  n_sel = les_count_format_display ((gint64) n_selected);
  if (n_selected > 0 && counting)
    text = g_strdup_printf (ngettext ("%s of at least %s claim selected",
                                      "%s of at least %s claims selected", n), n_sel, count);
  else if (n_selected > 0)
    text = g_strdup_printf (ngettext ("%s of %s claim selected",
                                      "%s of %s claims selected", n), n_sel, count);
  else if (counting)
    text = g_strdup_printf (ngettext ("At least %s claim", "At least %s claims", n), count);
  else
    text = g_strdup_printf (ngettext ("%s claim", "%s claims", n), count);
  gtk_label_set_text (self->count_label, text);
  /* cut when narrow: whole on hover */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->count_label), text);
  gtk_widget_set_visible (GTK_WIDGET (self->count_spinner), loading || counting);
  gtk_spinner_set_spinning (self->count_spinner, loading || counting);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.set-status",
                                 n_selected > 0 && self->check == NULL && may_decide (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.decide-claim", may_decide (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.show-details", n_selected > 0);
  /* Until the first rows are read, the table stays (an empty state would be premature) */
  gtk_stack_set_visible_child_name (self->stack, n > 0 || loading ? "table" : any_filter ? "no-match" : "empty");
}

static const char *
dropdown_value (GtkDropDown *dropdown, const char *const *values)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION || values == NULL)
    return NULL;
  return values[selected - 1];
}

static void
apply_filters (LesClaimsPage *self)
{
  const char *values[LES_N_CLAIM_FILTERS] = { NULL };
  g_autofree char *period = NULL;
  guint p = gtk_drop_down_get_selected (self->period_dropdown);

  if (self->list == NULL || self->updating)
    return;
  if (p > 0 && p != GTK_INVALID_LIST_POSITION)
    {
      char buf[8];
      les_period_format (les_fy_period (les_page_get_year (LES_PAGE (self)), p), buf);
      period = g_strdup (buf);
    }
  values[LES_CLAIM_FILTER_TEXT] = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  values[LES_CLAIM_FILTER_PRACTICE] = gtk_editable_get_text (GTK_EDITABLE (self->practice_entry));
  values[LES_CLAIM_FILTER_PCN] = gtk_editable_get_text (GTK_EDITABLE (self->pcn_entry));
  values[LES_CLAIM_FILTER_ITEM] = gtk_editable_get_text (GTK_EDITABLE (self->item_entry));
  values[LES_CLAIM_FILTER_SERVICE] = dropdown_value (self->service_dropdown, (const char *const *) self->service_codes);
  values[LES_CLAIM_FILTER_STATUS] = dropdown_value (self->status_dropdown, les_claim_status_words ());
  values[LES_CLAIM_FILTER_PERIOD] = period;
  {
    guint f = gtk_drop_down_get_selected (self->finding_dropdown);

    if (f < G_N_ELEMENTS (finding_choices))
      values[LES_CLAIM_FILTER_FINDING] = finding_choices[f].value;
    else if (f != GTK_INVALID_LIST_POSITION && self->finding_codes != NULL)
      values[LES_CLAIM_FILTER_FINDING] = self->finding_codes[f - G_N_ELEMENTS (finding_choices)];
  }
  les_claim_list_set_filters (self->list, values);
  update_count (self);
}

static void
filter_changed_cb (LesClaimsPage *self)
{
  apply_filters (self);
}

static void
set_dropdown_strings (GtkDropDown *dropdown, const char *all, const char *const *labels, guint n)
{
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

  gtk_string_list_append (list, all);
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (list, labels[i]);
  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (list));
  gtk_drop_down_set_selected (dropdown, 0);
}

static void
fill_dropdowns (LesClaimsPage *self)
{
  const char *status_labels[LES_N_CLAIM_STATUSES];
  g_autoptr(GPtrArray) periods = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) findings = g_ptr_array_new ();

  self->updating = TRUE;
  g_clear_pointer (&self->service_codes, g_strfreev);
  g_clear_pointer (&self->finding_codes, g_strfreev);
  self->service_codes = les_queries_service_codes (les_page_get_store (LES_PAGE (self)), les_page_get_year (LES_PAGE (self)));
  self->finding_codes = les_queries_finding_codes (les_page_get_store (LES_PAGE (self)), les_page_get_year (LES_PAGE (self)));

  set_dropdown_strings (self->service_dropdown, _("All Services"), (const char *const *) self->service_codes,
                        g_strv_length (self->service_codes));
  for (LesClaimStatus i = 0; i < LES_N_CLAIM_STATUSES; i++)
    status_labels[i] = les_claim_status_get_label (i);
  set_dropdown_strings (self->status_dropdown, _("Any Status"), status_labels, LES_N_CLAIM_STATUSES);
  for (int m = 1; m <= 12; m++)
    {
      char buf[8];
      les_period_format (les_fy_period (les_page_get_year (LES_PAGE (self)), m), buf);
      g_ptr_array_add (periods, g_strdup (buf));
    }
  set_dropdown_strings (self->period_dropdown, _("All Periods"), (const char *const *) periods->pdata, periods->len);
  for (guint i = 1; i < G_N_ELEMENTS (finding_choices); i++)
    g_ptr_array_add (findings, (gpointer) _(finding_choices[i].label));
  /* in words, as the Overview names them */
  for (guint i = 0; self->finding_codes[i] != NULL; i++)
    {
      const LesFindingInfo *info = les_finding_lookup (self->finding_codes[i]);

      g_ptr_array_add (findings, info != NULL ? (gpointer) les_finding_get_title (info->code) : self->finding_codes[i]);
    }
  set_dropdown_strings (self->finding_dropdown, _(finding_choices[0].label), (const char *const *) findings->pdata,
                        findings->len);
  self->updating = FALSE;

  if (self->pending_finding != NULL)
    {
      g_autofree char *code = g_steal_pointer (&self->pending_finding);
      les_claims_page_show_finding (self, code);
    }
}

static LesClaimField current_sort (LesClaimsPage *self, gboolean *descending);
static void hide_pane (LesClaimsPage *self);

/* The claim a duplicate's link asked for, among the first rows read (the
 * search for its reference matches it and few others) */
static void
select_pending (LesClaimsPage *self)
{
  g_autofree char *ref = g_steal_pointer (&self->pending_ref);
  guint n = MIN (g_list_model_get_n_items (G_LIST_MODEL (self->list)), 64);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LesClaimRow) row = g_list_model_get_item (G_LIST_MODEL (self->list), i);

      if (les_claim_row_is_loaded (row) && g_strcmp0 (les_claim_row_get (row, LES_CLAIM_FIELD_REF), ref) == 0)
        {
          gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, TRUE);
          les_claim_pane_show (self->pane, les_page_get_session (LES_PAGE (self)), les_claim_row_get_id (row));
          return;
        }
    }
}

/* New rows are written into the rows shown: what was selected is not
 * selected any more, and the table goes back to its top */
static void
loading_changed_cb (LesClaimsPage *self)
{
  if (!les_claim_list_is_loading (self->list))
    {
      GtkAdjustment *adjustment = gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->column_view));

      gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
      if (adjustment != NULL)
        gtk_adjustment_set_value (adjustment, 0);
      if (self->pending_ref != NULL)
        select_pending (self);
    }
  update_count (self);
}

static void
les_claims_page_reload (LesPage *page)
{
  LesClaimsPage *self = LES_CLAIMS_PAGE (page);
  if (les_page_get_store (page) == NULL)
    return;
  if (self->list == NULL || les_claim_list_get_year (self->list) != les_page_get_year (page))
    {
      /* A new year has other services, findings and periods: start from no filters */
      g_autoptr(LesClaimList) list = NULL;
      LesClaimField field;
      gboolean descending;

      list = les_claim_list_new (les_page_get_session (page), les_page_get_year (page));
      field = current_sort (self, &descending);
      les_claim_list_set_sort (list, field, descending);
      g_signal_connect_object (list, "notify::loading", G_CALLBACK (loading_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (list, "notify::counting", G_CALLBACK (update_count), self, G_CONNECT_SWAPPED);
      g_set_object (&self->list, list);
      gtk_multi_selection_set_model (self->selection, G_LIST_MODEL (self->list));
      /* a claim of the year before is not one of these */
      hide_pane (self);
      fill_dropdowns (self);
      apply_filters (self);
    }
  else
    {
      fill_dropdowns (self);
      apply_filters (self);
    }
  update_count (self);
}

static void
les_claims_page_changed (LesSessionWidget *widget, LesChange what)
{
  LesClaimsPage *self = LES_CLAIMS_PAGE (widget);
  LesPage *page = LES_PAGE (widget);

  /* The list refreshes itself on claims; new services or findings change the filters */
  if (what & (LES_CHANGE_SERVICES | LES_CHANGE_PAYMENTS))
    les_page_queue_reload (page);
  else if ((what & LES_CHANGE_CLAIMS) && self->list != NULL)
    update_count (self);
  /* the claim shown: its status, value, findings or history may have changed */
  if ((what & (LES_CHANGE_CLAIMS | LES_CHANGE_PAYMENTS | LES_CHANGE_RUNS | LES_CHANGE_SERVICES))
      && les_claim_pane_get_claim_id (self->pane) != 0 && les_page_get_session (page) != NULL)
    les_claim_pane_refresh (self->pane, les_page_get_session (page));
}

/* The pane */

static gboolean
pane_open (LesClaimsPage *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->pane));
}

/* Shows claim @id in the pane, beside the table or, when narrow, over it */
static void
open_pane (LesClaimsPage *self, gint64 id)
{
  LesSession *session = les_page_get_session (LES_PAGE (self));

  if (session == NULL || id <= 0)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->pane_separator), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->pane), TRUE);
  les_claim_pane_show (self->pane, session, id);
  adw_leaflet_set_visible_child (self->leaflet, GTK_WIDGET (self->pane));
}

static void
hide_pane (LesClaimsPage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->pane), FALSE);
  gtk_widget_set_visible (self->pane_separator, FALSE);
  les_claim_pane_clear (self->pane);
}

static void
close_pane (LesClaimsPage *self)
{
  /* back to the table over which it was shown, or closed beside it */
  if (adw_leaflet_get_folded (self->leaflet))
    {
      adw_leaflet_set_visible_child (self->leaflet, self->list_box);
      return;
    }
  hide_pane (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
folded_changed_cb (LesClaimsPage *self)
{
  les_claim_pane_set_folded (self->pane, adw_leaflet_get_folded (self->leaflet));
}

/* The first selected row's claim, or 0 when none is selected or read yet */
static gint64
first_selected_id (LesClaimsPage *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  g_autoptr(LesClaimRow) row = NULL;

  if (self->list == NULL || gtk_bitset_is_empty (selected))
    return 0;
  row = g_list_model_get_item (G_LIST_MODEL (self->list), gtk_bitset_get_minimum (selected));
  return row != NULL && les_claim_row_is_loaded (row) ? les_claim_row_get_id (row) : 0;
}

static void
column_view_activated_cb (LesClaimsPage *self, guint position)
{
  g_autoptr(LesClaimRow) row = g_list_model_get_item (G_LIST_MODEL (self->list), position);

  if (row != NULL && les_claim_row_is_loaded (row))
    open_pane (self, les_claim_row_get_id (row));
}

static void
selection_changed_cb (GtkSelectionModel *model, guint position, guint n_items, LesClaimsPage *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (model);

  update_count (self);
  /* beside the table, the pane follows a single selected claim, so claims can be read one after another */
  if (pane_open (self) && !adw_leaflet_get_folded (self->leaflet) && gtk_bitset_get_size (selected) == 1)
    {
      gint64 id = first_selected_id (self);

      if (id != 0 && id != les_claim_pane_get_claim_id (self->pane))
        les_claim_pane_show (self->pane, les_page_get_session (LES_PAGE (self)), id);
    }
}

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, LesClaimsPage *self)
{
  update_count (self);
}

/* Cells */

/* A column of the page's: its handlers' and sorter's data */
typedef struct
{
  LesClaimsPage *page;
  const Column  *column;
} ColumnData;

/* What a cell's label shows and follows: the row bound to it, which
 * changes when it is read after being shown */
typedef struct
{
  LesClaimsPage *page;
  GtkWidget     *label;
  LesClaimField  field;
  LesClaimRow   *row;          /* (unowned) while bound */
  gulong         changed_id;
  char          *status;       /* the status whose style class the label has */
} Cell;

static void
cell_free (gpointer data)
{
  Cell *cell = data;

  if (cell->row != NULL)
    g_clear_signal_handler (&cell->changed_id, cell->row);
  g_free (cell->status);
  g_free (cell);
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory, GtkListItem *item, ColumnData *data)
{
  GtkWidget *label = les_cell_label_new (data->column->numeric);
  Cell *cell = g_new0 (Cell, 1);

  switch (data->column->field)
    {
    case LES_CLAIM_FIELD_STATUS:
      gtk_widget_add_css_class (label, "status");
      break;
    case LES_CLAIM_FIELD_REASON:
    case LES_CLAIM_FIELD_FINDINGS:
    case LES_CLAIM_FIELD_PRACTICE_NAME:
      /* long values in full on hover */
      les_cell_label_show_text_on_hover (label, 0);
      break;
    default:
      break;
    }
  cell->page = data->page;
  cell->label = label;
  cell->field = data->column->field;
  g_hash_table_insert (data->page->cells, label, cell);
  gtk_list_item_set_child (item, label);
}

static void
teardown_cell_cb (GtkSignalListItemFactory *factory, GtkListItem *item, ColumnData *data)
{
  if (data->page->cells != NULL)
    g_hash_table_remove (data->page->cells, gtk_list_item_get_child (item));
}

/* Findings in words, red when one is an error, amber when all are warnings
 * (the icon of each is in the claim's pane; the codes on hover) */
static void
show_findings_cell (Cell *cell, const char *codes)
{
  g_auto(GStrv) words = g_strsplit (codes, ",", -1);
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean error = FALSE;

  for (guint i = 0; words[i] != NULL; i++)
    {
      const LesFindingInfo *info = les_finding_lookup (g_strstrip (words[i]));

      if (words[i][0] == '\0')
        continue;
      if (text->len > 0)
        g_string_append (text, "; ");
      g_string_append (text, info != NULL ? les_finding_get_title (info->code) : words[i]);
      error |= info != NULL && info->severity == LES_SEVERITY_ERROR;
    }
  gtk_widget_remove_css_class (cell->label, error ? "warning" : "error");
  if (text->len > 0)
    gtk_widget_add_css_class (cell->label, error ? "error" : "warning");
  else
    gtk_widget_remove_css_class (cell->label, error ? "error" : "warning");
  gtk_label_set_text (GTK_LABEL (cell->label), text->str);
}

static void
show_cell (Cell *cell)
{
  const char *text = les_claim_row_get (cell->row, cell->field);

  if (cell->field == LES_CLAIM_FIELD_STATUS)
    {
      /* one class per status (only a change of status restyles the label) */
      if (g_strcmp0 (cell->status, text) != 0)
        {
          if (cell->status != NULL && cell->status[0] != '\0')
            gtk_widget_remove_css_class (cell->label, cell->status);
          if (text[0] != '\0')
            gtk_widget_add_css_class (cell->label, text);
          g_free (cell->status);
          cell->status = g_strdup (text);
        }
      text = status_label (text);
    }
  else if (cell->field == LES_CLAIM_FIELD_FINDINGS)
    {
      show_findings_cell (cell, text);
      return;
    }
  gtk_label_set_text (GTK_LABEL (cell->label), text);
}

/* A row read after it was shown (a placeholder filled in) or read again */
static void
row_changed_cb (LesClaimRow *row, Cell *cell)
{
  show_cell (cell);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory, GtkListItem *item, ColumnData *data)
{
  Cell *cell = g_hash_table_lookup (data->page->cells, gtk_list_item_get_child (item));
  LesClaimRow *row = gtk_list_item_get_item (item);

  if (row == NULL || cell == NULL)
    return;
  cell->row = row;
  show_cell (cell);
  cell->changed_id = g_signal_connect (row, "changed", G_CALLBACK (row_changed_cb), cell);
}

static void
unbind_cell_cb (GtkSignalListItemFactory *factory, GtkListItem *item, ColumnData *data)
{
  Cell *cell = data->page->cells != NULL ? g_hash_table_lookup (data->page->cells, gtk_list_item_get_child (item))
                                         : NULL;

  if (cell != NULL && cell->row != NULL)
    {
      g_clear_signal_handler (&cell->changed_id, cell->row);
      cell->row = NULL;
    }
}

/* Sorting happens in SQL: each column's sorter only tells which column the
 * column view put first, by recording which is asked first. */
static int
probe_compare_cb (gconstpointer a, gconstpointer b, gpointer user_data)
{
  ColumnData *data = user_data;

  if (data->page->probed_field < 0)
    data->page->probed_field = data->column->field;
  return GTK_ORDERING_SMALLER;
}

static LesClaimField
current_sort (LesClaimsPage *self, gboolean *descending)
{
  GtkOrdering order;

  self->probed_field = -1;
  order = gtk_sorter_compare (gtk_column_view_get_sorter (self->column_view), self->probe_a, self->probe_b);
  *descending = self->probed_field >= 0 && order == GTK_ORDERING_LARGER;
  return self->probed_field >= 0 ? (LesClaimField) self->probed_field : LES_CLAIM_FIELD_REF;
}

static void
sorter_changed_cb (GtkSorter *sorter, GtkSorterChange change, LesClaimsPage *self)
{
  gboolean descending;
  LesClaimField field = current_sort (self, &descending);

  if (self->list != NULL)
    les_claim_list_set_sort (self->list, field, descending);
  if (!self->updating)
    {
      g_autoptr(GSettings) settings = g_settings_new (APP_ID);
      g_settings_set_string (settings, "claims-sort-column", field_names[field]);
      g_settings_set_boolean (settings, "claims-sort-descending", descending);
    }
}

static void
build_columns (LesClaimsPage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;
      ColumnData *data = g_new0 (ColumnData, 1);
      GtkSorter *sorter;

      /* the page outlives its columns */
      data->page = self;
      data->column = &columns[i];
      g_ptr_array_add (self->column_data, data);
      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), data);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), data);
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell_cb), data);
      g_signal_connect (factory, "teardown", G_CALLBACK (teardown_cell_cb), data);
      column = gtk_column_view_column_new (_(columns[i].title), factory);
      if (columns[i].width > 0)
        gtk_column_view_column_set_fixed_width (column, columns[i].width);
      else
        gtk_column_view_column_set_expand (column, TRUE);
      gtk_column_view_column_set_resizable (column, TRUE);
      if (columns[i].field != LES_CLAIM_FIELD_FINDINGS)
        {
          sorter = GTK_SORTER (gtk_custom_sorter_new (probe_compare_cb, data, NULL));
          gtk_column_view_column_set_sorter (column, sorter);
          g_object_unref (sorter);
        }
      gtk_column_view_append_column (self->column_view, column);
    }
  g_signal_connect (gtk_column_view_get_sorter (self->column_view), "changed", G_CALLBACK (sorter_changed_cb), self);
}

static void
restore_sort (LesClaimsPage *self)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *name = g_settings_get_string (settings, "claims-sort-column");
  gboolean descending = g_settings_get_boolean (settings, "claims-sort-descending");
  GListModel *view_columns = gtk_column_view_get_columns (self->column_view);

  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    if (g_strcmp0 (field_names[columns[i].field], name) == 0 && columns[i].field != LES_CLAIM_FIELD_FINDINGS)
      {
        g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (view_columns, i);

        self->updating = TRUE;
        gtk_column_view_sort_by_column (self->column_view, column,
                                        descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
        self->updating = FALSE;
      }
}

/* Status changes */

static GArray *
selected_ids (LesClaimsPage *self, GArray **seen, GError **error)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) shown = g_array_new (FALSE, FALSE, sizeof (LesClaimStatus));
  gboolean all_shown = TRUE;
  GtkBitsetIter iter;
  guint position, start = 0, len = 0;

  /* Runs of selected rows, each read at once (rows not yet read included),
   * with the status each row showed when every one has been read: a
   * decision on a claim decided otherwise meanwhile is then refused */
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (gboolean ok = gtk_bitset_iter_init_first (&iter, selected, &position); ok;
       ok = gtk_bitset_iter_next (&iter, &position))
    {
      if (len > 0 && position == start + len)
        {
          len++;
          continue;
        }
      if (len > 0 && !les_claim_list_get_ids (self->list, start, len, ids, error))
        return NULL;
      if (len > 0 && all_shown)
        all_shown = les_claim_list_get_seen (self->list, start, len, shown);
      start = position;
      len = 1;
    }
  if (len > 0 && !les_claim_list_get_ids (self->list, start, len, ids, error))
    return NULL;
  if (len > 0 && all_shown)
    all_shown = les_claim_list_get_seen (self->list, start, len, shown);
  *seen = all_shown && shown->len == ids->len ? g_steal_pointer (&shown) : NULL;
  return g_steal_pointer (&ids);
}

static void
status_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LesClaimsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) refused = NULL;
  gint64 n = les_session_set_status_finish (LES_SESSION (object), result, &refused, &error);

  if (refused != NULL && refused->len > 0)
    {
      g_autofree char *left = g_strdup_printf (ngettext ("%u claim was decided on meanwhile and left as it is",
                                                         "%u claims were decided on meanwhile and left as they are",
                                                         refused->len), refused->len);

      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", left);
    }
  /* a change made is offered for Undo by the window, from the session */
  if (n < 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-error", "s", error->message);
  else if (n == 0 && (refused == NULL || refused->len == 0))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s",
                                _("Nothing changed: the claims already had that status"));
}

/**
 * les_claims_page_apply_status:
 * @reason: (nullable): required for every status but submitted and approved
 *
 * Sets @status on the selected claims through the session, as the buttons
 * do once a reason is given.  Returns whether the change was started.
 */
gboolean
les_claims_page_apply_status (LesClaimsPage *self, LesClaimStatus status, const char *reason)
{
  g_autoptr(GtkBitset) selected = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) seen = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LesClaimQuery) query = NULL;
  g_autofree char *text = g_strstrip (g_strdup (reason != NULL ? reason : ""));
  LesSession *session;
  guint64 n_selected;
  guint n;

  g_return_val_if_fail (LES_IS_CLAIMS_PAGE (self), FALSE);
  g_return_val_if_fail (status < LES_N_CLAIM_STATUSES, FALSE);

  session = les_page_get_session (LES_PAGE (self));
  if (session == NULL || self->list == NULL)
    return FALSE;
  if (les_claim_status_needs_reason (status) && text[0] == '\0')
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-error", "s", _("Give a reason for the change"));
      return FALSE;
    }
  selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  n_selected = gtk_bitset_get_size (selected);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->list));
  if (n_selected == 0)
    return FALSE;
  /* everything the filters match: the ids are read inside the write */
  if (n_selected == n && !les_claim_list_is_counting (self->list))
    query = les_claim_list_dup_query (self->list);
  else if ((ids = selected_ids (self, &seen, &error)) == NULL)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-error", "s", error->message);
      return FALSE;
    }
  les_session_set_status_async (session, ids, seen, query, status, text[0] != '\0' ? text : NULL,
                                status_done_cb, g_object_ref (self));
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  return TRUE;
}

static void clear_filter_widgets (LesClaimsPage *self);

/* Starts a change of status of @ids (or of every claim @query matches) as a write of the session's */
static void
start_status_change (LesClaimsPage *self, GArray *ids, LesClaimQuery *query, LesClaimStatus status,
                     const char *reason)
{
  LesSession *session = les_page_get_session (LES_PAGE (self));

  g_assert (ids != NULL || query != NULL);
  if (session == NULL)
    return;
  /* the approval check has read the claims again: no statuses seen to compare */
  les_session_set_status_async (session, ids, NULL, query, status, reason, status_done_cb, g_object_ref (self));
}

/* The status a reason is asked for, until the dialog is answered */
typedef struct
{
  LesClaimsPage  *page;
  LesClaimStatus  status;
  GArray         *ids;        /* the pane's claim; NULL: the selection */
  gboolean        answered;
} ReasonRequest;

static void
reason_request_free (gpointer data, GClosure *closure)
{
  ReasonRequest *request = data;

  g_object_unref (request->page);
  g_clear_pointer (&request->ids, g_array_unref);
  g_free (request);
}

static void
reason_response_cb (AdwMessageDialog *dialog, const char *response, ReasonRequest *request)
{
  g_autofree char *reason = les_reason_dialog_dup_reason (dialog);

  /* one answer: a second press of the button or of Enter changes nothing */
  if (request->answered)
    return;
  request->answered = TRUE;
  if (g_strcmp0 (response, "apply") != 0)
    return;
  if (request->ids != NULL)
    start_status_change (request->page, request->ids, NULL, request->status, reason);
  else
    les_claims_page_apply_status (request->page, request->status, reason);
}

/* Asks why before setting @status on @ids (NULL: on the selection, @n claims) */
static void
ask_reason (LesClaimsPage *self, LesClaimStatus status, GArray *ids, guint64 n, const char *ref)
{
  AdwMessageDialog *dialog;
  ReasonRequest *request;
  const char *verb;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;

  if (status == LES_CLAIM_STATUS_QUERIED)
    verb = _("_Query");
  else if (status == LES_CLAIM_STATUS_REJECTED)
    verb = _("_Reject");
  else
    verb = _("_Withdraw");
  if (ref != NULL)
    {
      /* TRANSLATORS: "Query Claim DEMO-000280" */
      if (status == LES_CLAIM_STATUS_QUERIED)
        heading = g_strdup_printf (_("Query Claim %s"), ref);
      else if (status == LES_CLAIM_STATUS_REJECTED)
        heading = g_strdup_printf (_("Reject Claim %s"), ref);
      else
        heading = g_strdup_printf (_("Withdraw Claim %s"), ref);
      body = g_strdup (_("Give the reason. The practice sees it on its statement."));
    }
  else
    {
      g_autofree char *count = les_count_format_display ((gint64) n);

      if (status == LES_CLAIM_STATUS_QUERIED)
        heading = g_strdup (_("Query Claims"));
      else if (status == LES_CLAIM_STATUS_REJECTED)
        heading = g_strdup (_("Reject Claims"));
      else
        heading = g_strdup (_("Withdraw Claims"));
      body = g_strdup_printf (ngettext ("Give the reason for the %s selected claim. The practice sees it on its statement.",
                                        "Give the reason for the %s selected claims. The practice sees it on its statement.",
                                        n), count);
    }
  dialog = les_reason_dialog_new (GTK_WIDGET (self), heading, body, _("Reason"), verb,
                                  status == LES_CLAIM_STATUS_REJECTED ? ADW_RESPONSE_DESTRUCTIVE
                                                                      : ADW_RESPONSE_SUGGESTED);
  request = g_new0 (ReasonRequest, 1);
  request->page = g_object_ref (self);
  request->status = status;
  request->ids = ids != NULL ? g_array_ref (ids) : NULL;
  g_signal_connect_data (dialog, "response", G_CALLBACK (reason_response_cb), request, reason_request_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (adw_message_dialog_get_extra_child (dialog));
}

/* Approving: a selection with errors is asked about first */

/* What approving a selection would approve, sorted on a reader by what the last compute found */
typedef struct
{
  GArray        *ids;          /* the selection's; NULL: read from the query */
  LesClaimQuery *query;
  GArray        *clean;
  GArray        *with_errors;
  GArray        *unchecked;
} ApproveCheck;

static void
approve_check_free (gpointer data)
{
  ApproveCheck *check = data;

  g_clear_pointer (&check->ids, g_array_unref);
  g_clear_pointer (&check->query, les_claim_query_unref);
  g_clear_pointer (&check->clean, g_array_unref);
  g_clear_pointer (&check->with_errors, g_array_unref);
  g_clear_pointer (&check->unchecked, g_array_unref);
  g_free (check);
}

static gpointer
approve_check_func (LesStore *reader, gpointer data, GCancellable *cancellable, GError **error)
{
  ApproveCheck *in = data;
  ApproveCheck *out = g_new0 (ApproveCheck, 1);

  out->ids = in->ids != NULL ? g_array_ref (in->ids) : les_claim_query_dup_ids (in->query, reader, error);
  out->query = in->query != NULL ? les_claim_query_ref (in->query) : NULL;
  if (out->ids == NULL
      || !les_claims_sort_by_check (reader, (const gint64 *) out->ids->data, out->ids->len,
                                    &out->clean, &out->with_errors, &out->unchecked, error))
    {
      approve_check_free (out);
      return NULL;
    }
  return out;
}

typedef struct
{
  LesClaimsPage *page;
  ApproveCheck  *check;
  gboolean       answered;
} ApproveRequest;

static void
approve_request_free (gpointer data, GClosure *closure)
{
  ApproveRequest *request = data;

  g_object_unref (request->page);
  approve_check_free (request->check);
  g_free (request);
}

static void
approve_response_cb (AdwMessageDialog *dialog, const char *response, ApproveRequest *request)
{
  ApproveCheck *check = request->check;

  if (request->answered)
    return;
  request->answered = TRUE;
  if (g_strcmp0 (response, "clean") == 0 && check->clean->len > 0)
    start_status_change (request->page, check->clean, NULL, LES_CLAIM_STATUS_APPROVED, NULL);
  else if (g_strcmp0 (response, "all") == 0)
    start_status_change (request->page, check->ids, NULL, LES_CLAIM_STATUS_APPROVED, NULL);
}

static void
ask_approve (LesClaimsPage *self, ApproveCheck *check)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *n_clean = les_count_format_display (check->clean->len);
  g_autofree char *n_all = les_count_format_display (check->ids->len);
  g_autofree char *n_errors = les_count_format_display (check->with_errors->len);
  g_autofree char *n_unchecked = les_count_format_display (check->unchecked->len);
  g_autofree char *clean_label = NULL;
  g_autofree char *all_label = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  ApproveRequest *request;
  GtkWidget *dialog;

  g_string_append_printf (body, ngettext ("%s of the %s selected claims has errors found by the last compute, "
                                          "such as a late or duplicate claim.",
                                          "%s of the %s selected claims have errors found by the last compute, "
                                          "such as late or duplicate claims.", check->with_errors->len),
                          n_errors, n_all);
  if (check->unchecked->len > 0)
    {
      g_string_append_c (body, ' ');
      g_string_append_printf (body, ngettext ("%s has not been checked by a compute yet.",
                                              "%s have not been checked by a compute yet.", check->unchecked->len),
                              n_unchecked);
    }
  g_string_append_c (body, ' ');
  g_string_append (body, _("Approving only the clean claims leaves the others to be queried or rejected."));
  clean_label = g_strdup_printf (ngettext ("Approve %s _Clean Claim", "Approve %s _Clean Claims", check->clean->len),
                                 n_clean);
  all_label = g_strdup_printf (_("Approve _All %s"), n_all);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Approve Claims With Errors?"), body->str);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "all", all_label,
                                    "clean", clean_label, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "all", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "clean", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "clean", check->clean->len > 0);
  /* the default leaves the errors out */
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), check->clean->len > 0 ? "clean" : "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  request = g_new0 (ApproveRequest, 1);
  request->page = g_object_ref (self);
  request->check = check;
  g_signal_connect_data (dialog, "response", G_CALLBACK (approve_response_cb), request, approve_request_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
approve_checked_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LesClaimsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  ApproveCheck *check = les_session_read_finish (LES_SESSION (object), result, &error);

  g_clear_object (&self->check);
  update_count (self);
  if (check == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && !g_error_matches (error, LES_ERROR, LES_ERROR_CANCELLED))
        gtk_widget_activate_action (GTK_WIDGET (self), "win.show-error", "s", error->message);
      return;
    }
  if (check->with_errors->len == 0)
    {
      /* nothing to ask: as before, everything matched goes by its query */
      if (check->query != NULL)
        start_status_change (self, NULL, check->query, LES_CLAIM_STATUS_APPROVED, NULL);
      else
        start_status_change (self, check->ids, NULL, LES_CLAIM_STATUS_APPROVED, NULL);
      approve_check_free (check);
      return;
    }
  ask_approve (self, check);
}

/* Approves the selection, once a reader has said none has errors, or the user chose */
static void
approve_selection (LesClaimsPage *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) unused_seen = NULL;
  ApproveCheck *check;
  LesSession *session = les_page_get_session (LES_PAGE (self));

  if (session == NULL || self->list == NULL || gtk_bitset_is_empty (selected) || self->check != NULL)
    return;
  check = g_new0 (ApproveCheck, 1);
  /* everything the filters match: its ids are read on the reader */
  if (gtk_bitset_get_size (selected) == g_list_model_get_n_items (G_LIST_MODEL (self->list))
      && !les_claim_list_is_counting (self->list))
    check->query = les_claim_list_dup_query (self->list);
  else if ((check->ids = selected_ids (self, &unused_seen, &error)) == NULL)
    {
      approve_check_free (check);
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-error", "s", error->message);
      return;
    }
  self->check = g_cancellable_new ();
  update_count (self);
  les_session_read_async (session, approve_check_func, check, approve_check_free, approve_check_free,
                          self->check, approve_checked_cb, g_object_ref (self));
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
}

/* "page.set-status" with a status word: at once, or once a reason is given */
static void
set_status_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesClaimsPage *self = LES_CLAIMS_PAGE (widget);
  int status = les_claim_status_from_word (g_variant_get_string (param, NULL));
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

  if (status < 0)
    return;
  if (status == LES_CLAIM_STATUS_APPROVED)
    approve_selection (self);
  else if (!les_claim_status_needs_reason (status))
    les_claims_page_apply_status (self, status, NULL);
  else
    ask_reason (self, status, NULL, gtk_bitset_get_size (selected), NULL);
}

/* "page.decide-claim": the pane's claim approved, queried or rejected */
static void
decide_claim_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesClaimsPage *self = LES_CLAIMS_PAGE (widget);
  int status = les_claim_status_from_word (g_variant_get_string (param, NULL));
  const LesClaimDetail *detail = les_claim_pane_get_detail (self->pane);
  g_autoptr(GArray) ids = NULL;

  if (status < 0 || detail == NULL)
    return;
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_array_append_val (ids, detail->id);
  /* its errors are on screen beside the button, which says "Approve Anyway" */
  if (!les_claim_status_needs_reason (status))
    start_status_change (self, ids, NULL, status, NULL);
  else
    ask_reason (self, status, ids, 1, detail->claim_ref);
}

static void
show_details_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesClaimsPage *self = LES_CLAIMS_PAGE (widget);

  open_pane (self, first_selected_id (self));
}

static void
close_claim_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  close_pane (LES_CLAIMS_PAGE (widget));
}

/* "page.show-claim" with a reference: a duplicate's original, found in the
 * table (every filter cleared, its reference searched) and shown */
static void
show_claim_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesClaimsPage *self = LES_CLAIMS_PAGE (widget);
  const char *ref = g_variant_get_string (param, NULL);

  if (self->list == NULL || ref[0] == '\0')
    return;
  g_free (self->pending_ref);
  self->pending_ref = g_strdup (ref);
  /* one change of filters, one read */
  clear_filter_widgets (self);
  self->updating = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), ref);
  self->updating = FALSE;
  apply_filters (self);
}

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesClaimsPage *self = LES_CLAIMS_PAGE (widget);

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
clear_filter_widgets (LesClaimsPage *self)
{
  self->updating = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->practice_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->pcn_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->item_entry), "");
  gtk_drop_down_set_selected (self->service_dropdown, 0);
  gtk_drop_down_set_selected (self->period_dropdown, 0);
  gtk_drop_down_set_selected (self->status_dropdown, 0);
  gtk_drop_down_set_selected (self->finding_dropdown, 0);
  self->updating = FALSE;
}

static void
clear_filters_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesClaimsPage *self = LES_CLAIMS_PAGE (widget);

  clear_filter_widgets (self);
  apply_filters (self);
}

typedef struct
{
  LesClaimQuery *query;
  GFile         *file;
} ExportData;

static void
export_data_free (gpointer data)
{
  ExportData *d = data;

  les_claim_query_unref (d->query);
  g_object_unref (d->file);
  g_free (d);
}

/* On the worker: the claims shown, in their order, written to a temporary
 * file that replaces the chosen one only when complete */
static gboolean
export_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  ExportData *d = data;
  g_autoptr(GFileOutputStream) out = g_file_replace (d->file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, error);

  if (out == NULL)
    return FALSE;
  if (!les_claim_query_export (d->query, store, G_OUTPUT_STREAM (out), cancellable, error))
    {
      /* closing a cancelled replace keeps the old file */
      g_autoptr(GCancellable) cancelled = g_cancellable_new ();

      g_cancellable_cancel (cancelled);
      g_output_stream_close (G_OUTPUT_STREAM (out), cancelled, NULL);
      return FALSE;
    }
  return g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, error);
}

static void
export_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LesClaimsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!les_session_run_finish (LES_SESSION (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_widget_activate_action (GTK_WIDGET (self), "win.show-error", "s", error->message);
    }
  else
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", _("Claims exported"));
}

/* Exports the claims shown, in their order, as a job of the session's
 * (the progress strip, Cancel); it changes nothing */
gboolean
les_claims_page_export_to (LesClaimsPage *self, GFile *file)
{
  g_autoptr(LesJob) job = NULL;
  ExportData *d;

  g_return_val_if_fail (LES_IS_CLAIMS_PAGE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (self->list == NULL || les_page_get_session (LES_PAGE (self)) == NULL)
    return FALSE;
  d = g_new0 (ExportData, 1);
  d->query = les_claim_list_dup_query (self->list);
  d->file = g_object_ref (file);
  job = les_job_new (_("Exporting claims…"), export_func, d, export_data_free);
  les_session_run_async (les_page_get_session (LES_PAGE (self)), job, 0, export_done_cb, g_object_ref (self));
  return TRUE;
}

static void
export_response_cb (GtkNativeDialog *dialog, int response, LesClaimsPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      les_claims_page_export_to (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
les_claims_page_export (LesPage *page)
{
  GtkWidget *widget = GTK_WIDGET (page);
  LesClaimsPage *self = LES_CLAIMS_PAGE (widget);
  GtkFileChooserNative *chooser;
  g_autofree char *year = les_year_format (les_page_get_year (page));
  g_autofree char *name = g_strdup_printf ("claims-%.4s-%s.csv", year, year + 5);

  if (self->list == NULL)
    return;
  chooser = gtk_file_chooser_native_new (_("Export Claims"), GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Overrides */

static void
les_claims_page_session_replaced (LesSessionWidget *widget)
{
  LesClaimsPage *self = LES_CLAIMS_PAGE (widget);

  gtk_multi_selection_set_model (self->selection, NULL);
  g_clear_object (&self->list);
  hide_pane (self);
  LES_SESSION_WIDGET_CLASS (les_claims_page_parent_class)->session_replaced (widget);
}

static void
les_claims_page_dispose (GObject *object)
{
  LesClaimsPage *self = (LesClaimsPage *) object;

  if (self->column_view != NULL)
    g_signal_handlers_disconnect_by_func (gtk_column_view_get_sorter (self->column_view), sorter_changed_cb, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LES_TYPE_CLAIMS_PAGE);
  /* before the rows the cells follow */
  g_clear_pointer (&self->cells, g_hash_table_unref);
  g_clear_object (&self->selection);
  g_clear_object (&self->list);
  g_clear_object (&self->probe_a);
  g_clear_object (&self->probe_b);
  g_cancellable_cancel (self->check);
  g_clear_object (&self->check);

  G_OBJECT_CLASS (les_claims_page_parent_class)->dispose (object);
}

static void
les_claims_page_finalize (GObject *object)
{
  LesClaimsPage *self = (LesClaimsPage *) object;

  g_ptr_array_unref (self->column_data);
  g_strfreev (self->service_codes);
  g_strfreev (self->finding_codes);
  g_free (self->pending_finding);
  g_free (self->pending_ref);

  G_OBJECT_CLASS (les_claims_page_parent_class)->finalize (object);
}

static void
les_claims_page_class_init (LesClaimsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LesPageClass *page_class = LES_PAGE_CLASS (klass);

  object_class->dispose = les_claims_page_dispose;
  object_class->finalize = les_claims_page_finalize;
  page_class->reload = les_claims_page_reload;
  page_class->export = les_claims_page_export;
  LES_SESSION_WIDGET_CLASS (klass)->session_replaced = les_claims_page_session_replaced;
  LES_SESSION_WIDGET_CLASS (klass)->changed = les_claims_page_changed;

  g_type_ensure (LES_TYPE_CLAIM_PANE);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/lesclaims/LesClaims/les-claims-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, search_bar);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, practice_entry);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, pcn_entry);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, service_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, item_entry);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, period_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, finding_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, count_spinner);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, filters_button);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, list_box);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, pane_separator);
  gtk_widget_class_bind_template_child (widget_class, LesClaimsPage, pane);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, folded_changed_cb);

  gtk_widget_class_install_action (widget_class, "page.set-status", "s", set_status_action);
  gtk_widget_class_install_action (widget_class, "page.decide-claim", "s", decide_claim_action);
  gtk_widget_class_install_action (widget_class, "page.show-details", NULL, show_details_action);
  gtk_widget_class_install_action (widget_class, "page.close-claim", NULL, close_claim_action);
  gtk_widget_class_install_action (widget_class, "page.show-claim", "s", show_claim_action);
  gtk_widget_class_install_action (widget_class, "page.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "page.clear-filters", NULL, clear_filters_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "page.set-status", "s", "approved");

}

static void
les_claims_page_init (LesClaimsPage *self)
{
  const char *a[LES_N_CLAIM_FIELDS] = { NULL }, *b[LES_N_CLAIM_FIELDS] = { NULL };

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cells = g_hash_table_new_full (NULL, NULL, NULL, cell_free);
  self->column_data = g_ptr_array_new_with_free_func (g_free);
  self->probed_field = -1;
  self->probe_a = les_claim_row_new (1, a);
  self->probe_b = les_claim_row_new (2, b);
  self->selection = gtk_multi_selection_new (NULL);
  g_signal_connect (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb), self);
  g_signal_connect (self->selection, "items-changed", G_CALLBACK (items_changed_cb), self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  build_columns (self);
  restore_sort (self);
  g_signal_connect_swapped (self->column_view, "activate", G_CALLBACK (column_view_activated_cb), self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.set-status", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.show-details", FALSE);
  folded_changed_cb (self);
}

LesClaimList *
les_claims_page_get_list (LesClaimsPage *self)
{
  g_return_val_if_fail (LES_IS_CLAIMS_PAGE (self), NULL);
  if (les_page_get_dirty (LES_PAGE (self)) || self->list == NULL)
    les_page_reload (LES_PAGE (self));
  return self->list;
}

GtkSelectionModel *
les_claims_page_get_selection (LesClaimsPage *self)
{
  g_return_val_if_fail (LES_IS_CLAIMS_PAGE (self), NULL);
  return GTK_SELECTION_MODEL (self->selection);
}

void
les_claims_page_show_finding (LesClaimsPage *self, const char *code)
{
  g_return_if_fail (LES_IS_CLAIMS_PAGE (self));

  if (les_page_get_dirty (LES_PAGE (self)) || self->finding_codes == NULL)
    {
      /* Applied once the page has loaded the year's findings */
      g_free (self->pending_finding);
      self->pending_finding = g_strdup (code);
      return;
    }
  self->updating = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (finding_choices); i++)
    if (g_strcmp0 (finding_choices[i].value, code) == 0)
      gtk_drop_down_set_selected (self->finding_dropdown, i);
  for (guint i = 0; code != NULL && self->finding_codes[i] != NULL; i++)
    if (g_strcmp0 (self->finding_codes[i], code) == 0)
      gtk_drop_down_set_selected (self->finding_dropdown, i + G_N_ELEMENTS (finding_choices));
  self->updating = FALSE;
  apply_filters (self);
}

void
les_claims_page_set_text (LesClaimsPage *self, const char *text)
{
  g_return_if_fail (LES_IS_CLAIMS_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  apply_filters (self);
}

/* The pane that shows one claim (for tests) */
LesClaimPane *
les_claims_page_get_pane (LesClaimsPage *self)
{
  g_return_val_if_fail (LES_IS_CLAIMS_PAGE (self), NULL);
  return self->pane;
}

/* Opens the claim at @position in the pane, as activating its row does */
void
les_claims_page_show_claim_at (LesClaimsPage *self, guint position)
{
  g_return_if_fail (LES_IS_CLAIMS_PAGE (self));

  if (self->list != NULL && position < g_list_model_get_n_items (G_LIST_MODEL (self->list)))
    {
      gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
      column_view_activated_cb (self, position);
    }
}
