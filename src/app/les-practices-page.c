/* les-practices-page.c: the Practices screen — every practice with PCN and list size, and one practice's details. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "les-practices-page.h"
#include "les-queries.h"
#include "les-value.h"

struct _LesPracticesPage
{
  LesPage       parent_instance;

  GtkStack       *stack;
  GtkSearchEntry *search_entry;
  LesTableView   *table;
  GtkStack       *detail_stack;
  GtkLabel       *practice_title;
  GtkLabel       *practice_subtitle;
  GtkStack       *tables_stack;
  GtkWidget      *tables_switcher;
  LesTableView   *detail_tables[LES_PRACTICE_PAYMENTS + 1];

  char           *practice;
};

G_DEFINE_FINAL_TYPE (LesPracticesPage, les_practices_page, LES_TYPE_PAGE)

static const struct {
  const char *name;
  const char *title;
} detail_pages[] = {
  { "list-sizes", N_("List Sizes") },
  { "signups", N_("Sign-ups") },
  { "cohorts", N_("Cohorts") },
  { "allocations", N_("Allocations") },
  { "claims", N_("Claims") },
  { "payments", N_("Payments") },
};

/* What the screen shows, read on a worker thread (or at once) */
typedef struct
{
  LesTable *list;                             /* NULL when only the detail was read */
  char     *practice;                         /* the one whose detail was read, if any */
  LesTable *detail[G_N_ELEMENTS (detail_pages)];
} PracticesData;

static void
practices_data_free (gpointer data)
{
  PracticesData *d = data;

  g_clear_pointer (&d->list, les_table_free);
  for (guint i = 0; i < G_N_ELEMENTS (detail_pages); i++)
    g_clear_pointer (&d->detail[i], les_table_free);
  g_free (d->practice);
  g_free (d);
}

static void
read_detail (LesStore *store, int year, PracticesData *d)
{
  for (guint i = 0; d->practice != NULL && i < G_N_ELEMENTS (detail_pages); i++)
    {
      g_autoptr(GError) error = NULL;

      d->detail[i] = les_queries_practice_table (store, i, d->practice, year, &error);
      if (d->detail[i] == NULL)
        g_warning ("Cannot read the practice’s %s: %s", detail_pages[i].name, error->message);
    }
}

static gpointer
practices_load (LesStore *store, int year, gpointer args, GError **error)
{
  PracticesData *d = g_new0 (PracticesData, 1);

  d->list = les_queries_practices (store, year, error);
  if (d->list == NULL)
    {
      practices_data_free (d);
      return NULL;
    }
  d->practice = g_strdup (args);
  read_detail (store, year, d);
  return d;
}

static void
fill_detail (LesPracticesPage *self, PracticesData *d)
{
  g_autofree char *year = les_year_format (les_page_get_year (LES_PAGE (self)));

  if (self->practice == NULL)
    {
      gtk_stack_set_visible_child_name (self->detail_stack, "none");
      return;
    }
  /* Another practice was opened while this one was read: it is shown already */
  if (g_strcmp0 (d->practice, self->practice) != 0)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (detail_pages); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s-%s-%.4s-%s.csv", self->practice, detail_pages[i].name, year, year + 5);

      if (d->detail[i] == NULL)
        continue;
      les_table_view_set_table (self->detail_tables[i], g_steal_pointer (&d->detail[i]));
      les_table_view_set_export_name (self->detail_tables[i], name);
    }
  gtk_stack_set_visible_child_name (self->detail_stack, "detail");
}

static void
load_detail (LesPracticesPage *self)
{
  PracticesData *d = g_new0 (PracticesData, 1);

  d->practice = g_strdup (self->practice);
  read_detail (les_page_get_store (LES_PAGE (self)), les_page_get_year (LES_PAGE (self)), d);
  fill_detail (self, d);
  practices_data_free (d);
}

static void
practices_fill (LesPage *page, gpointer result, const GError *error)
{
  LesPracticesPage *self = LES_PRACTICES_PAGE (page);
  PracticesData *d = result;

  if (d == NULL)
    {
      g_warning ("Cannot list the practices: %s", error->message);
      return;
    }
  /* the table on screen first: it then fills a step a frame */
  gtk_stack_set_visible_child_name (self->stack, g_list_model_get_n_items (d->list->rows) > 0 ? "content" : "empty");
  les_table_view_set_table (self->table, g_steal_pointer (&d->list));
  les_table_view_set_export_name (self->table, "practices.csv");
  fill_detail (self, d);
}

static void
les_practices_page_reload (LesPage *page)
{
  LesPracticesPage *self = LES_PRACTICES_PAGE (page);

  if (les_page_get_store (page) == NULL)
    return;
  les_page_load (page, practices_load, g_strdup (self->practice), g_free, practices_fill, practices_data_free);
}

static void
row_activated_cb (LesTableView *table, LesRow *row, LesPracticesPage *self)
{
  g_autofree char *subtitle = NULL;

  g_free (self->practice);
  self->practice = g_strdup (les_row_get_text (row, 0));
  gtk_label_set_text (self->practice_title, les_row_get_text (row, 1));
  /* Translators: "M83001 · PCN U12345 Central Manchester · list 9,812" */
  subtitle = g_strdup_printf (_("%s · PCN %s %s · list %s"), les_row_get_text (row, 0), les_row_get_text (row, 2),
                              les_row_get_text (row, 3), les_row_get_text (row, 4));
  gtk_label_set_text (self->practice_subtitle, subtitle);
  load_detail (self);
}

static void
search_changed_cb (GtkSearchEntry *entry, LesPracticesPage *self)
{
  les_table_view_set_search (self->table, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  gtk_widget_grab_focus (GTK_WIDGET (LES_PRACTICES_PAGE (widget)->search_entry));
}

static void
les_practices_page_export (LesPage *page)
{
  GtkWidget *widget = GTK_WIDGET (page);
  LesPracticesPage *self = LES_PRACTICES_PAGE (widget);
  GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (widget));

  /* The table with the focus, or the list of practices */
  for (guint i = 0; i < G_N_ELEMENTS (detail_pages); i++)
    if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->detail_tables[i])))
      {
        les_table_view_export (self->detail_tables[i]);
        return;
      }
  les_table_view_export (self->table);
}

static void
les_practices_page_session_replaced (LesSessionWidget *widget)
{
  LesPracticesPage *self = LES_PRACTICES_PAGE (widget);

  g_clear_pointer (&self->practice, g_free);
  LES_SESSION_WIDGET_CLASS (les_practices_page_parent_class)->session_replaced (widget);
}

static void
les_practices_page_dispose (GObject *object)
{
  LesPracticesPage *self = (LesPracticesPage *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), LES_TYPE_PRACTICES_PAGE);

  G_OBJECT_CLASS (les_practices_page_parent_class)->dispose (object);
}

static void
les_practices_page_finalize (GObject *object)
{
  LesPracticesPage *self = (LesPracticesPage *) object;

  g_free (self->practice);

  G_OBJECT_CLASS (les_practices_page_parent_class)->finalize (object);
}

static void
les_practices_page_class_init (LesPracticesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LesPageClass *page_class = LES_PAGE_CLASS (klass);

  object_class->dispose = les_practices_page_dispose;
  object_class->finalize = les_practices_page_finalize;
  page_class->reload = les_practices_page_reload;
  /* practices, list sizes, sign-ups …, and a practice's claims and payments */
  page_class->shows = LES_CHANGE_REFERENCE | LES_CHANGE_SERVICES | LES_CHANGE_CLAIMS | LES_CHANGE_PAYMENTS;
  page_class->export = les_practices_page_export;
  LES_SESSION_WIDGET_CLASS (klass)->session_replaced = les_practices_page_session_replaced;

  g_type_ensure (LES_TYPE_TABLE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/lesclaims/LesClaims/les-practices-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LesPracticesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, LesPracticesPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LesPracticesPage, table);
  gtk_widget_class_bind_template_child (widget_class, LesPracticesPage, tables_switcher);
  gtk_widget_class_bind_template_child (widget_class, LesPracticesPage, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, LesPracticesPage, practice_title);
  gtk_widget_class_bind_template_child (widget_class, LesPracticesPage, practice_subtitle);
  gtk_widget_class_bind_template_child (widget_class, LesPracticesPage, tables_stack);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);

  gtk_widget_class_install_action (widget_class, "page.search", NULL, search_action);
}

static void
les_practices_page_init (LesPracticesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Tabs as wide as their titles: six equal ones would need ~800 px and
   * squeeze the list of practices beside them */
  gtk_box_layout_set_homogeneous (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (self->tables_switcher)), FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (detail_pages); i++)
    {
      GtkWidget *view = les_table_view_new ();

      gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, _(detail_pages[i].title), -1);
      gtk_stack_add_titled (self->tables_stack, view, detail_pages[i].name, _(detail_pages[i].title));
      self->detail_tables[i] = LES_TABLE_VIEW (view);
    }
}

LesTableView *
les_practices_page_get_table (LesPracticesPage *self)
{
  g_return_val_if_fail (LES_IS_PRACTICES_PAGE (self), NULL);
  les_page_reload_if_dirty (LES_PAGE (self));
  return self->table;
}

void
les_practices_page_show_practice (LesPracticesPage *self, const char *practice_code)
{
  g_return_if_fail (LES_IS_PRACTICES_PAGE (self));

  les_page_reload_if_dirty (LES_PAGE (self));
  for (guint i = 0; i < les_table_view_get_n_visible (self->table); i++)
    {
      LesRow *row = les_table_view_get_visible_row (self->table, i);

      if (g_strcmp0 (les_row_get_text (row, 0), practice_code) == 0)
        {
          les_table_view_activate (self->table, i);
          return;
        }
    }
}
