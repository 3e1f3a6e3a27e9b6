/* les-db.h: what a database backend gives the store — a connection, prepared statements, transactions, errors. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A connection to one database, used by one thread at a time. */
typedef struct _LesDb LesDb;
/* A prepared statement of a connection, with numbered parameters (?1, ?2, …). */
typedef struct _LesStmt LesStmt;

typedef enum {
  LES_STEP_ERROR = -1,   /* the error is set */
  LES_STEP_DONE  = 0,
  LES_STEP_ROW   = 1,
} LesStep;

/* What kind of failure the last error of a connection was, for messages in words. */
typedef enum {
  LES_DB_FAILURE_OTHER,
  LES_DB_FAILURE_BUSY,          /* another connection holds the write lock */
  LES_DB_FAILURE_READ_ONLY,     /* the file or the server refuses writes */
  LES_DB_FAILURE_FULL,          /* no space left */
  LES_DB_FAILURE_CONSTRAINT,    /* a unique, check or not-null constraint */
  LES_DB_FAILURE_FOREIGN_KEY,   /* a reference to a row that does not exist */
  LES_DB_FAILURE_INTERRUPTED,   /* the cancellable given to les_db_set_cancellable() fired */
  LES_DB_FAILURE_CORRUPT,       /* not a database, or a damaged one */
  LES_DB_FAILURE_PERMISSION,    /* a role the server does not allow */
  LES_DB_FAILURE_SEPARATION,    /* a team database's separation of duties refuses it */
  LES_DB_FAILURE_UNREACHABLE,   /* the server is not there, or the connection to it was lost */
} LesDbFailure;

/* Called while another connection holds the write lock, about ten times a
 * second, with how long this one has waited (0 on the first call of a wait);
 * FALSE stops waiting, and the statement fails as busy. */
typedef gboolean (*LesDbWaitFunc) (LesDb    *db,
                                   gint64    waited_us,
                                   gpointer  user_data);

typedef enum {
  LES_TRANSACTION_READ,         /* a consistent snapshot for reading */
  LES_TRANSACTION_WRITE,        /* takes the write lock at once */
} LesTransaction;

/* A backend: one static table of functions (SQLite's is les_db_sqlite_open()). */
typedef struct {
  const char  *name;
  void       (*close)          (LesDb *db);
  LesStmt   *(*prepare)        (LesDb *db, const char *sql, GError **error);
  void       (*finalize)       (LesStmt *stmt);
  /* Ready to step again from the start; parameters keep their values. */
  void       (*reset)          (LesStmt *stmt);
  void       (*clear_bindings) (LesStmt *stmt);
  int        (*param_count)    (LesStmt *stmt);
  void       (*bind_int64)     (LesStmt *stmt, int index, gint64 value);
  /* @text is copied unless @is_static, when it must live until the next reset. */
  void       (*bind_text)      (LesStmt *stmt, int index, const char *text, gssize len, gboolean is_static);
  void       (*bind_null)      (LesStmt *stmt, int index);
  LesStep    (*step)           (LesStmt *stmt, GError **error);
  int        (*column_count)   (LesStmt *stmt);
  gboolean   (*column_is_null) (LesStmt *stmt, int col);
  gint64     (*column_int64)   (LesStmt *stmt, int col);
  /* Valid until the next step or reset; NULL for NULL. */
  const char *(*column_text)   (LesStmt *stmt, int col);
  gboolean   (*exec)           (LesDb *db, const char *sql, GError **error);
  gboolean   (*begin)          (LesDb *db, LesTransaction kind, GError **error);
  gboolean   (*commit)         (LesDb *db, GError **error);
  void       (*rollback)       (LesDb *db);
  /* Rows changed by the last INSERT, UPDATE or DELETE. */
  gint64     (*changes)        (LesDb *db);
  void       (*set_cancellable) (LesDb *db, GCancellable *cancellable);
  LesDbFailure (*last_failure) (LesDb *db);
  /* A writer waits for another without a time limit (until cancelled or told to stop). */
  void       (*set_wait_func)  (LesDb *db, LesDbWaitFunc func, gpointer user_data);
  /* Whether a statement failed inside the open transaction and so spoilt it
   * (PostgreSQL: only a rollback is left; SQLite undoes the statement alone). */
  gboolean   (*transaction_failed) (LesDb *db);
  /* (optional) Who holds the write lock another writer waits for: "USER\tSINCE" (SINCE may be empty) */
  char      *(*describe_holder) (LesDb *db);
  /* (optional) Runs @sql, a COPY … FROM STDIN, with @data: rows in the
   * text format (tab-separated, \N for NULL, backslash escapes) */
  gboolean   (*copy_in)        (LesDb *db, const char *sql, const char *data, gsize len, GError **error);
} LesDbBackend;

/* The part of a connection and a statement every backend shares (backends embed them first). */
struct _LesDb
{
  const LesDbBackend *backend;
  char               *location;   /* a path, or a connection string without its password */
};

struct _LesStmt
{
  LesDb *db;
};

/* SQLite, the default: a file on this desk. @read_only opens without writing or creating. */
LesDb       *les_db_sqlite_open     (const char      *path,
                                     gboolean         read_only,
                                     GError         **error);

/* PostgreSQL: a team's database on a server.  @conninfo is a postgresql://
 * URI or a key=value connection string (libpq's, PG* variables honoured). */
LesDb       *les_db_pg_open         (const char      *conninfo,
                                     GError         **error);
/* Told of each notification a listening connection receives */
typedef void (*LesDbNotifyFunc) (const char *channel,
                                 const char *payload,
                                 gpointer    user_data);
/* A new connection to @conninfo that LISTENs on @channel (an identifier), as
 * a source that calls its callback (a LesDbNotifyFunc, set with
 * g_source_set_callback() and G_SOURCE_FUNC()) for each notification. */
GSource     *les_db_pg_notify_source_new (const char *conninfo,
                                          const char *channel,
                                          GError    **error);
/* Told, in the source's context, when its connection is lost (@reachable
 * FALSE, @problem says why) and when it listens again after trying with a
 * growing delay (TRUE, NULL): notifications sent meanwhile were missed. */
typedef void (*LesDbLinkFunc) (gboolean    reachable,
                               const char *problem,
                               gpointer    user_data);
void         les_db_pg_notify_source_set_link_func (GSource       *source,
                                                    LesDbLinkFunc  func,
                                                    gpointer       user_data);
/* While @offline (its watcher found the server gone), a lost connection is
 * not tried again: statements fail at once as unreachable, so that a thread
 * that must not wait (the main thread's store) never waits on a connect */
void         les_db_pg_set_offline  (LesDb           *db,
                                     gboolean         offline);
/* Whether @location is a postgresql:// URI or a key=value connection string */
gboolean     les_db_pg_is_conninfo  (const char      *location);
/* The portable SQL as PostgreSQL prepares it ($1 for ?1, …); @n_params the highest number. */
char        *les_db_pg_rewrite      (const char      *sql,
                                     int             *n_params);

/* Whether @path is a file the document portal exports (a Flatpak's chosen file). */
gboolean     les_db_sqlite_is_document_portal (const char *path);

const char  *les_db_get_backend_name (LesDb          *db);
const char  *les_db_get_location    (LesDb           *db);
void         les_db_close           (LesDb           *db);
LesStmt     *les_db_prepare         (LesDb           *db,
                                     const char      *sql,
                                     GError         **error);
gboolean     les_db_exec            (LesDb           *db,
                                     const char      *sql,
                                     GError         **error);
gboolean     les_db_begin           (LesDb           *db,
                                     LesTransaction   kind,
                                     GError         **error);
gboolean     les_db_commit          (LesDb           *db,
                                     GError         **error);
void         les_db_rollback        (LesDb           *db);
gint64       les_db_changes         (LesDb           *db);
/* While set, a statement running on @db stops when @cancellable fires
 * (step fails with LES_DB_FAILURE_INTERRUPTED); NULL clears it. */
void         les_db_set_cancellable (LesDb           *db,
                                     GCancellable    *cancellable);
LesDbFailure les_db_last_failure    (LesDb           *db);
void         les_db_set_wait_func   (LesDb           *db,
                                     LesDbWaitFunc    func,
                                     gpointer         user_data);
gboolean     les_db_transaction_failed (LesDb        *db);
/* Who holds the write lock, as "USER\tSINCE", when the backend can tell (a server); else NULL */
char        *les_db_describe_holder (LesDb           *db);
/* Whether the backend loads many rows in one go (les_db_copy_in()): a server,
 * where a round trip per row costs more than the row */
gboolean     les_db_can_copy_in     (LesDb           *db);
/* Runs @sql, a COPY … FROM STDIN, with @data, rows in COPY's text format;
 * les_db_changes() is then the rows it wrote */
gboolean     les_db_copy_in         (LesDb           *db,
                                     const char      *sql,
                                     const char      *data,
                                     gsize            len,
                                     GError         **error);
/* Appends @text to @rows as a field of COPY's text format (escaped); NULL is \N */
void         les_db_copy_append_text (GString        *rows,
                                      const char     *text);

void         les_stmt_finalize      (LesStmt         *stmt);
/* Ready to step again from the start; the parameters keep their values. */
void         les_stmt_reset         (LesStmt         *stmt);
/* Every parameter back to NULL. */
void         les_stmt_clear_bindings (LesStmt        *stmt);
int          les_stmt_param_count   (LesStmt         *stmt);
void         les_stmt_bind_int64    (LesStmt         *stmt,
                                     int              index,
                                     gint64           value);
void         les_stmt_bind_text     (LesStmt         *stmt,
                                     int              index,
                                     const char      *text);
/* @text must stay as it is until the statement is reset (hot loops). */
void         les_stmt_bind_static   (LesStmt         *stmt,
                                     int              index,
                                     const char      *text,
                                     gssize           len);
void         les_stmt_bind_null     (LesStmt         *stmt,
                                     int              index);
/* NULL for NULL or "". */
void         les_stmt_bind_text_or_null  (LesStmt    *stmt,
                                          int         index,
                                          const char *text);
void         les_stmt_bind_int64_or_null (LesStmt    *stmt,
                                          int         index,
                                          gboolean    present,
                                          gint64      value);
LesStep      les_stmt_step          (LesStmt         *stmt,
                                     GError         **error);
/* Steps to the end, then resets: for statements that return no rows. */
gboolean     les_stmt_run           (LesStmt         *stmt,
                                     GError         **error);
int          les_stmt_column_count  (LesStmt         *stmt);
gboolean     les_stmt_is_null       (LesStmt         *stmt,
                                     int              col);
gint64       les_stmt_int64         (LesStmt         *stmt,
                                     int              col);
int          les_stmt_int           (LesStmt         *stmt,
                                     int              col);
const char  *les_stmt_text          (LesStmt         *stmt,
                                     int              col);
/* A column of dates (YYYY-MM-DD) or of months (YYYY-MM) as les-value.h's
 * numbers, 20240401 or 202404: 0 for NULL or for text that is not one */
gint32       les_stmt_date          (LesStmt         *stmt,
                                     int              col);
gint32       les_stmt_period        (LesStmt         *stmt,
                                     int              col);

G_END_DECLS
