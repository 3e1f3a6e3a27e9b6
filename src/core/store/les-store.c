/* les-store.c: opening, migrating and auditing the database, and the cache of its statements. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "les-core-resources.h"
#include "les-error.h"
#include "les-store-private.h"

struct _LesStore
{
  GObject     parent_instance;

  char       *location;   /* as given: a file, or a connection string (which may hold a password) */
  char       *path;       /* SQLite's file; NULL on a server */
  LesDb      *db;
  GHashTable *statements;   /* const char *sql (interned) → LesStmt * */
  GHashTable *by_address;   /* the caller's sql pointer → its interned text */
  char       *hmac_key;     /* hex */
  char       *os_user;
  int         depth;        /* nested begin calls */
  GHashTable *stale;        /* "YEAR/CODE" (CODE "" every service; YEAR 0 every year) marked in this transaction */
  GPtrArray  *warnings;     /* sentences for people, NULL-terminated */
};

G_DEFINE_FINAL_TYPE (LesStore, les_store, G_TYPE_OBJECT)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct {
  int         from;
  int         to;
  const char *uri;
} Migration;

/* SQLite's files were made by every version since the first, so each
 * version has its step */
static const Migration sqlite_migrations[] = {
  { 0, 1, "resource:///org/lesclaims/LesClaims/core/les-schema.sql" },
  { 1, 2, "resource:///org/lesclaims/LesClaims/core/les-schema-2.sql" },
  { 2, 3, "resource:///org/lesclaims/LesClaims/core/les-schema-3.sql" },
  { 3, 4, "resource:///org/lesclaims/LesClaims/core/les-schema-4.sql" },
};

/* A PostgreSQL database starts at the version current when it came in */
static const Migration pg_migrations[] = {
  { 0, 3, "resource:///org/lesclaims/LesClaims/core/pg/les-schema-pg.sql" },
  { 3, 4, "resource:///org/lesclaims/LesClaims/core/pg/les-schema-pg-4.sql" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (sqlite_migrations) == LES_SCHEMA_VERSION);

static void
finalize_statement (gpointer stmt)
{
  les_stmt_finalize (stmt);
}

gboolean
les_store_exec (LesStore *self, const char *sql, GError **error)
{
  return les_db_exec (self->db, sql, error);
}

LesStmt *
les_store_prepare (LesStore *self, const char *sql, GError **error)
{
  const char *key;
  LesStmt *stmt;

  /* hot loops ask for the same text at the same address: skip interning,
   * but check the text, since a freed text's address can come back */
  key = g_hash_table_lookup (self->by_address, sql);
  if (key == NULL || strcmp (key, sql) != 0)
    {
      key = g_intern_string (sql);
      g_hash_table_insert (self->by_address, (gpointer) sql, (gpointer) key);
    }
  stmt = g_hash_table_lookup (self->statements, key);
  if (stmt == NULL)
    {
      stmt = les_db_prepare (self->db, sql, error);
      if (stmt == NULL)
        return NULL;
      g_hash_table_insert (self->statements, (gpointer) key, stmt);
    }
  les_stmt_reset (stmt);
  les_stmt_clear_bindings (stmt);
  return stmt;
}

void
les_store_set_cancellable (LesStore *self, GCancellable *cancellable)
{
  les_db_set_cancellable (self->db, cancellable);
}

char *
les_now_iso8601 (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static gboolean
is_server (LesStore *self)
{
  return strcmp (les_db_get_backend_name (self->db), "postgresql") == 0;
}

static gboolean
set_schema_version (LesStore *self, int version, GError **error)
{
  g_autofree char *pragma = NULL;
  LesStmt *stmt;

  if (is_server (self))
    {
      stmt = les_store_prepare (self, les_sql_pg_set_schema_version, error);
      if (stmt == NULL)
        return FALSE;
      les_stmt_bind_int64 (stmt, 1, version);
      return les_stmt_run (stmt, error);
    }
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  pragma = g_strdup_printf (les_sql_sqlite_set_user_version, version);
#pragma GCC diagnostic pop
  return les_store_exec (self, pragma, error);
}

/* Brings the schema from @version to the next version its backend has a step to */
static gboolean
apply_migration (LesStore *self, int *version, GError **error)
{
  const Migration *steps = is_server (self) ? pg_migrations : sqlite_migrations;
  guint n_steps = is_server (self) ? G_N_ELEMENTS (pg_migrations) : G_N_ELEMENTS (sqlite_migrations);
  const Migration *step = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *sql = NULL;

  for (guint i = 0; i < n_steps && step == NULL; i++)
    if (steps[i].from == *version)
      step = &steps[i];
  if (step == NULL)
    {
      g_set_error (error, LES_ERROR, LES_ERROR_DATABASE,
                   _("%s: no way to bring schema version %d up to date"), les_db_get_location (self->db), *version);
      return FALSE;
    }

  /* a static library's resource is linked only when something refers to it */
  (void) les_core_get_resource ();
  file = g_file_new_for_uri (step->uri);
  bytes = g_file_load_bytes (file, NULL, NULL, error);
  if (bytes == NULL)
    return FALSE;
  sql = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  if (!les_store_exec (self, sql, error) || !set_schema_version (self, step->to, error))
    return FALSE;
  *version = step->to;
  return TRUE;
}

/* The value of @key in meta (NULL when none); FALSE on a database error. */
static gboolean
read_meta (LesStore *self, const char *key, char **value, GError **error)
{
  LesStmt *stmt = les_store_prepare (self, les_sql_meta_get, error);
  LesStep rc;

  *value = NULL;
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_text (stmt, 1, key);
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    *value = g_strdup (les_stmt_text (stmt, 0));
  les_stmt_reset (stmt);
  return rc != LES_STEP_ERROR;
}

static gboolean
ensure_hmac_key (LesStore *self, GError **error)
{
  LesStmt *stmt;

  if (!read_meta (self, "nhs_hmac_key", &self->hmac_key, error))
    return FALSE;
  if (self->hmac_key != NULL)
    return TRUE;

  {
    GString *key = g_string_new (NULL);

    /* 256 random bits from GLib's CSPRNG-seeded generator; the key never leaves the file */
    for (int i = 0; i < 8; i++)
      g_string_append_printf (key, "%08x", g_random_int ());
    self->hmac_key = g_string_free (key, FALSE);
  }
  stmt = les_store_prepare (self, les_sql_meta_insert, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_text (stmt, 1, "nhs_hmac_key");
  les_stmt_bind_text (stmt, 2, self->hmac_key);
  return les_stmt_run (stmt, error);
}

static gboolean
migrate (LesStore *self, GError **error)
{
  int version = les_store_get_schema_version (self);
  gboolean ok = FALSE;

  if (version > LES_SCHEMA_VERSION)
    {
      g_set_error (error, LES_ERROR, LES_ERROR_TOO_NEW,
                   _("%s was made by a newer version of LES Claims (schema %d; this version knows %d)"),
                   les_db_get_location (self->db), version, LES_SCHEMA_VERSION);
      return FALSE;
    }

  /* A current database needs no write: a second connection opens while an
   * import or compute holds the write lock (a worker's reader, the job's own) */
  if (version == LES_SCHEMA_VERSION)
    {
      if (!read_meta (self, "nhs_hmac_key", &self->hmac_key, error))
        return FALSE;
      if (self->hmac_key != NULL)
        return TRUE;
    }

  /* a migration may rebuild a table that others refer to (SQLite's way of
   * changing a constraint): references are not checked while it runs,
   * which the pragma allows only outside a transaction */
  if (!is_server (self))
    les_store_exec (self, les_sql_sqlite_foreign_keys_off, NULL);
  if (!les_db_begin (self->db, LES_TRANSACTION_WRITE, error))
    goto out;
  version = les_store_get_schema_version (self);
  if (version < 0)
    {
      g_set_error (error, LES_ERROR, LES_ERROR_DATABASE, _("%s: cannot read the schema version"),
                   les_db_get_location (self->db));
      goto fail;
    }
  for (int v = version; v < LES_SCHEMA_VERSION;)
    if (!apply_migration (self, &v, error))
      goto fail;
  if (!ensure_hmac_key (self, error))
    goto fail;
  if (version < LES_SCHEMA_VERSION)
    {
      g_autofree char *what = g_strdup_printf ("schema %d → %d", version, LES_SCHEMA_VERSION);
      les_store_audit (self, "migrate", NULL, NULL, NULL, what);
    }
  ok = les_db_commit (self->db, error);
  if (!ok)
    les_db_rollback (self->db);
  goto out;

fail:
  les_db_rollback (self->db);
out:
  if (!is_server (self))
    les_store_exec (self, les_sql_sqlite_foreign_keys_on, NULL);
  return ok;
}

static void
les_store_finalize (GObject *object)
{
  LesStore *self = (LesStore *) object;

  g_clear_pointer (&self->by_address, g_hash_table_unref);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->db, les_db_close);
  g_free (self->location);
  g_free (self->path);
  g_free (self->hmac_key);
  g_free (self->os_user);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_clear_pointer (&self->stale, g_hash_table_unref);

  G_OBJECT_CLASS (les_store_parent_class)->finalize (object);
}

static void
les_store_class_init (LesStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = les_store_finalize;

  /**
   * LesStore::changed:
   * @table_name: the table that changed
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
les_store_init (LesStore *self)
{
  self->statements = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                            finalize_statement);
  self->by_address = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->os_user = g_strdup (g_get_user_name ());
  self->warnings = g_ptr_array_new_null_terminated (1, g_free, TRUE);
  self->stale = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

/* Filesystems whose locking SQLite's WAL cannot rely on (statfs f_type) */
static gboolean
is_network_filesystem (const char *path)
{
  static const long network[] = {
    0x6969,        /* NFS */
    0x517b,        /* SMB */
    0xff534d42,    /* CIFS */
    0xfe534d42,    /* SMB2 */
    0x65735546,    /* FUSE (sshfs, rclone, …) */
    0x5346414f,    /* AFS */
    0x73757245,    /* Coda */
    0x564c,        /* NCP */
    0x47504653,    /* GPFS */
    0x0bd00bd0,    /* Lustre */
    0x19830326,    /* FhGFS / BeeGFS */
    0x00c36400,    /* Ceph */
    0x01161970,    /* GFS2 */
    0x7461636f,    /* OCFS2 */
  };
  g_autofree char *dir = g_path_get_dirname (path);
  struct statfs fs;

  if (statfs (dir, &fs) != 0)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (network); i++)
    if ((unsigned long) fs.f_type == (unsigned long) network[i])
      return TRUE;
  return FALSE;
}

/* What people should know about where the file lives */
static void
check_file (LesStore *self)
{
  struct stat st;

  if (g_stat (self->path, &st) == 0 && (st.st_mode & 0077) != 0)
    g_ptr_array_add (self->warnings,
                     g_strdup_printf (_("%s can be read by other people on this computer, and it holds "
                                        "patients’ data. Make it private with “chmod 600” (and its -wal "
                                        "and -shm files)."), self->path));
  /* the document portal is a FUSE filesystem too, but on this computer */
  if (is_network_filesystem (self->path) && !les_db_sqlite_is_document_portal (self->path))
    g_ptr_array_add (self->warnings,
                     g_strdup_printf (_("%s is on a network drive. A database file there can be damaged "
                                        "when two people use it at once: keep it on this computer, or "
                                        "share a team database on a server instead."), self->path));
}

/**
 * les_store_default_path:
 *
 * Returns: the database the CLI and the application open without a file:
 * `$XDG_DATA_HOME/les-claims/les-claims.db`.
 */
char *
les_store_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "les-claims", "les-claims.db", NULL);
}

/**
 * les_store_is_server_location:
 * @location: what les_store_open() is given
 *
 * Returns: whether @location names a PostgreSQL database: a postgresql://
 * or postgres:// URI, or a key=value connection string (it begins with one
 * of libpq's keywords and "=", as "host=… dbname=…" does and no file does).
 */
gboolean
les_store_is_server_location (const char *location)
{
  g_return_val_if_fail (location != NULL, FALSE);

  return les_db_pg_is_conninfo (location);
}

/**
 * les_store_open:
 * @location: the database: a file, created when missing, or a PostgreSQL
 *   database (les_store_is_server_location())
 *
 * Opens (creating or migrating) the database at @location.
 */
LesStore *
les_store_open (const char *location, GError **error)
{
  g_autoptr(LesStore) self = NULL;

  g_return_val_if_fail (location != NULL, NULL);

  self = g_object_new (LES_TYPE_STORE, NULL);
  self->location = g_strdup (location);
  if (les_store_is_server_location (location))
    {
      self->db = les_db_pg_open (location, error);
      if (self->db == NULL)
        return NULL;
    }
  else
    {
      g_autofree char *dir = g_path_get_dirname (location);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_set_error (error, LES_ERROR, LES_ERROR_DATABASE, _("%s: cannot create the folder: %s"),
                       dir, g_strerror (errno));
          return NULL;
        }
      self->path = g_strdup (location);
      self->db = les_db_sqlite_open (location, FALSE, error);
      if (self->db == NULL)
        return NULL;
      check_file (self);
    }

  if (!migrate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * les_store_dup:
 *
 * Opens a second connection to the same database, for work on another thread.
 */
LesStore *
les_store_dup (LesStore *self, GError **error)
{
  g_return_val_if_fail (LES_IS_STORE (self), NULL);

  return les_store_open (self->location, error);
}

char *
les_store_dup_open_location (LesStore *self)
{
  g_return_val_if_fail (LES_IS_STORE (self), NULL);

  return g_strdup (self->location);
}

/**
 * les_store_get_warnings:
 *
 * Returns: (transfer none): what people should know about the database
 * as it was opened (readable by others, on a network drive), as
 * translated sentences; empty when all is well.
 */
const char * const *
les_store_get_warnings (LesStore *self)
{
  g_return_val_if_fail (LES_IS_STORE (self), NULL);

  return (const char * const *) self->warnings->pdata;
}

/**
 * les_store_get_path:
 *
 * Returns: (nullable): the SQLite database file; %NULL for a database on a server
 */
const char *
les_store_get_path (LesStore *self)
{
  g_return_val_if_fail (LES_IS_STORE (self), NULL);

  return self->path;
}

/**
 * les_store_get_location:
 *
 * Returns: where the database is, for people to read: the file, or the
 * server's postgresql:// URI without any password
 */
const char *
les_store_get_location (LesStore *self)
{
  g_return_val_if_fail (LES_IS_STORE (self), NULL);

  return les_db_get_location (self->db);
}

/**
 * les_store_get_backend_name:
 *
 * Returns: "sqlite" or "postgresql"
 */
const char *
les_store_get_backend_name (LesStore *self)
{
  g_return_val_if_fail (LES_IS_STORE (self), NULL);

  return les_db_get_backend_name (self->db);
}

LesDb *
les_store_get_db (LesStore *self)
{
  g_return_val_if_fail (LES_IS_STORE (self), NULL);

  return self->db;
}

int
les_store_get_schema_version (LesStore *self)
{
  LesStmt *stmt;
  int version = -1;

  g_return_val_if_fail (LES_IS_STORE (self), -1);

  if (is_server (self))
    {
      stmt = les_store_prepare (self, les_sql_pg_has_schema, NULL);
      if (stmt == NULL || les_stmt_step (stmt, NULL) != LES_STEP_ROW)
        return -1;
      version = les_stmt_int (stmt, 0);
      les_stmt_reset (stmt);
      if (version == 0)
        return 0;
      /* not cached: the table is made by the first migration */
      stmt = les_db_prepare (self->db, les_sql_pg_schema_version, NULL);
    }
  else
    /* not cached: a migration changes it */
    stmt = les_db_prepare (self->db, les_sql_sqlite_user_version, NULL);
  if (stmt == NULL)
    return -1;
  version = -1;
  if (les_stmt_step (stmt, NULL) == LES_STEP_ROW)
    version = les_stmt_int (stmt, 0);
  les_stmt_finalize (stmt);
  return version;
}

gboolean
les_store_begin (LesStore *self, GError **error)
{
  g_return_val_if_fail (LES_IS_STORE (self), FALSE);

  if (self->depth++ > 0)
    return TRUE;
  if (!les_db_begin (self->db, LES_TRANSACTION_WRITE, error))
    {
      self->depth = 0;
      return FALSE;
    }
  return TRUE;
}

/* Writes the marks of les_store_mark_stale(), once per transaction */
static gboolean
write_stale (LesStore *self, GError **error)
{
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->stale);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const char *mark = key;
      const char *code = strchr (mark, '/') + 1;
      int fy = (int) g_ascii_strtoll (mark, NULL, 10);
      LesStmt *stmt = les_store_prepare (self, fy == 0 ? les_sql_stale_mark_every_year : les_sql_stale_mark, error);

      if (stmt == NULL)
        return FALSE;
      if (fy != 0)
        {
          les_stmt_bind_int64 (stmt, 1, fy);
          les_stmt_bind_text (stmt, 2, code);
        }
      if (!les_stmt_run (stmt, error))
        return FALSE;
    }
  g_hash_table_remove_all (self->stale);
  return TRUE;
}

gboolean
les_store_commit (LesStore *self, GError **error)
{
  g_return_val_if_fail (LES_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->depth > 0, FALSE);

  if (--self->depth > 0)
    return TRUE;
  if (!write_stale (self, error) || !les_db_commit (self->db, error))
    {
      g_hash_table_remove_all (self->stale);
      les_db_rollback (self->db);
      return FALSE;
    }
  return TRUE;
}

void
les_store_rollback (LesStore *self)
{
  g_return_if_fail (LES_IS_STORE (self));

  if (self->depth == 0)
    return;
  self->depth = 0;
  g_hash_table_remove_all (self->stale);
  les_db_rollback (self->db);
}

/**
 * les_store_mark_stale:
 * @fy: the financial year, or 0 for every year
 * @service_code: (nullable): the service whose inputs changed; %NULL for
 *   every service of @fy
 *
 * Records, inside the open transaction, that a change to what the engine
 * reads makes the stored results of the service out of date: the next
 * compute of the year redoes it (docs/engine.md).  Every write to a
 * compute's inputs calls this; the marks are written once, at commit.
 */
void
les_store_mark_stale (LesStore *self, int fy, const char *service_code)
{
  g_return_if_fail (LES_IS_STORE (self));
  g_return_if_fail (self->depth > 0);

  if (fy == 0)
    service_code = NULL;
  g_hash_table_add (self->stale, g_strdup_printf ("%d/%s", fy, service_code ? service_code : ""));
}

/**
 * les_store_audit:
 * @action: what was done ("import", "set-status", "compute", …)
 *
 * Writes one row of the audit trail, inside the caller's transaction.
 */
void
les_store_audit (LesStore   *self,
                 const char *action,
                 const char *table_name,
                 const char *row_key,
                 const char *before,
                 const char *after)
{
  LesStmt *stmt;
  g_autofree char *now = les_now_iso8601 ();
  g_autoptr(GError) error = NULL;

  g_return_if_fail (LES_IS_STORE (self));

  stmt = les_store_prepare (self, les_sql_audit_insert, &error);
  if (stmt != NULL)
    {
      les_stmt_bind_text (stmt, 1, now);
      les_stmt_bind_text (stmt, 2, self->os_user);
      les_stmt_bind_text (stmt, 3, action);
      les_stmt_bind_text_or_null (stmt, 4, table_name);
      les_stmt_bind_text_or_null (stmt, 5, row_key);
      les_stmt_bind_text_or_null (stmt, 6, before);
      les_stmt_bind_text_or_null (stmt, 7, after);
      les_stmt_run (stmt, &error);
    }
  if (error != NULL)
    g_warning ("%s: cannot write the audit trail: %s", les_db_get_location (self->db), error->message);
}

void
les_store_emit_changed (LesStore *self, const char *table_name)
{
  g_return_if_fail (LES_IS_STORE (self));

  g_signal_emit (self, signals[CHANGED], g_quark_from_string (table_name), table_name);
}

char *
les_store_hash_nhs_number (LesStore *self, const char *digits)
{
  g_return_val_if_fail (LES_IS_STORE (self), NULL);

  return g_compute_hmac_for_data (G_CHECKSUM_SHA256,
                                  (const guchar *) self->hmac_key, strlen (self->hmac_key),
                                  (const guchar *) digits, strlen (digits));
}

/**
 * les_store_list_years:
 *
 * Returns: (transfer full): the financial years that have services, ascending.
 */
GArray *
les_store_list_years (LesStore *self)
{
  GArray *years = g_array_new (FALSE, FALSE, sizeof (int));
  LesStmt *stmt = les_store_prepare (self, les_sql_years, NULL);

  if (stmt == NULL)
    return years;
  while (les_stmt_step (stmt, NULL) == LES_STEP_ROW)
    {
      int year = les_stmt_int (stmt, 0);
      g_array_append_val (years, year);
    }
  les_stmt_reset (stmt);
  return years;
}

gboolean
les_store_is_empty (LesStore *self)
{
  return les_store_count_rows (self, "practices") == 0 && les_store_count_rows (self, "services") == 0;
}

/**
 * les_store_count_rows:
 * @table_name: one of the schema's tables (not user input)
 */
gint64
les_store_count_rows (LesStore *self, const char *table_name)
{
  static const char *known[] = { "pcns", "practices", "list_sizes", "services", "rules", "signups",
                                 "cohorts", "allocations", "claims", "patient_lines", "achievements",
                                 "ledger", "payment_lines", "findings", "audit", NULL };
  g_autofree char *sql = NULL;
  LesStmt *stmt;
  gint64 n = 0;

  g_return_val_if_fail (g_strv_contains (known, table_name), 0);

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
  sql = g_strdup_printf (les_sql_count_rows, table_name);
#pragma GCC diagnostic pop
  stmt = les_store_prepare (self, sql, NULL);
  if (stmt != NULL && les_stmt_step (stmt, NULL) == LES_STEP_ROW)
    n = les_stmt_int64 (stmt, 0);
  if (stmt != NULL)
    les_stmt_reset (stmt);
  return n;
}
