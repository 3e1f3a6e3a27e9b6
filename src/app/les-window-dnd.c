/* les-window-dnd.c: files dropped on the main window open the import dialog. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-window-private.h"

static gboolean
drop_cb (GtkDropTarget *target, const GValue *value, double x, double y, LesWindow *self)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  for (GSList *l = g_value_get_boxed (value); l != NULL; l = l->next)
    g_ptr_array_add (files, l->data);
  if (files->len == 0)
    return FALSE;
  les_window_import_files (self, (GFile **) files->pdata, files->len);
  return TRUE;
}

void
les_window_dnd_init (LesWindow *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_signal_connect (drop, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}
