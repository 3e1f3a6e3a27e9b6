/* les-store.h: the store, which owns the database connection (SQLite or PostgreSQL) and every SQL statement. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LES_TYPE_STORE (les_store_get_type ())
G_DECLARE_FINAL_TYPE (LesStore, les_store, LES, STORE, GObject)

#define LES_SCHEMA_VERSION 6

char       *les_store_default_path   (void);
gboolean    les_store_is_server_location (const char *location);
LesStore   *les_store_open           (const char  *location,
                                      GError     **error);
LesStore   *les_store_dup            (LesStore    *self,
                                      GError     **error);
const char *les_store_get_path       (LesStore    *self);
const char *les_store_get_location   (LesStore    *self);
const char *les_store_get_backend_name (LesStore  *self);
const char * const *les_store_get_warnings (LesStore *self);
int         les_store_get_schema_version (LesStore *self);

/* Told once, after a second, what holds the database while a write waits for it. */
typedef void (*LesStoreWaitFunc) (LesStore   *store,
                                  const char *message,
                                  gpointer    user_data);
void        les_store_set_wait_func  (LesStore         *self,
                                      LesStoreWaitFunc  func,
                                      gpointer          user_data,
                                      GDestroyNotify    destroy);
void        les_store_set_activity   (LesStore    *self,
                                      const char  *activity);

gboolean    les_store_begin          (LesStore    *self,
                                      GError     **error);
gboolean    les_store_commit         (LesStore    *self,
                                      GError     **error);
void        les_store_rollback       (LesStore    *self);

gboolean    les_store_audit          (LesStore    *self,
                                      const char  *action,
                                      const char  *table_name,
                                      const char  *row_key,
                                      const char  *before,
                                      const char  *after,
                                      GError     **error);

/* Signal "changed" (detail: the table name): on a server, another client's
 * committed change, once les_store_watch_others() listens for them.
 * Signal "reachable-changed" (gboolean reachable, const char *problem): the
 * connection that listens was lost, or is back (others' changes meanwhile
 * were missed: read everything again). */
/* On a server: others' changes emitted as "changed" in @context (a file: nothing to do) */
gboolean    les_store_watch_others   (LesStore     *self,
                                      GMainContext *context,
                                      GError      **error);
const char *les_store_get_user_name  (LesStore    *self);

char       *les_store_hash_nhs_number (LesStore   *self,
                                       const char *digits,
                                       GError    **error);

/* The database's key (docs/data-and-imports.md, "The key"): named by an id kept in
 * the file, held by the key provider (les-key-provider.h), asked for only by what
 * needs it. */
const char *les_store_get_key_id     (LesStore    *self);
gboolean    les_store_ensure_key     (LesStore    *self,
                                      GError     **error);
gboolean    les_store_set_key        (LesStore    *self,
                                      GBytes      *key,
                                      GError     **error);
GBytes     *les_store_export_key     (LesStore    *self,
                                      GError     **error);

/* Checks the sealed audit trail and every payment run of @fy (0: every year)
 * (les-chain.c); returns the breaks as sentences for people, empty when all
 * is intact, or NULL with @error set (the key is not here, a database error). */
GPtrArray  *les_store_verify         (LesStore     *self,
                                      int           fy,
                                      GCancellable *cancellable,
                                      GError      **error);

GArray     *les_store_list_years     (LesStore    *self);
gboolean    les_store_is_empty       (LesStore    *self);
gint64      les_store_count_rows     (LesStore    *self,
                                      const char  *table_name);

G_END_DECLS
