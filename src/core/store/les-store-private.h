/* les-store-private.h: core-internal access to the store's connection and its cached statements. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "les-db.h"
#include "les-sql.h"
#include "les-store.h"

G_BEGIN_DECLS

LesDb        *les_store_get_db       (LesStore    *self);
/* A cached prepared statement (one of les-sql.h), reset and unbound, owned by the store. */
LesStmt      *les_store_prepare      (LesStore    *self,
                                      const char  *sql,
                                      GError     **error);
gboolean      les_store_exec         (LesStore    *self,
                                      const char  *sql,
                                      GError     **error);
/* While set, statements of this store stop when @cancellable fires (NULL clears). */
void          les_store_set_cancellable (LesStore     *self,
                                         GCancellable *cancellable);
char         *les_now_iso8601        (void);
/* Inside a transaction: the service's results are out of date (NULL: every
 * service of @fy; @fy 0: every year), written at commit. */
void          les_store_mark_stale   (LesStore    *self,
                                      int          fy,
                                      const char  *service_code);
/* What les_store_open() was given, to open another connection like it: a
 * server's connection string may hold its password, so never show it. */
char         *les_store_dup_open_location (LesStore *self);

G_END_DECLS
