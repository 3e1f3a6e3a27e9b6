/* test-concurrency.c: two people on one database at once — decisions made together, an import while a compute runs. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

/* Each person is a connection of their own (les_store_dup()) on a thread of
 * their own, as two desks on a team database are, or two windows on one
 * file.  The tests run on SQLite files and, under tests/pg/with-pg.sh, on
 * PostgreSQL.  Nothing sleeps: threads meet at a gate, and a compute is held
 * inside its transaction by its own progress callback. */

#include "config.h"

#include "les-claims-edit.h"
#include "les-compute.h"
#include "les-error.h"
#include "les-store-private.h"
#include "les-year-status.h"
#include "test-helpers.h"

/* Threads wait at the gate until it opens, so that their work starts together */
typedef struct {
  GMutex   lock;
  GCond    cond;
  gboolean open;
  guint    waiting;
} Gate;

static void
gate_wait (Gate *gate)
{
  g_mutex_lock (&gate->lock);
  gate->waiting++;
  g_cond_broadcast (&gate->cond);
  while (!gate->open)
    g_cond_wait (&gate->cond, &gate->lock);
  g_mutex_unlock (&gate->lock);
}

/* Opens the gate once @n threads wait at it */
static void
gate_open_for (Gate *gate, guint n)
{
  g_mutex_lock (&gate->lock);
  while (gate->waiting < n)
    g_cond_wait (&gate->cond, &gate->lock);
  gate->open = TRUE;
  g_cond_broadcast (&gate->cond);
  g_mutex_unlock (&gate->lock);
}

/* One person's decision on one claim */
typedef struct {
  LesStore       *store;
  Gate           *gate;
  gint64          id;
  LesClaimStatus  seen;
  LesClaimStatus  status;
  guint           n_changed;
  guint           n_refused;
  GError         *error;
} Decision;

static gpointer
decide_thread (gpointer data)
{
  Decision *d = data;
  LesClaimsChange *change;

  gate_wait (d->gate);
  change = les_claims_set_status (d->store, &d->id, &d->seen, 1, d->status, "at once", &d->error);
  if (change != NULL)
    {
      d->n_changed = les_claims_change_get_n_changed (change);
      d->n_refused = les_claims_change_get_refused (change)->len;
      les_claims_change_free (change);
    }
  return NULL;
}

/* Runs the two decisions at once, each on its own thread */
static void
decide_at_once (Decision *a, Decision *b)
{
  Gate gate = { 0 };
  GThread *ta, *tb;

  g_mutex_init (&gate.lock);
  g_cond_init (&gate.cond);
  a->gate = b->gate = &gate;
  ta = g_thread_new ("a", decide_thread, a);
  tb = g_thread_new ("b", decide_thread, b);
  gate_open_for (&gate, 2);
  g_thread_join (ta);
  g_thread_join (tb);
  g_mutex_clear (&gate.lock);
  g_cond_clear (&gate.cond);
  g_assert_no_error (a->error);
  g_assert_no_error (b->error);
}

static LesClaimStatus
status_of (LesStore *store, gint64 id)
{
  LesStmt *stmt = les_store_prepare (store, "SELECT status FROM claims WHERE id = ?1", NULL);
  int status;

  les_stmt_bind_int64 (stmt, 1, id);
  g_assert_true (les_stmt_step (stmt, NULL) == LES_STEP_ROW);
  status = les_claim_status_from_word (les_stmt_text (stmt, 0));
  les_stmt_reset (stmt);
  g_assert_cmpint (status, >=, 0);
  return (LesClaimStatus) status;
}

static gint64
count_rows (LesStore *store, const char *sql)
{
  LesStmt *stmt = les_store_prepare (store, sql, NULL);
  gint64 n;

  g_assert_nonnull (stmt);
  g_assert_true (les_stmt_step (stmt, NULL) == LES_STEP_ROW);
  n = les_stmt_int64 (stmt, 0);
  les_stmt_reset (stmt);
  return n;
}

/* Two people decide at the same moment: on different claims both decisions
 * stand; on the same claim, seen as submitted by both, one stands and the
 * other is refused, never silently overwritten */
static void
test_decisions_at_once (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = test_store_new_two_practices (&dir, TRUE);
  g_autoptr(LesStore) other = NULL;
  g_autoptr(GError) error = NULL;
  gint64 c1 = test_claim_id (store, "C1"), c2 = test_claim_id (store, "C2"), c3 = test_claim_id (store, "C3");
  gint64 audit_before;

  other = les_store_dup (store, &error);
  g_assert_no_error (error);

  {
    Decision a = { store, NULL, c1, LES_CLAIM_STATUS_SUBMITTED, LES_CLAIM_STATUS_APPROVED };
    Decision b = { other, NULL, c3, LES_CLAIM_STATUS_SUBMITTED, LES_CLAIM_STATUS_REJECTED };

    decide_at_once (&a, &b);
    g_assert_cmpuint (a.n_changed, ==, 1);
    g_assert_cmpuint (b.n_changed, ==, 1);
    g_assert_cmpint (status_of (store, c1), ==, LES_CLAIM_STATUS_APPROVED);
    g_assert_cmpint (status_of (store, c3), ==, LES_CLAIM_STATUS_REJECTED);
  }

  /* the same claim, many times over: whichever goes first stands */
  audit_before = count_rows (store, "SELECT count(*) FROM audit WHERE action = 'set-status'");
  for (int round = 0; round < 20; round++)
    {
      Decision a = { store, NULL, c2, LES_CLAIM_STATUS_SUBMITTED, LES_CLAIM_STATUS_APPROVED };
      Decision b = { other, NULL, c2, LES_CLAIM_STATUS_SUBMITTED, LES_CLAIM_STATUS_QUERIED };
      Decision *won;

      decide_at_once (&a, &b);
      g_assert_cmpuint (a.n_changed + b.n_changed, ==, 1);
      g_assert_cmpuint (a.n_refused + b.n_refused, ==, 1);
      won = a.n_changed == 1 ? &a : &b;
      g_assert_cmpint (status_of (store, c2), ==, won->status);
      g_assert_cmpint (status_of (other, c2), ==, won->status);
      test_set_status (store, LES_CLAIM_STATUS_SUBMITTED, NULL, "C2");
    }
  /* one audit row per decision that stood (and per reset), none for a refusal */
  g_assert_cmpint (count_rows (store, "SELECT count(*) FROM audit WHERE action = 'set-status'"), ==,
                   audit_before + 2 * 20);

  g_clear_object (&other);
  test_store_clear (&store, &dir);
}

/* A compute held inside its transaction by its progress callback, until the test lets it go */
typedef struct {
  LesStore          *store;
  GMutex             lock;
  GCond              cond;
  gboolean           inside;     /* the compute holds the database */
  gboolean           release;
  gboolean           ok;
  LesComputeSummary  summary;
  GError            *error;
} Compute;

static void
compute_progress_cb (double fraction, const char *label, gpointer user_data)
{
  Compute *c = user_data;

  g_mutex_lock (&c->lock);
  c->inside = TRUE;
  g_cond_broadcast (&c->cond);
  while (!c->release)
    g_cond_wait (&c->cond, &c->lock);
  g_mutex_unlock (&c->lock);
}

static gpointer
compute_thread (gpointer data)
{
  Compute *c = data;

  c->ok = les_compute_year (c->store, 2024, 0, compute_progress_cb, c, NULL, &c->summary, &c->error);
  return NULL;
}

typedef struct {
  LesStore *store;
  char     *dir;
  GMutex    lock;
  GCond     cond;
  gboolean  waiting;       /* told it waits for the database */
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Import;

static void
import_wait_cb (LesStore *store, const char *message, gpointer user_data)
{
  Import *imp = user_data;

  g_mutex_lock (&imp->lock);
  imp->waiting = TRUE;
  g_cond_broadcast (&imp->cond);
  g_mutex_unlock (&imp->lock);
}

static gpointer
import_thread (gpointer data)
{
  Import *imp = data;
  g_autoptr(GPtrArray) messages = NULL;
  gboolean ok;

  messages = test_import_text (imp->store, imp->dir, LES_KIND_CLAIMS, "late.csv",
                               "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n"
                               "L1,A81001,INJ,JAB,2024-06,4,2024-07-01\n"
                               "L2,A81002,INJ,JAB,2024-06,6,2024-07-01\n", -1, &ok, &imp->error);
  g_mutex_lock (&imp->lock);
  imp->ok = ok;
  imp->done = TRUE;
  g_cond_broadcast (&imp->cond);
  g_mutex_unlock (&imp->lock);
  return NULL;
}

/* One person imports claims while another computes: the import waits for
 * the compute's commit rather than failing or slipping under it, a third
 * person reads all along, and the year is then out of date by that import
 * alone — computing it again counts the new claims */
static void
test_import_while_computing (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = test_store_new_two_practices (&dir, TRUE);
  g_autoptr(LesStore) reader = NULL;
  g_autoptr(GError) error = NULL;
  Compute c = { 0 };
  Import imp = { 0 };
  GThread *tc, *ti;
  LesComputeSummary again;
  LesStaleness why = 0;

  test_compute (store, 2024, 0);
  c.store = les_store_dup (store, &error);
  g_assert_no_error (error);
  imp.store = les_store_dup (store, &error);
  g_assert_no_error (error);
  imp.dir = dir;
  reader = les_store_dup (store, &error);
  g_assert_no_error (error);
  g_mutex_init (&c.lock);
  g_cond_init (&c.cond);
  g_mutex_init (&imp.lock);
  g_cond_init (&imp.cond);

  /* the compute starts its transaction and stops inside it */
  tc = g_thread_new ("compute", compute_thread, &c);
  g_mutex_lock (&c.lock);
  while (!c.inside)
    g_cond_wait (&c.cond, &c.lock);
  g_mutex_unlock (&c.lock);

  /* the import waits for it (told so after a second), not failing */
  les_store_set_wait_func (imp.store, import_wait_cb, &imp, NULL);
  ti = g_thread_new ("import", import_thread, &imp);
  g_mutex_lock (&imp.lock);
  while (!imp.waiting && !imp.done)
    g_cond_wait (&imp.cond, &imp.lock);
  g_assert_false (imp.done);
  g_mutex_unlock (&imp.lock);

  /* reading is never held up by either */
  g_assert_cmpint (count_rows (reader, "SELECT count(*) FROM claims"), ==, 3);
  g_assert_cmpint (count_rows (reader, "SELECT count(*) FROM payment_lines WHERE year = 2024"), >, 0);

  /* the compute goes on and commits; then the import does */
  g_mutex_lock (&c.lock);
  c.release = TRUE;
  g_cond_broadcast (&c.cond);
  g_mutex_unlock (&c.lock);
  g_thread_join (tc);
  g_assert_no_error (c.error);
  g_assert_true (c.ok);
  g_assert_cmpint (c.summary.n_claims, ==, 3);
  g_thread_join (ti);
  g_assert_no_error (imp.error);
  g_assert_true (imp.ok);
  g_assert_cmpint (count_rows (reader, "SELECT count(*) FROM claims"), ==, 5);

  /* the results are those of before the import, and say so */
  g_assert_true (les_results_is_stale (reader, 2024, &why));
  g_assert_cmpint (why, ==, LES_STALE_IMPORTS);
  g_assert_true (les_compute_year (store, 2024, 0, NULL, NULL, NULL, &again, &error));
  g_assert_no_error (error);
  g_assert_cmpint (again.n_claims, ==, 5);
  g_assert_cmpint (again.gross, ==, c.summary.gross + (4 + 6) * 1000);

  g_mutex_clear (&c.lock);
  g_cond_clear (&c.cond);
  g_mutex_clear (&imp.lock);
  g_cond_clear (&imp.cond);
  g_clear_object (&c.store);
  g_clear_object (&imp.store);
  g_clear_object (&reader);
  test_store_clear (&store, &dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/concurrency/decisions-at-once", test_decisions_at_once);
  g_test_add_func ("/concurrency/import-while-computing", test_import_while_computing);
  return g_test_run ();
}
