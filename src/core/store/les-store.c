/* les-store.c: opening, migrating and auditing the database, and the cache of its statements. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "les-core-resources.h"
#include "les-error.h"
#include "les-key-provider.h"
#include "les-store-private.h"

struct _LesStore
{
  GObject     parent_instance;

  char       *location;   /* as given: a file, or a connection string (which may hold a password) */
  char       *path;       /* SQLite's file; NULL on a server */
  LesDb      *db;
  GHashTable *statements;   /* const char *sql (interned) → LesStmt * */
  GHashTable *by_address;   /* the caller's sql pointer → its interned text */
  char       *key_id;       /* names the key (meta); not secret */
  char       *key_check;    /* tells the right key from a wrong one (meta) */
  GBytes     *key;          /* NULL until something that needs it asks */
  char       *nhs_key;      /* the key in hex: NHS numbers' HMAC key, as it was in older files */
  guint8      seal_key[32];
  char       *os_user;      /* on a server, the server's name for this connection's user */
  char       *client;       /* names this store and its copies in the notices of changes they send */
  GHashTable *touched;      /* tables the open transaction changed (audited), announced at commit */
  GSource    *watch;        /* others' changes, on a server (les_store_watch_others()) */
  int         depth;        /* nested begin calls */
  GHashTable *stale;        /* "YEAR/CODE" (CODE "" every service; YEAR 0 every year) marked in this transaction */
  GPtrArray  *warnings;     /* sentences for people, NULL-terminated */

  /* a second writer is told who holds the database (les_store_set_wait_func()) */
  char       *holder_path;  /* PATH-holder: who holds the write lock, while they hold it */
  char       *activity;     /* what this store's writes are, for the people waiting */
  LesStoreWaitFunc wait_func;
  gpointer    wait_data;
  GDestroyNotify wait_destroy;
  gboolean    wait_told;
};

/* How long a writer waits before it says what it waits for */
#define WAIT_TELL_US G_USEC_PER_SEC

G_DEFINE_FINAL_TYPE (LesStore, les_store, G_TYPE_OBJECT)

enum {
  CHANGED,
  REACHABLE_CHANGED,
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
  { 4, 5, "resource:///org/lesclaims/LesClaims/core/les-schema-5.sql" },
  { 5, 6, "resource:///org/lesclaims/LesClaims/core/les-schema-6.sql" },
};

/* A PostgreSQL database starts at the version current when it came in */
static const Migration pg_migrations[] = {
  { 0, 3, "resource:///org/lesclaims/LesClaims/core/pg/les-schema-pg.sql" },
  { 3, 4, "resource:///org/lesclaims/LesClaims/core/pg/les-schema-pg-4.sql" },
  { 4, 5, "resource:///org/lesclaims/LesClaims/core/pg/les-schema-pg-5.sql" },
  { 5, 6, "resource:///org/lesclaims/LesClaims/core/pg/les-schema-pg-6.sql" },
};

G_STATIC_ASSERT (G_N_ELEMENTS (sqlite_migrations) == LES_SCHEMA_VERSION);

/* A prepared statement and the text it was prepared from (the cache's key) */
typedef struct
{
  char    *sql;
  LesStmt *stmt;
} Cached;

static void
cached_free (gpointer data)
{
  Cached *cached = data;

  les_stmt_finalize (cached->stmt);
  g_free (cached->sql);
  g_free (cached);
}

gboolean
les_store_exec (LesStore *self, const char *sql, GError **error)
{
  return les_db_exec (self->db, sql, error);
}

LesStmt *
les_store_prepare (LesStore *self, const char *sql, GError **error)
{
  Cached *cached;

  /* hot loops ask for the same text at the same address: skip hashing the
   * text, but check it, since a freed text's address can come back.  The
   * cache owns a copy of each text: the claims model builds texts from its
   * filters, and interning them would keep every one for good. */
  cached = g_hash_table_lookup (self->by_address, sql);
  if (cached == NULL || strcmp (cached->sql, sql) != 0)
    {
      cached = g_hash_table_lookup (self->statements, sql);
      if (cached == NULL)
        {
          LesStmt *prepared = les_db_prepare (self->db, sql, error);

          if (prepared == NULL)
            return NULL;
          cached = g_new (Cached, 1);
          cached->sql = g_strdup (sql);
          cached->stmt = prepared;
          g_hash_table_insert (self->statements, cached->sql, cached);
        }
      g_hash_table_insert (self->by_address, (gpointer) sql, cached);
    }
  les_stmt_reset (cached->stmt);
  les_stmt_clear_bindings (cached->stmt);
  return cached->stmt;
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
gboolean
les_store_read_meta (LesStore *self, const char *key, char **value, GError **error)
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
is_sqlite (LesStore *self)
{
  return g_strcmp0 (les_db_get_backend_name (self->db), "sqlite") == 0;
}

/* Derives what the key is used for; @key has been checked */
static void
take_key (LesStore *self, GBytes *key)
{
  static const char seal_label[] = "LES Claims audit seal";
  gsize n = sizeof self->seal_key;
  gsize key_len;
  const guint8 *data = g_bytes_get_data (key, &key_len);
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, data, key_len);

  g_clear_pointer (&self->key, g_bytes_unref);
  g_clear_pointer (&self->nhs_key, g_free);
  self->key = g_bytes_ref (key);
  /* older files kept the key as 64 hex digits and hashed with those digits as the key:
   * hashes made then still match */
  self->nhs_key = les_key_to_hex (key);
  g_hmac_update (hmac, (const guchar *) seal_label, sizeof seal_label - 1);
  g_hmac_get_digest (hmac, self->seal_key, &n);
}

static gboolean
set_meta (LesStore *self, const char *key, const char *value, GError **error)
{
  LesStmt *stmt = les_store_prepare (self, les_sql_meta_set, error);

  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_text (stmt, 1, key);
  les_stmt_bind_text (stmt, 2, value);
  return les_stmt_run (stmt, error);
}

static void
set_no_provider_error (LesStore *self, GError **error)
{
  g_set_error (error, LES_ERROR, LES_ERROR_NO_KEY,
               _("There is no keyring to keep the key of %s in: name a key file "
                 "(les-claims-cli --key-file FILE, or LES_CLAIMS_KEY_FILE)"), les_db_get_location (self->db));
}

/* A new database gets a key; an older one's key moves out of the file into the
 * provider's keeping, so that the file alone no longer re-identifies patients */
static gboolean
move_key_out (LesStore *self, int from_version, gboolean *scrub, GError **error)
{
  g_autoptr(LesKeyProvider) provider = les_key_provider_get_default ();
  g_autoptr(GBytes) key = NULL;
  g_autofree char *old_hex = NULL;
  g_autofree char *key_id = NULL;

  *scrub = FALSE;
  if (provider == NULL)
    {
      set_no_provider_error (self, error);
      return FALSE;
    }
  if (from_version > 0 && !les_store_read_meta (self, "nhs_hmac_key", &old_hex, error))
    return FALSE;
  if (old_hex != NULL)
    {
      key = les_key_from_hex (old_hex);
      if (key == NULL)
        {
          g_set_error (error, LES_ERROR, LES_ERROR_DATABASE, _("%s: the key kept in the file is damaged"),
                       les_db_get_location (self->db));
          return FALSE;
        }
      g_autoptr(GError) local = NULL;

      if ((key_id = les_key_new_id (error)) == NULL)
        return FALSE;
      if (!les_key_provider_save (provider, les_db_get_location (self->db), key_id, key, &local))
        {
          g_set_error (error, LES_ERROR, local->domain == LES_ERROR ? local->code : LES_ERROR_FAILED,
                       _("%s keeps its key in the file, and this version moves it out, but it cannot: %s"),
                       les_db_get_location (self->db), local->message);
          return FALSE;
        }
      *scrub = TRUE;
    }
  else
    {
      g_autoptr(GError) local = NULL;

      if (!les_key_provider_create (provider, les_db_get_location (self->db), &key_id, &key, &local))
        {
          g_set_error (error, LES_ERROR, local->domain == LES_ERROR ? local->code : LES_ERROR_FAILED,
                       _("Cannot make a key for %s: %s"), les_db_get_location (self->db), local->message);
          return FALSE;
        }
    }

  g_clear_pointer (&self->key_check, g_free);
  self->key_check = les_key_check_value (key);
  if (!set_meta (self, "key_id", key_id, error) || !set_meta (self, "key_check", self->key_check, error))
    return FALSE;
  if (*scrub)
    {
      /* overwritten with zeros, not just unlinked from its page */
      if (is_sqlite (self) && !les_store_exec (self, les_sql_sqlite_secure_delete_on, error))
        return FALSE;
      if (!les_store_exec (self, les_sql_meta_delete_old_key, error))
        return FALSE;
    }
  self->key_id = g_steal_pointer (&key_id);
  take_key (self, key);
  return TRUE;
}

static gboolean
read_key_id (LesStore *self, GError **error)
{
  g_clear_pointer (&self->key_id, g_free);
  g_clear_pointer (&self->key_check, g_free);
  return les_store_read_meta (self, "key_id", &self->key_id, error) && les_store_read_meta (self, "key_check", &self->key_check, error);
}

static gboolean
migrate (LesStore *self, GError **error)
{
  int version = les_store_get_schema_version (self);
  gboolean scrub = FALSE;
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
      if (!read_key_id (self, error))
        return FALSE;
      if (self->key_id != NULL)
        return TRUE;
    }

  /* a migration may rebuild a table that others refer to (SQLite's way of
   * changing a constraint): references are not checked while it runs,
   * which the pragma allows only outside a transaction */
  if (!is_server (self))
    les_store_exec (self, les_sql_sqlite_foreign_keys_off, NULL);
  if (!les_store_begin (self, error))
    goto out;
  /* read again under the write lock: another connection may have migrated meanwhile */
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
  if (!read_key_id (self, error))
    goto fail;
  if (self->key_id == NULL)
    {
      if (!move_key_out (self, version, &scrub, error))
        goto fail;
      /* the trail and the runs so far are sealed from here on */
      if (version > 0 && !les_chain_seal_existing (self, error))
        goto fail;
    }
  if (version < LES_SCHEMA_VERSION)
    {
      g_autofree char *what = g_strdup_printf ("schema %d → %d%s", version, LES_SCHEMA_VERSION,
                                               scrub ? "; the key moved out of the file" : "");
      if (!les_store_audit (self, "migrate", NULL, NULL, NULL, what, error))
        goto fail;
    }
  if (!les_store_commit (self, error))
    goto done;
  if (scrub && is_sqlite (self))
    {
      /* the old pages leave the WAL too */
      les_store_exec (self, les_sql_sqlite_secure_delete_off, NULL);
      les_store_exec (self, les_sql_sqlite_checkpoint_truncate, NULL);
    }
  ok = TRUE;
  goto out;

fail:
  les_store_rollback (self);
done:
  if (scrub && is_sqlite (self))
    les_store_exec (self, les_sql_sqlite_secure_delete_off, NULL);
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
  g_free (self->key_id);
  g_free (self->key_check);
  g_clear_pointer (&self->key, g_bytes_unref);
  if (self->nhs_key != NULL)
    memset (self->nhs_key, 0, strlen (self->nhs_key));
  g_free (self->nhs_key);
  memset (self->seal_key, 0, sizeof self->seal_key);
  g_free (self->os_user);
  g_free (self->client);
  g_clear_pointer (&self->touched, g_hash_table_unref);
  if (self->watch != NULL)
    g_source_destroy (self->watch);
  g_clear_pointer (&self->watch, g_source_unref);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_clear_pointer (&self->stale, g_hash_table_unref);
  g_free (self->holder_path);
  g_free (self->activity);
  if (self->wait_destroy != NULL)
    self->wait_destroy (self->wait_data);

  G_OBJECT_CLASS (les_store_parent_class)->finalize (object);
}

static void
les_store_class_init (LesStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = les_store_finalize;

  /* another client's change on a server (les_store_watch_others()); this
   * process's own writes reach the screens through the session */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 1, G_TYPE_STRING);
  /* the server's connection watched for others' changes was lost (FALSE,
   * and why) or is back (TRUE, NULL; what others changed meanwhile was not
   * told) */
  signals[REACHABLE_CHANGED] = g_signal_new ("reachable-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                             0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 2, G_TYPE_BOOLEAN, G_TYPE_STRING);
}

static void
les_store_init (LesStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, cached_free);
  self->by_address = g_hash_table_new (g_direct_hash, g_direct_equal);
  self->os_user = g_strdup (g_get_user_name ());
  self->client = g_uuid_string_random ();
  self->touched = g_hash_table_new (g_str_hash, g_str_equal);
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

/* Who holds the write lock: written beside the database by the holder, read by a
 * writer that waits for it (SQLite says only that the file is locked) */
static void
write_holder (LesStore *self)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *since = g_date_time_format (now, "%H:%M");
  g_autofree char *data = NULL;
  gsize len;

  g_key_file_set_string (file, "holder", "user", self->os_user);
  g_key_file_set_int64 (file, "holder", "pid", getpid ());
  g_key_file_set_string (file, "holder", "host", g_get_host_name ());
  g_key_file_set_string (file, "holder", "action", self->activity != NULL ? self->activity : "");
  g_key_file_set_string (file, "holder", "since", since);
  if (self->holder_path == NULL)
    return;   /* a server says who holds a lock itself */
  data = g_key_file_to_data (file, &len, NULL);
  /* only a courtesy to others: a failure to write it changes nothing */
  g_file_set_contents_full (self->holder_path, data, len, G_FILE_SET_CONTENTS_NONE, 0600, NULL);
}

static void
remove_holder (LesStore *self)
{
  if (self->holder_path != NULL)
    g_unlink (self->holder_path);
}

/* What a waiting writer says: whose action holds the database, when the holder's
 * file is there and its process alive on this computer */
static char *
describe_holder (LesStore *self)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *user = NULL;
  g_autofree char *host = NULL;
  g_autofree char *action = NULL;
  g_autofree char *since = NULL;
  gint64 pid;

  if (self->holder_path == NULL)
    {
      g_autofree char *holder = les_db_describe_holder (self->db);
      g_auto(GStrv) parts = holder != NULL ? g_strsplit (holder, "\t", 2) : NULL;

      /* a server names whoever holds its lock */
      if (parts != NULL && parts[0] != NULL && parts[1] != NULL && parts[1][0] != '\0')
        return g_strdup_printf (_("Waiting for %s, who has been changing %s since %s…"), parts[0],
                                les_db_get_location (self->db), parts[1]);
      if (parts != NULL && parts[0] != NULL)
        return g_strdup_printf (_("Waiting for %s, who is changing %s…"), parts[0], les_db_get_location (self->db));
    }
  if (self->holder_path == NULL || !g_key_file_load_from_file (file, self->holder_path, G_KEY_FILE_NONE, NULL))
    return g_strdup_printf (_("Waiting for another program that is changing %s…"), les_db_get_location (self->db));
  user = g_key_file_get_string (file, "holder", "user", NULL);
  host = g_key_file_get_string (file, "holder", "host", NULL);
  action = g_key_file_get_string (file, "holder", "action", NULL);
  since = g_key_file_get_string (file, "holder", "since", NULL);
  pid = g_key_file_get_int64 (file, "holder", "pid", NULL);
  /* a stale file, left by a process that died: not the holder */
  if (user == NULL || pid <= 0 || pid > G_MAXINT
      || (g_strcmp0 (host, g_get_host_name ()) == 0 && kill ((pid_t) pid, 0) != 0 && errno == ESRCH))
    return g_strdup_printf (_("Waiting for another program that is changing %s…"), les_db_get_location (self->db));
  if (action == NULL || action[0] == '\0')
    return g_strdup_printf (_("Waiting for %s’s change to %s (pid %" G_GINT64_FORMAT ", since %s)…"), user,
                            les_db_get_location (self->db), pid, since != NULL ? since : "?");
  return g_strdup_printf (_("Waiting for %s’s %s (pid %" G_GINT64_FORMAT ", since %s)…"), user, action, pid,
                          since != NULL ? since : "?");
}

static gboolean
wait_cb (LesDb *db, gint64 waited_us, gpointer user_data)
{
  LesStore *self = user_data;

  if (waited_us == 0)
    self->wait_told = FALSE;
  if (!self->wait_told && waited_us >= WAIT_TELL_US && self->wait_func != NULL)
    {
      g_autofree char *message = describe_holder (self);

      self->wait_told = TRUE;
      self->wait_func (self, message, self->wait_data);
    }
  return TRUE;
}

/**
 * les_store_set_wait_func:
 * @func: (nullable): told once, after a second, what another writer is doing
 *   while this store waits for it (on the thread that waits)
 *
 * A write waits for another program's without a time limit; cancelling the
 * store's cancellable (les_store_set_cancellable()) stops the wait.
 */
void
les_store_set_wait_func (LesStore *self, LesStoreWaitFunc func, gpointer user_data, GDestroyNotify destroy)
{
  g_return_if_fail (LES_IS_STORE (self));

  if (self->wait_destroy != NULL)
    self->wait_destroy (self->wait_data);
  self->wait_func = func;
  self->wait_data = user_data;
  self->wait_destroy = destroy;
}

/**
 * les_store_set_activity:
 * @activity: (nullable): what this store's writes are ("import of claims.csv"),
 *   for the people another writer keeps waiting
 */
void
les_store_set_activity (LesStore *self, const char *activity)
{
  g_return_if_fail (LES_IS_STORE (self));

  g_free (self->activity);
  self->activity = g_strdup (activity);
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

/* On a server the audit trail names the user the server authenticated (a team
 * database's trigger writes it whatever the client says), so the seal is made
 * over that name */
static gboolean
learn_server_user (LesStore *self, GError **error)
{
  LesStmt *stmt = les_store_prepare (self, les_sql_pg_session_user, error);
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    {
      g_free (self->os_user);
      self->os_user = g_strdup (les_stmt_text (stmt, 0));
    }
  les_stmt_reset (stmt);
  return rc == LES_STEP_ROW;
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
  gboolean created = FALSE;

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
      self->holder_path = g_strconcat (location, "-holder", NULL);
      created = !g_file_test (location, G_FILE_TEST_EXISTS);
      self->db = les_db_sqlite_open (location, FALSE, error);
      if (self->db == NULL)
        return NULL;
      check_file (self);
    }
  les_db_set_wait_func (self->db, wait_cb, self);
  if (is_server (self) && !learn_server_user (self, error))
    return NULL;

  if (!migrate (self, error))
    {
      /* a database that could not be made (no key, say) leaves no file behind */
      if (created)
        {
          g_autofree char *wal = g_strconcat (location, "-wal", NULL);
          g_autofree char *shm = g_strconcat (location, "-shm", NULL);

          g_hash_table_remove_all (self->by_address);
          g_hash_table_remove_all (self->statements);
          g_clear_pointer (&self->db, les_db_close);
          g_unlink (location);
          g_unlink (wal);
          g_unlink (shm);
        }
      return NULL;
    }

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
  LesStore *copy;

  g_return_val_if_fail (LES_IS_STORE (self), NULL);

  copy = les_store_open (self->location, error);
  /* its changes are this store's, for les_store_watch_others() */
  if (copy != NULL)
    {
      g_free (copy->client);
      copy->client = g_strdup (self->client);
    }
  /* a worker does not ask the keyring again */
  if (copy != NULL && self->key != NULL && g_strcmp0 (copy->key_id, self->key_id) == 0)
    take_key (copy, self->key);
  return copy;
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

/* A server tells the other clients which tables this transaction changed:
 * one notice per table, sent by the server when (and only if) it commits */
static gboolean
announce_changes (LesStore *self, GError **error)
{
  GHashTableIter iter;
  gpointer table;

  if (!is_server (self) || g_hash_table_size (self->touched) == 0)
    return TRUE;
  g_hash_table_iter_init (&iter, self->touched);
  while (g_hash_table_iter_next (&iter, &table, NULL))
    {
      LesStmt *stmt = les_store_prepare (self, les_sql_pg_notify_change, error);

      if (stmt == NULL)
        break;
      les_stmt_bind_text (stmt, 1, table);
      les_stmt_bind_text (stmt, 2, self->client);
      if (!les_stmt_run (stmt, error))
        break;
      g_hash_table_iter_remove (&iter);
    }
  if (g_hash_table_size (self->touched) == 0)
    return TRUE;
  g_hash_table_remove_all (self->touched);
  return FALSE;
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
  write_holder (self);
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
  if (!write_stale (self, error))
    {
      g_hash_table_remove_all (self->stale);
      remove_holder (self);
      les_db_rollback (self->db);
      return FALSE;
    }
  /* before the lock goes, so that it never removes the next holder's file */
  remove_holder (self);
  if (!announce_changes (self, error) || !les_db_commit (self->db, error))
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
  remove_holder (self);
  g_hash_table_remove_all (self->touched);
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
 * Writes one row of the audit trail, sealed to the row before it, inside
 * the caller's transaction.  When it fails the caller rolls its change
 * back: a change the trail does not record is not made.
 */
gboolean
les_store_audit (LesStore    *self,
                 const char  *action,
                 const char  *table_name,
                 const char  *row_key,
                 const char  *before,
                 const char  *after,
                 GError     **error)
{
  return les_store_audit_sealed (self, action, table_name, row_key, before, after, NULL, error);
}

gboolean
les_store_audit_sealed (LesStore    *self,
                        const char  *action,
                        const char  *table_name,
                        const char  *row_key,
                        const char  *before,
                        const char  *after,
                        const char  *digest,
                        GError     **error)
{
  g_autofree char *now = les_now_iso8601 ();
  const char *fields[LES_CHAIN_AUDIT_FIELDS] = { now, self->os_user, action, table_name, row_key, before, after,
                                                 digest };

  g_return_val_if_fail (LES_IS_STORE (self), FALSE);

  if (!les_store_ensure_key (self, error) || !les_store_begin (self, error))
    return FALSE;
  if (!les_chain_append (self, fields, error))
    {
      les_store_rollback (self);
      return FALSE;
    }
  /* every change is audited: what it audits is what others are told of */
  if (table_name != NULL)
    g_hash_table_add (self->touched, (gpointer) g_intern_string (table_name));
  return les_store_commit (self, error);
}

static void
notified_cb (const char *channel, const char *payload, gpointer user_data)
{
  LesStore *self = user_data;
  g_auto(GStrv) parts = g_strsplit (payload != NULL ? payload : "", "\t", 3);

  /* table, client, user; this store's own changes it has announced itself */
  if (g_strv_length (parts) < 2 || strcmp (parts[1], self->client) == 0)
    return;
  g_debug ("%s: %s changed %s", les_db_get_location (self->db), parts[2] != NULL ? parts[2] : "?", parts[0]);
  g_signal_emit (self, signals[CHANGED], g_quark_from_string (parts[0]), parts[0]);
}

static void
link_cb (gboolean reachable, const char *problem, gpointer user_data)
{
  LesStore *self = user_data;

  /* this store's connection is used on the watcher's (main) thread: while
   * the server is known gone it fails at once, not after a connect's wait */
  les_db_pg_set_offline (self->db, !reachable);
  g_signal_emit (self, signals[REACHABLE_CHANGED], 0, reachable, problem);
}

/**
 * les_store_watch_others:
 * @context: (nullable): the main context to be told in (NULL: the default)
 *
 * On a server, has the store emit #LesStore::changed in @context for every
 * table another client changes (another person's import, decision, compute
 * or run), a moment after it commits; this store's own changes and its
 * copies' (les_store_dup()) are not repeated.  It listens on a connection of
 * its own; when that is lost, #LesStore::reachable-changed says so, and
 * again when it is back (connected again in the background, after 1 s, then
 * a growing delay up to 30 s).  A file has no other clients to watch:
 * nothing is done.
 */
gboolean
les_store_watch_others (LesStore *self, GMainContext *context, GError **error)
{
  GSource *source;

  g_return_val_if_fail (LES_IS_STORE (self), FALSE);

  if (!is_server (self) || self->watch != NULL)
    return TRUE;
  source = les_db_pg_notify_source_new (self->location, "les_changes", error);
  if (source == NULL)
    return FALSE;
  g_source_set_callback (source, G_SOURCE_FUNC (notified_cb), self, NULL);
  les_db_pg_notify_source_set_link_func (source, link_cb, self);
  g_source_attach (source, context);
  self->watch = source;
  return TRUE;
}

/**
 * les_store_get_user_name:
 *
 * Returns: who the audit trail says makes this store's changes: the server's
 * name for the connection's user, or the user of this computer for a file
 */
const char *
les_store_get_user_name (LesStore *self)
{
  g_return_val_if_fail (LES_IS_STORE (self), NULL);

  return self->os_user;
}

/**
 * les_store_hash_nhs_number:
 * @digits: a valid NHS number, ten digits
 *
 * Returns: the number's keyed hash (64 hex digits), or NULL when the key
 * is not on this desk (@error says how to bring it)
 */
char *
les_store_hash_nhs_number (LesStore *self, const char *digits, GError **error)
{
  g_return_val_if_fail (LES_IS_STORE (self), NULL);

  if (!les_store_ensure_key (self, error))
    return NULL;
  return g_compute_hmac_for_data (G_CHECKSUM_SHA256,
                                  (const guchar *) self->nhs_key, strlen (self->nhs_key),
                                  (const guchar *) digits, strlen (digits));
}

const char *
les_store_get_key_id (LesStore *self)
{
  g_return_val_if_fail (LES_IS_STORE (self), NULL);

  return self->key_id;
}

/**
 * les_store_set_key:
 * @key: LES_KEY_SIZE bytes
 *
 * Gives the store its key (from a key file, say) without asking the
 * provider; fails with LES_ERROR_WRONG_KEY when it is not this database's.
 */
gboolean
les_store_set_key (LesStore *self, GBytes *key, GError **error)
{
  g_autofree char *check = NULL;

  g_return_val_if_fail (LES_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  if (g_bytes_get_size (key) == LES_KEY_SIZE)
    check = les_key_check_value (key);
  if (check == NULL || g_strcmp0 (check, self->key_check) != 0)
    {
      g_set_error (error, LES_ERROR, LES_ERROR_WRONG_KEY, _("That key is not the key of %s"), les_db_get_location (self->db));
      return FALSE;
    }
  take_key (self, key);
  return TRUE;
}

/**
 * les_store_ensure_key:
 *
 * Asks the key provider for the database's key, once; only what needs it
 * asks (hashing NHS numbers, sealing and checking the audit trail), so a
 * database whose key is elsewhere still opens and shows everything.
 */
gboolean
les_store_ensure_key (LesStore *self, GError **error)
{
  g_autoptr(LesKeyProvider) provider = NULL;
  g_autoptr(GBytes) key = NULL;
  g_autoptr(GError) local = NULL;

  g_return_val_if_fail (LES_IS_STORE (self), FALSE);

  if (self->key != NULL)
    return TRUE;
  if (self->key_id == NULL || self->key_check == NULL)
    {
      g_set_error (error, LES_ERROR, LES_ERROR_DATABASE, _("%s has lost the name of its key (meta key_id)"),
                   les_db_get_location (self->db));
      return FALSE;
    }
  provider = les_key_provider_get_default ();
  if (provider == NULL)
    {
      set_no_provider_error (self, error);
      return FALSE;
    }
  key = les_key_provider_lookup (provider, self->key_id, &local);
  if (key == NULL)
    {
      if (g_error_matches (local, LES_ERROR, LES_ERROR_NO_KEY))
        g_set_error (error, LES_ERROR, LES_ERROR_NO_KEY,
                     _("The key of %s (%s) is not on this desk: %s. On the desk that has it, "
                       "run “les-claims-cli key export -o FILE”; bring FILE here and run "
                       "“les-claims-cli key import FILE” (or name it with --key-file FILE)"),
                     les_db_get_location (self->db), self->key_id, local->message);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return les_store_set_key (self, key, error);
}

/**
 * les_store_export_key:
 *
 * Returns: (transfer full): the database's key, for `key export`; NULL
 * when it is not on this desk
 */
GBytes *
les_store_export_key (LesStore *self, GError **error)
{
  g_return_val_if_fail (LES_IS_STORE (self), NULL);

  if (!les_store_ensure_key (self, error))
    return NULL;
  return g_bytes_ref (self->key);
}

const guint8 *
les_store_get_seal_key (LesStore *self)
{
  g_return_val_if_fail (LES_IS_STORE (self), NULL);
  g_return_val_if_fail (self->key != NULL, NULL);

  return self->seal_key;
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
