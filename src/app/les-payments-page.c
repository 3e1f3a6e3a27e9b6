/* les-payments-page.c: the Payments screen — reconciliation by service, drilling down to PCN, practice and lines, with explanations. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "les-compute.h"
#include "les-payments-page.h"
#include "les-queries.h"
#include "les-runs-panel.h"
#include "les-value.h"

struct _LesPaymentsPage
{
  LesPage      parent_instance;

  GtkLabel      *crumb_label;
  GtkSearchEntry *search_entry;
  GtkStack      *stack;
  LesTableView  *table;
  GtkRevealer   *explain_revealer;
  GtkTextView   *explain_view;
  GtkLabel      *hint_label;

  guint          level;
  char          *service;
  char          *pcn;
  char          *practice;
};

G_DEFINE_FINAL_TYPE (LesPaymentsPage, les_payments_page, LES_TYPE_PAGE)

/* Which table to read: the level and the keys above it */
typedef struct
{
  guint  level;
  char  *service;
  char  *pcn;
  char  *practice;
} PaymentsArgs;

static void
payments_args_free (gpointer data)
{
  PaymentsArgs *a = data;

  g_free (a->service);
  g_free (a->pcn);
  g_free (a->practice);
  g_free (a);
}

/* The table read, which the fill gives to the view */
typedef struct
{
  LesTable *table;
} PaymentsData;

static void
payments_data_free (gpointer data)
{
  PaymentsData *d = data;

  g_clear_pointer (&d->table, les_table_free);
  g_free (d);
}

static gpointer
payments_load (LesStore *store, int year, gpointer args, GError **error)
{
  PaymentsArgs *a = args;
  LesTable *table;
  PaymentsData *d;

  switch (a->level)
    {
    case 0:
      table = les_queries_payments_by_service (store, year, error);
      break;
    case 1:
      table = les_queries_payments_by_pcn (store, year, a->service, error);
      break;
    case 2:
      table = les_queries_payments_by_practice (store, year, a->service, a->pcn, error);
      break;
    default:
      table = les_queries_payment_lines (store, year, a->service, a->practice, error);
      break;
    }
  if (table == NULL)
    return NULL;
  d = g_new0 (PaymentsData, 1);
  d->table = table;
  return d;
}

static void
payments_fill (LesPage *page, gpointer result, const GError *error)
{
  LesPaymentsPage *self = LES_PAYMENTS_PAGE (page);
  PaymentsData *d = result;

  if (d == NULL)
    {
      g_warning ("Cannot read the payments: %s", error->message);
      return;
    }
  les_table_view_set_table (self->table, g_steal_pointer (&d->table));
  gtk_stack_set_visible_child_name (self->stack, les_table_view_get_n_rows (self->table) > 0 ? "table" : "empty");
  gtk_revealer_set_reveal_child (self->explain_revealer, FALSE);
}

static void
les_payments_page_reload (LesPage *page)
{
  LesPaymentsPage *self = LES_PAYMENTS_PAGE (page);
  g_autofree char *year = NULL;
  g_autofree char *crumbs = NULL;
  g_autofree char *export_name = NULL;
  PaymentsArgs *args;
  const char *hint;

  if (les_page_get_store (page) == NULL || les_page_get_year (page) == 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  year = les_year_format (les_page_get_year (page));
  switch (self->level)
    {
    case 0:
      crumbs = g_markup_printf_escaped ("<b>%s</b>", _("All services"));
      export_name = g_strdup_printf ("reconciliation-%.4s-%s.csv", year, year + 5);
      hint = _("Budget, payable, held, ledger and forecast per service. Open a service to see its PCNs.");
      break;
    case 1:
      crumbs = g_markup_printf_escaped ("%s › <b>%s</b>", _("All services"), self->service);
      export_name = g_strdup_printf ("payments-%s-by-pcn-%.4s-%s.csv", self->service, year, year + 5);
      hint = _("What the service pays each PCN’s practices. Open a PCN to see its practices.");
      break;
    case 2:
      crumbs = g_markup_printf_escaped ("%s › %s › <b>%s</b>", _("All services"), self->service, self->pcn);
      export_name = g_strdup_printf ("payments-%s-%s-%.4s-%s.csv", self->service, self->pcn, year, year + 5);
      hint = _("Open a practice to see its payment lines.");
      break;
    default:
      crumbs = g_markup_printf_escaped ("%s › %s › %s › <b>%s</b>", _("All services"), self->service, self->pcn,
                                        self->practice);
      export_name = g_strdup_printf ("payments-%s-%s-%.4s-%s.csv", self->service, self->practice, year, year + 5);
      hint = _("Open a line to see how it was computed.");
      break;
    }
  gtk_label_set_markup (self->crumb_label, crumbs);
  gtk_label_set_text (self->hint_label, hint);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.up", self->level > 0);
  les_table_view_set_export_name (self->table, export_name);

  args = g_new0 (PaymentsArgs, 1);
  args->level = self->level;
  args->service = g_strdup (self->service);
  args->pcn = g_strdup (self->pcn);
  args->practice = g_strdup (self->practice);
  les_page_load (page, payments_load, args, payments_args_free, payments_fill, payments_data_free);
}

static void
explain (LesPaymentsPage *self, LesRow *row)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lines = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  gint32 period;

  if (!les_period_parse (les_row_get_text (row, 1), &period, &error))
    return;
  lines = les_compute_explain (les_page_get_store (LES_PAGE (self)), les_page_get_year (LES_PAGE (self)),
                               self->practice, self->service, les_row_get_text (row, 0), period, &error);
  if (lines == NULL)
    g_string_append (text, error->message);
  else
    for (guint i = 0; i < lines->len; i++)
      {
        g_string_append (text, g_ptr_array_index (lines, i));
        g_string_append_c (text, '\n');
      }
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->explain_view), text->str, -1);
  gtk_revealer_set_reveal_child (self->explain_revealer, TRUE);
}

static void
row_activated_cb (LesTableView *table, LesRow *row, LesPaymentsPage *self)
{
  const char *key = les_row_get_text (row, 0);

  switch (self->level)
    {
    case 0:
      g_free (self->service);
      self->service = g_strdup (key);
      break;
    case 1:
      g_free (self->pcn);
      self->pcn = g_strdup (key);
      break;
    case 2:
      g_free (self->practice);
      self->practice = g_strdup (key);
      break;
    default:
      explain (self, row);
      return;
    }
  self->level++;
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  les_page_reload (LES_PAGE (self));
}

static void
search_changed_cb (GtkSearchEntry *entry, LesPaymentsPage *self)
{
  les_table_view_set_search (self->table, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
up_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  les_payments_page_up (LES_PAYMENTS_PAGE (widget));
}

static void
les_payments_page_export (LesPage *page)
{
  les_table_view_export (LES_PAYMENTS_PAGE (page)->table);
}

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  gtk_widget_grab_focus (GTK_WIDGET (LES_PAYMENTS_PAGE (widget)->search_entry));
}

static void
les_payments_page_session_replaced (LesSessionWidget *widget)
{
  LES_PAYMENTS_PAGE (widget)->level = 0;
  LES_SESSION_WIDGET_CLASS (les_payments_page_parent_class)->session_replaced (widget);
}

static void
les_payments_page_year_replaced (LesPage *page)
{
  LES_PAYMENTS_PAGE (page)->level = 0;
}

static void
les_payments_page_dispose (GObject *object)
{
  LesPaymentsPage *self = (LesPaymentsPage *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), LES_TYPE_PAYMENTS_PAGE);

  G_OBJECT_CLASS (les_payments_page_parent_class)->dispose (object);
}

static void
les_payments_page_finalize (GObject *object)
{
  LesPaymentsPage *self = (LesPaymentsPage *) object;

  g_free (self->service);
  g_free (self->pcn);
  g_free (self->practice);

  G_OBJECT_CLASS (les_payments_page_parent_class)->finalize (object);
}

static void
les_payments_page_class_init (LesPaymentsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LesPageClass *page_class = LES_PAGE_CLASS (klass);

  object_class->dispose = les_payments_page_dispose;
  object_class->finalize = les_payments_page_finalize;
  page_class->reload = les_payments_page_reload;
  /* what a compute wrote, the budgets and ledger beside it, and what runs paid */
  page_class->shows = LES_CHANGE_PAYMENTS | LES_CHANGE_SERVICES | LES_CHANGE_REFERENCE | LES_CHANGE_RUNS;
  page_class->export = les_payments_page_export;
  LES_SESSION_WIDGET_CLASS (klass)->session_replaced = les_payments_page_session_replaced;
  page_class->year_replaced = les_payments_page_year_replaced;

  g_type_ensure (LES_TYPE_TABLE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/lesclaims/LesClaims/les-payments-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LesPaymentsPage, crumb_label);
  gtk_widget_class_bind_template_child (widget_class, LesPaymentsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LesPaymentsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, LesPaymentsPage, table);
  gtk_widget_class_bind_template_child (widget_class, LesPaymentsPage, explain_revealer);
  gtk_widget_class_bind_template_child (widget_class, LesPaymentsPage, explain_view);
  gtk_widget_class_bind_template_child (widget_class, LesPaymentsPage, hint_label);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);

  gtk_widget_class_install_action (widget_class, "page.up", NULL, up_action);
  gtk_widget_class_install_action (widget_class, "page.search", NULL, search_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, GDK_ALT_MASK, "page.up", NULL);
  g_type_ensure (LES_TYPE_RUNS_PANEL);
}

static void
les_payments_page_init (LesPaymentsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

LesTableView *
les_payments_page_get_table (LesPaymentsPage *self)
{
  g_return_val_if_fail (LES_IS_PAYMENTS_PAGE (self), NULL);
  les_page_reload_if_dirty (LES_PAGE (self));
  return self->table;
}

guint
les_payments_page_get_level (LesPaymentsPage *self)
{
  g_return_val_if_fail (LES_IS_PAYMENTS_PAGE (self), 0);
  return self->level;
}

void
les_payments_page_up (LesPaymentsPage *self)
{
  g_return_if_fail (LES_IS_PAYMENTS_PAGE (self));
  if (self->level == 0)
    return;
  self->level--;
  les_page_reload (LES_PAGE (self));
}

char *
les_payments_page_dup_explanation (LesPaymentsPage *self)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  g_return_val_if_fail (LES_IS_PAYMENTS_PAGE (self), NULL);
  if (!gtk_revealer_get_reveal_child (self->explain_revealer))
    return NULL;
  buffer = gtk_text_view_get_buffer (self->explain_view);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}
