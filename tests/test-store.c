/* test-store.c: tests of the store — schema, migrations, settings of the connection, audit trail. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
  g_autofree char *key_id = query_text (store, "SELECT value FROM meta WHERE key = 'key_id'");
  g_autofree char *audit = query_text (store, "SELECT action || ':' || after FROM audit");

  g_assert_cmpint (les_store_get_schema_version (store), ==, LES_SCHEMA_VERSION);
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpstr (fk, ==, "1");
  /* issue #12: the key is not in the file, only its name */
  g_assert_null (key);
  g_assert_cmpint (strlen (key_id), ==, 32);
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
  g_autofree char *h1 = les_store_hash_nhs_number (store, "9434765919", NULL);
  g_autofree char *h2 = NULL;
  g_autofree char *h3 = NULL;

  again = les_store_open (les_store_get_path (store), &error);
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
  g_autoptr(LesStore) store = test_store_new (&dir);
  g_autofree char *sync = query_text (store, "PRAGMA synchronous");

  g_assert_cmpstr (sync, ==, "2");   /* FULL */
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

/* Without a provider an older database cannot move its key out, and is not opened */
static void
test_migrate_needs_a_provider (void)
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

/* A database whose key is on another desk opens and reads; what needs the key says how to bring it */
static void
test_key_elsewhere (void)
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
  g_test_add_func ("/store/key-not-in-file", test_key_not_in_file);
  g_test_add_func ("/store/migrate-moves-key", test_migrate_moves_key);
  g_test_add_func ("/store/migrate-needs-a-provider", test_migrate_needs_a_provider);
  g_test_add_func ("/store/key-elsewhere", test_key_elsewhere);
  g_test_add_func ("/store/key-file-private", test_key_file_private);
  g_test_add_func ("/store/audit-failure-rolls-back", test_audit_failure_rolls_back);
  g_test_add_func ("/store/second-writer-waits", test_second_writer_waits);

  return g_test_run ();
}
