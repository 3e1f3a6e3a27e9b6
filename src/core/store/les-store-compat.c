/* les-store-compat.c: TEMPORARY — raw SQLite statements for files not yet moved to les-db.h. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "les-error.h"
#include "les-store-compat.h"

sqlite3 *les_db_sqlite_handle (LesDb *db);

static GQuark
cache_quark (void)
{
  return g_quark_from_static_string ("les-store-compat-cache");
}

static void
finalize_cb (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

sqlite3 *
les_store_get_sqlite (LesStore *self)
{
  return les_db_sqlite_handle (les_store_get_db (self));
}

gboolean
les_store_set_db_error (LesStore *self, GError **error)
{
  g_set_error (error, LES_ERROR, LES_ERROR_DATABASE, _("%s: database error: %s"),
               les_store_get_path (self), sqlite3_errmsg (les_store_get_sqlite (self)));
  return FALSE;
}

sqlite3_stmt *
les_store_prepare_sqlite (LesStore *self, const char *sql, GError **error)
{
  GHashTable *cache = g_object_get_qdata (G_OBJECT (self), cache_quark ());
  const char *key = g_intern_string (sql);
  sqlite3_stmt *stmt;

  if (cache == NULL)
    {
      cache = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                     finalize_cb);
      g_object_set_qdata_full (G_OBJECT (self), cache_quark (), cache,
                               (GDestroyNotify) g_hash_table_unref);
    }
  stmt = g_hash_table_lookup (cache, key);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  if (sqlite3_prepare_v3 (les_store_get_sqlite (self), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      les_store_set_db_error (self, error);
      return NULL;
    }
  g_hash_table_insert (cache, (gpointer) key, stmt);
  return stmt;
}

void
les_bind_text_or_null (sqlite3_stmt *stmt, int index, const char *text)
{
  if (text == NULL || text[0] == '\0')
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

void
les_bind_int64_or_null (sqlite3_stmt *stmt, int index, gboolean present, gint64 value)
{
  if (present)
    sqlite3_bind_int64 (stmt, index, value);
  else
    sqlite3_bind_null (stmt, index);
}
