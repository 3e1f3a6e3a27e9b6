/* les-page.h: the base of the application's screens — a session, reloaded when its year or what the screen shows changes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "les-session-widget.h"

G_BEGIN_DECLS

#define LES_TYPE_PAGE (les_page_get_type ())
G_DECLARE_DERIVABLE_TYPE (LesPage, les_page, LES, PAGE, LesSessionWidget)

/* A page overrides LesSessionWidgetClass.changed only to do more than
 * reload on the domains it shows; one that overrides session_replaced
 * chains up (the page then reloads). */
struct _LesPageClass
{
  LesSessionWidgetClass parent_class;

  /* The parts of the domain the page shows: a change to any of them reloads it. */
  LesChange shows;

  /* Reads the page's data again; called while mapped, else on the next map. */
  void (*reload)        (LesPage   *self);
  /* The year has been replaced, before the page reloads: drop what belonged to the old one. */
  void (*year_replaced) (LesPage   *self);
  /* The "page.export" action. */
  void (*export)        (LesPage   *self);
};

/* Reads what a page shows, with @store (on a reader of the session's, off
 * the main thread); returns it for the fill function. */
typedef gpointer (*LesPageLoadFunc) (LesStore  *store,
                                     int        year,
                                     gpointer   args,
                                     GError   **error);
/* Shows what the load function returned (@result NULL and @error set if it failed), on the main thread. */
typedef void     (*LesPageFillFunc) (LesPage      *self,
                                     gpointer      result,
                                     const GError *error);

LesSession *les_page_get_session       (LesPage *self);
/* The session's store and year (NULL and 0 without a session). */
LesStore   *les_page_get_store         (LesPage *self);
int         les_page_get_year          (LesPage *self);
gboolean    les_page_get_dirty         (LesPage *self);
void        les_page_reload            (LesPage *self);
void        les_page_queue_reload      (LesPage *self);
void        les_page_reload_if_dirty   (LesPage *self);
void        les_page_load              (LesPage         *self,
                                        LesPageLoadFunc  load,
                                        gpointer         args,
                                        GDestroyNotify   args_free,
                                        LesPageFillFunc  fill,
                                        GDestroyNotify   result_free);
gboolean    les_page_is_loading        (LesPage *self);

G_END_DECLS
