/* les-row.h: one row of a read-only table from the store, as cells of text and numbers. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define LES_TYPE_ROW (les_row_get_type ())
G_DECLARE_FINAL_TYPE (LesRow, les_row, LES, ROW, GObject)

/* A cell holds the text people see (and CSV export writes) and, for
 * numeric columns, the value it sorts by. */
LesRow     *les_row_new       (guint        n_cells);
guint       les_row_get_n_cells (LesRow     *self);
void        les_row_set       (LesRow      *self,
                               guint        index,
                               const char  *text,
                               gint64       number);
void        les_row_take_text (LesRow      *self,
                               guint        index,
                               char        *text,
                               gint64       number);
const char *les_row_get_text  (LesRow      *self,
                               guint        index);
gint64      les_row_get_number (LesRow     *self,
                               guint        index);
gboolean    les_row_equal     (LesRow      *a,
                               LesRow      *b);

G_END_DECLS
