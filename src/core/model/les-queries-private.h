/* les-queries-private.h: reading a statement's rows into a list model, for the core's row types. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "les-queries.h"
#include "les-store-private.h"

G_BEGIN_DECLS

/* Makes the item of one result row of @stmt (a new reference); @data is the
 * caller's */
typedef gpointer (*LesQueriesMakeItem) (LesStmt       *stmt,
                                        gconstpointer  data);

GListModel *les_queries_read_items (LesStmt            *stmt,
                                    GType               item_type,
                                    LesQueriesMakeItem  make_item,
                                    gconstpointer       data,
                                    GError            **error);
GListModel *les_queries_read_year  (LesStore           *store,
                                    const char         *sql,
                                    int                 fy,
                                    GType               item_type,
                                    LesQueriesMakeItem  make_item,
                                    GError            **error);
char       *les_queries_dup_text   (LesStmt            *stmt,
                                    int                 col);

G_END_DECLS
