/* les-import.h: streaming, all-or-nothing CSV imports of every kind. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "les-kinds.h"
#include "les-progress.h"
#include "les-store.h"

G_BEGIN_DECLS

typedef struct {
  gint64 rows;        /* data rows read */
  gint64 inserted;
  gint64 replaced;    /* existing rows whose values changed */
  gint64 unchanged;   /* rows already present with the same values */
  gint64 skipped;     /* rows a file carries that are not for us (NHS Digital's file) */
  gint64 errors;      /* bad rows */
} LesImportStats;

/* Receives each "FILE:LINE: COLUMN: message" as it is found. */
typedef void (*LesImportMessageFunc) (const char *message,
                                      gpointer    user_data);

gboolean les_import_file    (LesStore              *store,
                             LesKind                kind,
                             GFile                 *file,
                             const char            *display_name,
                             LesImportMessageFunc   on_message,
                             LesProgressFunc        on_progress,
                             gpointer               user_data,
                             GCancellable          *cancellable,
                             LesImportStats        *stats,
                             GError               **error);

/* Reads the header and up to @max_rows rows for a preview. Returns the
 * recognised kind (LES_KIND_INVALID when none); @header and @rows get
 * (transfer full) string vectors / a GPtrArray of GStrv. */
LesKind  les_import_preview (GFile                 *file,
                             guint                  max_rows,
                             GStrv                 *header,
                             GPtrArray            **rows,
                             GError               **error);

G_END_DECLS
