/* les-page.h: the base of the application's screens — a store and a year, reloaded when either or the data changes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "les-store.h"

G_BEGIN_DECLS

#define LES_TYPE_PAGE (les_page_get_type ())
G_DECLARE_DERIVABLE_TYPE (LesPage, les_page, LES, PAGE, GtkWidget)

struct _LesPageClass
{
  GtkWidgetClass parent_class;

  /* Reads the page's data again from the store; called while mapped, else on the next map. */
  void (*reload)         (LesPage    *self);
  /* The store's "changed" signal; the default queues a reload. */
  void (*store_changed)  (LesPage    *self,
                          const char *table_name);
  /* The store (or the year) has been replaced, before the page reloads: drop what belonged to the old one. */
  void (*store_replaced) (LesPage    *self);
  void (*year_replaced)  (LesPage    *self);
  /* The "page.export" action. */
  void (*export)         (LesPage    *self);
};

/* Reads what a page shows, with @store (on a worker thread, a connection of its own); returns it for the fill function. */
typedef gpointer (*LesPageLoadFunc) (LesStore  *store,
                                     int        year,
                                     gpointer   args,
                                     GError   **error);
/* Shows what the load function returned (@result NULL and @error set if it failed), on the main thread. */
typedef void     (*LesPageFillFunc) (LesPage      *self,
                                     gpointer      result,
                                     const GError *error);

LesStore *les_page_get_store           (LesPage *self);
int       les_page_get_year            (LesPage *self);
gboolean  les_page_get_dirty           (LesPage *self);
void      les_page_reload              (LesPage *self);
void      les_page_queue_reload        (LesPage *self);
void      les_page_reload_if_dirty     (LesPage *self);
void      les_page_load                (LesPage         *self,
                                        LesPageLoadFunc  load,
                                        gpointer         args,
                                        GDestroyNotify   args_free,
                                        LesPageFillFunc  fill,
                                        GDestroyNotify   result_free);
gboolean  les_page_is_loading          (LesPage *self);

G_END_DECLS
