/* test-session.c: the session — reads on a pool of connections, writes one at a time in order, change notices, undo. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-error.h"
#include "les-session.h"
#include "les-store-private.h"
#include "les-year-status.h"
#include "test-helpers.h"

#define FY 2024
#define N_CLAIMS 60

typedef struct {
  char       *dir;
  LesStore   *store;
  LesSession *session;
  GThread    *main_thread;
  GArray     *changes;      /* LesChange, as emitted */
  GString    *log;          /* what happened, in order */
} Fixture;

static const char practices[] =
  "practice_code,practice_name,pcn_code,pcn_name\n"
  "A81001,Ashford Surgery,U81001,North PCN\n"
  "A81002,Beech House,U81002,South PCN\n";
static const char list_sizes[] =
  "practice_code,date,registered\nA81001,2024-04-01,1200\nA81002,2024-04-01,2400\n";
static const char services[] =
  "service_code,year,name\nINJ,2024/25,Injections\n";
static const char rules[] =
  "service_code,year,rule_code,kind,rate,rate_per,base\n"
  "INJ,2024/25,JAB,item,10.00,,\n";
static const char signups[] =
  "practice_code,service_code,year,from_date\n"
  "A81001,INJ,2024/25,2024-04-01\nA81002,INJ,2024/25,2024-04-01\n";

static void
changed_cb (LesSession *session, LesChange what, Fixture *f)
{
  /* on the main thread, always */
  g_assert_true (g_thread_self () == f->main_thread);
  g_array_append_val (f->changes, what);
  g_string_append_printf (f->log, "changed %u;", what);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GString) claims = g_string_new ("claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n");

  /* R001… in April and May, alternately at the two practices */
  for (int i = 1; i <= N_CLAIMS; i++)
    g_string_append_printf (claims, "R%03d,%s,INJ,JAB,2024-0%d,%d,2024-0%d-20\n", i, i % 2 ? "A81001" : "A81002",
                            4 + i % 2, i % 5 + 1, 4 + i % 2);
  f->store = test_store_new_with (&f->dir, (const char *[LES_N_KINDS]) {
    [LES_KIND_PRACTICES] = practices, [LES_KIND_LIST_SIZES] = list_sizes, [LES_KIND_SERVICES] = services,
    [LES_KIND_RULES] = rules, [LES_KIND_SIGNUPS] = signups, [LES_KIND_CLAIMS] = claims->str });

  f->main_thread = g_thread_self ();
  f->changes = g_array_new (FALSE, FALSE, sizeof (LesChange));
  f->log = g_string_new (NULL);
  f->session = les_session_new (f->store);
  les_session_set_year (f->session, FY);
  g_signal_connect (f->session, "changed", G_CALLBACK (changed_cb), f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  les_session_wait (f->session);
  g_signal_handlers_disconnect_by_data (f->session, f);
  g_assert_finalize_object (f->session);
  test_store_clear (&f->store, &f->dir);
  g_array_unref (f->changes);
  g_string_free (f->log, TRUE);
}

/* Counts notify::NAME */
static void
count_notify_cb (GObject *object, GParamSpec *pspec, guint *n)
{
  (*n)++;
}

/* A gate a worker waits at until the main thread opens it */
typedef struct {
  GMutex   lock;
  GCond    cond;
  gboolean open;
  int      arrived;        /* workers waiting or gone through */
} Gate;

static void
gate_init (Gate *gate)
{
  g_mutex_init (&gate->lock);
  g_cond_init (&gate->cond);
  gate->open = FALSE;
  gate->arrived = 0;
}

static void
gate_clear (Gate *gate)
{
  g_mutex_clear (&gate->lock);
  g_cond_clear (&gate->cond);
}

/* On a worker: says it arrived (waking the main thread), then waits */
static void
gate_pass (Gate *gate)
{
  g_mutex_lock (&gate->lock);
  gate->arrived++;
  g_main_context_wakeup (NULL);
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->lock);
  g_mutex_unlock (&gate->lock);
}

static int
gate_arrived (Gate *gate)
{
  int n;

  g_mutex_lock (&gate->lock);
  n = gate->arrived;
  g_mutex_unlock (&gate->lock);
  return n;
}

/* On the main thread: runs the main loop until @n workers have arrived */
static void
gate_wait_for (Gate *gate, int n)
{
  while (gate_arrived (gate) < n)
    g_main_context_iteration (NULL, TRUE);
}

static void
gate_open (Gate *gate)
{
  g_mutex_lock (&gate->lock);
  gate->open = TRUE;
  g_cond_broadcast (&gate->cond);
  g_mutex_unlock (&gate->lock);
}

/* Writes */

typedef struct {
  Fixture *f;
  Gate    *gate;          /* (nullable) the first write waits here */
  GMutex  *lock;
  GString *trace;         /* written by the workers */
  int      running;       /* atomic */
  int      most;          /* the most running at once */
} Writes;

typedef struct {
  Writes *writes;
  int     index;
} WriteData;

static gboolean
logged_write_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  WriteData *d = data;
  Writes *w = d->writes;
  int running = g_atomic_int_add (&w->running, 1) + 1;

  g_mutex_lock (w->lock);
  g_string_append_printf (w->trace, "start %d;", d->index);
  w->most = MAX (w->most, running);
  g_mutex_unlock (w->lock);
  /* the store given is the session's writer, not the main thread's */
  g_assert_true (store != w->f->store);
  if (d->index == 0 && w->gate != NULL)
    gate_pass (w->gate);
  g_mutex_lock (w->lock);
  g_string_append_printf (w->trace, "end %d;", d->index);
  g_mutex_unlock (w->lock);
  g_atomic_int_add (&w->running, -1);
  return TRUE;
}

static void
write_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  WriteData *d = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (les_session_run_finish (LES_SESSION (object), result, &error));
  g_assert_no_error (error);
  g_string_append_printf (d->writes->f->log, "done %d;", d->index);
}

/* Writes run in the order asked, one at a time, each telling the screens
 * once what it changed before its caller hears it finished */
static void
test_write_order (Fixture *f, gconstpointer data)
{
  static const LesChange changes[] = {
    LES_CHANGE_CLAIMS, LES_CHANGE_PAYMENTS, LES_CHANGE_RUNS | LES_CHANGE_PAYMENTS, LES_CHANGE_SERVICES,
    LES_CHANGE_REFERENCE,
  };
  GMutex lock;
  Gate gate;
  Writes w = { f, &gate, &lock, g_string_new (NULL), 0, 0 };
  WriteData d[G_N_ELEMENTS (changes)];
  LesJob *jobs[G_N_ELEMENTS (changes)];
  guint n_job = 0, n_busy = 0;

  g_mutex_init (&lock);
  gate_init (&gate);
  g_signal_connect (f->session, "notify::job", G_CALLBACK (count_notify_cb), &n_job);
  g_signal_connect (f->session, "notify::busy", G_CALLBACK (count_notify_cb), &n_busy);
  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    {
      d[i].writes = &w;
      d[i].index = (int) i;
      jobs[i] = les_job_new ("Writing", logged_write_func, &d[i], NULL);
      les_session_run_async (f->session, jobs[i], changes[i], write_done_cb, &d[i]);
    }
  g_assert_true (les_session_get_busy (f->session));
  g_assert_cmpuint (n_busy, ==, 1);

  /* the first holds the writer: the others wait their turn */
  gate_wait_for (&gate, 1);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (les_session_get_job (f->session) == jobs[0]);
  g_mutex_lock (&lock);
  g_assert_cmpstr (w.trace->str, ==, "start 0;");
  g_mutex_unlock (&lock);
  g_assert_cmpstr (f->log->str, ==, "");

  gate_open (&gate);
  les_session_wait (f->session);
  g_assert_cmpstr (w.trace->str, ==, "start 0;end 0;start 1;end 1;start 2;end 2;start 3;end 3;start 4;end 4;");
  g_assert_cmpint (w.most, ==, 1);
  g_assert_cmpstr (f->log->str, ==, "changed 1;done 0;changed 2;done 1;changed 6;done 2;changed 8;done 3;"
                                    "changed 16;done 4;");
  g_assert_false (les_session_get_busy (f->session));
  g_assert_null (les_session_get_job (f->session));
  g_assert_cmpuint (n_busy, ==, 2);
  /* each job in turn, then none */
  g_assert_cmpuint (n_job, ==, G_N_ELEMENTS (changes) + 1);

  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    g_assert_finalize_object (jobs[i]);
  g_signal_handlers_disconnect_by_data (f->session, &n_job);
  g_signal_handlers_disconnect_by_data (f->session, &n_busy);
  g_string_free (w.trace, TRUE);
  gate_clear (&gate);
  g_mutex_clear (&lock);
}

/* Reads while a write holds the write lock */

typedef struct {
  Gate  written;
  Gate  gate;
} HeldWrite;

static gboolean
held_write_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  HeldWrite *h = data;
  LesStmt *stmt;

  if (!les_store_begin (store, error))
    return FALSE;
  stmt = les_store_prepare (store, les_sql_meta_insert, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_text (stmt, 1, "test-key");
  les_stmt_bind_text (stmt, 2, "written");
  if (!les_stmt_run (stmt, error))
    {
      les_store_rollback (store);
      return FALSE;
    }
  /* written, not committed: the lock is held until the main thread says */
  g_mutex_lock (&h->written.lock);
  h->written.arrived++;
  g_main_context_wakeup (NULL);
  g_mutex_unlock (&h->written.lock);
  gate_pass (&h->gate);
  return les_store_commit (store, error);
}

static gpointer
read_meta_func (LesStore *reader, gpointer data, GCancellable *cancellable, GError **error)
{
  LesStmt *stmt = les_store_prepare (reader, les_sql_meta_get, error);
  char *value = NULL;
  LesStep rc;

  if (stmt == NULL)
    return NULL;
  les_stmt_bind_text (stmt, 1, "test-key");
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    value = g_strdup (les_stmt_text (stmt, 0));
  les_stmt_reset (stmt);
  /* no row reads as "none", so that NULL is kept for failures */
  return rc == LES_STEP_ERROR ? NULL : value != NULL ? value : g_strdup ("none");
}

static void
read_text_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  char **text = user_data;

  *text = les_session_read_finish (LES_SESSION (object), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*text);
}

static void
run_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (les_session_run_finish (LES_SESSION (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
test_read_during_write (Fixture *f, gconstpointer data)
{
  HeldWrite h;
  LesJob *job;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gboolean done = FALSE;

  gate_init (&h.written);
  gate_init (&h.gate);
  job = les_job_new ("Holding the lock", held_write_func, &h, NULL);
  les_session_run_async (f->session, job, LES_CHANGE_REFERENCE, run_done_cb, &done);
  gate_wait_for (&h.written, 1);

  /* the read finishes while the write waits with the lock: it sees what was committed */
  les_session_read_async (f->session, read_meta_func, NULL, NULL, g_free, NULL, read_text_cb, &before);
  while (before == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (before, ==, "none");
  g_assert_false (done);
  g_assert_true (les_session_get_busy (f->session));

  gate_open (&h.gate);
  les_session_wait (f->session);
  g_assert_true (done);
  les_session_read_async (f->session, read_meta_func, NULL, NULL, g_free, NULL, read_text_cb, &after);
  les_session_wait (f->session);
  g_assert_cmpstr (after, ==, "written");

  g_assert_finalize_object (job);
  gate_clear (&h.written);
  gate_clear (&h.gate);
}

/* Cancelling */

static gint64
count_rows (LesStore *store, const char *table)
{
  return les_store_count_rows (store, table);
}

/* What a compute or a run changes, and every imported table */
static char *
snapshot (LesStore *store)
{
  g_autofree char *tables = test_snapshot (store, FY);

  return g_strdup_printf ("%s|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT "|%" G_GINT64_FORMAT "|%d",
                          tables, count_rows (store, "payment_lines"), count_rows (store, "findings"),
                          count_rows (store, "audit"), les_runs_next_open_month (store, FY));
}

static void
cancel_when_paying_cb (double fraction, const char *label, gpointer job)
{
  /* after the compute the run makes, inside its transaction */
  if (fraction >= 0.8)
    les_job_cancel (job);
}

static gboolean
close_cancelled_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  LesRun run = { 0 };
  gboolean ok = les_runs_close_month (store, FY, 202405, cancel_when_paying_cb, job, cancellable, &run, error);

  les_run_clear (&run);
  return ok;
}

static void
run_fails_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  GError **error = user_data;

  g_assert_false (les_session_run_finish (LES_SESSION (object), result, error));
  g_assert_nonnull (*error);
}

static void
cancel_job_cb (LesSession *session, GParamSpec *pspec, gpointer data)
{
  if (les_session_get_job (session) != NULL)
    les_job_cancel (les_session_get_job (session));
}

static void
close_fails_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  GError **error = user_data;
  LesRun run = { 0 };

  g_assert_false (les_session_close_month_finish (LES_SESSION (object), result, &run, error));
  g_assert_nonnull (*error);
  g_assert_cmpint (run.run_id, ==, 0);
}

static void
approve_all (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = les_claims_ids_for_year (f->store, FY, FALSE, NULL, &error);
  g_autoptr(LesClaimsChange) change = NULL;

  g_assert_no_error (error);
  change = les_claims_set_status (f->store, (gint64 *) (gpointer) ids->data, NULL, ids->len, LES_CLAIM_STATUS_APPROVED, NULL, &error);
  g_assert_no_error (error);
  g_array_set_size (f->changes, 0);
  g_string_truncate (f->log, 0);
}

/* A write cancelled half way, or before it starts, leaves the database as
 * it was and tells nobody of a change */
static void
test_cancel_write (Fixture *f, gconstpointer data)
{
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  LesJob *job;

  approve_all (f);
  before = snapshot (f->store);

  /* half way: the run's compute written in its transaction */
  job = les_job_new ("Closing", close_cancelled_func, NULL, NULL);
  les_session_run_async (f->session, job, LES_CHANGE_RUNS | LES_CHANGE_PAYMENTS, run_fails_cb, &error);
  les_session_wait (f->session);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  after = snapshot (f->store);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (f->changes->len, ==, 0);
  g_assert_finalize_object (job);

  /* the typed operation, cancelled as its turn comes; the main thread's
   * connection holds the write lock meanwhile, so that it cannot have
   * finished first */
  g_clear_error (&error);
  g_clear_pointer (&after, g_free);
  g_assert_true (les_store_begin (f->store, &error));
  g_assert_no_error (error);
  g_signal_connect (f->session, "notify::job", G_CALLBACK (cancel_job_cb), NULL);
  les_session_close_month_async (f->session, 202405, close_fails_cb, &error);
  g_assert_true (les_job_is_cancelled (les_session_get_job (f->session)));
  les_store_rollback (f->store);
  les_session_wait (f->session);
  g_signal_handlers_disconnect_by_func (f->session, cancel_job_cb, NULL);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  after = snapshot (f->store);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (f->changes->len, ==, 0);
}

/* What each write says it changed */

static void
import_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  GArray **stats = user_data;

  g_assert_true (les_session_import_finish (LES_SESSION (object), result, stats, &error));
  g_assert_no_error (error);
}

static void
compute_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  LesComputeSummary *summary = user_data;

  g_assert_true (les_session_compute_finish (LES_SESSION (object), result, summary, &error));
  g_assert_no_error (error);
}

static void
close_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  LesRun *run = user_data;

  g_assert_true (les_session_close_month_finish (LES_SESSION (object), result, run, &error));
  g_assert_no_error (error);
}

static void
reopen_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (les_session_reopen_finish (LES_SESSION (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
status_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  gint64 *n = user_data;

  *n = les_session_set_status_finish (LES_SESSION (object), result, NULL, &error);
  g_assert_no_error (error);
}

static LesChange
last_change (Fixture *f)
{
  g_assert_cmpuint (f->changes->len, ==, 1);
  return g_array_index (f->changes, LesChange, 0);
}

static void
test_changes (Fixture *f, gconstpointer data)
{
  g_autofree char *path = test_write_file (f->dir, "more-claims.csv",
                                           "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n"
                                           "X001,A81001,INJ,JAB,2024-04,2,2024-04-20\n", -1);
  g_autofree char *sizes = test_write_file (f->dir, "sizes.csv", list_sizes, -1);
  g_autofree char *rules_path = test_write_file (f->dir, "rules.csv", rules, -1);
  GFile *files[] = { g_file_new_for_path (path), g_file_new_for_path (sizes), g_file_new_for_path (rules_path) };
  const LesKind kinds[] = { LES_KIND_CLAIMS, LES_KIND_LIST_SIZES, LES_KIND_RULES };
  g_autoptr(GArray) stats = NULL;
  LesComputeSummary summary = { 0 };
  LesRun run = { 0 };
  gboolean reopened = FALSE;
  gint64 n = -1;

  g_assert_cmpint (les_change_for_kind (LES_KIND_CLAIMS), ==, LES_CHANGE_CLAIMS);
  g_assert_cmpint (les_change_for_kind (LES_KIND_PATIENT_ACTIVITY), ==, LES_CHANGE_CLAIMS);
  g_assert_cmpint (les_change_for_kind (LES_KIND_SERVICES), ==, LES_CHANGE_SERVICES);
  g_assert_cmpint (les_change_for_kind (LES_KIND_RULES), ==, LES_CHANGE_SERVICES);
  for (LesKind k = LES_KIND_PRACTICES; k < LES_N_KINDS; k++)
    if (k != LES_KIND_CLAIMS && k != LES_KIND_PATIENT_ACTIVITY && k != LES_KIND_SERVICES && k != LES_KIND_RULES)
      g_assert_cmpint (les_change_for_kind (k), ==, LES_CHANGE_REFERENCE);

  /* an import: what each file's kind changes, told once */
  les_session_import_async (f->session, files, kinds, G_N_ELEMENTS (files), import_done_cb, &stats);
  les_session_wait (f->session);
  g_assert_cmpint (last_change (f), ==, LES_CHANGE_CLAIMS | LES_CHANGE_REFERENCE | LES_CHANGE_SERVICES);
  g_assert_cmpuint (stats->len, ==, 3);
  g_assert_cmpint (g_array_index (stats, LesImportStats, 0).inserted, ==, 1);
  g_array_set_size (f->changes, 0);

  /* a status change: claims */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) ids = les_claims_ids_for_year (f->store, FY, FALSE, NULL, &error);

    g_assert_no_error (error);
    les_session_set_status_async (f->session, ids, NULL, NULL, LES_CLAIM_STATUS_APPROVED, NULL, status_done_cb, &n);
    les_session_wait (f->session);
    g_assert_cmpint (n, ==, N_CLAIMS + 1);
    g_assert_cmpint (last_change (f), ==, LES_CHANGE_CLAIMS);
    g_array_set_size (f->changes, 0);

    /* none changed: nothing to tell, nothing to undo */
    les_session_set_status_async (f->session, ids, NULL, NULL, LES_CLAIM_STATUS_APPROVED, NULL, status_done_cb, &n);
    les_session_wait (f->session);
    g_assert_cmpint (n, ==, 0);
    g_assert_cmpuint (f->changes->len, ==, 0);
  }

  /* a compute of the session's year: payments */
  les_session_compute_async (f->session, compute_done_cb, &summary);
  les_session_wait (f->session);
  g_assert_cmpint (summary.fy, ==, FY);
  g_assert_cmpint (summary.n_lines, >, 0);
  g_assert_cmpint (last_change (f), ==, LES_CHANGE_PAYMENTS);
  g_array_set_size (f->changes, 0);

  /* closing a month: runs and payments */
  les_session_close_month_async (f->session, 202405, close_done_cb, &run);
  les_session_wait (f->session);
  g_assert_cmpint (run.run_id, >, 0);
  g_assert_cmpint (run.month, ==, 202405);
  g_assert_cmpint (last_change (f), ==, LES_CHANGE_RUNS | LES_CHANGE_PAYMENTS);
  g_array_set_size (f->changes, 0);

  /* re-opening it: the same */
  les_session_reopen_async (f->session, run.run_id, "paid twice", reopen_done_cb, &reopened);
  les_session_wait (f->session);
  g_assert_true (reopened);
  g_assert_cmpint (last_change (f), ==, LES_CHANGE_RUNS | LES_CHANGE_PAYMENTS);
  g_array_set_size (f->changes, 0);

  /* told from outside */
  les_session_notify_changed (f->session, LES_CHANGE_SERVICES);
  g_assert_cmpint (last_change (f), ==, LES_CHANGE_SERVICES);
  g_array_set_size (f->changes, 0);

  les_run_clear (&run);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    g_object_unref (files[i]);
}

static void
service_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  int *year = user_data;
  g_autofree char *code = NULL;

  g_assert_true (les_session_edit_service_finish (LES_SESSION (object), result, &code, year, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (code, ==, "INJ");
}

static void undo_done_cb (GObject *object, GAsyncResult *result, gpointer user_data);

/* Saving, copying and retiring a service: each a write that tells
 * "services" and can be undone, titled for the Undo button */
static void
test_services (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LesServiceDraft) draft = les_service_draft_load (f->store, "INJ", FY, &error);
  g_autoptr(LesServiceDraft) copied = NULL;
  g_autoptr(LesServiceDraft) retired = NULL;
  guint n_titles = 0;
  int year = 0;

  g_assert_no_error (error);
  g_signal_connect (f->session, "notify::undo-title", G_CALLBACK (count_notify_cb), &n_titles);
  les_service_draft_set (draft, "name", "Injections (revised)");
  les_session_save_service_async (f->session, draft, service_done_cb, &year);
  les_session_wait (f->session);
  g_assert_cmpint (year, ==, FY);
  g_assert_cmpint (last_change (f), ==, LES_CHANGE_SERVICES);
  g_array_set_size (f->changes, 0);
  g_assert_cmpstr (les_session_get_undo_title (f->session), ==, "Saved INJ");
  g_assert_cmpuint (n_titles, ==, 1);

  /* the same words again are a new command all the same */
  les_service_draft_set (draft, "name", "Injections (again)");
  les_session_save_service_async (f->session, draft, service_done_cb, &year);
  les_session_wait (f->session);
  g_assert_cmpuint (n_titles, ==, 2);
  g_array_set_size (f->changes, 0);

  les_session_duplicate_service_async (f->session, "INJ", service_done_cb, &year);
  les_session_wait (f->session);
  g_assert_cmpint (year, ==, FY + 1);
  g_assert_cmpint (last_change (f), ==, LES_CHANGE_SERVICES);
  g_array_set_size (f->changes, 0);
  g_assert_cmpstr (les_session_get_undo_title (f->session), ==, "Copied INJ to 2025/26");
  copied = les_service_draft_load (f->store, "INJ", FY + 1, NULL);
  g_assert_nonnull (copied);
  les_session_undo_async (f->session, undo_done_cb, &error);
  les_session_wait (f->session);
  g_assert_no_error (error);
  g_assert_cmpint (last_change (f), ==, LES_CHANGE_SERVICES);
  g_array_set_size (f->changes, 0);
  g_assert_null (les_service_draft_load (f->store, "INJ", FY + 1, NULL));

  les_session_retire_service_async (f->session, "INJ", NULL, service_done_cb, &year);
  les_session_wait (f->session);
  g_assert_cmpstr (les_session_get_undo_title (f->session), ==, "Retired INJ");
  retired = les_service_draft_load (f->store, "INJ", FY, NULL);
  g_assert_cmpstr (les_service_draft_get (retired, "end_date"), ==, "2025-03-31");
  g_array_set_size (f->changes, 0);
}

/* An import that fails part way tells what the files before it changed */
static void
import_fails_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  GError **error = user_data;
  g_autoptr(GArray) stats = NULL;

  g_assert_false (les_session_import_finish (LES_SESSION (object), result, &stats, error));
  g_assert_cmpuint (stats->len, ==, 1);
}

static void
test_import_fails (Fixture *f, gconstpointer data)
{
  g_autofree char *good = test_write_file (f->dir, "sizes.csv", list_sizes, -1);
  g_autofree char *bad = test_write_file (f->dir, "bad.csv", "claim_ref,practice_code\nX,Z\n", -1);
  GFile *files[] = { g_file_new_for_path (good), g_file_new_for_path (bad) };
  const LesKind kinds[] = { LES_KIND_LIST_SIZES, LES_KIND_CLAIMS };
  g_autoptr(GError) error = NULL;

  les_session_import_async (f->session, files, kinds, G_N_ELEMENTS (files), import_fails_cb, &error);
  les_session_wait (f->session);
  g_assert_nonnull (error);
  g_assert_cmpint (last_change (f), ==, LES_CHANGE_REFERENCE);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    g_object_unref (files[i]);
}

/* Undo */

static char *
statuses (LesStore *store)
{
  g_autoptr(GString) text = g_string_new (NULL);
  LesStmt *stmt = les_store_prepare (store, "SELECT status FROM claims ORDER BY claim_ref", NULL);

  while (les_stmt_step (stmt, NULL) == LES_STEP_ROW)
    g_string_append_c (text, les_stmt_text (stmt, 0)[0]);
  les_stmt_reset (stmt);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
undo_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  GError **error = user_data;

  if (!les_session_undo_finish (LES_SESSION (object), result, error))
    g_assert_nonnull (*error);
}

static void
test_undo (Fixture *f, gconstpointer data)
{
  g_autofree char *before = statuses (f->store);
  g_autofree char *approved = NULL;
  g_autofree char *undone = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  guint n_can = 0, n_title = 0;
  gint64 n = -1;

  g_signal_connect (f->session, "notify::can-undo", G_CALLBACK (count_notify_cb), &n_can);
  g_signal_connect (f->session, "notify::undo-title", G_CALLBACK (count_notify_cb), &n_title);
  g_assert_false (les_session_get_can_undo (f->session));

  /* three claims approved: undoable */
  for (gint64 id = 1; id <= 3; id++)
    g_array_append_val (ids, id);
  les_session_set_status_async (f->session, ids, NULL, NULL, LES_CLAIM_STATUS_APPROVED, NULL, status_done_cb, &n);
  les_session_wait (f->session);
  g_assert_cmpint (n, ==, 3);
  approved = statuses (f->store);
  g_assert_true (g_str_has_prefix (approved, "aaas"));
  g_assert_true (les_session_get_can_undo (f->session));
  g_assert_cmpstr (les_session_get_undo_title (f->session), ==, "3 claims approved");
  g_assert_cmpuint (n_can, ==, 1);
  g_assert_cmpuint (n_title, ==, 1);

  /* undone: the statuses back, the stack empty */
  g_array_set_size (f->changes, 0);
  les_session_undo_async (f->session, undo_done_cb, &error);
  les_session_wait (f->session);
  g_assert_no_error (error);
  undone = statuses (f->store);
  g_assert_cmpstr (undone, ==, before);
  g_assert_false (les_session_get_can_undo (f->session));
  g_assert_null (les_session_get_undo_title (f->session));
  g_assert_cmpuint (n_can, ==, 2);
  g_assert_cmpuint (n_title, ==, 2);
  g_assert_cmpint (last_change (f), ==, LES_CHANGE_CLAIMS);

  /* nothing left to undo */
  g_array_set_size (f->changes, 0);
  les_session_undo_async (f->session, undo_done_cb, &error);
  les_session_wait (f->session);
  g_assert_error (error, LES_ERROR, LES_ERROR_NOT_FOUND);
  g_assert_cmpuint (f->changes->len, ==, 0);
  g_clear_error (&error);

  /* Undo pressed while the edit is still being written undoes that edit */
  {
    const char *filters[LES_N_CLAIM_FILTERS] = { [LES_CLAIM_FILTER_PRACTICE] = "A81002" };
    g_autoptr(LesClaimQuery) query = les_claim_query_new (FY, filters, LES_CLAIM_FIELD_REF, FALSE);
    g_autofree char *again = NULL;

    les_session_set_status_async (f->session, NULL, NULL, query, LES_CLAIM_STATUS_REJECTED, "no sign-up",
                                  status_done_cb, &n);
    les_session_undo_async (f->session, undo_done_cb, &error);
    les_session_wait (f->session);
    g_assert_no_error (error);
    g_assert_cmpint (n, ==, N_CLAIMS / 2);
    again = statuses (f->store);
    g_assert_cmpstr (again, ==, before);
    g_assert_false (les_session_get_can_undo (f->session));
    /* pushed when the edit was written, popped when the undo started */
    g_assert_cmpuint (n_can, ==, 4);
    g_assert_cmpuint (f->changes->len, ==, 2);
  }

  g_signal_handlers_disconnect_by_data (f->session, &n_can);
  g_signal_handlers_disconnect_by_data (f->session, &n_title);
}

/* An undo that fails leaves its command on the stack */

static gboolean
failing_undo (LesStore *store, gpointer data, GCancellable *cancellable, GError **error)
{
  (*(int *) data)++;
  g_set_error_literal (error, LES_ERROR, LES_ERROR_CONFLICT, "not now");
  return FALSE;
}

static void
test_undo_fails (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  int tries = 0;

  les_session_push_undo (f->session, "Renamed a service", LES_CHANGE_SERVICES, failing_undo, &tries, NULL);
  g_assert_cmpstr (les_session_get_undo_title (f->session), ==, "Renamed a service");
  les_session_undo_async (f->session, undo_done_cb, &error);
  les_session_wait (f->session);
  g_assert_error (error, LES_ERROR, LES_ERROR_CONFLICT);
  g_assert_cmpint (tries, ==, 1);
  g_assert_cmpstr (les_session_get_undo_title (f->session), ==, "Renamed a service");
  g_assert_cmpuint (f->changes->len, ==, 0);
}

/* The reader pool */

typedef struct {
  GMutex      lock;
  GHashTable *readers;      /* every reader used */
  GHashTable *busy;         /* readers in use now */
  int         shared;       /* times a reader was found in use */
  int         running;
  int         most;
  Gate       *gate;         /* (nullable) reads wait here */
} Pool;

static gpointer
pooled_read_func (LesStore *reader, gpointer data, GCancellable *cancellable, GError **error)
{
  Pool *pool = data;

  g_mutex_lock (&pool->lock);
  g_hash_table_add (pool->readers, reader);
  if (!g_hash_table_add (pool->busy, reader))
    pool->shared++;
  pool->running++;
  pool->most = MAX (pool->most, pool->running);
  g_mutex_unlock (&pool->lock);

  if (pool->gate != NULL)
    gate_pass (pool->gate);

  g_mutex_lock (&pool->lock);
  g_hash_table_remove (pool->busy, reader);
  pool->running--;
  g_mutex_unlock (&pool->lock);
  return g_strdup ("read");
}

static void
pooled_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = les_session_read_finish (LES_SESSION (object), result, &error);

  if (text == NULL)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  (*(int *) user_data)++;
}

static gpointer
never_read_func (LesStore *reader, gpointer data, GCancellable *cancellable, GError **error)
{
  g_assert_not_reached ();
  return NULL;
}

static void
test_pool (Fixture *f, gconstpointer data)
{
  Pool pool = { 0 };
  Gate gate;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  int done = 0;

  g_mutex_init (&pool.lock);
  pool.readers = g_hash_table_new (NULL, NULL);
  pool.busy = g_hash_table_new (NULL, NULL);

  /* one after the other: one reader, reused */
  for (int i = 0; i < 5; i++)
    {
      les_session_read_async (f->session, pooled_read_func, &pool, NULL, g_free, NULL, pooled_done_cb, &done);
      les_session_wait (f->session);
    }
  g_assert_cmpint (done, ==, 5);
  g_assert_cmpuint (g_hash_table_size (pool.readers), ==, 1);

  /* many at once: a few readers, each used by one read at a time; a read
   * cancelled before its turn never runs */
  gate_init (&gate);
  pool.gate = &gate;
  done = 0;
  for (int i = 0; i < 10; i++)
    les_session_read_async (f->session, pooled_read_func, &pool, NULL, g_free, NULL, pooled_done_cb, &done);
  les_session_read_async (f->session, never_read_func, NULL, NULL, NULL, cancellable, pooled_done_cb, &done);
  gate_wait_for (&gate, 2);
  g_cancellable_cancel (cancellable);
  gate_open (&gate);
  les_session_wait (f->session);
  g_assert_cmpint (done, ==, 11);
  g_assert_cmpint (pool.shared, ==, 0);
  g_assert_cmpint (pool.most, >=, 2);
  g_assert_cmpint (pool.most, <=, 4);
  g_assert_cmpuint (g_hash_table_size (pool.readers), <=, 4);
  g_assert_cmpuint (g_hash_table_size (pool.readers), >=, 2);

  /* and reused again */
  {
    guint n = g_hash_table_size (pool.readers);

    pool.gate = NULL;
    for (int i = 0; i < 6; i++)
      les_session_read_async (f->session, pooled_read_func, &pool, NULL, g_free, NULL, pooled_done_cb, &done);
    les_session_wait (f->session);
    g_assert_cmpuint (g_hash_table_size (pool.readers), ==, n);
  }

  gate_clear (&gate);
  g_hash_table_unref (pool.readers);
  g_hash_table_unref (pool.busy);
  g_mutex_clear (&pool.lock);
}

/* A read cancelled while it runs stops its statement */

static gpointer
long_read_func (LesStore *reader, gpointer data, GCancellable *cancellable, GError **error)
{
  LesStmt *stmt = les_store_prepare (reader,
                                     "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
                                     "SELECT count(*) FROM n", error);
  Gate *started = data;

  g_mutex_lock (&started->lock);
  started->arrived++;
  g_main_context_wakeup (NULL);
  g_mutex_unlock (&started->lock);
  /* counts for ever, unless stopped */
  if (stmt == NULL || les_stmt_step (stmt, error) != LES_STEP_ERROR)
    g_error ("the statement was not stopped");
  les_stmt_reset (stmt);
  return NULL;
}

static void
long_read_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  GError **error = user_data;

  g_assert_null (les_session_read_finish (LES_SESSION (object), result, error));
  g_assert_nonnull (*error);
}

static void
test_cancel_read (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Gate started;

  gate_init (&started);
  les_session_read_async (f->session, long_read_func, &started, NULL, NULL, cancellable, long_read_done_cb, &error);
  gate_wait_for (&started, 1);
  g_cancellable_cancel (cancellable);
  les_session_wait (f->session);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gate_clear (&started);
}

static void
test_properties (Fixture *f, gconstpointer data)
{
  guint n_year = 0, n_to = 0;

  g_signal_connect (f->session, "notify::year", G_CALLBACK (count_notify_cb), &n_year);
  g_signal_connect (f->session, "notify::to-period", G_CALLBACK (count_notify_cb), &n_to);
  les_session_set_year (f->session, FY);
  les_session_set_year (f->session, FY + 1);
  les_session_set_year (f->session, FY + 1);
  /* a year brings the month the database keeps for it: by default April of a year without claims */
  g_assert_cmpuint (n_to, ==, 1);
  g_assert_cmpint (les_session_get_to_period (f->session), ==, 202504);
  les_session_set_to_period (f->session, 202512);
  les_session_set_to_period (f->session, 202512);
  g_assert_cmpuint (n_year, ==, 1);
  g_assert_cmpuint (n_to, ==, 2);
  g_assert_cmpint (les_session_get_year (f->session), ==, FY + 1);
  g_assert_cmpint (les_session_get_to_period (f->session), ==, 202512);
  g_assert_true (les_session_get_store (f->session) == f->store);
  /* kept in the database as a write */
  les_session_wait (f->session);
  g_assert_cmpint (les_year_get_to_period (f->store, FY + 1, NULL, NULL), ==, 202512);
  g_assert_false (les_session_get_busy (f->session));
  g_assert_null (les_session_get_job (f->session));
  g_signal_handlers_disconnect_by_data (f->session, &n_year);
  g_signal_handlers_disconnect_by_data (f->session, &n_to);
}

/* The month a year is worked to, kept per database and year, and computed to */
static void
test_to_period (Fixture *f, gconstpointer data)
{
  g_autoptr(LesSession) other = NULL;
  LesComputeSummary summary = { 0 };
  LesStaleness why = 0;

  les_session_set_year (f->session, FY);
  /* the latest month with claims */
  g_assert_cmpint (les_session_get_to_period (f->session), ==,
                   les_year_default_to_period (f->store, FY, NULL));
  les_session_set_to_period (f->session, 202406);
  les_session_compute_async (f->session, compute_done_cb, &summary);
  les_session_wait (f->session);
  g_assert_cmpint (summary.to_period, ==, 202406);
  g_assert_false (les_results_is_stale (f->store, FY, NULL));

  /* another month: the figures are out of date until computed to it */
  les_session_set_to_period (f->session, 202407);
  les_session_wait (f->session);
  g_assert_true (les_results_is_stale (f->store, FY, &why));
  g_assert_cmpint (why, ==, LES_STALE_MONTH);

  /* another window on the same database finds the month */
  other = les_session_new (f->store);
  les_session_set_year (other, FY);
  g_assert_cmpint (les_session_get_to_period (other), ==, 202407);
  les_session_wait (other);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/session/write-order", Fixture, NULL, fixture_set_up, test_write_order, fixture_tear_down);
  g_test_add ("/session/read-during-write", Fixture, NULL, fixture_set_up, test_read_during_write, fixture_tear_down);
  g_test_add ("/session/cancel-write", Fixture, NULL, fixture_set_up, test_cancel_write, fixture_tear_down);
  g_test_add ("/session/changes", Fixture, NULL, fixture_set_up, test_changes, fixture_tear_down);
  g_test_add ("/session/services", Fixture, NULL, fixture_set_up, test_services, fixture_tear_down);
  g_test_add ("/session/import-fails", Fixture, NULL, fixture_set_up, test_import_fails, fixture_tear_down);
  g_test_add ("/session/undo", Fixture, NULL, fixture_set_up, test_undo, fixture_tear_down);
  g_test_add ("/session/undo-fails", Fixture, NULL, fixture_set_up, test_undo_fails, fixture_tear_down);
  g_test_add ("/session/pool", Fixture, NULL, fixture_set_up, test_pool, fixture_tear_down);
  g_test_add ("/session/cancel-read", Fixture, NULL, fixture_set_up, test_cancel_read, fixture_tear_down);
  g_test_add ("/session/properties", Fixture, NULL, fixture_set_up, test_properties, fixture_tear_down);
  g_test_add ("/session/to-period", Fixture, NULL, fixture_set_up, test_to_period, fixture_tear_down);
  return g_test_run ();
}
