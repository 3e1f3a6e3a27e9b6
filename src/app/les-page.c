/* les-page.c: the base of the application's screens — a store and a year, reloaded when either or the data changes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-page.h"

typedef struct
{
  LesStore *store;
  gulong    changed_id;
  int       year;
  gboolean  dirty;
} LesPagePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LesPage, les_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_YEAR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
store_changed_cb (LesStore *store, const char *table_name, LesPage *self)
{
  LES_PAGE_GET_CLASS (self)->store_changed (self, table_name);
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesPage *self = LES_PAGE (widget);

  if (LES_PAGE_GET_CLASS (self)->export != NULL)
    LES_PAGE_GET_CLASS (self)->export (self);
}

static void
set_store (LesPage *self, LesStore *store)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);

  if (priv->store == store)
    return;
  if (priv->store != NULL)
    g_clear_signal_handler (&priv->changed_id, priv->store);
  g_set_object (&priv->store, store);
  if (LES_PAGE_GET_CLASS (self)->store_replaced != NULL)
    LES_PAGE_GET_CLASS (self)->store_replaced (self);
  if (store != NULL)
    priv->changed_id = g_signal_connect (store, "changed", G_CALLBACK (store_changed_cb), self);
  les_page_queue_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

static void
set_year (LesPage *self, int year)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);

  if (priv->year == year)
    return;
  priv->year = year;
  if (LES_PAGE_GET_CLASS (self)->year_replaced != NULL)
    LES_PAGE_GET_CLASS (self)->year_replaced (self);
  les_page_queue_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_YEAR]);
}

static void
les_page_real_store_changed (LesPage *self, const char *table_name)
{
  les_page_queue_reload (self);
}

static void
les_page_map (GtkWidget *widget)
{
  LesPage *self = LES_PAGE (widget);

  GTK_WIDGET_CLASS (les_page_parent_class)->map (widget);
  les_page_reload_if_dirty (self);
}

static void
les_page_dispose (GObject *object)
{
  LesPage *self = LES_PAGE (object);
  LesPagePrivate *priv = les_page_get_instance_private (self);

  if (priv->store != NULL)
    g_clear_signal_handler (&priv->changed_id, priv->store);
  g_clear_object (&priv->store);
  /* A page's template has an unbound top box, which the subclass's template disposal does not clear */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (les_page_parent_class)->dispose (object);
}

static void
les_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LesPage *self = LES_PAGE (object);
  LesPagePrivate *priv = les_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, priv->store);
      break;
    case PROP_YEAR:
      g_value_set_int (value, priv->year);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
les_page_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LesPage *self = LES_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      set_store (self, g_value_get_object (value));
      break;
    case PROP_YEAR:
      set_year (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
les_page_class_init (LesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = les_page_dispose;
  object_class->get_property = les_page_get_property;
  object_class->set_property = les_page_set_property;
  widget_class->map = les_page_map;
  klass->store_changed = les_page_real_store_changed;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, LES_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_YEAR] =
    g_param_spec_int ("year", NULL, NULL, 0, 9999, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "page.export", NULL, export_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
les_page_init (LesPage *self)
{
}

LesStore *
les_page_get_store (LesPage *self)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);

  g_return_val_if_fail (LES_IS_PAGE (self), NULL);
  return priv->store;
}

int
les_page_get_year (LesPage *self)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);

  g_return_val_if_fail (LES_IS_PAGE (self), 0);
  return priv->year;
}

/* Whether the data changed while the page was not mapped and it has not been read again since. */
gboolean
les_page_get_dirty (LesPage *self)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);

  g_return_val_if_fail (LES_IS_PAGE (self), FALSE);
  return priv->dirty;
}

void
les_page_reload (LesPage *self)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);

  g_return_if_fail (LES_IS_PAGE (self));
  priv->dirty = FALSE;
  LES_PAGE_GET_CLASS (self)->reload (self);
}

/* Reloads now if the page is shown, else when it is next mapped. */
void
les_page_queue_reload (LesPage *self)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);

  g_return_if_fail (LES_IS_PAGE (self));
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    les_page_reload (self);
  else
    priv->dirty = TRUE;
}

void
les_page_reload_if_dirty (LesPage *self)
{
  g_return_if_fail (LES_IS_PAGE (self));
  if (les_page_get_dirty (self))
    les_page_reload (self);
}
