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
/* The value of @key in meta (NULL when none); FALSE on a database error */
gboolean      les_store_read_meta    (LesStore    *self,
                                      const char  *key,
                                      char       **value,
                                      GError     **error);

/* The audit trail's seal (les-chain.c) */
#define LES_CHAIN_AUDIT_FIELDS 8   /* at, os_user, action, table_name, row_key, before, after, digest */
/* An audit row that also carries @digest, the seal of what its action froze (a payment run) */
gboolean      les_store_audit_sealed (LesStore    *self,
                                      const char  *action,
                                      const char  *table_name,
                                      const char  *row_key,
                                      const char  *before,
                                      const char  *after,
                                      const char  *digest,
                                      GError     **error);
/* The key the seals are made with (derived from the database key); the key must be loaded */
const guint8 *les_store_get_seal_key (LesStore    *self);
/* Appends a sealed row to the audit trail (inside a write transaction, key loaded) */
gboolean      les_chain_append       (LesStore    *self,
                                      const char **fields,
                                      GError     **error);
/* Seals every audit row and payment run written before the trail was sealed */
gboolean      les_chain_seal_existing (LesStore   *self,
                                       GError    **error);
/* Seals run @run_id's frozen lines, its total and the claims it paid; returns the seal */
char         *les_chain_seal_run     (LesStore    *self,
                                      gint64       run_id,
                                      GError     **error);
/* A patient_key for an export: the hash and a tag only this database's key makes */
char         *les_chain_patient_key  (LesStore    *self,
                                      const char  *hash);
/* The hash inside an exported patient_key, or NULL when its tag is not this key's */
char         *les_chain_patient_hash (LesStore    *self,
                                      const char  *patient_key);
/* Inside a transaction: the service's results are out of date (NULL: every
 * service of @fy; @fy 0: every year), written at commit. */
void          les_store_mark_stale   (LesStore    *self,
                                      int          fy,
                                      const char  *service_code);
/* What les_store_open() was given, to open another connection like it: a
 * server's connection string may hold its password, so never show it. */
char         *les_store_dup_open_location (LesStore *self);

G_END_DECLS
