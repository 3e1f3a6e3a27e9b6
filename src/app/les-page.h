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

LesStore *les_page_get_store           (LesPage *self);
int       les_page_get_year            (LesPage *self);
gboolean  les_page_get_dirty           (LesPage *self);
void      les_page_reload              (LesPage *self);
void      les_page_queue_reload        (LesPage *self);
void      les_page_reload_if_dirty     (LesPage *self);

G_END_DECLS
