/* les-db-sqlite.c: the SQLite backend — one file on this desk, WAL, statements prepared once. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "les-db.h"
#include "les-error.h"

/* Virtual machine steps between looks at the cancellable: about a millisecond */
#define INTERRUPT_STEPS 10000

typedef struct {
  LesDb          parent;
  sqlite3       *handle;
  GCancellable  *cancellable;   /* not owned: set and cleared around the work it guards */
  gboolean       read_only;     /* the last write transaction found the file read-only */
  LesDbWaitFunc  wait_func;
  gpointer       wait_data;
  gint64         wait_start;
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

/* The failures of the database as a whole, in words, with what to do: said
 * once by the caller, not once per row */
static gboolean
set_error_message (SqliteDb *db, int rc, const char *message, GError **error)
{
  const char *path = db->parent.location;

  if ((rc & 0xff) == SQLITE_INTERRUPT
      || ((rc & 0xff) == SQLITE_BUSY && g_cancellable_is_cancelled (db->cancellable)))
    g_set_error (error, LES_ERROR, LES_ERROR_CANCELLED, _("Cancelled"));
  else if ((rc & 0xff) == SQLITE_READONLY)
    g_set_error (error, LES_ERROR, LES_ERROR_READ_ONLY,
                 _("%s cannot be changed: the file, or its folder, is read-only for you, so nothing was saved. "
                   "Check who may write to it (ls -l), or work on a copy you can write to"), path);
  else if ((rc & 0xff) == SQLITE_FULL)
    g_set_error (error, LES_ERROR, LES_ERROR_DISK_FULL,
                 _("The disk that holds %s is full, so nothing was saved. Free some space and try again"), path);
  else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
    g_set_error (error, LES_ERROR, LES_ERROR_DATABASE,
                 _("%s is being changed by another program, and this one stopped waiting for it; try again "
                   "when it has finished"), path);
  else
    g_set_error (error, LES_ERROR, LES_ERROR_DATABASE, _("%s: database error: %s"), path, message);
  return FALSE;
}

static gboolean
set_error (SqliteDb *db, GError **error)
{
  return set_error_message (db, sqlite3_extended_errcode (db->handle), sqlite3_errmsg (db->handle), error);
}

/* No time limit: a second writer waits for the first (an import of three
 * million claims holds the lock for seconds), told to the people waiting
 * through the wait function, and stops when cancelled */
static int
busy_cb (void *data, int count)
{
  SqliteDb *db = data;
  gint64 now = g_get_monotonic_time ();

  if (count == 0)
    db->wait_start = now;
  if (g_cancellable_is_cancelled (db->cancellable))
    return 0;
  if (db->wait_func != NULL && !db->wait_func (&db->parent, now - db->wait_start, db->wait_data))
    return 0;
  g_usleep (count < 10 ? 10000 : 100000);
  return 1;
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
      set_error_message (db, sqlite3_extended_errcode (db->handle), msg ? msg : sqlite3_errmsg (db->handle),
                         error);
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_begin (LesDb *db, LesTransaction kind, GError **error)
{
  SqliteDb *self = (SqliteDb *) db;

  self->read_only = FALSE;
  /* a writer takes the lock at once, so two writers never deadlock upgrading */
  if (!sqlite_exec (db, kind == LES_TRANSACTION_WRITE ? "BEGIN IMMEDIATE" : "BEGIN", error))
    return FALSE;
  /* SQLite opens a file it may not write read-only, and lets each write fail:
   * an import would report every row; it is said once, here */
  if (kind == LES_TRANSACTION_WRITE && sqlite3_db_readonly (self->handle, "main") == 1)
    {
      sqlite_exec (db, "ROLLBACK", NULL);
      set_error_message (self, SQLITE_READONLY, NULL, error);
      self->read_only = TRUE;
      return FALSE;
    }
  return TRUE;
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
  SqliteDb *self = (SqliteDb *) db;

  if (self->read_only)
    return LES_DB_FAILURE_READ_ONLY;
  return failure_of (sqlite3_extended_errcode (self->handle));
}

static void
sqlite_set_wait_func (LesDb *parent, LesDbWaitFunc func, gpointer user_data)
{
  SqliteDb *db = (SqliteDb *) parent;

  db->wait_func = func;
  db->wait_data = user_data;
}

/* A failed statement is undone alone: the transaction goes on */
static gboolean
sqlite_transaction_failed (LesDb *db)
{
  return FALSE;
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
  .set_wait_func = sqlite_set_wait_func,
  .transaction_failed = sqlite_transaction_failed,
};

/* The document portal (xdg-document-portal 1.16, Debian 12's; how a Flatpak
 * sees a file the user chose) refuses opens with O_NOFOLLOW with ELOOP, and
 * SQLite's unix VFS opens every file with it: a database chosen through the
 * file chooser could not be opened at all.  SQLite lets a program replace
 * the system calls its VFS makes, so its open() drops O_NOFOLLOW for the
 * portal's files only (they are the portal's own, not a link an attacker
 * planted). */
typedef int (*OpenFunc) (const char *path, int flags, int mode);
static OpenFunc real_open;

gboolean
les_db_sqlite_is_document_portal (const char *path)
{
  g_autofree char *runtime = g_build_filename (g_get_user_runtime_dir (), "doc", "", NULL);
  /* the tests run the portal's way of opening on an ordinary folder too */
  const char *test_prefix = g_getenv ("LES_TEST_PORTAL_PREFIX");

  return g_str_has_prefix (path, runtime) || g_str_has_prefix (path, "/run/flatpak/doc/")
         || (g_str_has_prefix (path, "/run/user/") && strstr (path, "/doc/") != NULL)
         || (test_prefix != NULL && test_prefix[0] != '\0' && g_str_has_prefix (path, test_prefix));
}

static int
portal_open (const char *path, int flags, int mode)
{
  if ((flags & O_NOFOLLOW) && les_db_sqlite_is_document_portal (path))
    flags &= ~O_NOFOLLOW;
  return real_open (path, flags, mode);
}

/* Locks for the document portal's files.  The portal has no POSIX locks
 * (fcntl gives ENOSYS) and refuses to make a directory beside the file, so
 * neither SQLite's usual locking nor unix-dotfile works there.  The portal
 * shows a file to this application only, and the application is one
 * process, so its connections (the session's writer and readers) lock each
 * other here, in memory, by the rules SQLite's own locking follows:
 * SHARED readers, one RESERVED writer-to-be, PENDING to keep new readers
 * out, EXCLUSIVE once the last reader has gone.  Everything else is
 * "unix-none": the file itself, the rollback journal beside it. */
typedef struct {
  int            refs;
  int            n_shared;      /* connections at SHARED or above */
  gconstpointer  reserved;      /* the one at RESERVED or above, NULL when none */
  gboolean       pending;       /* it waits for EXCLUSIVE (or holds it) */
  gboolean       exclusive;
} PortalLock;

typedef struct {
  sqlite3_file  base;
  sqlite3_file *real;           /* unix-none's, allocated after this struct */
  char         *path;
  PortalLock   *lock;           /* NULL for files that are not a main database */
  int           level;
} PortalFile;

static GMutex portal_mutex;
static GHashTable *portal_locks;  /* path → PortalLock */
static sqlite3_vfs *portal_real_vfs;

static int
portal_close (sqlite3_file *file)
{
  PortalFile *p = (PortalFile *) file;
  int rc = p->real->pMethods != NULL ? p->real->pMethods->xClose (p->real) : SQLITE_OK;

  if (p->lock != NULL)
    {
      g_mutex_lock (&portal_mutex);
      if (p->level >= SQLITE_LOCK_SHARED)
        p->lock->n_shared--;
      if (p->lock->reserved == p)
        {
          p->lock->reserved = NULL;
          p->lock->pending = p->lock->exclusive = FALSE;
        }
      if (--p->lock->refs == 0)
        g_hash_table_remove (portal_locks, p->path);
      g_mutex_unlock (&portal_mutex);
    }
  g_free (p->path);
  return rc;
}

static int
portal_read (sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
  return ((PortalFile *) f)->real->pMethods->xRead (((PortalFile *) f)->real, buf, n, off);
}

static int
portal_write (sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
  return ((PortalFile *) f)->real->pMethods->xWrite (((PortalFile *) f)->real, buf, n, off);
}

static int
portal_truncate (sqlite3_file *f, sqlite3_int64 size)
{
  return ((PortalFile *) f)->real->pMethods->xTruncate (((PortalFile *) f)->real, size);
}

static int
portal_sync (sqlite3_file *f, int flags)
{
  return ((PortalFile *) f)->real->pMethods->xSync (((PortalFile *) f)->real, flags);
}

static int
portal_file_size (sqlite3_file *f, sqlite3_int64 *size)
{
  return ((PortalFile *) f)->real->pMethods->xFileSize (((PortalFile *) f)->real, size);
}

static int
portal_lock (sqlite3_file *file, int level)
{
  PortalFile *p = (PortalFile *) file;
  PortalLock *l = p->lock;
  int rc = SQLITE_OK;

  if (l == NULL || p->level >= level)
    return SQLITE_OK;
  g_mutex_lock (&portal_mutex);
  if (level == SQLITE_LOCK_SHARED)
    {
      /* a writer waiting for or holding EXCLUSIVE keeps new readers out */
      if (l->pending || l->exclusive)
        rc = SQLITE_BUSY;
      else
        {
          l->n_shared++;
          p->level = SQLITE_LOCK_SHARED;
        }
    }
  else if (level == SQLITE_LOCK_RESERVED)
    {
      if (l->reserved != NULL && l->reserved != p)
        rc = SQLITE_BUSY;
      else
        {
          l->reserved = p;
          p->level = SQLITE_LOCK_RESERVED;
        }
    }
  else if (level == SQLITE_LOCK_EXCLUSIVE)
    {
      if (l->reserved != NULL && l->reserved != p)
        rc = SQLITE_BUSY;
      else
        {
          l->reserved = p;
          l->pending = TRUE;
          if (l->n_shared > 1)
            {
              p->level = SQLITE_LOCK_PENDING;
              rc = SQLITE_BUSY;
            }
          else
            {
              l->exclusive = TRUE;
              p->level = SQLITE_LOCK_EXCLUSIVE;
            }
        }
    }
  g_mutex_unlock (&portal_mutex);
  return rc;
}

static int
portal_unlock (sqlite3_file *file, int level)
{
  PortalFile *p = (PortalFile *) file;
  PortalLock *l = p->lock;

  if (l == NULL || p->level <= level)
    return SQLITE_OK;
  g_mutex_lock (&portal_mutex);
  if (p->level >= SQLITE_LOCK_RESERVED && l->reserved == p)
    {
      l->reserved = NULL;
      l->pending = l->exclusive = FALSE;
    }
  if (level == SQLITE_LOCK_NONE && p->level >= SQLITE_LOCK_SHARED)
    l->n_shared--;
  p->level = level;
  g_mutex_unlock (&portal_mutex);
  return SQLITE_OK;
}

static int
portal_check_reserved (sqlite3_file *file, int *out)
{
  PortalFile *p = (PortalFile *) file;

  g_mutex_lock (&portal_mutex);
  *out = p->lock != NULL && p->lock->reserved != NULL && p->lock->reserved != p;
  g_mutex_unlock (&portal_mutex);
  return SQLITE_OK;
}

static int
portal_file_control (sqlite3_file *f, int op, void *arg)
{
  return ((PortalFile *) f)->real->pMethods->xFileControl (((PortalFile *) f)->real, op, arg);
}

static int
portal_sector_size (sqlite3_file *f)
{
  return ((PortalFile *) f)->real->pMethods->xSectorSize (((PortalFile *) f)->real);
}

static int
portal_device_characteristics (sqlite3_file *f)
{
  return ((PortalFile *) f)->real->pMethods->xDeviceCharacteristics (((PortalFile *) f)->real);
}

static const sqlite3_io_methods portal_io = {
  .iVersion = 1,
  .xClose = portal_close,
  .xRead = portal_read,
  .xWrite = portal_write,
  .xTruncate = portal_truncate,
  .xSync = portal_sync,
  .xFileSize = portal_file_size,
  .xLock = portal_lock,
  .xUnlock = portal_unlock,
  .xCheckReservedLock = portal_check_reserved,
  .xFileControl = portal_file_control,
  .xSectorSize = portal_sector_size,
  .xDeviceCharacteristics = portal_device_characteristics,
};

static int
portal_vfs_open (sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
  PortalFile *p = (PortalFile *) file;
  int rc;

  memset (p, 0, sizeof *p);
  p->real = (sqlite3_file *) (p + 1);
  rc = portal_real_vfs->xOpen (portal_real_vfs, name, p->real, flags, out_flags);
  if (rc != SQLITE_OK)
    return rc;
  p->base.pMethods = &portal_io;
  if ((flags & SQLITE_OPEN_MAIN_DB) && name != NULL)
    {
      p->path = g_strdup (name);
      g_mutex_lock (&portal_mutex);
      p->lock = g_hash_table_lookup (portal_locks, name);
      if (p->lock == NULL)
        {
          p->lock = g_new0 (PortalLock, 1);
          g_hash_table_insert (portal_locks, g_strdup (name), p->lock);
        }
      p->lock->refs++;
      g_mutex_unlock (&portal_mutex);
    }
  return SQLITE_OK;
}

static void
register_portal_vfs (void)
{
  static sqlite3_vfs vfs;

  portal_real_vfs = sqlite3_vfs_find ("unix-none");
  if (portal_real_vfs == NULL)
    return;
  portal_locks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  vfs = *portal_real_vfs;
  vfs.zName = "les-portal";
  vfs.szOsFile = sizeof (PortalFile) + portal_real_vfs->szOsFile;
  vfs.xOpen = portal_vfs_open;
  vfs.pNext = NULL;
  sqlite3_vfs_register (&vfs, 0);
}

static void
hook_open_once (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      sqlite3_vfs *vfs = sqlite3_vfs_find (NULL);

      /* every unix VFS shares the one system call table */
      if (vfs != NULL && vfs->iVersion >= 3 && vfs->xGetSystemCall != NULL)
        {
          real_open = (OpenFunc) vfs->xGetSystemCall (vfs, "open");
          if (real_open != NULL)
            vfs->xSetSystemCall (vfs, "open", (sqlite3_syscall_ptr) portal_open);
        }
      register_portal_vfs ();
      g_once_init_leave (&done, 1);
    }
}

/* A file last used on this desk is in WAL mode, which needs shared memory the
 * portal cannot give: only a connection holding the file alone may read it
 * then, and turn it back to a rollback journal.  When another connection of
 * ours has it open, it was turned already. */
static void
leave_wal (const char *path)
{
  sqlite3 *handle = NULL;

  if (sqlite3_open_v2 (path, &handle, SQLITE_OPEN_READWRITE, "les-portal") == SQLITE_OK)
    sqlite3_exec (handle, "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
  sqlite3_close_v2 (handle);
}

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
  gboolean portal;
  int rc;

  db->parent.backend = &sqlite_backend;
  db->parent.location = g_strdup (path);
  hook_open_once ();

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

  /* The document portal has no POSIX locks (fcntl gives ENOSYS), which WAL and
   * SQLite's usual locking need: there the connections of this process lock
   * each other in memory (les-portal, above) and the journal is a rollback
   * journal beside the file, as atomic and durable; readers then wait for a
   * writer's commit instead of reading beside it. */
  portal = les_db_sqlite_is_document_portal (path);
  if (portal && !read_only)
    leave_wal (path);
  if (sqlite3_open_v2 (path, &db->handle, flags, portal ? "les-portal" : NULL) != SQLITE_OK)
    goto fail;
  sqlite3_extended_result_codes (db->handle, 1);
  sqlite3_busy_handler (db->handle, busy_cb, db);

  /* WAL keeps readers going while a writer works and survives a killed
   * process; FULL sync makes every commit durable before it returns, so a
   * power cut never loses a payment run whose statements have gone out.
   * Writes commit once per import, compute or run, so it costs little
   * (docs/data-and-imports.md, "Durability"). */
  if ((!read_only && !sqlite_exec (&db->parent, portal ? "PRAGMA journal_mode = DELETE"
                                                      : "PRAGMA journal_mode = WAL", error))
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
