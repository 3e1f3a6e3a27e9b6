/* les-page.c: the base of the application's screens — a store and a year, reloaded when either or the data changes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-page.h"

/* One les_page_load (): what to read, how to show it, and what came back */
typedef struct
{
  LesPageLoadFunc  load;
  gpointer         args;
  GDestroyNotify   args_free;
  LesPageFillFunc  fill;
  GDestroyNotify   result_free;
  guint            generation;
  char            *path;
  int              year;
  LesStore        *reader;     /* the worker's connection; opened there when NULL */
  gpointer         result;
  GError          *error;
} Load;

typedef struct
{
  LesStore *store;
  gulong    changed_id;
  int       year;
  gboolean  dirty;

  /* Loads on a worker thread (les_page_load ()) */
  gboolean  in_background;  /* the reload under way was not asked for by a caller waiting for it */
  guint     generation;     /* of the latest load: an older one's result is dropped */
  Load     *pending;        /* to start once the main loop is idle and no load runs */
  guint     start_id;
  gboolean  running;
  guint     running_generation;
  LesStore *reader;         /* a connection of the page's own, for one load at a time */
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
load_free (Load *load)
{
  if (load->result != NULL && load->result_free != NULL)
    load->result_free (load->result);
  if (load->args != NULL && load->args_free != NULL)
    load->args_free (load->args);
  g_clear_error (&load->error);
  g_clear_object (&load->reader);
  g_free (load->path);
  g_free (load);
}

static void start_load (LesPage *self);

static void
load_in_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  Load *load = task_data;
  gint64 start = g_get_monotonic_time ();

  if (load->reader == NULL)
    load->reader = les_store_open (load->path, &load->error);
  if (load->reader != NULL)
    load->result = load->load (load->reader, load->year, load->args, &load->error);
  g_debug ("%s: read in %.0f ms on a worker", G_OBJECT_TYPE_NAME (source_object),
           (g_get_monotonic_time () - start) / 1000.0);
  g_task_return_boolean (task, TRUE);
}

static void
load_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  LesPage *self = LES_PAGE (object);
  LesPagePrivate *priv = les_page_get_instance_private (self);
  Load *load = g_task_get_task_data (G_TASK (result));
  gboolean current = priv->store != NULL && g_strcmp0 (load->path, les_store_get_path (priv->store)) == 0;

  priv->running = FALSE;
  /* The connection serves the next load, unless the database was replaced meanwhile */
  if (current && priv->reader == NULL && load->reader != NULL)
    priv->reader = g_steal_pointer (&load->reader);
  if (current && load->generation == priv->generation)
    {
      gint64 start = g_get_monotonic_time ();

      load->fill (self, load->result, load->error);
      g_debug ("%s: filled in %.0f ms", G_OBJECT_TYPE_NAME (self), (g_get_monotonic_time () - start) / 1000.0);
    }
  if (priv->pending != NULL && priv->start_id == 0)
    start_load (self);
}

static void
start_load (LesPage *self)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);
  g_autoptr(GTask) task = NULL;
  Load *load = g_steal_pointer (&priv->pending);

  if (load == NULL || priv->running)
    {
      priv->pending = load;
      return;
    }
  priv->running = TRUE;
  priv->running_generation = load->generation;
  load->reader = g_steal_pointer (&priv->reader);
  task = g_task_new (self, NULL, load_done_cb, NULL);
  g_task_set_task_data (task, load, (GDestroyNotify) load_free);
  g_task_run_in_thread (task, load_in_thread);
}

static gboolean
start_load_cb (gpointer data)
{
  LesPage *self = data;
  LesPagePrivate *priv = les_page_get_instance_private (self);

  priv->start_id = 0;
  start_load (self);
  return G_SOURCE_REMOVE;
}

static void
drop_pending (LesPage *self)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);

  g_clear_handle_id (&priv->start_id, g_source_remove);
  g_clear_pointer (&priv->pending, load_free);
}

/* A reload that nobody waits for: on a worker, if the page loads that way */
static void
reload_in_background (LesPage *self)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);

  priv->in_background = TRUE;
  les_page_reload (self);
  priv->in_background = FALSE;
}

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
  /* What was being read belongs to the old database */
  priv->generation++;
  drop_pending (self);
  g_clear_object (&priv->reader);
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
  if (les_page_get_dirty (self))
    reload_in_background (self);
}

static void
les_page_dispose (GObject *object)
{
  LesPage *self = LES_PAGE (object);
  LesPagePrivate *priv = les_page_get_instance_private (self);

  if (priv->store != NULL)
    g_clear_signal_handler (&priv->changed_id, priv->store);
  g_clear_object (&priv->store);
  drop_pending (self);
  g_clear_object (&priv->reader);
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

/* Reads the page's data again now: what it shows once this returns is up to date. */
void
les_page_reload (LesPage *self)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);
  gint64 start = g_get_monotonic_time ();

  g_return_if_fail (LES_IS_PAGE (self));
  priv->dirty = FALSE;
  /* Whatever was being read is older than this */
  priv->generation++;
  drop_pending (self);
  LES_PAGE_GET_CLASS (self)->reload (self);
  g_debug ("%s: reloaded in %.0f ms", G_OBJECT_TYPE_NAME (self), (g_get_monotonic_time () - start) / 1000.0);
}

/* Reloads now if the page is shown, else when it is next mapped. */
void
les_page_queue_reload (LesPage *self)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);

  g_return_if_fail (LES_IS_PAGE (self));
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    reload_in_background (self);
  else
    priv->dirty = TRUE;
}

/* Brings the page up to date now, if it is not: changed while hidden, or being read on a worker. */
void
les_page_reload_if_dirty (LesPage *self)
{
  g_return_if_fail (LES_IS_PAGE (self));
  if (les_page_get_dirty (self) || les_page_is_loading (self))
    les_page_reload (self);
}

/**
 * les_page_load:
 * @load: reads the page's data; called with a connection of its own on a
 *   worker thread, so it must not touch the page
 * @args: (transfer full): for @load, freed with @args_free
 * @fill: shows @load's result (freed after with @result_free)
 *
 * For a page's reload: in a reload of a shown page after the data or the
 * year changed, or when it is mapped, @load runs on a worker thread and
 * @fill once it is back, so that the main loop never waits for the
 * database; loads asked for meanwhile replace it (only the latest is
 * shown). Called from les_page_reload () or les_page_reload_if_dirty (),
 * @load and @fill run at once with the page's store.
 */
void
les_page_load (LesPage         *self,
               LesPageLoadFunc  load,
               gpointer         args,
               GDestroyNotify   args_free,
               LesPageFillFunc  fill,
               GDestroyNotify   result_free)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);
  Load *l;

  g_return_if_fail (LES_IS_PAGE (self));
  g_return_if_fail (priv->store != NULL);

  l = g_new0 (Load, 1);
  l->load = load;
  l->args = args;
  l->args_free = args_free;
  l->fill = fill;
  l->result_free = result_free;
  l->generation = ++priv->generation;
  l->path = g_strdup (les_store_get_path (priv->store));
  l->year = priv->year;
  drop_pending (self);

  if (!priv->in_background)
    {
      l->result = l->load (priv->store, l->year, l->args, &l->error);
      l->fill (self, l->result, l->error);
      load_free (l);
      return;
    }
  /* Started when idle, so that the changes told together are read once */
  priv->pending = l;
  priv->start_id = g_idle_add_full (G_PRIORITY_DEFAULT, start_load_cb, g_object_ref (self), g_object_unref);
}

/* Whether a load is waiting to start or being read on a worker. */
gboolean
les_page_is_loading (LesPage *self)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);

  g_return_val_if_fail (LES_IS_PAGE (self), FALSE);
  return priv->pending != NULL || (priv->running && priv->running_generation == priv->generation);
}
