/* test-store.c: tests of the store — schema, migrations, settings of the connection, audit trail, on either backend. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "les-error.h"
#include "les-store-private.h"
#include "test-helpers.h"

/* What the key tests check is SQLite's alone */
static const char sqlite_files_only[] = "SQLite files: the key, its side files and older versions are theirs";

/* Skips the test, saying @why, when @skip: what it checks is one backend's own */
static gboolean
skip_when (gboolean skip, const char *why)
{
  if (skip)
    g_test_skip (why);
  return skip;
}

static char *
query_text (LesStore *store, const char *sql)
{
  LesStmt *stmt = les_store_prepare (store, sql, NULL);
  char *result = NULL;

  g_assert_nonnull (stmt);
  if (les_stmt_step (stmt, NULL) == LES_STEP_ROW && !les_stmt_is_null (stmt, 0))
    result = g_strdup (les_stmt_text (stmt, 0));
  les_stmt_reset (stmt);
  return result;
}

static void
test_create (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = test_store_new (&dir);
  g_autofree char *key = query_text (store, "SELECT value FROM meta WHERE key = 'nhs_hmac_key'");
  g_autofree char *key_id = query_text (store, "SELECT value FROM meta WHERE key = 'key_id'");
  g_autofree char *audit = query_text (store, "SELECT action || ':' || after FROM audit");

  g_assert_cmpint (les_store_get_schema_version (store), ==, LES_SCHEMA_VERSION);
  if (test_backend_is_pg ())
    {
      /* every text in byte order, as SQLite's BINARY, whatever the server's locale */
      g_autofree char *other = query_text (store, "SELECT count(*) FROM information_schema.columns "
                                                  "WHERE table_schema = current_schema () AND data_type = 'text' "
                                                  "AND collation_name IS DISTINCT FROM 'C'");
      g_autofree char *versions = query_text (store, "SELECT count(*) FROM schema_version");

      g_assert_cmpstr (les_store_get_backend_name (store), ==, "postgresql");
      g_assert_null (les_store_get_path (store));
      g_assert_true (g_str_has_prefix (les_store_get_location (store), "postgresql://"));
      g_assert_cmpstr (other, ==, "0");
      g_assert_cmpstr (versions, ==, "1");
    }
  else
    {
      g_autofree char *mode = query_text (store, "PRAGMA journal_mode");
      g_autofree char *fk = query_text (store, "PRAGMA foreign_keys");

      g_assert_cmpstr (les_store_get_backend_name (store), ==, "sqlite");
      g_assert_cmpstr (les_store_get_location (store), ==, les_store_get_path (store));
      g_assert_cmpstr (mode, ==, "wal");
      g_assert_cmpstr (fk, ==, "1");
    }
  /* issue #12: the key is not in the database, only its name */
  g_assert_null (key);
  g_assert_cmpint (strlen (key_id), ==, 32);
  g_assert_cmpstr (audit, ==, "migrate:schema 0 → 6");
  g_assert_true (les_store_is_empty (store));
  test_remove_dir (dir);
}

static void
test_reopen_keeps_key (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = test_store_new (&dir);
  g_autoptr(LesStore) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *h1 = les_store_hash_nhs_number (store, "9434765919", NULL);
  g_autofree char *h2 = NULL;
  g_autofree char *h3 = NULL;

  again = les_store_dup (store, &error);
  g_assert_no_error (error);
  h2 = les_store_hash_nhs_number (again, "9434765919", NULL);
  h3 = les_store_hash_nhs_number (again, "4010232137", NULL);
  g_assert_cmpstr (h1, ==, h2);
  g_assert_cmpstr (h1, !=, h3);
  g_assert_cmpint (strlen (h1), ==, 64);
  /* opening again migrates nothing: still one audit row */
  g_assert_cmpint (les_store_count_rows (again, "audit"), ==, 1);
  test_remove_dir (dir);
}

static void
test_two_databases_hash_differently (void)
{
  g_autofree char *d1 = NULL, *d2 = NULL;
  g_autoptr(LesStore) s1 = test_store_new (&d1);
  g_autoptr(LesStore) s2 = NULL;
  g_autofree char *h1 = les_store_hash_nhs_number (s1, "9434765919", NULL);
  g_autofree char *h2 = NULL;
  g_autoptr(LesKeyProvider) shared = les_key_provider_get_default ();

  /* a database made under another key (the keyring gives each its own) */
  {
    g_autofree char *other_dir = g_dir_make_tmp ("les-test-XXXXXX", NULL);
    g_autofree char *other = g_build_filename (other_dir, "other.key", NULL);
    g_autoptr(LesKeyFile) provider = les_key_file_new (other);

    les_key_provider_set_default (LES_KEY_PROVIDER (provider));
    s2 = test_store_new (&d2);
    h2 = les_store_hash_nhs_number (s2, "9434765919", NULL);
    les_key_provider_set_default (shared);
    test_remove_dir (other_dir);
  }
  g_assert_nonnull (h1);
  g_assert_nonnull (h2);
  g_assert_cmpstr (h1, !=, h2);
  test_remove_dir (d1);
  test_remove_dir (d2);
}

static void
test_too_new (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = test_store_new (&dir);
  g_autoptr(LesStore) again = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (les_store_exec (store, test_backend_is_pg () ? "UPDATE schema_version SET version = 99"
                                                               : "PRAGMA user_version = 99", NULL));
  again = les_store_dup (store, &error);
  g_assert_null (again);
  g_assert_error (error, LES_ERROR, LES_ERROR_TOO_NEW);
  test_remove_dir (dir);
}

static void
test_not_a_database (void)
{
  g_autofree char *dir = NULL;

  if (skip_when (test_backend_is_pg (), "a file on SQLite only"))
    return;
  dir = g_dir_make_tmp ("les-test-XXXXXX", NULL);
  g_autofree char *path = test_write_file (dir, "notes.db", "this is not a database, just text\n", -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(LesStore) store = les_store_open (path, &error);

  g_assert_null (store);
  g_assert_error (error, LES_ERROR, LES_ERROR_DATABASE);
  test_remove_dir (dir);
}

static void
test_foreign_keys_enforced (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = test_store_new (&dir);
  g_autoptr(GError) error = NULL;

  g_assert_false (les_store_exec (store,
                                  "INSERT INTO practices (practice_code, practice_name, pcn_code) "
                                  "VALUES ('A81001', 'x', 'NOPCN')", &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_DATABASE);
  g_assert_cmpint (les_db_last_failure (les_store_get_db (store)), ==, LES_DB_FAILURE_FOREIGN_KEY);
  test_remove_dir (dir);
}

static void
test_transactions_and_audit (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = test_store_new (&dir);
  g_autofree char *who = NULL;

  g_assert_true (les_store_begin (store, NULL));
  g_assert_true (les_store_audit (store, "test", "claims", "E0001", "status=submitted", "status=approved", NULL));
  les_store_rollback (store);
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, 1);

  g_assert_true (les_store_begin (store, NULL));
  g_assert_true (les_store_begin (store, NULL));   /* nested */
  g_assert_true (les_store_audit (store, "test", "claims", "E0001", "status=submitted", "status=approved", NULL));
  g_assert_true (les_store_commit (store, NULL));
  g_assert_true (les_store_commit (store, NULL));
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, 2);
  who = query_text (store, "SELECT os_user || '|' || before || '|' || after FROM audit WHERE action = 'test'");
  g_assert_true (g_str_has_suffix (who, "|status=submitted|status=approved"));
  g_assert_true (g_str_has_prefix (who, g_get_user_name ()));
  test_remove_dir (dir);
}

static guint
file_mode (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

/* Issue #12: the database, its WAL and shared memory are private under the usual umask */
static void
test_files_private (void)
{
  g_autofree char *dir = NULL;
  mode_t old;
  g_autoptr(LesStore) store = NULL;
  g_autofree char *path = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *shm = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LesStore) again = NULL;

  if (skip_when (test_backend_is_pg (), "files on SQLite only"))
    return;
  old = umask (022);
  store = test_store_new (&dir);
  path = g_strdup (les_store_get_path (store));
  wal = g_strconcat (path, "-wal", NULL);
  shm = g_strconcat (path, "-shm", NULL);
  umask (old);
  /* a write makes sure the WAL exists while the store is open */
  g_assert_true (les_store_begin (store, NULL));
  g_assert_true (les_store_audit (store, "test", NULL, NULL, NULL, NULL, NULL));
  g_assert_true (les_store_commit (store, NULL));
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_cmpuint (file_mode (wal), ==, 0600);
  g_assert_cmpuint (file_mode (shm), ==, 0600);
  g_assert_null (les_store_get_warnings (store)[0]);

  /* a file others can read opens, with a warning that says so */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  again = les_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (les_store_get_warnings (again)[0]);
  g_assert_nonnull (strstr (les_store_get_warnings (again)[0], "chmod 600"));
  g_assert_null (les_store_get_warnings (again)[1]);
  test_remove_dir (dir);
}

static void
test_durable_commits (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = NULL;
  g_autofree char *sync = NULL;

  if (skip_when (test_backend_is_pg (), "the server's own settings make its commits durable"))
    return;
  store = test_store_new (&dir);
  sync = query_text (store, "PRAGMA synchronous");
  g_assert_cmpstr (sync, ==, "2");   /* FULL */
  test_remove_dir (dir);
}

/* Which locations are servers: URIs and key=value strings, never a file */
static void
test_server_locations (void)
{
  g_assert_true (les_store_is_server_location ("postgresql://ledger.example.org/les"));
  g_assert_true (les_store_is_server_location ("postgres:///les"));
  g_assert_true (les_store_is_server_location ("host=/run/postgresql dbname=les"));
  g_assert_true (les_store_is_server_location (" dbname = les"));
  g_assert_false (les_store_is_server_location ("/home/me/les-claims.db"));
  g_assert_false (les_store_is_server_location ("/home/me/a=b.db"));
  g_assert_false (les_store_is_server_location ("les=claims/x.db"));
  g_assert_false (les_store_is_server_location ("postgresql.db"));
  g_assert_false (les_store_is_server_location ("C:/x=y.db"));
}

/* The portable SQL as PostgreSQL prepares it */
static void
test_pg_rewrite (void)
{
  static const struct { const char *sql; const char *pg; int n_params; } cases[] = {
    { "SELECT a FROM t WHERE b = ?1 AND c = ?12", "SELECT a FROM t WHERE b = $1 AND c = $12", 12 },
    { "SELECT '?1', \"?2\" FROM t WHERE x = ?3", "SELECT '?1', \"?2\" FROM t WHERE x = $3", 3 },
    { "SELECT 'it''s ?1' || ?2", "SELECT 'it''s ?1' || $2", 2 },
    { "SELECT 1 -- ?1\n, ?2 /* ?3 */", "SELECT 1 -- ?1\n, $2 /* ?3 */", 2 },
    { "ORDER BY a COLLATE BINARY, b collate  binary DESC", "ORDER BY a COLLATE \"C\", b COLLATE \"C\" DESC", 0 },
    { "SELECT binary_x, 'COLLATE BINARY' FROM t ORDER BY a COLLATE BINARYX",
      "SELECT binary_x, 'COLLATE BINARY' FROM t ORDER BY a COLLATE BINARYX", 0 },
    { "SELECT xCOLLATE BINARY", "SELECT xCOLLATE BINARY", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int n = -1;
      g_autofree char *pg = les_db_pg_rewrite (cases[i].sql, &n);

      g_assert_cmpstr (pg, ==, cases[i].pg);
      g_assert_cmpint (n, ==, cases[i].n_params);
    }
}

/* What went wrong, in kinds both backends share */
static void
test_failures (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = test_store_new (&dir);
  LesDb *db = les_store_get_db (store);
  g_autoptr(GError) error = NULL;
  LesStmt *stmt;

  stmt = les_store_prepare (store, les_sql_meta_insert, &error);
  g_assert_no_error (error);
  les_stmt_bind_text (stmt, 1, "key_id");
  les_stmt_bind_text (stmt, 2, "again");
  g_assert_false (les_stmt_run (stmt, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_DATABASE);
  g_assert_cmpint (les_db_last_failure (db), ==, LES_DB_FAILURE_CONSTRAINT);
  /* the message names the database */
  g_assert_true (g_str_has_prefix (error->message, les_store_get_location (store)));
  g_clear_error (&error);

  g_assert_false (les_store_exec (store, "INSERT INTO meta (key, value) VALUES ('k', NULL)", &error));
  g_assert_cmpint (les_db_last_failure (db), ==, LES_DB_FAILURE_CONSTRAINT);
  g_clear_error (&error);

  /* the store still works after each */
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, 1);
  test_remove_dir (dir);
}

/* A statement read while another writes between its rows: on PostgreSQL the
 * connection runs one statement at a time, so the first one's rows are read
 * ahead, and must come out all the same */
static void
test_interleaved (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = test_store_new (&dir);
  g_autoptr(GError) error = NULL;
  LesStmt *read;
  LesStmt *write;
  GString *seen = g_string_new (NULL);
  g_autofree char *names = NULL;
  LesStep rc;

  g_assert_true (les_store_begin (store, &error));
  for (int i = 0; i < 50; i++)
    {
      LesStmt *insert = les_store_prepare (store, les_sql_import_pcn_upsert, &error);
      g_autofree char *code = g_strdup_printf ("U%05d", i);

      g_assert_no_error (error);
      les_stmt_bind_text (insert, 1, code);
      les_stmt_bind_null (insert, 2);
      g_assert_true (les_stmt_run (insert, &error));
      g_assert_cmpint (les_db_changes (les_store_get_db (store)), ==, 1);
    }
  read = les_store_prepare (store, les_sql_screen_pcn_codes, &error);
  write = les_store_prepare (store, "UPDATE pcns SET pcn_name = 'seen ' || pcn_code WHERE pcn_code = ?1", &error);
  g_assert_no_error (error);
  while ((rc = les_stmt_step (read, &error)) == LES_STEP_ROW)
    {
      const char *code = les_stmt_text (read, 0);

      g_string_append_printf (seen, "%s ", code);
      les_stmt_bind_text (write, 1, code);
      g_assert_true (les_stmt_run (write, &error));
      g_assert_cmpint (les_db_changes (les_store_get_db (store)), ==, 1);
      /* the row being read stays readable after the write */
      g_assert_cmpstr (les_stmt_text (read, 0), ==, code);
    }
  g_assert_cmpint (rc, ==, LES_STEP_DONE);
  les_stmt_reset (read);
  g_assert_true (les_store_commit (store, &error));
  g_assert_cmpint (strlen (seen->str), ==, 50 * 7);
  g_assert_true (g_str_has_prefix (seen->str, "U00000 U00001 "));
  g_assert_true (g_str_has_suffix (seen->str, "U00049 "));
  names = query_text (store, "SELECT count(*) FROM pcns WHERE pcn_name = 'seen ' || pcn_code");
  g_assert_cmpstr (names, ==, "50");
  g_string_free (seen, TRUE);
  test_remove_dir (dir);
}

typedef struct {
  LesStore     *watcher;
  GCancellable *cancellable;
  const char   *query;
} Canceller;

/* Cancels once the server shows the statement running (no guessed sleep) */
static gpointer
cancel_when_running (gpointer data)
{
  Canceller *c = data;
  LesStmt *stmt = les_store_prepare (c->watcher, "SELECT count(*) FROM pg_stat_activity "
                                                 "WHERE state = 'active' AND query = ?1", NULL);

  for (;;)
    {
      gint64 n = 0;

      les_stmt_bind_text (stmt, 1, c->query);
      if (les_stmt_step (stmt, NULL) == LES_STEP_ROW)
        n = les_stmt_int64 (stmt, 0);
      les_stmt_reset (stmt);
      if (n > 0)
        break;
    }
  g_cancellable_cancel (c->cancellable);
  return NULL;
}

/* A running statement stops when its cancellable fires, and the store goes on */
static void
test_cancel (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = NULL;
  g_autoptr(LesStore) watcher = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Canceller c;
  GThread *thread;
  LesStmt *stmt;
  gint64 start;

  if (skip_when (!test_backend_is_pg (),
                 "the server's statements (SQLite's progress handler: test-engine and test-runs)"))
    return;
  store = test_store_new (&dir);
  watcher = les_store_dup (store, &error);
  g_assert_no_error (error);

  /* already cancelled: nothing runs */
  g_cancellable_cancel (cancellable);
  les_store_set_cancellable (store, cancellable);
  stmt = les_store_prepare (store, les_sql_years, &error);
  g_assert_no_error (error);
  g_assert_cmpint (les_stmt_step (stmt, &error), ==, LES_STEP_ERROR);
  g_assert_error (error, LES_ERROR, LES_ERROR_CANCELLED);
  g_assert_cmpint (les_db_last_failure (les_store_get_db (store)), ==, LES_DB_FAILURE_INTERRUPTED);
  g_clear_error (&error);
  les_store_set_cancellable (store, NULL);

  /* cancelled while it runs, inside a transaction */
  g_cancellable_reset (cancellable);
  les_store_set_cancellable (store, cancellable);
  c.watcher = watcher;
  c.cancellable = cancellable;
  c.query = "SELECT pg_sleep ($1)";
  stmt = les_store_prepare (store, "SELECT pg_sleep (?1)", &error);
  g_assert_no_error (error);
  les_stmt_bind_int64 (stmt, 1, 60);
  g_assert_true (les_store_begin (store, &error));
  thread = g_thread_new ("canceller", cancel_when_running, &c);
  start = g_get_monotonic_time ();
  g_assert_cmpint (les_stmt_step (stmt, &error), ==, LES_STEP_ERROR);
  g_assert_error (error, LES_ERROR, LES_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);
  g_clear_error (&error);
  g_thread_join (thread);
  les_stmt_reset (stmt);
  les_store_rollback (store);
  les_store_set_cancellable (store, NULL);

  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, 1);
  test_remove_dir (dir);
}

typedef struct {
  LesStore *store;
  gboolean  began;
  int       told;       /* atomic: the wait function was called */
  char     *message;
} Writer;

static void
writer_told_cb (LesStore *store, const char *message, gpointer user_data)
{
  Writer *w = user_data;

  if (w->message == NULL)
    w->message = g_strdup (message);
  g_atomic_int_set (&w->told, TRUE);
}

static gpointer
begin_writing (gpointer data)
{
  Writer *w = data;

  w->began = les_store_begin (w->store, NULL);
  les_store_audit (w->store, "second", NULL, NULL, NULL, NULL, NULL);
  les_store_commit (w->store, NULL);
  return NULL;
}

/* One writer at a time, as SQLite's BEGIN IMMEDIATE: a second waits for the
 * first; a reader waits for neither, and sees what was committed */
static void
test_one_writer (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = NULL;
  g_autoptr(LesStore) second = NULL;
  g_autoptr(LesStore) reader = NULL;
  g_autoptr(GError) error = NULL;
  Writer w = { NULL, FALSE, FALSE, NULL };
  GThread *thread;

  if (skip_when (!test_backend_is_pg (), "SQLite's lock is its own"))
    return;
  store = test_store_new (&dir);
  second = les_store_dup (store, &error);
  g_assert_no_error (error);
  reader = les_store_dup (store, &error);
  g_assert_no_error (error);

  g_assert_true (les_store_begin (store, &error));
  g_assert_true (les_store_audit (store, "first", NULL, NULL, NULL, NULL, NULL));
  w.store = second;
  les_store_set_wait_func (second, writer_told_cb, &w, NULL);
  thread = g_thread_new ("second writer", begin_writing, &w);

  /* the second writer is seen waiting for the lock, and says whom for */
  while (!g_atomic_int_get (&w.told))
    g_usleep (10 * G_TIME_SPAN_MILLISECOND);
  g_assert_true (g_str_has_prefix (w.message, "Waiting for "));
  g_assert_false (g_atomic_int_get (&w.began));
  /* meanwhile a reader reads, without the first writer's row */
  g_assert_cmpint (les_store_count_rows (reader, "audit"), ==, 1);
  g_assert_true (les_store_commit (store, &error));
  g_thread_join (thread);
  g_assert_true (w.began);
  g_assert_cmpint (les_store_count_rows (reader, "audit"), ==, 3);
  g_free (w.message);
  test_remove_dir (dir);
}

/* A statement that fails leaves a server's transaction unable to commit:
 * the commit says so instead of reporting success */
static void
test_failed_transaction (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (skip_when (!test_backend_is_pg (), "SQLite undoes the failed statement only"))
    return;
  store = test_store_new (&dir);
  g_assert_true (les_store_begin (store, &error));
  les_store_exec (store, "INSERT INTO pcns (pcn_code) VALUES ('U00001')", &error);
  g_assert_no_error (error);
  g_assert_false (les_store_exec (store, "INSERT INTO pcns (pcn_code) VALUES ('U00001')", NULL));
  g_assert_false (les_store_commit (store, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_DATABASE);
  g_assert_cmpint (les_store_count_rows (store, "pcns"), ==, 0);

  /* and a read-only transaction refuses writes */
  g_clear_error (&error);
  g_assert_true (les_db_begin (les_store_get_db (store), LES_TRANSACTION_READ, &error));
  g_assert_false (les_store_exec (store, "INSERT INTO pcns (pcn_code) VALUES ('U00002')", NULL));
  g_assert_cmpint (les_db_last_failure (les_store_get_db (store)), ==, LES_DB_FAILURE_READ_ONLY);
  les_db_rollback (les_store_get_db (store));
  test_remove_dir (dir);
}

/* The location shown never holds the password, nor does a failure to connect */
static void
test_password_hidden (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = NULL;
  g_autoptr(LesStore) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *location = NULL;
  g_autofree char *dbname = NULL;

  if (skip_when (!test_backend_is_pg (), "files have no password"))
    return;
  store = test_store_new (&dir);
  dbname = query_text (store, "SELECT current_database ()");
  /* the test server trusts its socket, so a password is accepted and unused */
  location = g_strdup_printf ("postgresql://%s:s3cret-word@/%s", g_get_user_name (), dbname);
  again = les_store_open (location, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (les_store_get_location (again), "s3cret"));
  g_assert_nonnull (strstr (les_store_get_location (again), dbname));
  g_clear_object (&again);

  again = les_store_open ("host=/nonexistent/socket/dir password=s3cret-word dbname=les", &error);
  g_assert_null (again);
  /* no server there: unreachable, not a database's refusal */
  g_assert_error (error, LES_ERROR, LES_ERROR_UNREACHABLE);
  g_assert_null (strstr (error->message, "s3cret"));
  test_remove_dir (dir);
}

/* Every statement of the core prepares on this backend: the server checks
 * each one's syntax, names and parameter types without running it (the
 * screens' statements run only in the application's tests) */
static void
test_every_statement_prepares (void)
{
  static const char *fixed[] = {
    les_sql_meta_get, les_sql_meta_insert, les_sql_audit_insert, les_sql_years, les_sql_compute_services,
    les_sql_compute_rules, les_sql_compute_practices, les_sql_compute_list_sizes, les_sql_compute_signups,
    les_sql_compute_cohorts, les_sql_compute_allocations, les_sql_compute_achievements,
    les_sql_compute_claims_all, les_sql_compute_claims_one, les_sql_compute_patient_lines_all,
    les_sql_compute_patient_lines_one, les_sql_compute_findings_years, les_sql_compute_findings_clear,
    les_sql_compute_findings_clear_year, les_sql_compute_totals_years, les_sql_compute_totals_clear,
    les_sql_compute_totals_clear_year, les_sql_compute_n_services, les_sql_compute_stored_lines,
    les_sql_compute_stored_lines_of_service, les_sql_compute_findings_clear_service,
    les_sql_compute_totals_clear_service, les_sql_compute_year_totals, les_sql_compute_stale,
    les_sql_compute_stale_clear,
    les_sql_compute_delete_line, les_sql_compute_insert_total,
    les_sql_compute_upsert_compute, les_sql_results_compute, les_sql_results_reconciliation,
    les_sql_results_payments, les_sql_results_findings, les_sql_import_practice_codes,
    les_sql_import_service_keys, les_sql_import_rule_kinds, les_sql_import_max_claim_id,
    les_sql_import_pcn_upsert, les_sql_import_claim_insert, les_sql_import_claim_select,
    les_sql_import_claim_exists, les_sql_import_lines_delete, les_sql_import_line_insert,
    les_sql_import_nhs_list_size_upsert, les_sql_runs_latest_live, les_sql_runs_list, les_sql_runs_get,
    les_sql_runs_preview, les_sql_runs_insert, les_sql_runs_pay_lines, les_sql_runs_pay_adjustments,
    les_sql_runs_drop_paid_adjustments, les_sql_runs_postpone_adjustments, les_sql_runs_set_totals,
    les_sql_runs_reopen, les_sql_runs_practices, les_sql_runs_statement_practice,
    les_sql_runs_statement_lines, les_sql_runs_paid_by_service, les_sql_runs_live_count,
    les_sql_adjustments_clear, les_sql_adjustments_insert, les_sql_adjustments_pending,
    les_sql_claims_get_status, les_sql_claims_set_status, les_sql_claims_id_for_ref,
    les_sql_claims_ids_for_year, les_sql_claims_approvable_ids_for_year, les_sql_service_exists,
    les_sql_service_rule_codes, les_sql_service_rule_delete, les_sql_service_rules_delete,
    les_sql_service_delete, les_sql_example_registered, les_sql_example_weighted, les_sql_example_cohorts,
    les_sql_example_blocks, les_sql_example_achieved, les_sql_example_units, les_sql_screen_services,
    les_sql_screen_practices, les_sql_screen_practice_list_sizes, les_sql_screen_practice_signups,
    les_sql_screen_practice_cohorts, les_sql_screen_practice_allocations, les_sql_screen_practice_claims,
    les_sql_screen_practice_payments, les_sql_screen_findings_summary, les_sql_screen_payments_by_pcn,
    les_sql_screen_payments_by_practice, les_sql_screen_payment_lines, les_sql_screen_last_compute,
    les_sql_screen_service_codes, les_sql_screen_pcn_codes, les_sql_screen_finding_codes,
  };
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = test_store_new (&dir);
  g_autoptr(GPtrArray) built = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (built, les_sql_compute_insert_lines (1));
  g_ptr_array_add (built, les_sql_compute_insert_lines (3));
  g_ptr_array_add (built, les_sql_compute_insert_findings (1));
  g_ptr_array_add (built, les_sql_compute_update_lines (1));
  g_ptr_array_add (built, les_sql_compute_update_lines (3));
  g_ptr_array_add (built, les_sql_compute_insert_findings (3));
  g_ptr_array_add (built, les_sql_service_select ());
  g_ptr_array_add (built, les_sql_service_rules_select ());
  g_ptr_array_add (built, les_sql_service_upsert ());
  g_ptr_array_add (built, les_sql_service_rule_upsert ());
  for (int k = 0; k < LES_N_KINDS; k++)
    {
      const LesKindInfo *info = les_kind_get_info ((LesKind) k);
      char *update;

      g_ptr_array_add (built, les_sql_export_select (info));
      /* claims and patients' lines have statements of their own (above) */
      if (k == LES_KIND_CLAIMS || k == LES_KIND_PATIENT_ACTIVITY)
        continue;
      update = les_sql_import_update (info);
      g_ptr_array_add (built, les_sql_import_select (info));
      g_ptr_array_add (built, les_sql_import_insert (info));
      if (update != NULL)
        g_ptr_array_add (built, update);
    }
  for (guint i = 0; i < G_N_ELEMENTS (fixed) + built->len; i++)
    {
      const char *sql = i < G_N_ELEMENTS (fixed) ? fixed[i] : built->pdata[i - G_N_ELEMENTS (fixed)];
      g_autoptr(GError) error = NULL;
      LesStmt *stmt = les_db_prepare (les_store_get_db (store), sql, &error);

      if (error != NULL)
        g_test_message ("%s", sql);
      g_assert_no_error (error);
      les_stmt_finalize (stmt);
    }
  test_remove_dir (dir);
}

/* The bytes of @path, for looking for what must not be in the file */
static gboolean
file_contains (const char *path, const char *text)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  gsize n = strlen (text);

  if (!g_file_get_contents (path, &data, &len, NULL))
    return FALSE;
  for (gsize i = 0; i + n <= len; i++)
    if (memcmp (data + i, text, n) == 0)
      return TRUE;
  return FALSE;
}

/* Issue #12, item 5: the key that re-identifies patients is not in the file */
static void
test_key_not_in_file (void)
{
  if (skip_when (test_backend_is_pg (), sqlite_files_only))
    return;
  {
    g_autofree char *dir = NULL;
    g_autoptr(LesStore) store = test_store_new (&dir);
    g_autofree char *path = g_strdup (les_store_get_path (store));
    g_autoptr(GBytes) key = les_store_export_key (store, NULL);
    g_autofree char *hex = les_key_to_hex (key);
    g_autofree char *expected = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) hex, strlen (hex),
                                                           "9434765919", -1);
    g_autofree char *hash = les_store_hash_nhs_number (store, "9434765919", NULL);
    g_autofree char *in_meta = query_text (store, "SELECT group_concat (value) FROM meta");

    g_assert_cmpuint (g_bytes_get_size (key), ==, LES_KEY_SIZE);
    g_assert_cmpstr (hash, ==, expected);
    g_assert_null (strstr (in_meta, hex));
    g_clear_object (&store);
    g_assert_false (file_contains (path, hex));
    test_remove_dir (dir);
  }
}

/* A database as the versions before issue #12 left it: schema 3, its key in meta */
static char *
make_old_database (char **dir, char **old_hex)
{
  g_autoptr(LesStore) store = test_store_new (dir);
  g_autofree char *path = g_strdup (les_store_get_path (store));

  *old_hex = g_strdup ("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
  g_assert_true (les_store_exec (store,
                                 "ALTER TABLE audit DROP COLUMN digest; ALTER TABLE audit DROP COLUMN seal; "
                                 "ALTER TABLE payment_runs DROP COLUMN claims_upto; "
                                 "ALTER TABLE payment_runs DROP COLUMN claims_seal; "
                                 "ALTER TABLE payment_runs DROP COLUMN seal; DELETE FROM meta; "
                                 /* schema 5's */
                                 "DROP TABLE year_state; DROP TABLE run_totals; DROP INDEX audit_by_row; "
                                 "ALTER TABLE computes DROP COLUMN imports_seen; "
                                 "ALTER TABLE computes DROP COLUMN edits_seen; "
                                 "ALTER TABLE computes DROP COLUMN decisions_seen; "
                                 /* schema 6's (its claims and payment lines are remade the same) */
                                 "DROP TABLE stale_services; ALTER TABLE service_totals DROP COLUMN gross; "
                                 "ALTER TABLE service_totals DROP COLUMN n_claims; "
                                 "ALTER TABLE service_totals DROP COLUMN n_findings; "
                                 "ALTER TABLE service_totals DROP COLUMN n_errors; "
                                 "INSERT INTO audit (at, os_user, action, after) "
                                 "VALUES ('2024-04-01T00:00:00Z', 'alice', 'import', 'practices x.csv'); "
                                 "PRAGMA user_version = 3", NULL));
  {
    LesStmt *stmt = les_store_prepare (store, "INSERT INTO meta (key, value) VALUES ('nhs_hmac_key', ?1)", NULL);

    les_stmt_bind_text (stmt, 1, *old_hex);
    g_assert_true (les_stmt_run (stmt, NULL));
  }
  return g_steal_pointer (&path);
}

/* An older database's key moves out of the file; hashes made with it still match */
static void
test_migrate_moves_key (void)
{
  if (skip_when (test_backend_is_pg (), sqlite_files_only))
    return;
  {
    g_autofree char *dir = NULL;
    g_autofree char *old_hex = NULL;
    g_autofree char *path = make_old_database (&dir, &old_hex);
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *expected = g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) old_hex,
                                                           strlen (old_hex), "9434765919", -1);
    g_autofree char *key_dir = g_dir_make_tmp ("les-test-XXXXXX", NULL);
    g_autofree char *key_path = g_build_filename (key_dir, "moved.key", NULL);
    g_autoptr(LesKeyFile) provider = les_key_file_new (key_path);
    g_autoptr(LesKeyProvider) shared = les_key_provider_get_default ();
    g_autoptr(LesStore) store = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) breaks = NULL;
    g_autofree char *hash = NULL;
    g_autofree char *left = NULL;

    g_assert_true (file_contains (path, old_hex) || file_contains (wal, old_hex));
    les_key_provider_set_default (LES_KEY_PROVIDER (provider));
    store = les_store_open (path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (les_store_get_schema_version (store), ==, LES_SCHEMA_VERSION);
    hash = les_store_hash_nhs_number (store, "9434765919", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (hash, ==, expected);
    left = query_text (store, "SELECT value FROM meta WHERE key = 'nhs_hmac_key'");
    g_assert_null (left);
    /* the trail made before is sealed from here on */
    breaks = les_store_verify (store, 0, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (breaks->len, ==, 0);
    g_clear_object (&store);
    les_key_provider_set_default (shared);
    g_assert_false (file_contains (path, old_hex));
    g_assert_false (file_contains (wal, old_hex));
    g_assert_true (file_contains (key_path, old_hex));
    g_unlink (key_path);
    g_rmdir (key_dir);
    test_remove_dir (dir);
  }
}

/* Without a provider an older database cannot move its key out, and is not opened */
static void
test_migrate_needs_a_provider (void)
{
  if (skip_when (test_backend_is_pg (), sqlite_files_only))
    return;
  {
    g_autofree char *dir = NULL;
    g_autofree char *old_hex = NULL;
    g_autofree char *path = make_old_database (&dir, &old_hex);
    g_autoptr(LesKeyProvider) shared = les_key_provider_get_default ();
    g_autoptr(GError) error = NULL;
    g_autoptr(LesStore) store = NULL;

    les_key_provider_set_default (NULL);
    store = les_store_open (path, &error);
    les_key_provider_set_default (shared);
    g_assert_null (store);
    g_assert_error (error, LES_ERROR, LES_ERROR_NO_KEY);
    g_assert_nonnull (strstr (error->message, "--key-file"));
    test_remove_dir (dir);
  }
}

/* A database whose key is on another desk opens and reads; what needs the key says how to bring it */
static void
test_key_elsewhere (void)
{
  if (skip_when (test_backend_is_pg (), sqlite_files_only))
    return;
  {
    g_autofree char *dir = NULL;
    g_autoptr(LesStore) store = test_store_new (&dir);
    g_autofree char *path = g_strdup (les_store_get_path (store));
    g_autoptr(LesKeyProvider) shared = les_key_provider_get_default ();
    g_autofree char *other = g_build_filename (dir, "other.key", NULL);
    g_autoptr(LesKeyFile) provider = les_key_file_new (other);
    g_autoptr(GError) error = NULL;
    g_autoptr(LesStore) elsewhere = NULL;
    g_autofree char *hash = NULL;
    guint8 zero[LES_KEY_SIZE] = { 0 };
    g_autoptr(GBytes) wrong = g_bytes_new (zero, sizeof zero);

    g_clear_object (&store);
    g_assert_true (les_key_file_write (other, "0123456789abcdef0123456789abcdef", wrong, NULL));
    les_key_provider_set_default (LES_KEY_PROVIDER (provider));
    elsewhere = les_store_open (path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (les_store_count_rows (elsewhere, "audit"), ==, 1);
    hash = les_store_hash_nhs_number (elsewhere, "9434765919", &error);
    g_assert_null (hash);
    g_assert_error (error, LES_ERROR, LES_ERROR_NO_KEY);
    g_assert_nonnull (strstr (error->message, "key import"));
    g_clear_error (&error);
    g_assert_false (les_store_audit (elsewhere, "test", NULL, NULL, NULL, NULL, &error));
    g_assert_error (error, LES_ERROR, LES_ERROR_NO_KEY);
    g_clear_error (&error);
    g_assert_false (les_store_set_key (elsewhere, wrong, &error));
    g_assert_error (error, LES_ERROR, LES_ERROR_WRONG_KEY);
    les_key_provider_set_default (shared);
    g_clear_object (&elsewhere);
    test_remove_dir (dir);
  }
}

/* A key file others can read is not used */
static void
test_key_file_private (void)
{
  g_autofree char *dir = g_dir_make_tmp ("les-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "k", NULL);
  guint8 bytes[LES_KEY_SIZE] = { 1 };
  g_autoptr(GBytes) key = g_bytes_new (bytes, sizeof bytes);
  g_autoptr(GBytes) read = NULL;
  g_autofree char *id = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (les_key_file_write (path, "0123456789abcdef0123456789abcdef", key, &error));
  g_assert_cmpuint (file_mode (path), ==, 0600);
  g_assert_true (les_key_file_read (path, &id, &read, &error));
  g_assert_true (g_bytes_equal (key, read));
  /* never over an existing file */
  g_assert_false (les_key_file_write (path, "0123456789abcdef0123456789abcdef", key, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_CONFLICT);
  g_clear_error (&error);
  g_chmod (path, 0640);
  g_clear_pointer (&id, g_free);
  g_clear_pointer (&read, g_bytes_unref);
  g_assert_false (les_key_file_read (path, &id, &read, &error));
  g_assert_nonnull (strstr (error->message, "chmod 600"));
  g_clear_error (&error);

  /* a first run's folder does not exist yet: made, private */
  {
    g_autofree char *sub = g_build_filename (dir, "config", NULL);
    g_autofree char *inner = g_build_filename (sub, "les-claims", NULL);
    g_autofree char *deep = g_build_filename (inner, "key", NULL);

    g_assert_true (les_key_file_write (deep, "0123456789abcdef0123456789abcdef", key, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (file_mode (inner), ==, 0700);
    g_assert_cmpuint (file_mode (deep), ==, 0600);
    test_remove_dir (inner);
    g_rmdir (sub);
  }
  test_remove_dir (dir);
}

/* Issue #12, item 7: an audit write that fails rolls the change back, instead of a warning */
static void
test_audit_failure_rolls_back (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = test_store_new (&dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *name = NULL;
  gboolean ok;

  test_import_ok (store, dir, LES_KIND_PRACTICES,
                  "practice_code,practice_name,pcn_code\nA81001,Ashford,U81001\n");
  if (test_backend_is_pg ())
    {
      g_assert_true (les_store_exec (store, "CREATE FUNCTION refuse () RETURNS trigger LANGUAGE plpgsql AS "
                                            "$$ BEGIN RAISE EXCEPTION 'the audit trail refuses'; END $$", NULL));
      g_assert_true (les_store_exec (store, "CREATE TRIGGER refuse BEFORE INSERT ON audit "
                                            "FOR EACH ROW EXECUTE FUNCTION refuse ()", NULL));
    }
  else
    g_assert_true (les_store_exec (store, "CREATE TRIGGER refuse BEFORE INSERT ON audit "
                                          "BEGIN SELECT RAISE (ABORT, 'the audit trail refuses'); END", NULL));
  messages = test_import_text (store, dir, LES_KIND_PRACTICES, "p.csv",
                               "practice_code,practice_name,pcn_code\nA81001,Ashford Surgery,U81001\n", -1,
                               &ok, &error);
  g_assert_false (ok);
  g_assert_nonnull (error);
  name = query_text (store, "SELECT practice_name FROM practices");
  g_assert_cmpstr (name, ==, "Ashford");
  test_remove_dir (dir);
}

typedef struct {
  LesStore     *store;
  GCancellable *cancellable;
  GMutex        lock;
  GCond         told;
  char         *message;
  gboolean      ok;
  GError       *error;
} Waiter;

static void
waiter_told_cb (LesStore *store, const char *message, gpointer user_data)
{
  Waiter *w = user_data;

  g_mutex_lock (&w->lock);
  w->message = g_strdup (message);
  g_cond_signal (&w->told);
  g_mutex_unlock (&w->lock);
}

static gpointer
waiter_thread (gpointer data)
{
  Waiter *w = data;

  les_store_set_cancellable (w->store, w->cancellable);
  w->ok = les_store_begin (w->store, &w->error);
  les_store_set_cancellable (w->store, NULL);
  if (w->ok)
    les_store_rollback (w->store);
  return NULL;
}

static char *
wait_told (Waiter *w)
{
  char *message;

  g_mutex_lock (&w->lock);
  while (w->message == NULL)
    g_cond_wait (&w->told, &w->lock);
  message = g_strdup (w->message);
  g_mutex_unlock (&w->lock);
  return message;
}

/* Issue #12, item 9: a second writer waits past SQLite's ten seconds, says for
 * whom after a second, and stops when cancelled */
static void
test_second_writer_waits (void)
{
  if (skip_when (test_backend_is_pg (), sqlite_files_only))
    return;
  {
    g_autofree char *dir = NULL;
    g_autoptr(LesStore) holder = test_store_new (&dir);
    g_autoptr(GError) error = NULL;
    Waiter w = { 0 };
    GThread *thread;
    g_autofree char *message = NULL;
    g_autofree char *expected = NULL;

    w.store = les_store_dup (holder, &error);
    g_assert_no_error (error);
    g_mutex_init (&w.lock);
    g_cond_init (&w.told);
    les_store_set_wait_func (w.store, waiter_told_cb, &w, NULL);
    les_store_set_activity (holder, "import of claims.csv");
    g_assert_true (les_store_begin (holder, NULL));

    /* the holder lets go once the waiter has said what it waits for */
    thread = g_thread_new ("waiter", waiter_thread, &w);
    message = wait_told (&w);
    expected = g_strdup_printf ("Waiting for %s’s import of claims.csv (pid %d, since ", g_get_user_name (),
                                (int) getpid ());
    g_assert_true (g_str_has_prefix (message, expected));
    g_assert_true (les_store_commit (holder, NULL));
    g_thread_join (thread);
    g_assert_no_error (w.error);
    g_assert_true (w.ok);

    /* cancelled while waiting: no SQLite "database is locked", just cancelled */
    g_clear_pointer (&w.message, g_free);
    w.cancellable = g_cancellable_new ();
    g_assert_true (les_store_begin (holder, NULL));
    thread = g_thread_new ("waiter", waiter_thread, &w);
    g_free (wait_told (&w));
    g_cancellable_cancel (w.cancellable);
    g_thread_join (thread);
    g_assert_false (w.ok);
    g_assert_error (w.error, LES_ERROR, LES_ERROR_CANCELLED);
    les_store_rollback (holder);

    g_clear_error (&w.error);
    g_clear_object (&w.cancellable);
    g_clear_object (&w.store);
    g_free (w.message);
    g_mutex_clear (&w.lock);
    g_cond_clear (&w.told);
    test_remove_dir (dir);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/create", test_create);
  g_test_add_func ("/store/reopen-keeps-key", test_reopen_keeps_key);
  g_test_add_func ("/store/two-databases-hash-differently", test_two_databases_hash_differently);
  g_test_add_func ("/store/too-new", test_too_new);
  g_test_add_func ("/store/not-a-database", test_not_a_database);
  g_test_add_func ("/store/foreign-keys", test_foreign_keys_enforced);
  g_test_add_func ("/store/transactions-and-audit", test_transactions_and_audit);
  g_test_add_func ("/store/files-private", test_files_private);
  g_test_add_func ("/store/durable-commits", test_durable_commits);
  g_test_add_func ("/store/server-locations", test_server_locations);
  g_test_add_func ("/store/pg-rewrite", test_pg_rewrite);
  g_test_add_func ("/store/failures", test_failures);
  g_test_add_func ("/store/interleaved", test_interleaved);
  g_test_add_func ("/store/cancel", test_cancel);
  g_test_add_func ("/store/one-writer", test_one_writer);
  g_test_add_func ("/store/failed-transaction", test_failed_transaction);
  g_test_add_func ("/store/password-hidden", test_password_hidden);
  g_test_add_func ("/store/every-statement-prepares", test_every_statement_prepares);
  g_test_add_func ("/store/key-not-in-file", test_key_not_in_file);
  g_test_add_func ("/store/migrate-moves-key", test_migrate_moves_key);
  g_test_add_func ("/store/migrate-needs-a-provider", test_migrate_needs_a_provider);
  g_test_add_func ("/store/key-elsewhere", test_key_elsewhere);
  g_test_add_func ("/store/key-file-private", test_key_file_private);
  g_test_add_func ("/store/audit-failure-rolls-back", test_audit_failure_rolls_back);
  g_test_add_func ("/store/second-writer-waits", test_second_writer_waits);

  return g_test_run ();
}
