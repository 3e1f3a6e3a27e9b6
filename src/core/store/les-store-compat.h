/* les-store-compat.h: TEMPORARY — the raw SQLite face of the store for files not yet moved to les-db.h. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Removed once every file uses les-store-private.h (issue #10). */
#pragma once

#include <sqlite3.h>

#include "les-store-private.h"

G_BEGIN_DECLS

sqlite3      *les_store_get_sqlite     (LesStore     *self);
sqlite3_stmt *les_store_prepare_sqlite (LesStore     *self,
                                        const char   *sql,
                                        GError      **error);
gboolean      les_store_set_db_error   (LesStore     *self,
                                        GError      **error);
void          les_bind_text_or_null    (sqlite3_stmt *stmt,
                                        int           index,
                                        const char   *text);
void          les_bind_int64_or_null   (sqlite3_stmt *stmt,
                                        int           index,
                                        gboolean      present,
                                        gint64        value);

G_END_DECLS
