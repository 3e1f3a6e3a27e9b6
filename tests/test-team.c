/* test-team.c: several people on one server database — others' changes seen, and a decision no other writer overtakes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-claims-edit.h"
#include "les-error.h"
#include "les-session.h"
#include "les-team.h"
#include "test-helpers.h"

/* How long a test waits for what another connection does before it fails */
#define DEADLINE_S 20

typedef struct {
  char      *dir;
  char      *location;
  LesStore  *store;      /* this person's */
  LesStore  *other;      /* another person's, a connection of its own */
  gint64     claim_id;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;

  if (!test_backend_is_pg ())
    return;
  test_use_key_file ();
  f->dir = g_dir_make_tmp ("les-test-XXXXXX", &error);
  g_assert_no_error (error);
  f->location = test_pg_database_new ();
  f->store = les_store_open (f->location, &error);
  g_assert_no_error (error);
  f->other = les_store_open (f->location, &error);
  g_assert_no_error (error);
  test_import_example (f->store, f->dir);
  ids = les_claims_ids_for_year (f->store, 2024, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, >, 0);
  f->claim_id = g_array_index (ids, gint64, 0);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->other);
  g_clear_object (&f->store);
  g_free (f->location);
  if (f->dir != NULL)
    test_remove_dir (f->dir);
  g_free (f->dir);
}

static gboolean
skip_without_server (void)
{
  if (test_backend_is_pg ())
    return FALSE;
  g_test_skip ("a server's notices and locks: run under tests/pg/with-pg.sh");
  return TRUE;
}

static void
set_status (LesStore *store, gint64 id, LesClaimStatus status)
{
  g_autoptr(GError) error = NULL;
  LesClaimsChange *change = les_claims_set_status (store, &id, NULL, 1, status, "a test", &error);

  g_assert_no_error (error);
  les_claims_change_free (change);
}

static void
table_changed_cb (LesStore *store, const char *table_name, GPtrArray *seen)
{
  g_ptr_array_add (seen, g_strdup (table_name));
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_REMOVE;
}

/* One turn of the main loop, woken by a notice's socket, or by 100 ms
 * passing (which only bounds a failure's wait) */
static void
turn_loop (void)
{
  g_autoptr(GSource) tick = g_timeout_source_new (100);

  g_source_set_callback (tick, tick_cb, NULL, NULL);
  g_source_attach (tick, NULL);
  g_main_context_iteration (NULL, TRUE);
  g_source_destroy (tick);
}

/* Runs the main loop until @seen has @n entries, or fails after the deadline */
static void
wait_for_count (GPtrArray *seen, guint n)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  while (seen->len < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      turn_loop ();
    }
}

/* Another person's decision reaches this store as "changed"; this store's
 * own, and its copy's (a session's writer), are not: the session announces
 * those itself */
static void
test_notify_store (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(LesStore) copy = NULL;
  g_autoptr(GError) error = NULL;

  if (skip_without_server ())
    return;
  g_assert_true (les_store_watch_others (f->store, NULL, &error));
  g_assert_no_error (error);
  g_signal_connect (f->store, "changed", G_CALLBACK (table_changed_cb), seen);

  set_status (f->other, f->claim_id, LES_CLAIM_STATUS_QUERIED);
  wait_for_count (seen, 1);
  g_assert_cmpstr (seen->pdata[0], ==, "claims");

  /* its own change: not told */
  set_status (f->store, f->claim_id, LES_CLAIM_STATUS_APPROVED);
  g_assert_cmpuint (seen->len, ==, 1);
  /* its copy's change: not told at all */
  copy = les_store_dup (f->store, &error);
  g_assert_no_error (error);
  set_status (copy, f->claim_id, LES_CLAIM_STATUS_SUBMITTED);

  /* the server tells in commit order: once the other's next change is
   * here, any notice of the two before would have come first */
  set_status (f->other, f->claim_id, LES_CLAIM_STATUS_REJECTED);
  wait_for_count (seen, 2);
  g_assert_cmpuint (seen->len, ==, 2);
  g_assert_cmpstr (seen->pdata[1], ==, "claims");
}

static void
session_changed_cb (LesSession *session, LesChange what, LesChange *got)
{
  *got |= what;
}

/* A session shows another person's changes as it shows its own */
static void
test_notify_session (Fixture *f, gconstpointer data)
{
  g_autoptr(LesSession) session = NULL;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
  LesChange got = 0;

  if (skip_without_server ())
    return;
  session = les_session_new (f->store);
  g_signal_connect (session, "changed", G_CALLBACK (session_changed_cb), &got);
  set_status (f->other, f->claim_id, LES_CLAIM_STATUS_APPROVED);
  while (got == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      turn_loop ();
    }
  g_assert_cmpint (got, ==, LES_CHANGE_CLAIMS);
  les_session_wait (session);
}

/* Stops or starts again the test's server (tests/pg/pg-server.sh, which
 * with-pg.sh started in PGHOST) */
static void
pg_server (const char *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_build_filename (g_getenv ("LES_TEST_SRCDIR"), "pg", "pg-server.sh", NULL);
  g_autofree char *err = NULL;
  const char *argv[] = { "bash", script, command, g_getenv ("PGHOST"), NULL };
  int status = 0;

  g_assert_nonnull (g_getenv ("PGHOST"));
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("pg-server.sh %s: %s", command, err);
}

typedef struct {
  LesSession *session;
  GError     *error;
  gboolean    done;
  gint64      n_ids;
} Read;

/* A read of the screens' kind: the year's claims */
static gpointer
read_ids (LesStore *reader, gpointer data, GCancellable *cancellable, GError **error)
{
  return les_claims_ids_for_year (reader, 2024, FALSE, NULL, error);
}

static void
read_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Read *read = user_data;
  g_autoptr(GArray) ids = les_session_read_finish (read->session, result, &read->error);

  read->n_ids = ids != NULL ? (gint64) ids->len : -1;
  read->done = TRUE;
}

/* Reads through the session, as a screen does; the error stays in @read */
static void
session_read (Read *read)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;

  g_clear_error (&read->error);
  read->done = FALSE;
  les_session_read_async (read->session, read_ids, NULL, NULL, (GDestroyNotify) g_array_unref, NULL,
                          read_done_cb, read);
  while (!read->done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      turn_loop ();
    }
}

/* The server restarts under an open session: the session says it is gone
 * (its screens show a banner), a read meanwhile fails in words, not libpq's;
 * once the server is back the watcher listens again by itself and says
 * everything changed (notices were missed), the session's next read works
 * on its old reader, and another person's change is seen again */
static void
test_server_restart (Fixture *f, gconstpointer data)
{
  g_autoptr(LesSession) session = NULL;
  g_autoptr(LesStore) late = NULL;
  g_autoptr(GError) error = NULL;
  Read read = { 0 };
  LesChange got = 0;
  gint64 deadline, started;

  if (skip_without_server ())
    return;
  session = les_session_new (f->store);
  read.session = session;
  g_signal_connect (session, "changed", G_CALLBACK (session_changed_cb), &got);
  /* a reader connection in the pool, from before the restart */
  session_read (&read);
  g_assert_no_error (read.error);
  g_assert_cmpint (read.n_ids, >, 0);
  g_assert_null (les_session_get_server_problem (session));

  pg_server ("stop");
  deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
  while (les_session_get_server_problem (session) == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      turn_loop ();
    }
  g_test_message ("while stopped: %s", les_session_get_server_problem (session));
  session_read (&read);
  g_assert_error (read.error, LES_ERROR, LES_ERROR_UNREACHABLE);
  g_assert_true (g_str_has_prefix (read.error->message, "The team database postgresql://"));
  g_assert_nonnull (strstr (read.error->message, " is not reachable: "));
  /* the watched store (the main thread's) does not even try to connect meanwhile */
  {
    g_autoptr(GArray) ids = les_claims_ids_for_year (f->store, 2024, FALSE, NULL, &error);

    g_assert_null (ids);
    g_assert_error (error, LES_ERROR, LES_ERROR_UNREACHABLE);
    g_clear_error (&error);
  }
  /* opening it now (the application's start) fails at once, in the same words */
  started = g_get_monotonic_time ();
  late = les_store_open (f->location, &error);
  g_assert_null (late);
  g_assert_error (error, LES_ERROR, LES_ERROR_UNREACHABLE);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  g_clear_error (&error);

  got = 0;
  pg_server ("start");
  /* retried after 1 s, 2 s, 4 s …: the deadline allows several */
  deadline = g_get_monotonic_time () + 3 * DEADLINE_S * G_USEC_PER_SEC;
  while (les_session_get_server_problem (session) != NULL || got != LES_CHANGE_ALL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      turn_loop ();
    }

  /* the session's reader connects again without a word, and so does the
   * watched store */
  {
    g_autoptr(GArray) ids = les_claims_ids_for_year (f->store, 2024, FALSE, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (ids->len, >, 0);
  }
  session_read (&read);
  g_assert_no_error (read.error);
  g_assert_cmpint (read.n_ids, >, 0);
  /* another person's connection too, and their change reaches this session */
  got = 0;
  set_status (f->other, f->claim_id, LES_CLAIM_STATUS_REJECTED);
  deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
  while (got == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      turn_loop ();
    }
  g_assert_cmpint (got, ==, LES_CHANGE_CLAIMS);
  les_session_wait (session);
}

/* A server that is not there: opening fails in words, at once, whatever the
 * connection string (the application's start with the last team database) */
static void
test_open_unreachable (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("les-test-XXXXXX", &error);
  g_autofree char *location = g_strdup_printf ("host='%s' dbname='les_claims' user='nobody'", dir);
  g_autoptr(LesStore) store = NULL;

  g_assert_no_error (error);
  store = les_store_open (location, &error);
  g_assert_null (store);
  g_assert_error (error, LES_ERROR, LES_ERROR_UNREACHABLE);
  g_assert_true (g_str_has_prefix (error->message, "The team database postgresql://nobody@/les_claims"));
  g_assert_nonnull (strstr (error->message, " is not reachable: "));
  test_remove_dir (dir);
}

/* The pid of the backend serving @conn, whose wait we watch */
static char *
backend_pid (PGconn *conn)
{
  return g_strdup_printf ("%d", PQbackendPID (conn));
}

/* A claim decision LES Claims makes inside its write transaction cannot be
 * overtaken by a writer that skips LES Claims' lock (psql, say): on a team
 * database, that writer's UPDATE waits for the decision to commit, so a
 * decision checked against the status read in the transaction (compare-and-
 * set) is never made on a status already changed. */
static void
test_decision_not_overtaken (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pid = NULL;
  g_autofree char *update = NULL;
  PGconn *plain, *watcher;
  PGresult *res;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_S * G_USEC_PER_SEC;
  gboolean waiting = FALSE;

  if (skip_without_server ())
    return;
  g_assert_true (les_team_setup (f->store, &error));
  g_assert_no_error (error);
  /* a person in finance is a viewer too, and nothing else */
  g_assert_true (les_team_add_user (f->store, "ursula", LES_TEAM_FINANCE, &error));
  g_assert_no_error (error);
  {
    g_autofree char *as_ursula = g_strconcat (f->location, " user=ursula", NULL);
    g_autoptr(LesStore) ursula = les_store_open (as_ursula, &error);

    g_assert_no_error (error);
    g_assert_cmpint (les_team_get_roles (ursula, &error), ==, LES_TEAM_FINANCE | LES_TEAM_VIEWER);
    g_assert_no_error (error);
  }

  plain = PQconnectdb (f->location);
  watcher = PQconnectdb (f->location);
  g_assert_cmpint (PQstatus (plain), ==, CONNECTION_OK);
  g_assert_cmpint (PQstatus (watcher), ==, CONNECTION_OK);
  pid = backend_pid (plain);

  /* this person's decision begins: the write lock is theirs */
  g_assert_true (les_store_begin (f->store, &error));
  update = g_strdup_printf ("UPDATE claims SET status = 'rejected', status_reason = 'by hand' WHERE id = %"
                            G_GINT64_FORMAT, f->claim_id);
  g_assert_true (PQsendQuery (plain, update));
  /* the plain writer waits for the lock (polled, not slept on) */
  while (!waiting)
    {
      const char *values[] = { pid };

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      res = PQexecParams (watcher, "SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1::int",
                          1, NULL, values, NULL, NULL, 0);
      g_assert_cmpint (PQresultStatus (res), ==, PGRES_TUPLES_OK);
      waiting = PQntuples (res) == 1 && PQgetvalue (res, 0, 0)[0] == 't';
      PQclear (res);
      if (!waiting)
        g_usleep (10 * G_TIME_SPAN_MILLISECOND);
    }
  res = PQexec (watcher, "SELECT status FROM claims ORDER BY id LIMIT 1");
  g_assert_cmpstr (PQgetvalue (res, 0, 0), ==, "submitted");
  PQclear (res);

  /* the decision is made on the status it read, and commits */
  set_status (f->store, f->claim_id, LES_CLAIM_STATUS_APPROVED);
  g_assert_true (les_store_commit (f->store, &error));
  g_assert_no_error (error);

  /* only then does the plain writer's change go through: after it, not under it */
  while ((res = PQgetResult (plain)) != NULL)
    {
      g_assert_cmpint (PQresultStatus (res), ==, PGRES_COMMAND_OK);
      PQclear (res);
    }
  res = PQexec (watcher, "SELECT approved_by IS NULL FROM claims WHERE status = 'rejected'");
  g_assert_cmpint (PQntuples (res), ==, 1);
  PQclear (res);
  PQfinish (plain);
  PQfinish (watcher);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/team/notify-store", Fixture, NULL, fixture_set_up, test_notify_store, fixture_tear_down);
  g_test_add ("/team/notify-session", Fixture, NULL, fixture_set_up, test_notify_session, fixture_tear_down);
  g_test_add ("/team/decision-not-overtaken", Fixture, NULL, fixture_set_up, test_decision_not_overtaken,
              fixture_tear_down);
  g_test_add ("/team/server-restart", Fixture, NULL, fixture_set_up, test_server_restart, fixture_tear_down);
  g_test_add_func ("/team/open-unreachable", test_open_unreachable);
  return g_test_run ();
}
