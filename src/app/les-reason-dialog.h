/* les-reason-dialog.h: asking why before a change that needs a reason (a query, a rejection, re-opening a run). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* A message dialog with a reason entry: its "apply" response (labelled
 * @verb) is enabled once the reason is not blank, and Enter gives it. */
AdwMessageDialog *les_reason_dialog_new        (GtkWidget              *parent,
                                                const char             *heading,
                                                const char             *body,
                                                const char             *placeholder,
                                                const char             *verb,
                                                AdwResponseAppearance   appearance);
/* The reason typed, trimmed. */
char             *les_reason_dialog_dup_reason (AdwMessageDialog       *dialog);

G_END_DECLS
