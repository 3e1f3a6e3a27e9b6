/* les-db-sqlite.c: the SQLite backend — one file on this desk, WAL, statements prepared once. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

#include "les-db.h"
#include "les-error.h"

/* Virtual machine steps between looks at the cancellable: about a millisecond */
#define INTERRUPT_STEPS 10000

typedef struct {
  LesDb         parent;
  sqlite3      *handle;
  GCancellable *cancellable;   /* not owned: set and cleared around the work it guards */
} SqliteDb;

typedef struct {
  LesStmt       parent;
  sqlite3_stmt *handle;
} SqliteStmt;

static LesDbFailure
failure_of (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return LES_DB_FAILURE_BUSY;
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
      return LES_DB_FAILURE_READ_ONLY;
    case SQLITE_FULL:
      return LES_DB_FAILURE_FULL;
    case SQLITE_INTERRUPT:
      return LES_DB_FAILURE_INTERRUPTED;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return LES_DB_FAILURE_CORRUPT;
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return LES_DB_FAILURE_PERMISSION;
    case SQLITE_CONSTRAINT:
      return rc == SQLITE_CONSTRAINT_FOREIGNKEY ? LES_DB_FAILURE_FOREIGN_KEY : LES_DB_FAILURE_CONSTRAINT;
    default:
      return LES_DB_FAILURE_OTHER;
    }
}

static gboolean
set_error (SqliteDb *db, GError **error)
{
  int rc = sqlite3_extended_errcode (db->handle);

  if ((rc & 0xff) == SQLITE_INTERRUPT)
    g_set_error (error, LES_ERROR, LES_ERROR_CANCELLED, _("Cancelled"));
  else
    g_set_error (error, LES_ERROR, LES_ERROR_DATABASE, _("%s: database error: %s"),
                 db->parent.location, sqlite3_errmsg (db->handle));
  return FALSE;
}

static int
interrupt_cb (void *data)
{
  SqliteDb *db = data;

  return g_cancellable_is_cancelled (db->cancellable);
}

static void
sqlite_close (LesDb *parent)
{
  SqliteDb *db = (SqliteDb *) parent;

  sqlite3_close_v2 (db->handle);
  g_free (db->parent.location);
  g_free (db);
}

static LesStmt *
sqlite_prepare (LesDb *parent, const char *sql, GError **error)
{
  SqliteDb *db = (SqliteDb *) parent;
  sqlite3_stmt *handle;
  SqliteStmt *stmt;

  if (sqlite3_prepare_v3 (db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &handle, NULL) != SQLITE_OK)
    {
      set_error (db, error);
      return NULL;
    }
  stmt = g_new0 (SqliteStmt, 1);
  stmt->parent.db = parent;
  stmt->handle = handle;
  return (LesStmt *) stmt;
}

static void
sqlite_finalize (LesStmt *parent)
{
  SqliteStmt *stmt = (SqliteStmt *) parent;

  sqlite3_finalize (stmt->handle);
  g_free (stmt);
}

static void
sqlite_reset (LesStmt *stmt)
{
  sqlite3_reset (((SqliteStmt *) stmt)->handle);
}

static void
sqlite_clear_bindings (LesStmt *stmt)
{
  sqlite3_clear_bindings (((SqliteStmt *) stmt)->handle);
}

static int
sqlite_param_count (LesStmt *stmt)
{
  return sqlite3_bind_parameter_count (((SqliteStmt *) stmt)->handle);
}

static void
sqlite_bind_int64 (LesStmt *stmt, int index, gint64 value)
{
  sqlite3_bind_int64 (((SqliteStmt *) stmt)->handle, index, value);
}

static void
sqlite_bind_text (LesStmt *stmt, int index, const char *text, gssize len, gboolean is_static)
{
  sqlite3_bind_text (((SqliteStmt *) stmt)->handle, index, text, (int) len,
                     is_static ? SQLITE_STATIC : SQLITE_TRANSIENT);
}

static void
sqlite_bind_null (LesStmt *stmt, int index)
{
  sqlite3_bind_null (((SqliteStmt *) stmt)->handle, index);
}

static LesStep
sqlite_step (LesStmt *parent, GError **error)
{
  SqliteStmt *stmt = (SqliteStmt *) parent;

  switch (sqlite3_step (stmt->handle))
    {
    case SQLITE_ROW:
      return LES_STEP_ROW;
    case SQLITE_DONE:
      return LES_STEP_DONE;
    default:
      set_error ((SqliteDb *) parent->db, error);
      return LES_STEP_ERROR;
    }
}

static int
sqlite_column_count (LesStmt *stmt)
{
  return sqlite3_column_count (((SqliteStmt *) stmt)->handle);
}

static gboolean
sqlite_column_is_null (LesStmt *stmt, int col)
{
  return sqlite3_column_type (((SqliteStmt *) stmt)->handle, col) == SQLITE_NULL;
}

static gint64
sqlite_column_int64 (LesStmt *stmt, int col)
{
  return sqlite3_column_int64 (((SqliteStmt *) stmt)->handle, col);
}

static const char *
sqlite_column_text (LesStmt *stmt, int col)
{
  return (const char *) sqlite3_column_text (((SqliteStmt *) stmt)->handle, col);
}

static gboolean
sqlite_exec (LesDb *parent, const char *sql, GError **error)
{
  SqliteDb *db = (SqliteDb *) parent;
  char *msg = NULL;

  if (sqlite3_exec (db->handle, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      if ((sqlite3_extended_errcode (db->handle) & 0xff) == SQLITE_INTERRUPT)
        g_set_error (error, LES_ERROR, LES_ERROR_CANCELLED, _("Cancelled"));
      else
        g_set_error (error, LES_ERROR, LES_ERROR_DATABASE, _("%s: database error: %s"),
                     db->parent.location, msg ? msg : sqlite3_errmsg (db->handle));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_begin (LesDb *db, LesTransaction kind, GError **error)
{
  /* a writer takes the lock at once, so two writers never deadlock upgrading */
  return sqlite_exec (db, kind == LES_TRANSACTION_WRITE ? "BEGIN IMMEDIATE" : "BEGIN", error);
}

static gboolean
sqlite_commit (LesDb *db, GError **error)
{
  return sqlite_exec (db, "COMMIT", error);
}

static void
sqlite_rollback (LesDb *db)
{
  if (!sqlite3_get_autocommit (((SqliteDb *) db)->handle))
    sqlite_exec (db, "ROLLBACK", NULL);
}

static gint64
sqlite_changes (LesDb *db)
{
  return sqlite3_changes64 (((SqliteDb *) db)->handle);
}

static void
sqlite_set_cancellable (LesDb *parent, GCancellable *cancellable)
{
  SqliteDb *db = (SqliteDb *) parent;

  db->cancellable = cancellable;
  if (cancellable != NULL)
    sqlite3_progress_handler (db->handle, INTERRUPT_STEPS, interrupt_cb, db);
  else
    sqlite3_progress_handler (db->handle, 0, NULL, NULL);
}

static LesDbFailure
sqlite_last_failure (LesDb *db)
{
  return failure_of (sqlite3_extended_errcode (((SqliteDb *) db)->handle));
}

static const LesDbBackend sqlite_backend = {
  .name = "sqlite",
  .close = sqlite_close,
  .prepare = sqlite_prepare,
  .finalize = sqlite_finalize,
  .reset = sqlite_reset,
  .clear_bindings = sqlite_clear_bindings,
  .param_count = sqlite_param_count,
  .bind_int64 = sqlite_bind_int64,
  .bind_text = sqlite_bind_text,
  .bind_null = sqlite_bind_null,
  .step = sqlite_step,
  .column_count = sqlite_column_count,
  .column_is_null = sqlite_column_is_null,
  .column_int64 = sqlite_column_int64,
  .column_text = sqlite_column_text,
  .exec = sqlite_exec,
  .begin = sqlite_begin,
  .commit = sqlite_commit,
  .rollback = sqlite_rollback,
  .changes = sqlite_changes,
  .set_cancellable = sqlite_set_cancellable,
  .last_failure = sqlite_last_failure,
};

/**
 * les_db_sqlite_open:
 * @path: the database file, created when missing (unless @read_only)
 *
 * Opens @path in WAL mode with foreign keys on; a file that is not a
 * SQLite database fails here, not on first use.
 */
LesDb *
les_db_sqlite_open (const char *path, gboolean read_only, GError **error)
{
  SqliteDb *db = g_new0 (SqliteDb, 1);
  int flags = SQLITE_OPEN_NOMUTEX
              | (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3_stmt *probe = NULL;
  int rc;

  db->parent.backend = &sqlite_backend;
  db->parent.location = g_strdup (path);

  /* Patients' data: a new file is readable by its owner only, and SQLite
   * gives its -wal and -shm files the database file's permissions */
  if (!read_only)
    {
      int fd = g_open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

      if (fd >= 0)
        close (fd);
      else if (errno != EEXIST)
        {
          int saved = errno;

          g_set_error (error, LES_ERROR, LES_ERROR_DATABASE, _("%s: cannot create the database: %s"),
                       path, g_strerror (saved));
          g_free (db->parent.location);
          g_free (db);
          return NULL;
        }
    }

  if (sqlite3_open_v2 (path, &db->handle, flags, NULL) != SQLITE_OK)
    goto fail;
  sqlite3_extended_result_codes (db->handle, 1);
  sqlite3_busy_timeout (db->handle, 10000);

  /* WAL keeps readers going while a writer works and survives a killed
   * process; FULL sync makes every commit durable before it returns, so a
   * power cut never loses a payment run whose statements have gone out.
   * Writes commit once per import, compute or run, so it costs little
   * (docs/data-and-imports.md, "Durability"). */
  if ((!read_only && !sqlite_exec (&db->parent, "PRAGMA journal_mode = WAL", error))
      || !sqlite_exec (&db->parent, "PRAGMA synchronous = FULL", error)
      || !sqlite_exec (&db->parent, "PRAGMA foreign_keys = ON", error)
      || !sqlite_exec (&db->parent, "PRAGMA cache_size = -32768", error)
      || !sqlite_exec (&db->parent, "PRAGMA temp_store = MEMORY", error)
      /* large sorts (an import's indexes, a claims table ordered by a column
       * without one) use the second core */
      || !sqlite_exec (&db->parent, "PRAGMA threads = 2", error))
    {
      sqlite_close (&db->parent);
      return NULL;
    }

  /* A file that is not SQLite fails on the first read */
  if (sqlite3_prepare_v2 (db->handle, "SELECT count(*) FROM sqlite_master", -1, &probe, NULL) != SQLITE_OK)
    goto fail;
  rc = sqlite3_step (probe);
  sqlite3_finalize (probe);
  if (rc != SQLITE_ROW)
    goto fail;
  return &db->parent;

fail:
  set_error (db, error);
  sqlite_close (&db->parent);
  return NULL;
}
