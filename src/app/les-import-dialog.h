/* les-import-dialog.h: importing one CSV file — choose or drop it, see its kind and a preview, follow progress and errors. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "les-kinds.h"
#include "les-session.h"

G_BEGIN_DECLS

#define LES_TYPE_IMPORT_DIALOG (les_import_dialog_get_type ())
G_DECLARE_FINAL_TYPE (LesImportDialog, les_import_dialog, LES, IMPORT_DIALOG, AdwWindow)

GtkWidget *les_import_dialog_new       (GtkWindow       *parent,
                                        LesSession      *session);
void       les_import_dialog_set_file  (LesImportDialog *self,
                                        GFile           *file);
LesKind    les_import_dialog_get_kind  (LesImportDialog *self);
/* Starts the import, as the Import button does. */
gboolean   les_import_dialog_start     (LesImportDialog *self);
gboolean   les_import_dialog_is_running (LesImportDialog *self);
/* The error lines shown (a GtkStringList). */
GListModel *les_import_dialog_get_messages (LesImportDialog *self);
guint      les_import_dialog_get_preview_rows (LesImportDialog *self);

G_END_DECLS
