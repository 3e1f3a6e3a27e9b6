/* les-session-widget.c: the base of every widget that shows a session — its "session" property and the notices it hears. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-session-widget.h"

/* Screens, panels and editors take one "session" property, as GNOME
 * Calendar's views take a GcalContext: the store, the year, the writes
 * and the change notices all come from it. */
typedef struct
{
  LesSession *session;
  gulong      changed_id;
  gulong      year_id;
} LesSessionWidgetPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (LesSessionWidget, les_session_widget, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
changed_cb (LesSession *session, LesChange what, LesSessionWidget *self)
{
  if (LES_SESSION_WIDGET_GET_CLASS (self)->changed != NULL)
    LES_SESSION_WIDGET_GET_CLASS (self)->changed (self, what);
}

static void
year_changed_cb (LesSession *session, GParamSpec *pspec, LesSessionWidget *self)
{
  if (LES_SESSION_WIDGET_GET_CLASS (self)->year_changed != NULL)
    LES_SESSION_WIDGET_GET_CLASS (self)->year_changed (self);
}

static void
les_session_widget_dispose (GObject *object)
{
  LesSessionWidget *self = LES_SESSION_WIDGET (object);
  LesSessionWidgetPrivate *priv = les_session_widget_get_instance_private (self);

  /* without telling the subclass, whose widgets are gone by now */
  if (priv->session != NULL)
    {
      g_clear_signal_handler (&priv->changed_id, priv->session);
      g_clear_signal_handler (&priv->year_id, priv->session);
      g_clear_object (&priv->session);
    }
  /* A template's unbound top box is not cleared with the bound children */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (les_session_widget_parent_class)->dispose (object);
}

static void
les_session_widget_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, les_session_widget_get_session (LES_SESSION_WIDGET (object)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
les_session_widget_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_SESSION:
      les_session_widget_set_session (LES_SESSION_WIDGET (object), g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
les_session_widget_class_init (LesSessionWidgetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = les_session_widget_dispose;
  object_class->get_property = les_session_widget_get_property;
  object_class->set_property = les_session_widget_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, LES_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
les_session_widget_init (LesSessionWidget *self)
{
}

/* The session shown (NULL when no database is open). */
LesSession *
les_session_widget_get_session (LesSessionWidget *self)
{
  LesSessionWidgetPrivate *priv = les_session_widget_get_instance_private (self);

  g_return_val_if_fail (LES_IS_SESSION_WIDGET (self), NULL);
  return priv->session;
}

void
les_session_widget_set_session (LesSessionWidget *self, LesSession *session)
{
  LesSessionWidgetPrivate *priv = les_session_widget_get_instance_private (self);

  g_return_if_fail (LES_IS_SESSION_WIDGET (self));
  g_return_if_fail (session == NULL || LES_IS_SESSION (session));

  if (priv->session == session)
    return;
  if (priv->session != NULL)
    {
      g_clear_signal_handler (&priv->changed_id, priv->session);
      g_clear_signal_handler (&priv->year_id, priv->session);
    }
  g_set_object (&priv->session, session);
  if (session != NULL)
    {
      priv->changed_id = g_signal_connect (session, "changed", G_CALLBACK (changed_cb), self);
      priv->year_id = g_signal_connect (session, "notify::year", G_CALLBACK (year_changed_cb), self);
    }
  if (LES_SESSION_WIDGET_GET_CLASS (self)->session_replaced != NULL)
    LES_SESSION_WIDGET_GET_CLASS (self)->session_replaced (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}
