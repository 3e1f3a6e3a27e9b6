/* les-db-pg.c: the PostgreSQL backend — a team's database on a server, through libpq. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <libpq-fe.h>
#include <string.h>

#include "les-db.h"
#include "les-error.h"

/* The oldest server whose SQL the store's statements use (AS MATERIALIZED) */
#define MIN_SERVER_VERSION 120000

/* pg_type.oid of boolean (catalog/pg_type_d.h is in the server's headers) */
#define BOOL_OID 16

/* How often a cancel is sent again while the statement runs on: a request
 * that reaches the server just before the statement does is ignored */
#define CANCEL_AGAIN_MS 100

/* How often a writer that waits for another asks for the lock again */
#define WRITE_RETRY_MS 100

/* How long a connection attempt may take, unless the connection string or
 * PGCONNECT_TIMEOUT says otherwise: libpq's default is to wait for ever */
#define CONNECT_TIMEOUT_S "10"

/* A listening connection lost is tried again after 1 s, then twice as long
 * each time, up to 30 s */
#define RELISTEN_FIRST_S 1
#define RELISTEN_MAX_S 30

/* One database, one writer at a time: a transaction-scoped advisory lock.
 * Advisory locks belong to the current database, so this one key serialises
 * the writers of one LES Claims database and no other; readers never ask for
 * it, so they are never blocked (see pg_begin()).  The key is "LESLOCK" in
 * ASCII, to be recognised in pg_locks. */
#define WRITE_LOCK_KEY "21468322294874955"
/* The same key as pg_locks shows it: classid (high 32 bits) and objid (low) */
#define WRITE_LOCK_CLASSID "4998483"
#define WRITE_LOCK_OBJID "1280262987"

typedef enum {
  STMT_READY,      /* not yet sent, or reset */
  STMT_RUNNING,    /* sent; its rows are coming from the server */
  STMT_BUFFERED,   /* read ahead to free the connection: its rows wait in memory */
  STMT_DONE,
} StmtState;

typedef struct _PgStmt PgStmt;

typedef struct {
  LesDb          parent;
  PGconn        *conn;
  PGcancel      *cancel;
  GCancellable  *cancellable;     /* not owned: set and cleared around the work it guards */
  GPollFD        cancel_fd;       /* readable once it fires, when there is one */
  PgStmt        *active;          /* the statement whose rows are on the wire */
  GPtrArray     *unused;          /* names of finalized statements, deallocated when idle */
  guint          n_prepared;
  gint64         changes;
  LesDbFailure   failure;
  char          *refusal;         /* a separation-of-duties refusal, recorded after its rollback */
  LesDbWaitFunc  wait_func;
  gpointer       wait_data;
  gboolean       in_transaction;  /* between BEGIN and its end: a lost connection loses it */
  guint          generation;      /* counts the connections made again (ensure_connected()) */
  gboolean       offline;         /* les_db_pg_set_offline(): not connected again meanwhile */
} PgDb;

struct _PgStmt
{
  LesStmt        parent;
  char          *name;
  char          *text;            /* as prepared, to prepare again on a new connection */
  guint          generation;      /* the connection's it was prepared on */
  int            n_params;
  GString      **params;          /* n_params; the text of each value */
  char         **values;          /* n_params; into params, or NULL for NULL */
  StmtState      state;
  PGresult      *row;             /* the current row, as it came (single-row mode) */
  char         **buffered_row;    /* or the current row, read ahead */
  GQueue        *buffered;        /* rows read ahead (char ** each, one block) */
  GError        *buffered_error;  /* and how the statement ended, when it failed */
  LesDbFailure   buffered_failure;
  int            n_columns;       /* -1 until known */
  gboolean      *is_bool;         /* n_columns: booleans read as 1 and 0, as in SQLite */
};

static LesDbFailure
failure_of (const char *sqlstate)
{
  static const struct { const char *code; LesDbFailure failure; } known[] = {
    { "23503", LES_DB_FAILURE_FOREIGN_KEY },
    { "23", LES_DB_FAILURE_CONSTRAINT },       /* unique, check, not null, … */
    { "LES01", LES_DB_FAILURE_SEPARATION },    /* les-team-pg.sql's separation of duties */
    { "42501", LES_DB_FAILURE_PERMISSION },
    { "28", LES_DB_FAILURE_PERMISSION },       /* invalid authorisation */
    { "40001", LES_DB_FAILURE_BUSY },          /* serialisation failure */
    { "40P01", LES_DB_FAILURE_BUSY },          /* deadlock */
    { "55P03", LES_DB_FAILURE_BUSY },          /* lock not available (lock_timeout) */
    { "57014", LES_DB_FAILURE_INTERRUPTED },   /* query cancelled */
    { "57P0", LES_DB_FAILURE_UNREACHABLE },    /* the server shuts down, crashed, or is starting */
    { "08", LES_DB_FAILURE_UNREACHABLE },      /* connection exceptions */
    { "25006", LES_DB_FAILURE_READ_ONLY },     /* read-only transaction */
    { "53100", LES_DB_FAILURE_FULL },          /* disk full */
    { "XX001", LES_DB_FAILURE_CORRUPT },       /* data corrupted */
    { "XX002", LES_DB_FAILURE_CORRUPT },       /* index corrupted */
  };

  if (sqlstate == NULL)
    return LES_DB_FAILURE_OTHER;
  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (strncmp (sqlstate, known[i].code, strlen (known[i].code)) == 0)
      return known[i].failure;
  return LES_DB_FAILURE_OTHER;
}

/* libpq's messages end in a newline, and a connection's may hold several lines */
static char *
tidy_message (const char *message)
{
  char *text = g_strstrip (g_strdup (message != NULL ? message : ""));
  char *out = text;

  /* one line: a line break and the tab that indents the next become one space */
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\n' || *p == '\t')
        {
          if (out > text && out[-1] != ' ')
            *out++ = ' ';
        }
      else
        *out++ = *p;
    }
  *out = '\0';
  return text;
}

/* The connection is lost (a server restarted, a network dropped): said as
 * such, not as libpq's words alone */
static void
set_unreachable (PgDb *db, const PGresult *res, GError **error)
{
  const char *said = res != NULL ? PQresultErrorMessage (res) : NULL;
  g_autofree char *problem = tidy_message (said != NULL && said[0] != '\0' ? said : PQerrorMessage (db->conn));

  db->failure = LES_DB_FAILURE_UNREACHABLE;
  g_set_error (error, LES_ERROR, LES_ERROR_UNREACHABLE, _("The team database %s is not reachable: %s"),
               db->parent.location, problem[0] != '\0' ? problem : _("the connection was lost"));
}

/* Sets @error from a failed result (NULL: the connection's last error), and the failure kind */
static void
set_error (PgDb *db, const PGresult *res, GError **error)
{
  const char *sqlstate = res != NULL ? PQresultErrorField (res, PG_DIAG_SQLSTATE) : NULL;
  const char *primary = res != NULL ? PQresultErrorField (res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  const char *detail = res != NULL ? PQresultErrorField (res, PG_DIAG_MESSAGE_DETAIL) : NULL;
  g_autofree char *message = NULL;

  db->failure = failure_of (sqlstate);
  if (PQstatus (db->conn) == CONNECTION_BAD || db->failure == LES_DB_FAILURE_UNREACHABLE)
    {
      set_unreachable (db, res, error);
      return;
    }
  /* 57014 is also a statement timeout: only our cancellable is a cancel */
  if (db->failure == LES_DB_FAILURE_INTERRUPTED && g_cancellable_is_cancelled (db->cancellable))
    {
      g_set_error (error, LES_ERROR, LES_ERROR_CANCELLED, _("Cancelled"));
      return;
    }
  if (db->failure == LES_DB_FAILURE_SEPARATION)
    {
      /* recorded once the transaction it spoilt is rolled back (pg_rollback()) */
      g_free (db->refusal);
      db->refusal = g_strdup_printf ("%s (%s)", primary != NULL ? primary : "", detail != NULL ? detail : "");
      g_set_error (error, LES_ERROR, LES_ERROR_SEPARATION_OF_DUTIES,
                   _("%s: separation of duties: you (%s) approved claims this payment run would pay (%s). "
                     "Whoever approves a claim may not close the run that pays it: ask a colleague who did not "
                     "approve them to close the month"),
                   db->parent.location, PQuser (db->conn), detail != NULL ? detail : "?");
      return;
    }
  if (db->failure == LES_DB_FAILURE_PERMISSION && sqlstate != NULL && strcmp (sqlstate, "42501") == 0)
    {
      g_set_error (error, LES_ERROR, LES_ERROR_PERMISSION,
                   _("%s: the server does not let %s do this (%s): their role in the team does not include it. "
                     "Ask the team’s administrator (les-claims-cli team list shows who has which role)"),
                   db->parent.location, PQuser (db->conn), primary != NULL ? primary : "permission denied");
      return;
    }
  if (primary == NULL)
    message = tidy_message (res != NULL ? PQresultErrorMessage (res) : PQerrorMessage (db->conn));
  else if (detail != NULL)
    message = g_strdup_printf ("%s (%s)", primary, detail);
  else
    message = g_strdup (primary);
  if (message[0] == '\0')
    {
      g_free (message);
      message = tidy_message (PQerrorMessage (db->conn));
    }
  g_set_error (error, LES_ERROR, LES_ERROR_DATABASE, _("%s: database error: %s"), db->parent.location, message);
}

static void
send_cancel (PgDb *db)
{
  char problem[256];

  if (db->cancel != NULL && !PQcancel (db->cancel, problem, sizeof problem))
    g_debug ("%s: cannot cancel: %s", db->parent.location, problem);
}

/* Waits until a result can be read without blocking; meanwhile, once the
 * cancellable fires, asks the server to stop the statement (PQcancel), and
 * asks again until it does: a request that arrives while the server is
 * still reading the statement is ignored. */
static void
wait_ready (PgDb *db)
{
  gint64 cancelled_at = 0;
  GPollFD fds[2];

  if (db->cancellable == NULL)
    return;   /* PQgetResult() waits itself */
  while (PQisBusy (db->conn))
    {
      gboolean cancelled = g_cancellable_is_cancelled (db->cancellable);
      guint n_fds = 1;
      int timeout = -1;

      if (cancelled)
        {
          gint64 now = g_get_monotonic_time ();

          if (cancelled_at == 0 || now - cancelled_at >= CANCEL_AGAIN_MS * G_TIME_SPAN_MILLISECOND)
            {
              send_cancel (db);
              cancelled_at = now;
            }
          timeout = CANCEL_AGAIN_MS;
        }
      fds[0].fd = PQsocket (db->conn);
      fds[0].events = G_IO_IN | G_IO_ERR | G_IO_HUP;
      fds[0].revents = 0;
      if (!cancelled && db->cancel_fd.fd >= 0)
        {
          fds[1] = db->cancel_fd;
          fds[1].revents = 0;
          n_fds = 2;
        }
      if (fds[0].fd < 0)
        return;
      g_poll (fds, n_fds, timeout);
      if (!PQconsumeInput (db->conn))
        return;   /* the connection failed: PQgetResult() says how */
    }
}

static PGresult *
get_result (PgDb *db)
{
  wait_ready (db);
  return PQgetResult (db->conn);
}

static void
notice_cb (void *user_data, const char *message)
{
  PgDb *db = user_data;
  g_autofree char *text = tidy_message (message);

  g_debug ("%s: %s", db->parent.location, text);
}

/* Records the rows an INSERT, UPDATE or DELETE changed (a SELECT leaves the count, as in SQLite) */
static void
note_changes (PgDb *db, const PGresult *res)
{
  const char *status = PQcmdStatus ((PGresult *) res);

  if (g_str_has_prefix (status, "INSERT ") || g_str_has_prefix (status, "UPDATE ")
      || g_str_has_prefix (status, "DELETE ") || g_str_has_prefix (status, "MERGE ")
      || g_str_has_prefix (status, "COPY "))
    db->changes = g_ascii_strtoll (PQcmdTuples ((PGresult *) res), NULL, 10);
}

static void
learn_columns (PgStmt *stmt, const PGresult *res)
{
  if (stmt->n_columns >= 0)
    return;
  stmt->n_columns = PQnfields (res);
  stmt->is_bool = g_new0 (gboolean, MAX (stmt->n_columns, 1));
  for (int c = 0; c < stmt->n_columns; c++)
    stmt->is_bool[c] = PQftype (res, c) == BOOL_OID;
}

/* The value at @col of a row result, as SQLite would give it */
static const char *
result_value (PgStmt *stmt, const PGresult *res, int col)
{
  const char *value;

  if (col < 0 || col >= PQnfields (res) || PQgetisnull (res, 0, col))
    return NULL;
  value = PQgetvalue (res, 0, col);
  if (col < stmt->n_columns && stmt->is_bool[col])
    return value[0] == 't' ? "1" : "0";
  return value;
}

/* A row read ahead: the pointers and the text in one block, NULL for NULL */
static char **
copy_row (PgStmt *stmt, const PGresult *res)
{
  gsize size = sizeof (char *) * (gsize) MAX (stmt->n_columns, 1);
  char **row;
  char *text;

  for (int c = 0; c < stmt->n_columns; c++)
    {
      const char *value = result_value (stmt, res, c);

      if (value != NULL)
        size += strlen (value) + 1;
    }
  row = g_malloc (size);
  text = (char *) (row + MAX (stmt->n_columns, 1));
  for (int c = 0; c < stmt->n_columns; c++)
    {
      const char *value = result_value (stmt, res, c);

      if (value == NULL)
        row[c] = NULL;
      else
        {
          row[c] = text;
          text = g_stpcpy (text, value) + 1;
        }
    }
  return row;
}

static void
clear_row (PgStmt *stmt)
{
  g_clear_pointer (&stmt->row, PQclear);
  g_clear_pointer (&stmt->buffered_row, g_free);
}

/* Reads what is left of the active statement's results: kept (@keep) or dropped */
static void
drain (PgDb *db, gboolean keep)
{
  PgStmt *stmt = db->active;
  PGresult *res;

  g_assert (stmt != NULL);
  if (keep)
    stmt->buffered = g_queue_new ();
  while ((res = get_result (db)) != NULL)
    {
      switch (PQresultStatus (res))
        {
        case PGRES_SINGLE_TUPLE:
          if (keep)
            {
              learn_columns (stmt, res);
              g_queue_push_tail (stmt->buffered, copy_row (stmt, res));
            }
          break;
        case PGRES_TUPLES_OK:
        case PGRES_COMMAND_OK:
          note_changes (db, res);
          break;
        default:
          if (keep && stmt->buffered_error == NULL)
            {
              set_error (db, res, &stmt->buffered_error);
              stmt->buffered_failure = db->failure;
            }
          break;
        }
      PQclear (res);
    }
  stmt->state = keep ? STMT_BUFFERED : STMT_DONE;
  db->active = NULL;
}

/* Frees the connection for another statement: libpq runs one at a time, so
 * the rows of one still being read are read ahead (a loop that writes while
 * it reads); and drops the statements finalized meanwhile. */
static void
make_room (PgDb *db)
{
  if (db->active != NULL)
    drain (db, TRUE);
  if (db->unused->len > 0 && PQtransactionStatus (db->conn) == PQTRANS_IDLE)
    {
      g_autoptr(GString) sql = g_string_new (NULL);

      for (guint i = 0; i < db->unused->len; i++)
        g_string_append_printf (sql, "DEALLOCATE %s;", (char *) db->unused->pdata[i]);
      PQclear (PQexec (db->conn, sql->str));
      g_ptr_array_set_size (db->unused, 0);
    }
}

static gboolean
check_cancelled (PgDb *db, GError **error)
{
  if (!g_cancellable_is_cancelled (db->cancellable))
    return FALSE;
  db->failure = LES_DB_FAILURE_INTERRUPTED;
  g_set_error (error, LES_ERROR, LES_ERROR_CANCELLED, _("Cancelled"));
  return TRUE;
}

/* A server that restarted, or a network that dropped, leaves the connection
 * broken until someone notices.  Outside a transaction nothing is lost by
 * connecting again, so the next statement works as if nothing had happened;
 * inside one, the transaction went with the connection: the statement
 * fails, and the next transaction connects again.  The statements prepared
 * on the old connection are prepared again when next run (reprepare()). */
static gboolean
ensure_connected (PgDb *db, GError **error)
{
  if (db->active != NULL)
    return TRUE;
  /* a connection the server closed has its last words (a FATAL) and its end
   * waiting to be read: read while there is something, without waiting */
  for (int i = 0; i < 8 && PQstatus (db->conn) == CONNECTION_OK && PQtransactionStatus (db->conn) == PQTRANS_IDLE; i++)
    {
      GPollFD fd = { PQsocket (db->conn), G_IO_IN | G_IO_HUP | G_IO_ERR, 0 };

      if (fd.fd < 0 || g_poll (&fd, 1, 0) <= 0 || !PQconsumeInput (db->conn))
        break;
    }
  if (PQstatus (db->conn) == CONNECTION_OK)
    return TRUE;
  if (db->in_transaction || db->offline)
    {
      set_unreachable (db, NULL, error);
      return FALSE;
    }
  g_debug ("%s: connecting again", db->parent.location);
  PQreset (db->conn);
  if (PQstatus (db->conn) != CONNECTION_OK)
    {
      set_unreachable (db, NULL, error);
      return FALSE;
    }
  db->generation++;
  g_ptr_array_set_size (db->unused, 0);
  g_clear_pointer (&db->cancel, PQfreeCancel);
  db->cancel = PQgetCancel (db->conn);
  return TRUE;
}

/* A statement prepared on a connection since lost is prepared on this one */
static gboolean
reprepare (PgStmt *stmt, GError **error)
{
  PgDb *db = (PgDb *) stmt->parent.db;
  PGresult *res;
  gboolean ok;

  if (stmt->generation == db->generation)
    return TRUE;
  res = PQprepare (db->conn, stmt->name, stmt->text, 0, NULL);
  ok = PQresultStatus (res) == PGRES_COMMAND_OK;
  if (ok)
    stmt->generation = db->generation;
  else
    set_error (db, res, error);
  PQclear (res);
  return ok;
}

/* Before a statement: not cancelled, the connection free and connected */
static gboolean
ready (PgDb *db, GError **error)
{
  if (check_cancelled (db, error))
    return FALSE;
  make_room (db);
  db->failure = LES_DB_FAILURE_OTHER;
  return ensure_connected (db, error);
}

/**
 * les_db_pg_rewrite:
 * @sql: portable SQL (les-sql.h)
 * @n_params: (out) (optional): the highest parameter number
 *
 * The text PostgreSQL prepares: ?N becomes $N, and SQLite's COLLATE BINARY
 * (byte order) COLLATE "C", outside string literals, quoted identifiers
 * and comments.
 *
 * Returns: (transfer full): the rewritten SQL
 */
char *
les_db_pg_rewrite (const char *sql, int *n_params)
{
  GString *out = g_string_sized_new (strlen (sql) + 16);
  const char *p = sql;
  int max = 0;

  while (*p != '\0')
    {
      if (*p == '\'' || *p == '"')
        {
          char quote = *p;

          /* to the closing quote; a doubled quote is one inside */
          g_string_append_c (out, *p++);
          while (*p != '\0')
            {
              if (*p == quote && p[1] == quote)
                g_string_append_c (out, *p++);
              else if (*p == quote)
                break;
              g_string_append_c (out, *p++);
            }
          if (*p != '\0')
            g_string_append_c (out, *p++);
        }
      else if (p[0] == '-' && p[1] == '-')
        {
          const char *end = strchr (p, '\n');
          gsize len = end != NULL ? (gsize) (end - p) : strlen (p);

          g_string_append_len (out, p, len);
          p += len;
        }
      else if (p[0] == '/' && p[1] == '*')
        {
          const char *end = strstr (p + 2, "*/");
          gsize len = end != NULL ? (gsize) (end + 2 - p) : strlen (p);

          g_string_append_len (out, p, len);
          p += len;
        }
      else if (*p == '?' && g_ascii_isdigit (p[1]))
        {
          int n = 0;

          g_string_append_c (out, '$');
          for (p++; g_ascii_isdigit (*p); p++)
            {
              n = n * 10 + (*p - '0');
              g_string_append_c (out, *p);
            }
          max = MAX (max, n);
        }
      else if ((p == sql || !(g_ascii_isalnum (p[-1]) || p[-1] == '_'))
               && g_ascii_strncasecmp (p, "COLLATE", 7) == 0 && g_ascii_isspace (p[7]))
        {
          const char *name = p + 7;

          while (g_ascii_isspace (*name))
            name++;
          if (g_ascii_strncasecmp (name, "BINARY", 6) == 0 && !(g_ascii_isalnum (name[6]) || name[6] == '_'))
            {
              g_string_append (out, "COLLATE \"C\"");
              p = name + 6;
            }
          else
            {
              g_string_append_len (out, p, 7);
              p += 7;
            }
        }
      else
        g_string_append_c (out, *p++);
    }
  if (n_params != NULL)
    *n_params = max;
  return g_string_free (out, FALSE);
}

static void
pg_set_cancellable (LesDb *parent, GCancellable *cancellable);

static void
pg_close (LesDb *parent)
{
  PgDb *db = (PgDb *) parent;

  pg_set_cancellable (parent, NULL);
  g_free (db->refusal);
  g_clear_pointer (&db->cancel, PQfreeCancel);
  g_clear_pointer (&db->conn, PQfinish);
  g_clear_pointer (&db->unused, g_ptr_array_unref);
  g_free (db->parent.location);
  g_free (db);
}

static LesStmt *
pg_prepare (LesDb *parent, const char *sql, GError **error)
{
  PgDb *db = (PgDb *) parent;
  g_autofree char *text = NULL;
  g_autofree char *name = NULL;
  PGresult *res;
  PgStmt *stmt;
  int n_params;

  text = les_db_pg_rewrite (sql, &n_params);
  name = g_strdup_printf ("les_%u", ++db->n_prepared);
  make_room (db);
  db->failure = LES_DB_FAILURE_OTHER;
  if (!ensure_connected (db, error))
    return NULL;
  res = PQprepare (db->conn, name, text, 0, NULL);
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      set_error (db, res, error);
      PQclear (res);
      return NULL;
    }
  PQclear (res);

  stmt = g_new0 (PgStmt, 1);
  stmt->parent.db = parent;
  stmt->name = g_steal_pointer (&name);
  stmt->text = g_steal_pointer (&text);
  stmt->generation = db->generation;
  stmt->n_params = n_params;
  stmt->params = g_new0 (GString *, MAX (n_params, 1));
  stmt->values = g_new0 (char *, MAX (n_params, 1));
  for (int i = 0; i < n_params; i++)
    stmt->params[i] = g_string_new (NULL);
  stmt->n_columns = -1;
  return (LesStmt *) stmt;
}

static void
pg_reset (LesStmt *parent)
{
  PgStmt *stmt = (PgStmt *) parent;
  PgDb *db = (PgDb *) parent->db;

  /* a statement left before its end: the rest of its rows are read and dropped */
  if (db->active == stmt)
    drain (db, FALSE);
  clear_row (stmt);
  if (stmt->buffered != NULL)
    g_queue_free_full (g_steal_pointer (&stmt->buffered), g_free);
  g_clear_error (&stmt->buffered_error);
  stmt->state = STMT_READY;
}

static void
pg_finalize (LesStmt *parent)
{
  PgStmt *stmt = (PgStmt *) parent;
  PgDb *db = (PgDb *) parent->db;

  pg_reset (parent);
  /* deallocated in one go when the connection is next free and idle (one
   * made again has never had it) */
  if (stmt->generation == db->generation)
    g_ptr_array_add (db->unused, g_steal_pointer (&stmt->name));
  g_free (stmt->name);
  g_free (stmt->text);
  for (int i = 0; i < stmt->n_params; i++)
    g_string_free (stmt->params[i], TRUE);
  g_free (stmt->params);
  g_free (stmt->values);
  g_free (stmt->is_bool);
  g_free (stmt);
}

static void
pg_clear_bindings (LesStmt *parent)
{
  PgStmt *stmt = (PgStmt *) parent;

  for (int i = 0; i < stmt->n_params; i++)
    stmt->values[i] = NULL;
}

static int
pg_param_count (LesStmt *stmt)
{
  return ((PgStmt *) stmt)->n_params;
}

/* Parameters go as text, which the server reads as the type the statement gives them */
static void
pg_bind_text (LesStmt *parent, int index, const char *text, gssize len, gboolean is_static)
{
  PgStmt *stmt = (PgStmt *) parent;
  GString *param;

  if (index < 1 || index > stmt->n_params)
    return;
  param = stmt->params[index - 1];
  g_string_truncate (param, 0);
  if (len < 0)
    g_string_append (param, text);
  else
    g_string_append_len (param, text, len);
  stmt->values[index - 1] = param->str;
}

static void
pg_bind_int64 (LesStmt *stmt, int index, gint64 value)
{
  char text[24];

  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, value);
  pg_bind_text (stmt, index, text, -1, FALSE);
}

static void
pg_bind_null (LesStmt *parent, int index)
{
  PgStmt *stmt = (PgStmt *) parent;

  if (index >= 1 && index <= stmt->n_params)
    stmt->values[index - 1] = NULL;
}

/* Sends the statement; its rows come one at a time, so that a large result
 * (a year's three million claims) is never held whole in memory. */
static gboolean
start (PgStmt *stmt, GError **error)
{
  PgDb *db = (PgDb *) stmt->parent.db;

  stmt->state = STMT_DONE;
  if (!ready (db, error) || !reprepare (stmt, error))
    return FALSE;
  if (!PQsendQueryPrepared (db->conn, stmt->name, stmt->n_params, (const char * const *) stmt->values,
                            NULL, NULL, 0))
    {
      set_error (db, NULL, error);
      return FALSE;
    }
  /* fails only when not called straight after sending */
  if (!PQsetSingleRowMode (db->conn))
    g_debug ("%s: cannot read %s a row at a time", db->parent.location, stmt->name);
  stmt->state = STMT_RUNNING;
  db->active = stmt;
  return TRUE;
}

static LesStep
next_result (PgStmt *stmt, GError **error)
{
  PgDb *db = (PgDb *) stmt->parent.db;
  PGresult *res = get_result (db);
  LesStep step = LES_STEP_DONE;

  if (res == NULL)
    {
      db->active = NULL;
      stmt->state = STMT_DONE;
      return LES_STEP_DONE;
    }
  switch (PQresultStatus (res))
    {
    case PGRES_SINGLE_TUPLE:
      learn_columns (stmt, res);
      stmt->row = res;
      return LES_STEP_ROW;
    case PGRES_TUPLES_OK:
    case PGRES_COMMAND_OK:
      learn_columns (stmt, res);
      note_changes (db, res);
      break;
    default:
      set_error (db, res, error);
      step = LES_STEP_ERROR;
      break;
    }
  PQclear (res);
  drain (db, FALSE);
  return step;
}

static LesStep
pg_step (LesStmt *parent, GError **error)
{
  PgStmt *stmt = (PgStmt *) parent;
  PgDb *db = (PgDb *) parent->db;

  clear_row (stmt);
  switch (stmt->state)
    {
    case STMT_READY:
      if (!start (stmt, error))
        return LES_STEP_ERROR;
      return next_result (stmt, error);
    case STMT_RUNNING:
      return next_result (stmt, error);
    case STMT_BUFFERED:
      stmt->buffered_row = g_queue_pop_head (stmt->buffered);
      if (stmt->buffered_row != NULL)
        return LES_STEP_ROW;
      stmt->state = STMT_DONE;
      if (stmt->buffered_error != NULL)
        {
          db->failure = stmt->buffered_failure;
          g_propagate_error (error, g_steal_pointer (&stmt->buffered_error));
          return LES_STEP_ERROR;
        }
      return LES_STEP_DONE;
    case STMT_DONE:
    default:
      return LES_STEP_DONE;
    }
}

static int
pg_column_count (LesStmt *parent)
{
  PgStmt *stmt = (PgStmt *) parent;
  PgDb *db = (PgDb *) parent->db;
  PGresult *res;

  if (stmt->n_columns >= 0)
    return stmt->n_columns;
  if (db->active == stmt)
    return 0;
  make_room (db);
  if (!reprepare (stmt, NULL))
    return 0;
  res = PQdescribePrepared (db->conn, stmt->name);
  if (PQresultStatus (res) == PGRES_COMMAND_OK)
    learn_columns (stmt, res);
  PQclear (res);
  return MAX (stmt->n_columns, 0);
}

static const char *
pg_column_text (LesStmt *parent, int col)
{
  PgStmt *stmt = (PgStmt *) parent;

  if (stmt->row != NULL)
    return result_value (stmt, stmt->row, col);
  if (stmt->buffered_row != NULL && col >= 0 && col < stmt->n_columns)
    return stmt->buffered_row[col];
  return NULL;
}

static gboolean
pg_column_is_null (LesStmt *stmt, int col)
{
  return pg_column_text (stmt, col) == NULL;
}

/* As SQLite reads a number from text: its leading integer, 0 for none */
static gint64
pg_column_int64 (LesStmt *stmt, int col)
{
  const char *text = pg_column_text (stmt, col);

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;
}

/* Runs @sql (one or more statements, no parameters) to the end */
static gboolean
pg_exec (LesDb *parent, const char *sql, GError **error)
{
  PgDb *db = (PgDb *) parent;
  PGresult *res;
  gboolean ok = TRUE;

  if (!ready (db, error))
    return FALSE;
  if (!PQsendQuery (db->conn, sql))
    {
      set_error (db, NULL, error);
      return FALSE;
    }
  /* a result for each statement, up to the first that fails */
  while ((res = get_result (db)) != NULL)
    {
      if (PQresultStatus (res) == PGRES_COMMAND_OK || PQresultStatus (res) == PGRES_TUPLES_OK)
        note_changes (db, res);
      else if (ok)
        {
          set_error (db, res, error);
          ok = FALSE;
        }
      PQclear (res);
    }
  return ok;
}

/* A refusal rolls back the transaction that tried, and what it wrote with
 * it: it is written down afterwards, in a transaction of its own, by a
 * function of les-team-pg.sql that records it in the caller's own name
 * (the server's log has it too, from the trigger that refused). */
static void
record_refusal (PgDb *db)
{
  const char *values[] = { "close-run", db->refusal };
  PGresult *res;

  res = PQexecParams (db->conn, "SELECT les_team_record_refusal ($1, $2)", 2, NULL, values, NULL, NULL, 0);
  if (PQresultStatus (res) != PGRES_TUPLES_OK)
    g_debug ("%s: the refusal was not recorded: %s", db->parent.location, PQresultErrorMessage (res));
  PQclear (res);
  g_clear_pointer (&db->refusal, g_free);
}

static void
pg_rollback (LesDb *parent)
{
  PgDb *db = (PgDb *) parent;

  if (db->active != NULL)
    drain (db, FALSE);
  db->in_transaction = FALSE;
  /* a lost connection took its transaction with it */
  if (PQstatus (db->conn) == CONNECTION_OK && PQtransactionStatus (db->conn) != PQTRANS_IDLE)
    PQclear (PQexec (db->conn, "ROLLBACK"));
  if (db->refusal != NULL)
    record_refusal (db);
}

/* Whether this transaction now holds the database's write lock (@got) */
static gboolean
try_write_lock (PgDb *db, gboolean *got, GError **error)
{
  PGresult *res;
  gboolean ok;

  make_room (db);
  res = PQexec (db->conn, "SELECT pg_try_advisory_xact_lock (" WRITE_LOCK_KEY ")");
  ok = PQresultStatus (res) == PGRES_TUPLES_OK && PQntuples (res) == 1;
  if (ok)
    *got = PQgetvalue (res, 0, 0)[0] == 't';
  else
    set_error (db, res, error);
  PQclear (res);
  return ok;
}

/* Waits a moment before asking again, or less when the cancellable fires */
static void
wait_a_moment (PgDb *db)
{
  GPollFD fd = db->cancel_fd;

  if (db->cancel_fd.fd >= 0)
    {
      fd.events = G_IO_IN;
      fd.revents = 0;
      g_poll (&fd, 1, WRITE_RETRY_MS);
    }
  else
    g_usleep (WRITE_RETRY_MS * G_TIME_SPAN_MILLISECOND);
}

/* A reader sees one snapshot from its first statement to its end, as in
 * SQLite's WAL; a writer takes the database's write lock first, as SQLite's
 * BEGIN IMMEDIATE does, so writers queue instead of failing with
 * serialisation errors that every caller would have to retry.  The writer
 * runs READ COMMITTED: each statement sees what the writers before it
 * committed (a snapshot from before the lock would not).  Readers take no
 * such lock and are never blocked.  A writer waits for the one before it as
 * long as it takes (until cancelled, or its wait function says stop), as on
 * SQLite, and is told who it waits for (pg_describe_holder()): two people
 * closing a month at once, the second waits, then learns that the month is
 * closed.  A finer lock (per year, per table) can come later. */
static gboolean
pg_begin (LesDb *parent, LesTransaction kind, GError **error)
{
  PgDb *db = (PgDb *) parent;
  gint64 start = 0;

  /* none is open (the store nests its own): a lost connection is made again */
  db->in_transaction = FALSE;
  if (kind == LES_TRANSACTION_READ)
    {
      db->in_transaction = pg_exec (parent, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", error);
      return db->in_transaction;
    }
  if (!pg_exec (parent, "BEGIN ISOLATION LEVEL READ COMMITTED", error))
    goto fail;
  db->in_transaction = TRUE;
  for (;;)
    {
      gboolean got = FALSE;
      gint64 now;

      if (!try_write_lock (db, &got, error))
        goto fail;
      if (got)
        return TRUE;
      now = g_get_monotonic_time ();
      if (start == 0)
        start = now;
      if (db->wait_func != NULL && !db->wait_func (parent, now - start, db->wait_data))
        {
          db->failure = LES_DB_FAILURE_BUSY;
          g_set_error (error, LES_ERROR, LES_ERROR_DATABASE, _("%s: database error: %s"), parent->location,
                       _("another person is changing the database"));
          goto fail;
        }
      wait_a_moment (db);
      if (check_cancelled (db, error))
        goto fail;
    }

fail:
  /* the transaction begun is dead */
  pg_rollback (parent);
  return FALSE;
}

static gboolean
pg_commit (LesDb *parent, GError **error)
{
  PgDb *db = (PgDb *) parent;
  gboolean ok;

  if (db->active != NULL)
    drain (db, TRUE);
  /* the server answers COMMIT of a failed transaction with a rollback, not an error */
  if (PQtransactionStatus (db->conn) == PQTRANS_INERROR)
    {
      db->failure = LES_DB_FAILURE_OTHER;
      g_set_error (error, LES_ERROR, LES_ERROR_DATABASE, _("%s: database error: %s"), db->parent.location,
                   _("a statement of the transaction failed, so nothing was saved"));
      pg_rollback (parent);
      return FALSE;
    }
  /* still in it while it commits: a connection lost now is not made again
   * under a COMMIT that would then find nothing to commit, and succeed */
  ok = pg_exec (parent, "COMMIT", error);
  db->in_transaction = FALSE;
  return ok;
}

static gint64
pg_changes (LesDb *db)
{
  return ((PgDb *) db)->changes;
}

/* The server stops the running statement when @cancellable fires (wait_ready()) */
static void
pg_set_cancellable (LesDb *parent, GCancellable *cancellable)
{
  PgDb *db = (PgDb *) parent;

  if (db->cancellable != NULL && db->cancel_fd.fd >= 0)
    g_cancellable_release_fd (db->cancellable);
  db->cancellable = cancellable;
  db->cancel_fd.fd = -1;
  if (cancellable != NULL && !g_cancellable_make_pollfd (cancellable, &db->cancel_fd))
    db->cancel_fd.fd = -1;
}

static LesDbFailure
pg_last_failure (LesDb *db)
{
  return ((PgDb *) db)->failure;
}

static gboolean
pg_transaction_failed (LesDb *db)
{
  PGconn *conn = ((PgDb *) db)->conn;

  return PQtransactionStatus (conn) == PQTRANS_INERROR || PQstatus (conn) == CONNECTION_BAD;
}

static void
pg_set_wait_func (LesDb *parent, LesDbWaitFunc func, gpointer user_data)
{
  PgDb *db = (PgDb *) parent;

  db->wait_func = func;
  db->wait_data = user_data;
}

/* Who holds the write lock: the server knows (pg_locks), whoever they are */
static char *
pg_describe_holder (LesDb *parent)
{
  PgDb *db = (PgDb *) parent;
  PGresult *res;
  char *holder = NULL;

  make_room (db);
  res = PQexec (db->conn,
                "SELECT a.usename, coalesce (to_char (a.xact_start, 'HH24:MI'), '') "
                "FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
                "AND l.classid = " WRITE_LOCK_CLASSID " AND l.objid = " WRITE_LOCK_OBJID " "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database ()) "
                "LIMIT 1");
  if (PQresultStatus (res) == PGRES_TUPLES_OK && PQntuples (res) == 1 && !PQgetisnull (res, 0, 0))
    holder = g_strdup_printf ("%s\t%s", PQgetvalue (res, 0, 0), PQgetvalue (res, 0, 1));
  PQclear (res);
  return holder;
}

/* A bulk load: one statement and one stream of rows, where an INSERT per
 * row would cost a round trip and an executor start each (a national
 * claims file is three million rows).  The rows are sent in pieces, so
 * that a cancel is noticed between them. */
#define COPY_PIECE (256 * 1024)

static gboolean
pg_copy_in (LesDb *parent, const char *sql, const char *data, gsize len, GError **error)
{
  PgDb *db = (PgDb *) parent;
  const char *problem = NULL;
  PGresult *res;
  gboolean ok = TRUE;

  if (!ready (db, error))
    return FALSE;
  res = PQexec (db->conn, sql);
  if (PQresultStatus (res) != PGRES_COPY_IN)
    {
      set_error (db, res, error);
      PQclear (res);
      /* a COPY that did start is ended by the server's error: nothing is left to read */
      return FALSE;
    }
  PQclear (res);
  for (gsize done = 0; done < len && problem == NULL; )
    {
      gsize n = MIN (COPY_PIECE, len - done);

      if (g_cancellable_is_cancelled (db->cancellable))
        problem = "cancelled";
      else if (PQputCopyData (db->conn, data + done, (int) n) != 1)
        break;
      done += n;
    }
  /* a failure while sending shows in the result; an end with a problem aborts the COPY */
  if (PQputCopyEnd (db->conn, problem) != 1)
    {
      set_error (db, NULL, error);
      ok = FALSE;
    }
  while ((res = get_result (db)) != NULL)
    {
      if (PQresultStatus (res) == PGRES_COMMAND_OK)
        note_changes (db, res);
      else if (ok)
        {
          if (problem != NULL)
            {
              db->failure = LES_DB_FAILURE_INTERRUPTED;
              g_set_error (error, LES_ERROR, LES_ERROR_CANCELLED, _("Cancelled"));
            }
          else
            set_error (db, res, error);
          ok = FALSE;
        }
      PQclear (res);
    }
  return ok;
}

static const LesDbBackend pg_backend = {
  .name = "postgresql",
  .close = pg_close,
  .prepare = pg_prepare,
  .finalize = pg_finalize,
  .reset = pg_reset,
  .clear_bindings = pg_clear_bindings,
  .param_count = pg_param_count,
  .bind_int64 = pg_bind_int64,
  .bind_text = pg_bind_text,
  .bind_null = pg_bind_null,
  .step = pg_step,
  .column_count = pg_column_count,
  .column_is_null = pg_column_is_null,
  .column_int64 = pg_column_int64,
  .column_text = pg_column_text,
  .exec = pg_exec,
  .begin = pg_begin,
  .commit = pg_commit,
  .rollback = pg_rollback,
  .changes = pg_changes,
  .set_cancellable = pg_set_cancellable,
  .last_failure = pg_last_failure,
  .transaction_failed = pg_transaction_failed,
  .set_wait_func = pg_set_wait_func,
  .describe_holder = pg_describe_holder,
  .copy_in = pg_copy_in,
};

/* "postgresql://user@host:port/db" (a socket folder as ?host=), never the password */
static char *
describe (PGconn *conn)
{
  const char *user = PQuser (conn);
  const char *host = PQhost (conn);
  const char *port = PQport (conn);
  const char *dbname = PQdb (conn);
  g_autofree char *user_part = user != NULL && *user ? g_uri_escape_string (user, NULL, FALSE) : NULL;
  g_autofree char *db_part = g_uri_escape_string (dbname != NULL ? dbname : "", NULL, FALSE);
  gboolean default_port = port == NULL || *port == '\0' || strcmp (port, "5432") == 0;
  GString *out = g_string_new ("postgresql://");

  if (user_part != NULL)
    g_string_append_printf (out, "%s@", user_part);
  if (host != NULL && host[0] != '/' && host[0] != '@' && *host != '\0')
    {
      g_string_append (out, host);
      if (!default_port)
        g_string_append_printf (out, ":%s", port);
      g_string_append_printf (out, "/%s", db_part);
    }
  else
    {
      g_string_append_printf (out, "/%s", db_part);
      if (host != NULL && *host != '\0')
        g_string_append_printf (out, "?host=%s", host);
      if (!default_port)
        g_string_append_printf (out, "%sport=%s", host != NULL && *host != '\0' ? "&" : "?", port);
    }
  return g_string_free (out, FALSE);
}

/**
 * les_db_pg_is_conninfo:
 * @location: a database file or a connection string
 *
 * Returns: whether @location is a postgresql:// or postgres:// URI, or a
 * key=value string that begins with one of libpq's keywords ("host=…",
 * "dbname=…"): a file name such as "a=b.db" is not one.
 */
gboolean
les_db_pg_is_conninfo (const char *location)
{
  const char *p = location;
  const char *start;
  PQconninfoOption *options;
  gboolean known = FALSE;

  if (g_str_has_prefix (location, "postgresql://") || g_str_has_prefix (location, "postgres://"))
    return TRUE;
  while (g_ascii_isspace (*p))
    p++;
  start = p;
  while (g_ascii_isalnum (*p) || *p == '_')
    p++;
  if (p == start)
    return FALSE;
  {
    g_autofree char *keyword = g_strndup (start, p - start);

    while (g_ascii_isspace (*p))
      p++;
    if (*p != '=')
      return FALSE;
    options = PQconndefaults ();
    for (PQconninfoOption *o = options; o != NULL && o->keyword != NULL && !known; o++)
      known = strcmp (o->keyword, keyword) == 0;
    PQconninfoFree (options);
  }
  return known;
}

/**
 * les_db_pg_open:
 * @conninfo: a postgresql:// URI or key=value connection string; what it
 *   leaves out comes from the PG* environment variables and ~/.pgpass, as
 *   for any libpq program
 *
 * Connects to a PostgreSQL server.  The connection's location names the
 * user, server and database, never the password.
 */
LesDb *
les_db_pg_open (const char *conninfo, GError **error)
{
  /* the connection string overrides what comes before it, and not what
   * comes after (libpq reads them in order): a server that does not answer
   * is given up after a while, and one that vanished from the network is
   * noticed within a minute (keepalives), but either can be set there */
  const char *keywords[] = { "connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count",
                             "dbname", "fallback_application_name", "client_encoding", NULL };
  const char *values[] = { CONNECT_TIMEOUT_S, "30", "10", "3", conninfo, "les-claims", "UTF8", NULL };
  guint first = g_getenv ("PGCONNECT_TIMEOUT") != NULL ? 1 : 0;
  PgDb *db = g_new0 (PgDb, 1);

  db->parent.backend = &pg_backend;
  db->cancel_fd.fd = -1;
  db->unused = g_ptr_array_new_with_free_func (g_free);
  /* a connection string is read whole: later keywords override what it says */
  db->conn = PQconnectdbParams (keywords + first, values + first, TRUE);
  if (db->conn == NULL)
    {
      g_set_error (error, LES_ERROR, LES_ERROR_DATABASE, _("%s: cannot connect: %s"), "postgresql",
                   g_strerror (ENOMEM));
      pg_close (&db->parent);
      return NULL;
    }
  db->parent.location = describe (db->conn);
  if (PQstatus (db->conn) != CONNECTION_OK)
    {
      g_autofree char *problem = tidy_message (PQerrorMessage (db->conn));

      /* a server that answered (asked for a password, refused the user or
       * the database: libpq quotes its FATAL), or one whose encryption or
       * certificate did not do, is there; only one that did not answer is
       * unreachable */
      if (PQconnectionNeedsPassword (db->conn) || strstr (problem, "FATAL:") != NULL
          || strstr (problem, "SSL") != NULL || strstr (problem, "certificate") != NULL)
        {
          db->failure = PQconnectionNeedsPassword (db->conn) ? LES_DB_FAILURE_PERMISSION : LES_DB_FAILURE_OTHER;
          g_set_error (error, LES_ERROR, LES_ERROR_DATABASE, _("%s: cannot connect: %s"), db->parent.location,
                       problem);
        }
      else
        {
          db->failure = LES_DB_FAILURE_UNREACHABLE;
          g_set_error (error, LES_ERROR, LES_ERROR_UNREACHABLE, _("The team database %s is not reachable: %s"),
                       db->parent.location, problem);
        }
      pg_close (&db->parent);
      return NULL;
    }
  if (PQserverVersion (db->conn) < MIN_SERVER_VERSION)
    {
      g_set_error (error, LES_ERROR, LES_ERROR_DATABASE,
                   _("%s: the server runs PostgreSQL %d; LES Claims needs version 12 or later"),
                   db->parent.location, PQserverVersion (db->conn) / 10000);
      pg_close (&db->parent);
      return NULL;
    }
  PQsetNoticeProcessor (db->conn, notice_cb, db);
  db->cancel = PQgetCancel (db->conn);
  return &db->parent;
}

void
les_db_pg_set_offline (LesDb *parent, gboolean offline)
{
  g_return_if_fail (parent != NULL);

  if (parent->backend == &pg_backend)
    ((PgDb *) parent)->offline = offline;
}

/* Notifications */

typedef enum {
  WATCH_LISTENING,    /* the socket is watched */
  WATCH_WAITING,      /* lost: the next attempt at the source's ready time */
  WATCH_CONNECTING,   /* an attempt under way on a worker */
} WatchState;

typedef struct {
  GSource        parent;
  PGconn        *conn;
  gpointer       fd_tag;
  char          *conninfo;    /* may hold a password: never logged */
  char          *channel;
  char          *location;
  WatchState     state;
  guint          delay_s;     /* before the next attempt, once one failed */
  LesDbLinkFunc  link_func;
  gpointer       link_data;
} NotifySource;

static void
listen_notice_cb (void *user_data, const char *message)
{
  g_autofree char *text = tidy_message (message);

  g_debug ("notifications: %s", text);
}

/* A connection of its own that LISTENs on @channel (blocks: on a worker, or once when asked) */
static PGconn *
listen_connect (const char *conninfo, const char *channel, char **location, GError **error)
{
  g_autofree char *listen = g_strdup_printf ("LISTEN %s", channel);
  PgDb *db = (PgDb *) les_db_pg_open (conninfo, error);
  PGresult *res;
  PGconn *conn;

  if (db == NULL)
    return NULL;
  res = PQexec (db->conn, listen);
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    {
      set_error (db, res, error);
      PQclear (res);
      pg_close (&db->parent);
      return NULL;
    }
  PQclear (res);
  /* the connection outlives its PgDb */
  conn = g_steal_pointer (&db->conn);
  /* its notices (a server that shuts down says so) no longer reach the PgDb */
  PQsetNoticeProcessor (conn, listen_notice_cb, NULL);
  if (location != NULL)
    *location = g_strdup (db->parent.location);
  pg_close (&db->parent);
  return conn;
}

static void
watch_conn (NotifySource *self, PGconn *conn)
{
  self->conn = conn;
  self->state = WATCH_LISTENING;
  self->delay_s = RELISTEN_FIRST_S;
  self->fd_tag = g_source_add_unix_fd ((GSource *) self, PQsocket (conn), G_IO_IN | G_IO_ERR | G_IO_HUP);
}

/* The next attempt after the delay, which grows with each that fails */
static void
wait_to_connect (NotifySource *self)
{
  self->state = WATCH_WAITING;
  g_source_set_ready_time ((GSource *) self, g_get_monotonic_time () + self->delay_s * G_USEC_PER_SEC);
  self->delay_s = MIN (self->delay_s * 2, RELISTEN_MAX_S);
}

static void
lose_conn (NotifySource *self, const char *problem)
{
  g_debug ("%s: no longer told of others' changes (trying again): %s", self->location, problem);
  if (self->fd_tag != NULL)
    g_source_remove_unix_fd ((GSource *) self, self->fd_tag);
  self->fd_tag = NULL;
  g_clear_pointer (&self->conn, PQfinish);
  /* the delay is the first again: watch_conn() set it when this connection was made */
  wait_to_connect (self);
  if (self->link_func != NULL)
    self->link_func (FALSE, problem, self->link_data);
}

typedef struct {
  char *conninfo;
  char *channel;
} Attempt;

static void
attempt_free (Attempt *attempt)
{
  g_free (attempt->conninfo);
  g_free (attempt->channel);
  g_free (attempt);
}

static void
attempt_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  Attempt *attempt = task_data;
  GError *error = NULL;
  PGconn *conn = listen_connect (attempt->conninfo, attempt->channel, NULL, &error);

  if (conn == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, conn, (GDestroyNotify) PQfinish);
}

static void
attempt_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  NotifySource *self = user_data;
  g_autoptr(GError) error = NULL;
  PGconn *conn = g_task_propagate_pointer (G_TASK (result), &error);

  /* the source was let go meanwhile: so is what the attempt made */
  if (g_source_is_destroyed ((GSource *) self))
    {
      g_clear_pointer (&conn, PQfinish);
      g_source_unref ((GSource *) self);
      return;
    }
  if (conn == NULL)
    {
      g_debug ("%s: still not told of others' changes: %s", self->location, error->message);
      wait_to_connect (self);
    }
  else
    {
      g_debug ("%s: told of others' changes again", self->location);
      watch_conn (self, conn);
      if (self->link_func != NULL)
        self->link_func (TRUE, NULL, self->link_data);
    }
  g_source_unref ((GSource *) self);
}

/* Connects on a worker: resolving a host name and connecting block, and the
 * main loop must not (libpq's PQconnectStart still resolves names in the caller) */
static void
start_attempt (NotifySource *self)
{
  GMainContext *context = g_source_get_context ((GSource *) self);
  g_autoptr(GTask) task = NULL;
  Attempt *attempt = g_new0 (Attempt, 1);

  attempt->conninfo = g_strdup (self->conninfo);
  attempt->channel = g_strdup (self->channel);
  self->state = WATCH_CONNECTING;
  g_source_set_ready_time ((GSource *) self, -1);
  /* the answer comes back in the source's own context */
  g_main_context_push_thread_default (context);
  task = g_task_new (NULL, NULL, attempt_done_cb, g_source_ref ((GSource *) self));
  g_main_context_pop_thread_default (context);
  g_task_set_source_tag (task, start_attempt);
  g_task_set_task_data (task, attempt, (GDestroyNotify) attempt_free);
  g_task_run_in_thread (task, attempt_thread);
}

static gboolean
notify_source_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  NotifySource *self = (NotifySource *) source;
  LesDbNotifyFunc func = (LesDbNotifyFunc) (void (*) (void)) callback;
  PGnotify *notify;

  if (self->state == WATCH_WAITING)
    {
      start_attempt (self);
      return G_SOURCE_CONTINUE;
    }
  if (self->state != WATCH_LISTENING)
    return G_SOURCE_CONTINUE;
  if (!PQconsumeInput (self->conn) || PQstatus (self->conn) != CONNECTION_OK)
    {
      g_autofree char *problem = tidy_message (PQerrorMessage (self->conn));

      lose_conn (self, problem[0] != '\0' ? problem : _("the connection was lost"));
      return G_SOURCE_CONTINUE;
    }
  while ((notify = PQnotifies (self->conn)) != NULL)
    {
      if (func != NULL)
        func (notify->relname, notify->extra, user_data);
      PQfreemem (notify);
    }
  return G_SOURCE_CONTINUE;
}

static void
notify_source_finalize (GSource *source)
{
  NotifySource *self = (NotifySource *) source;

  g_clear_pointer (&self->conn, PQfinish);
  if (self->conninfo != NULL)
    memset (self->conninfo, 0, strlen (self->conninfo));
  g_free (self->conninfo);
  g_free (self->channel);
  g_free (self->location);
}

static GSourceFuncs notify_source_funcs = {
  .dispatch = notify_source_dispatch,
  .finalize = notify_source_finalize,
};

/**
 * les_db_pg_notify_source_new:
 * @conninfo: as les_db_pg_open() takes it
 * @channel: an identifier (not quoted: lower case)
 *
 * A connection of its own that does nothing but LISTEN, so that a
 * notification is read from the main loop as soon as it comes, whatever the
 * store's connections are doing.  The source is dispatched when the
 * connection's socket is readable.  When the connection is lost (the server
 * restarted, the network dropped), it connects again on a worker after 1 s,
 * then after twice as long each time up to 30 s, never blocking the loop;
 * les_db_pg_notify_source_set_link_func() is told of both.
 *
 * Returns: (transfer full): the source, not yet attached
 */
GSource *
les_db_pg_notify_source_new (const char *conninfo, const char *channel, GError **error)
{
  NotifySource *self;
  GSource *source;
  char *location = NULL;
  PGconn *conn;

  g_return_val_if_fail (conninfo != NULL, NULL);
  g_return_val_if_fail (channel != NULL, NULL);

  conn = listen_connect (conninfo, channel, &location, error);
  if (conn == NULL)
    return NULL;
  source = g_source_new (&notify_source_funcs, sizeof (NotifySource));
  self = (NotifySource *) source;
  self->conninfo = g_strdup (conninfo);
  self->channel = g_strdup (channel);
  self->location = location;
  g_source_set_static_name (source, "les-claims notifications");
  watch_conn (self, conn);
  return source;
}

/**
 * les_db_pg_notify_source_set_link_func:
 * @func: (nullable): told when the connection is lost and when it is back
 *
 * @user_data must outlive the source's attachment (destroy the source first).
 */
void
les_db_pg_notify_source_set_link_func (GSource *source, LesDbLinkFunc func, gpointer user_data)
{
  NotifySource *self = (NotifySource *) source;

  g_return_if_fail (source != NULL);

  self->link_func = func;
  self->link_data = user_data;
}
