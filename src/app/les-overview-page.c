/* les-overview-page.c: the Overview screen — the year's budget, spend and forecast per service, totals and findings. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "les-chart.h"
#include "les-error.h"
#include "les-finding-row.h"
#include "les-overview-page.h"
#include "les-queries.h"
#include "les-results.h"
#include "les-value.h"

struct _LesOverviewPage
{
  LesPage      parent_instance;

  GtkStack      *stack;
  GtkLabel      *title_label;
  GtkLabel      *computed_label;
  GtkBox        *totals_box;
  LesChart      *chart;
  GtkListBox    *findings_list;
  LesTableView  *table;

  gint64         total_payable;
  GListStore    *findings;        /* LesFindingRow, as shown */
};

G_DEFINE_FINAL_TYPE (LesOverviewPage, les_overview_page, LES_TYPE_PAGE)

static GtkWidget *
total_card (const char *caption, gint64 pence, const char *css)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  g_autofree char *money = les_money_format_display (pence);
  GtkWidget *value = gtk_label_new (money);
  GtkWidget *label = gtk_label_new (caption);

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (box, "total-card");
  if (css != NULL)
    gtk_widget_add_css_class (box, css);
  gtk_widget_add_css_class (value, "title-3");
  gtk_widget_add_css_class (value, "numeric");
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value), 0);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), value);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL, caption, -1);
  return box;
}

static void
clear_box (GtkBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
}

/* What the overview shows, read on a worker thread */
typedef struct
{
  gboolean  computed;
  char     *computed_at;
  char     *to_period;
  GArray   *recon;        /* LesReconciliationRow */
  LesTable *by_service;
  GListModel *findings;   /* LesFindingRow */
} OverviewData;

static void
overview_data_free (gpointer data)
{
  OverviewData *d = data;

  g_free (d->computed_at);
  g_free (d->to_period);
  g_clear_pointer (&d->recon, g_array_unref);
  g_clear_pointer (&d->by_service, les_table_free);
  g_clear_object (&d->findings);
  g_free (d);
}

static gpointer
overview_load (LesStore *store, int year, gpointer args, GError **error)
{
  OverviewData *d = g_new0 (OverviewData, 1);
  g_autoptr(GError) local_error = NULL;

  d->computed = les_queries_last_compute (store, year, &d->computed_at, &d->to_period);
  d->recon = les_results_reconciliation (store, year, &local_error);
  if (d->recon == NULL)
    {
      /* Not computed yet: the page says so, and the figures are empty */
      if (!g_error_matches (local_error, LES_ERROR, LES_ERROR_NOT_FOUND))
        g_warning ("Cannot read the reconciliation: %s", local_error->message);
      g_clear_error (&local_error);
      d->recon = g_array_new (FALSE, TRUE, sizeof (LesReconciliationRow));
    }
  d->by_service = les_queries_payments_by_service (store, year, NULL);
  d->findings = les_finding_rows_read (store, year, NULL);
  return d;
}

/* A finding's row: its code, an example, how many; a link to the claims
 * concerned, or to the payments for findings about budgets and allocations */
static GtkWidget *
create_finding_row (gpointer item, gpointer user_data)
{
  LesFindingRow *finding = item;
  GtkWidget *row = adw_action_row_new ();
  gboolean error = g_strcmp0 (les_finding_row_get_severity (finding), "error") == 0;
  gboolean claims = les_finding_row_get_n_claims (finding) > 0;
  g_autofree char *escaped = g_markup_escape_text (les_finding_row_get_message (finding), -1);
  GtkWidget *icon = gtk_image_new_from_icon_name (error ? "dialog-error-symbolic" : "dialog-warning-symbolic");
  GtkWidget *count = gtk_label_new (les_finding_row_get_count_text (finding));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), les_finding_row_get_code (finding));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
  gtk_widget_add_css_class (icon, error ? "error" : "warning");
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  gtk_widget_add_css_class (count, "numeric");
  gtk_widget_add_css_class (count, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), count);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), claims ? "win.show-finding" : "win.show-page");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s",
                                    claims ? les_finding_row_get_code (finding) : "payments");
  gtk_widget_set_tooltip_text (row, claims ? _("Show the claims concerned") : _("Show the payments"));
  return row;
}

static void
overview_fill (LesPage *page, gpointer result, const GError *error)
{
  LesOverviewPage *self = LES_OVERVIEW_PAGE (page);
  OverviewData *d = result;
  g_autofree char *year = NULL;
  g_autofree char *title = NULL;
  g_autofree char *export_name = NULL;
  gint64 budget = 0, payable = 0, held = 0, ledger = 0, forecast = 0;

  if (d == NULL)
    {
      g_warning ("Cannot read the overview: %s", error->message);
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "content");

  year = les_year_format (les_page_get_year (page));
  /* Translators: the title of the overview, "2024/25" */
  title = g_strdup_printf (_("Financial Year %s"), year);
  gtk_label_set_text (self->title_label, title);
  if (d->computed)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (d->computed_at, NULL);
      g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
      /* Translators: a date and time as strftime() writes it: "23 November 2026 at 20:08" */
      g_autofree char *when = local != NULL ? g_date_time_format (local, _("%-d %B %Y at %H:%M")) : g_strdup (d->computed_at);
      g_autofree char *text = g_strdup_printf (_("Computed up to %s on %s. Compute again after imports and claim decisions."),
                                               d->to_period, when);
      gtk_label_set_text (self->computed_label, text);
    }
  else
    gtk_label_set_text (self->computed_label, _("Not computed yet: the figures below show budgets and ledger only. Compute (Ctrl+R) to work out what is payable."));

  for (guint i = 0; i < d->recon->len; i++)
    {
      const LesReconciliationRow *r = &g_array_index (d->recon, LesReconciliationRow, i);

      budget += r->has_budget ? r->budget : 0;
      payable += r->payable;
      held += r->held;
      ledger += r->ledger;
      forecast += r->forecast;
    }
  self->total_payable = payable;
  les_chart_set_rows (self->chart, d->recon);

  clear_box (self->totals_box);
  gtk_box_append (self->totals_box, total_card (_("Budget"), budget, NULL));
  gtk_box_append (self->totals_box, total_card (_("Payable"), payable, "payable"));
  gtk_box_append (self->totals_box, total_card (_("Held"), held, "held"));
  gtk_box_append (self->totals_box, total_card (_("Ledger"), ledger, "ledger"));
  gtk_box_append (self->totals_box, total_card (_("Forecast"), forecast, forecast > budget ? "over-budget" : "forecast"));

  if (d->by_service != NULL)
    les_table_view_set_table (self->table, g_steal_pointer (&d->by_service));
  export_name = g_strdup_printf ("reconciliation-%.4s-%s.csv", year, year + 5);
  les_table_view_set_export_name (self->table, export_name);
  /* only the rows that changed are built again */
  if (d->findings != NULL)
    les_list_store_update (self->findings, d->findings, les_finding_row_equal);
}

static void
les_overview_page_reload (LesPage *page)
{
  LesOverviewPage *self = LES_OVERVIEW_PAGE (page);

  if (les_page_get_store (page) == NULL || les_page_get_year (page) == 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  les_page_load (page, overview_load, NULL, NULL, overview_fill, overview_data_free);
}

static void
les_overview_page_export (LesPage *page)
{
  les_table_view_export (LES_OVERVIEW_PAGE (page)->table);
}

static void
les_overview_page_dispose (GObject *object)
{
  LesOverviewPage *self = (LesOverviewPage *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), LES_TYPE_OVERVIEW_PAGE);
  g_clear_object (&self->findings);

  G_OBJECT_CLASS (les_overview_page_parent_class)->dispose (object);
}

static void
les_overview_page_class_init (LesOverviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LesPageClass *page_class = LES_PAGE_CLASS (klass);

  object_class->dispose = les_overview_page_dispose;
  page_class->reload = les_overview_page_reload;
  /* services, the ledger and what a compute wrote (payment lines and their
   * totals, findings): claims and the other imports change none of it
   * until the next compute */
  page_class->shows = LES_CHANGE_SERVICES | LES_CHANGE_REFERENCE | LES_CHANGE_PAYMENTS;
  page_class->export = les_overview_page_export;

  g_type_ensure (LES_TYPE_CHART);
  g_type_ensure (LES_TYPE_TABLE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/lesclaims/LesClaims/les-overview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LesOverviewPage, stack);
  gtk_widget_class_bind_template_child (widget_class, LesOverviewPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, LesOverviewPage, computed_label);
  gtk_widget_class_bind_template_child (widget_class, LesOverviewPage, totals_box);
  gtk_widget_class_bind_template_child (widget_class, LesOverviewPage, chart);
  gtk_widget_class_bind_template_child (widget_class, LesOverviewPage, findings_list);
  gtk_widget_class_bind_template_child (widget_class, LesOverviewPage, table);

}

static void
les_overview_page_init (LesOverviewPage *self)
{
  GtkWidget *none = adw_action_row_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (none), _("No findings"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (none), _("Compute the year to check every claim against its rules."));
  gtk_list_box_set_placeholder (self->findings_list, none);
  self->findings = g_list_store_new (LES_TYPE_FINDING_ROW);
  gtk_list_box_bind_model (self->findings_list, G_LIST_MODEL (self->findings), create_finding_row, NULL, NULL);
}

LesTableView *
les_overview_page_get_table (LesOverviewPage *self)
{
  g_return_val_if_fail (LES_IS_OVERVIEW_PAGE (self), NULL);
  return self->table;
}

gint64
les_overview_page_get_total_payable (LesOverviewPage *self)
{
  g_return_val_if_fail (LES_IS_OVERVIEW_PAGE (self), 0);
  les_page_reload_if_dirty (LES_PAGE (self));
  return self->total_payable;
}

/* Findings of the last compute, all codes together. */
guint
les_overview_page_get_n_findings (LesOverviewPage *self)
{
  guint n = 0;

  g_return_val_if_fail (LES_IS_OVERVIEW_PAGE (self), 0);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->findings)); i++)
    {
      g_autoptr(LesFindingRow) finding = g_list_model_get_item (G_LIST_MODEL (self->findings), i);

      n += (guint) les_finding_row_get_count (finding);
    }
  return n;
}
