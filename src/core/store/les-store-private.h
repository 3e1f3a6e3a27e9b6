/* les-store-private.h: core-internal access to the store's connection and statements. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "les-store.h"

G_BEGIN_DECLS

sqlite3      *les_store_get_db       (LesStore    *self);
/* A cached prepared statement, reset and unbound, owned by the store. */
sqlite3_stmt *les_store_prepare      (LesStore    *self,
                                      const char  *sql,
                                      GError     **error);
gboolean      les_store_exec         (LesStore    *self,
                                      const char  *sql,
                                      GError     **error);
gboolean      les_store_set_db_error (LesStore    *self,
                                      GError     **error);
void          les_bind_text_or_null  (sqlite3_stmt *stmt,
                                      int           index,
                                      const char   *text);
void          les_bind_int64_or_null (sqlite3_stmt *stmt,
                                      int           index,
                                      gboolean      present,
                                      gint64        value);
char         *les_now_iso8601        (void);

G_END_DECLS
