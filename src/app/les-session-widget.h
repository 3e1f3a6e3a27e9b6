/* les-session-widget.h: the base of every widget that shows a session — its "session" property and the notices it hears. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "les-session.h"

G_BEGIN_DECLS

#define LES_TYPE_SESSION_WIDGET (les_session_widget_get_type ())
G_DECLARE_DERIVABLE_TYPE (LesSessionWidget, les_session_widget, LES, SESSION_WIDGET, GtkWidget)

struct _LesSessionWidgetClass
{
  GtkWidgetClass parent_class;

  /* The session was set or replaced (NULL when the widget lets it go):
   * drop what belonged to the old one. */
  void (*session_replaced) (LesSessionWidget *self);
  /* The session's "changed", on the main thread. */
  void (*changed)          (LesSessionWidget *self,
                            LesChange         what);
  /* The session's year changed. */
  void (*year_changed)     (LesSessionWidget *self);
};

LesSession *les_session_widget_get_session (LesSessionWidget *self);
void        les_session_widget_set_session (LesSessionWidget *self,
                                            LesSession       *session);

G_END_DECLS
