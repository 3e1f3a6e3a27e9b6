/* les-store.h: the store, which owns the database connection (SQLite or PostgreSQL) and every SQL statement. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LES_TYPE_STORE (les_store_get_type ())
G_DECLARE_FINAL_TYPE (LesStore, les_store, LES, STORE, GObject)

#define LES_SCHEMA_VERSION 4

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

gboolean    les_store_begin          (LesStore    *self,
                                      GError     **error);
gboolean    les_store_commit         (LesStore    *self,
                                      GError     **error);
void        les_store_rollback       (LesStore    *self);

void        les_store_audit          (LesStore    *self,
                                      const char  *action,
                                      const char  *table_name,
                                      const char  *row_key,
                                      const char  *before,
                                      const char  *after);

/* Emitted (with the table name as detail) after a committed change. */
void        les_store_emit_changed   (LesStore    *self,
                                      const char  *table_name);

char       *les_store_hash_nhs_number (LesStore   *self,
                                       const char *digits);

GArray     *les_store_list_years     (LesStore    *self);
gboolean    les_store_is_empty       (LesStore    *self);
gint64      les_store_count_rows     (LesStore    *self,
                                      const char  *table_name);

G_END_DECLS
