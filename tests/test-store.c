/* test-store.c: tests of the store — schema, migrations, settings of the connection, audit trail. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <sys/stat.h>

#include "les-error.h"
#include "les-store-private.h"
#include "test-helpers.h"

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
  g_autofree char *mode = query_text (store, "PRAGMA journal_mode");
  g_autofree char *fk = query_text (store, "PRAGMA foreign_keys");
  g_autofree char *key = query_text (store, "SELECT value FROM meta WHERE key = 'nhs_hmac_key'");
  g_autofree char *audit = query_text (store, "SELECT action || ':' || after FROM audit");

  g_assert_cmpint (les_store_get_schema_version (store), ==, LES_SCHEMA_VERSION);
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpstr (fk, ==, "1");
  g_assert_cmpint (strlen (key), ==, 64);
  g_assert_cmpstr (audit, ==, "migrate:schema 0 → 4");
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
  g_autofree char *h1 = les_store_hash_nhs_number (store, "9434765919");
  g_autofree char *h2 = NULL;
  g_autofree char *h3 = NULL;

  again = les_store_open (les_store_get_path (store), &error);
  g_assert_no_error (error);
  h2 = les_store_hash_nhs_number (again, "9434765919");
  h3 = les_store_hash_nhs_number (again, "4010232137");
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
  g_autoptr(LesStore) s2 = test_store_new (&d2);
  g_autofree char *h1 = les_store_hash_nhs_number (s1, "9434765919");
  g_autofree char *h2 = les_store_hash_nhs_number (s2, "9434765919");

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
  g_autofree char *path = g_strdup (les_store_get_path (store));

  g_assert_true (les_store_exec (store, "PRAGMA user_version = 99", NULL));
  g_clear_object (&store);
  again = les_store_open (path, &error);
  g_assert_null (again);
  g_assert_error (error, LES_ERROR, LES_ERROR_TOO_NEW);
  test_remove_dir (dir);
}

static void
test_not_a_database (void)
{
  g_autofree char *dir = g_dir_make_tmp ("les-test-XXXXXX", NULL);
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
  test_remove_dir (dir);
}

static void
test_transactions_and_audit (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = test_store_new (&dir);
  g_autofree char *who = NULL;

  g_assert_true (les_store_begin (store, NULL));
  les_store_audit (store, "test", "claims", "E0001", "status=submitted", "status=approved");
  les_store_rollback (store);
  g_assert_cmpint (les_store_count_rows (store, "audit"), ==, 1);

  g_assert_true (les_store_begin (store, NULL));
  g_assert_true (les_store_begin (store, NULL));   /* nested */
  les_store_audit (store, "test", "claims", "E0001", "status=submitted", "status=approved");
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
  mode_t old = umask (022);
  g_autoptr(LesStore) store = test_store_new (&dir);
  g_autofree char *path = g_strdup (les_store_get_path (store));
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LesStore) again = NULL;

  umask (old);
  /* a write makes sure the WAL exists while the store is open */
  g_assert_true (les_store_begin (store, NULL));
  les_store_audit (store, "test", NULL, NULL, NULL, NULL);
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
  g_autoptr(LesStore) store = test_store_new (&dir);
  g_autofree char *sync = query_text (store, "PRAGMA synchronous");

  g_assert_cmpstr (sync, ==, "2");   /* FULL */
  test_remove_dir (dir);
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

  return g_test_run ();
}
