/* les-page.c: the base of the application's screens — a session, reloaded when its year or what the screen shows changes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-page.h"

/* One les_page_load (): what to read, how to show it */
typedef struct
{
  LesPage         *page;        /* a reference, until the read is back */
  LesPageLoadFunc  load;
  gpointer         args;
  GDestroyNotify   args_free;
  LesPageFillFunc  fill;
  GDestroyNotify   result_free;
  guint            generation;
  int              year;
  GCancellable    *cancellable;
} Load;

typedef struct
{
  gboolean    dirty;

  /* Loads on the session's readers (les_page_load ()) */
  gboolean    in_background;  /* the reload under way was not asked for by a caller waiting for it */
  guint       generation;     /* of the latest load: an older one's result is dropped */
  Load       *pending;        /* to start once the main loop is idle */
  guint       start_id;
  Load       *running;        /* (not owned) the latest load started, until it is back */
} LesPagePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LesPage, les_page, LES_TYPE_SESSION_WIDGET)

static void
load_free (Load *load)
{
  if (load->args != NULL && load->args_free != NULL)
    load->args_free (load->args);
  g_clear_object (&load->cancellable);
  g_clear_object (&load->page);
  g_free (load);
}

static gpointer
load_read (LesStore *reader, gpointer data, GCancellable *cancellable, GError **error)
{
  Load *load = data;

  return load->load (reader, load->year, load->args, error);
}

static void
load_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Load *load = user_data;
  LesPage *self = load->page;
  LesPagePrivate *priv = les_page_get_instance_private (self);
  g_autoptr(GError) error = NULL;
  gpointer value = les_session_read_finish (LES_SESSION (object), result, &error);

  if (priv->running == load)
    priv->running = NULL;
  /* only the latest load is shown, and only for the session it was read from */
  if (load->generation == priv->generation && (gpointer) les_page_get_session (self) == (gpointer) object
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      gint64 start = g_get_monotonic_time ();

      load->fill (self, value, error);
      g_debug ("%s: filled in %.0f ms", G_OBJECT_TYPE_NAME (self), (g_get_monotonic_time () - start) / 1000.0);
    }
  if (value != NULL && load->result_free != NULL)
    load->result_free (value);
  load_free (load);
}

static void
start_load (LesPage *self)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);
  Load *load = g_steal_pointer (&priv->pending);

  if (load == NULL)
    return;
  /* what an older load reads is not wanted any more */
  if (priv->running != NULL)
    g_cancellable_cancel (priv->running->cancellable);
  priv->running = load;
  les_session_read_async (les_page_get_session (self), load_read, load, NULL, load->result_free, load->cancellable,
                          load_done_cb, load);
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
drop_loads (LesPage *self)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);

  g_clear_handle_id (&priv->start_id, g_source_remove);
  g_clear_pointer (&priv->pending, load_free);
  if (priv->running != NULL)
    g_cancellable_cancel (priv->running->cancellable);
  priv->running = NULL;
}

/* A reload that nobody waits for: on a reader, if the page loads that way */
static void
reload_in_background (LesPage *self)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);

  priv->in_background = TRUE;
  les_page_reload (self);
  priv->in_background = FALSE;
}

static void
les_page_year_changed (LesSessionWidget *widget)
{
  LesPage *self = LES_PAGE (widget);
  LesPagePrivate *priv = les_page_get_instance_private (self);

  priv->generation++;
  drop_loads (self);
  if (LES_PAGE_GET_CLASS (self)->year_replaced != NULL)
    LES_PAGE_GET_CLASS (self)->year_replaced (self);
  les_page_queue_reload (self);
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesPage *self = LES_PAGE (widget);

  if (LES_PAGE_GET_CLASS (self)->export != NULL)
    LES_PAGE_GET_CLASS (self)->export (self);
}

static void
les_page_changed (LesSessionWidget *widget, LesChange what)
{
  LesPage *self = LES_PAGE (widget);

  if ((what & LES_PAGE_GET_CLASS (self)->shows) != 0)
    les_page_queue_reload (self);
}

static void
les_page_session_replaced (LesSessionWidget *widget)
{
  LesPage *self = LES_PAGE (widget);
  LesPagePrivate *priv = les_page_get_instance_private (self);

  /* What was being read belongs to the old database */
  priv->generation++;
  drop_loads (self);
  if (les_page_get_session (self) != NULL)
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
  drop_loads (LES_PAGE (object));

  G_OBJECT_CLASS (les_page_parent_class)->dispose (object);
}

static void
les_page_class_init (LesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LesSessionWidgetClass *session_widget_class = LES_SESSION_WIDGET_CLASS (klass);

  object_class->dispose = les_page_dispose;
  widget_class->map = les_page_map;
  session_widget_class->changed = les_page_changed;
  session_widget_class->session_replaced = les_page_session_replaced;
  session_widget_class->year_changed = les_page_year_changed;
  klass->shows = LES_CHANGE_ALL;

  gtk_widget_class_install_action (widget_class, "page.export", NULL, export_action);
}

static void
les_page_init (LesPage *self)
{
}

/* The session the page shows (NULL when no database is open). */
LesSession *
les_page_get_session (LesPage *self)
{
  g_return_val_if_fail (LES_IS_PAGE (self), NULL);
  return les_session_widget_get_session (LES_SESSION_WIDGET (self));
}

LesStore *
les_page_get_store (LesPage *self)
{
  LesSession *session = les_page_get_session (self);

  return session != NULL ? les_session_get_store (session) : NULL;
}

int
les_page_get_year (LesPage *self)
{
  LesSession *session = les_page_get_session (self);

  return session != NULL ? les_session_get_year (session) : 0;
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
  drop_loads (self);
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

/* Brings the page up to date now, if it is not: changed while hidden, or being read on a reader. */
void
les_page_reload_if_dirty (LesPage *self)
{
  g_return_if_fail (LES_IS_PAGE (self));
  if (les_page_get_dirty (self) || les_page_is_loading (self))
    les_page_reload (self);
}

/**
 * les_page_load:
 * @load: reads the page's data; called with a reader connection off the
 *   main thread, so it must not touch the page
 * @args: (transfer full): for @load, freed with @args_free
 * @fill: shows @load's result (freed after with @result_free)
 *
 * For a page's reload: in a reload of a shown page after the data or the
 * year changed, or when it is mapped, @load runs on one of the session's
 * readers and @fill once it is back, so that the main loop never waits for
 * the database; a load asked for meanwhile cancels it (only the latest is
 * shown).  Called from les_page_reload () or les_page_reload_if_dirty (),
 * @load and @fill run at once with the session's store.
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
  g_return_if_fail (les_page_get_session (self) != NULL);

  l = g_new0 (Load, 1);
  l->page = g_object_ref (self);
  l->load = load;
  l->args = args;
  l->args_free = args_free;
  l->fill = fill;
  l->result_free = result_free;
  l->generation = ++priv->generation;
  l->year = les_page_get_year (self);
  l->cancellable = g_cancellable_new ();
  g_clear_handle_id (&priv->start_id, g_source_remove);
  g_clear_pointer (&priv->pending, load_free);

  if (!priv->in_background)
    {
      g_autoptr(GError) error = NULL;
      gpointer result = l->load (les_page_get_store (self), l->year, l->args, &error);

      l->fill (self, result, error);
      if (result != NULL && l->result_free != NULL)
        l->result_free (result);
      load_free (l);
      return;
    }
  /* Started when idle, so that the changes told together are read once */
  priv->pending = l;
  priv->start_id = g_idle_add_full (G_PRIORITY_DEFAULT, start_load_cb, g_object_ref (self), g_object_unref);
}

/* Whether a load is waiting to start or being read on a reader. */
gboolean
les_page_is_loading (LesPage *self)
{
  LesPagePrivate *priv = les_page_get_instance_private (self);

  g_return_val_if_fail (LES_IS_PAGE (self), FALSE);
  return priv->pending != NULL || (priv->running != NULL && priv->running->generation == priv->generation);
}
