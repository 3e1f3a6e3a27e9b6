/* les-reason-dialog.c: asking why before a change that needs a reason (a query, a rejection, re-opening a run). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "les-reason-dialog.h"

static void
reason_changed_cb (GtkEditable *entry, AdwMessageDialog *dialog)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "apply", text[0] != '\0');
}

/* Enter answers as the button does: the change is made once and the dialog
 * goes (adw_message_dialog_response() alone leaves it open, its button live) */
static void
reason_activate_cb (GtkEntry *entry, AdwMessageDialog *dialog)
{
  if (!adw_message_dialog_get_response_enabled (dialog, "apply"))
    return;
  adw_message_dialog_set_response_enabled (dialog, "apply", FALSE);
  g_object_ref (dialog);
  adw_message_dialog_response (dialog, "apply");
  /* destroyed, not closed: closing would answer again with the close response */
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_object_unref (dialog);
}

AdwMessageDialog *
les_reason_dialog_new (GtkWidget             *parent,
                       const char            *heading,
                       const char            *body,
                       const char            *placeholder,
                       const char            *verb,
                       AdwResponseAppearance  appearance)
{
  GtkRoot *root = gtk_widget_get_root (parent);
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                                           : NULL,
                                                                         heading, body));
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, placeholder, -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "apply", verb, NULL);
  adw_message_dialog_set_response_appearance (dialog, "apply", appearance);
  adw_message_dialog_set_response_enabled (dialog, "apply", FALSE);
  adw_message_dialog_set_default_response (dialog, "apply");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (entry, "changed", G_CALLBACK (reason_changed_cb), dialog);
  g_signal_connect (entry, "activate", G_CALLBACK (reason_activate_cb), dialog);
  return dialog;
}

char *
les_reason_dialog_dup_reason (AdwMessageDialog *dialog)
{
  GtkWidget *entry = adw_message_dialog_get_extra_child (dialog);

  g_return_val_if_fail (GTK_IS_EDITABLE (entry), NULL);
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
}
