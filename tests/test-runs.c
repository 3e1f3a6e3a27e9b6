/* test-runs.c: payment runs — freezing paid lines, adjustments for later changes, approval, re-opening. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "les-claims-edit.h"
#include "les-compute.h"
#include "les-error.h"
#include "les-queries.h"
#include "les-results.h"
#include "les-runs.h"
#include "les-year-status.h"
#include "les-store-private.h"
#include "test-helpers.h"

#define FY 2024

typedef struct {
  char     *dir;
  LesStore *store;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->store = test_store_new_two_practices (&f->dir, TRUE);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  test_store_clear (&f->store, &f->dir);
}

static void
approve_all (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = les_claims_ids_for_year (f->store, FY, TRUE, NULL, &error);
  g_autoptr(LesClaimsChange) change = NULL;

  g_assert_no_error (error);
  change = les_claims_set_status (f->store, (gint64 *) ids->data, NULL, ids->len, LES_CLAIM_STATUS_APPROVED, NULL, &error);
  g_assert_no_error (error);
}

/* The status claim @ref has now */
static LesClaimStatus
status_of (LesStore *store, const char *ref)
{
  g_autoptr(GError) error = NULL;
  const char *refs[] = { ref, NULL };
  g_autoptr(GArray) ids = les_claims_ids_for_refs (store, refs, &error);
  g_autoptr(GArray) all = NULL;
  g_autoptr(GArray) seen = NULL;

  g_assert_no_error (error);
  all = les_claims_ids_for_year (store, FY, FALSE, &seen, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (seen->len, ==, all->len);
  for (guint i = 0; i < all->len; i++)
    if (g_array_index (all, gint64, i) == g_array_index (ids, gint64, 0))
      return g_array_index (seen, LesClaimStatus, i);
  g_assert_not_reached ();
}

/* Issue #12, 3: approving every claim of the year read the ids, then set each
 * whatever its status had become; a claim rejected in between ended approved */
static void
test_approve_race (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) seen = NULL;
  g_autoptr(LesStore) other = NULL;
  g_autoptr(LesClaimsChange) change = NULL;
  const LesClaimsRefusal *r;
  GArray *refused;

  test_compute (f->store, FY, 202406);
  ids = les_claims_ids_for_year (f->store, FY, TRUE, &seen, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 3);
  g_assert_cmpuint (seen->len, ==, 3);
  for (guint i = 0; i < seen->len; i++)
    g_assert_cmpint (g_array_index (seen, LesClaimStatus, i), ==, LES_CLAIM_STATUS_SUBMITTED);

  /* meanwhile, at another desk */
  other = les_store_dup (f->store, &error);
  g_assert_no_error (error);
  test_set_status (other, LES_CLAIM_STATUS_REJECTED, "suspected fraud", "C2");
  g_assert_cmpint (status_of (f->store, "C2"), ==, LES_CLAIM_STATUS_REJECTED);

  change = les_claims_set_status (f->store, (const gint64 *) ids->data, (const LesClaimStatus *) seen->data, ids->len,
                                  LES_CLAIM_STATUS_APPROVED, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (change);

  /* the rejection stands, and is told; the others are approved */
  g_assert_cmpint (status_of (f->store, "C2"), ==, LES_CLAIM_STATUS_REJECTED);
  g_assert_cmpint (status_of (f->store, "C1"), ==, LES_CLAIM_STATUS_APPROVED);
  g_assert_cmpint (status_of (f->store, "C3"), ==, LES_CLAIM_STATUS_APPROVED);
  g_assert_cmpuint (les_claims_change_get_n_changed (change), ==, 2);
  refused = les_claims_change_get_refused (change);
  g_assert_cmpuint (refused->len, ==, 1);
  r = &g_array_index (refused, LesClaimsRefusal, 0);
  g_assert_cmpstr (r->claim_ref, ==, "C2");
  g_assert_cmpint (r->seen, ==, LES_CLAIM_STATUS_SUBMITTED);
  g_assert_cmpint (r->now, ==, LES_CLAIM_STATUS_REJECTED);
  g_assert_cmpstr (r->reason, ==, "suspected fraud");
  g_assert_nonnull (r->by);
  g_assert_nonnull (r->at);

  /* undoing the approval leaves the rejection alone too */
  g_assert_true (les_claims_change_undo (f->store, change, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status_of (f->store, "C1"), ==, LES_CLAIM_STATUS_SUBMITTED);
  g_assert_cmpint (status_of (f->store, "C2"), ==, LES_CLAIM_STATUS_REJECTED);

  /* with no expectation, a decision still applies to whatever the claim is */
  g_clear_pointer (&change, les_claims_change_free);
  change = les_claims_set_status (f->store, (const gint64 *) ids->data, NULL, ids->len, LES_CLAIM_STATUS_APPROVED,
                                  NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (les_claims_change_get_refused (change)->len, ==, 0);
  g_assert_cmpint (status_of (f->store, "C2"), ==, LES_CLAIM_STATUS_APPROVED);
}

static gint64
close_month (Fixture *f, gint32 month, gint64 *total)
{
  g_autoptr(GError) error = NULL;
  LesRun run = { 0 };
  gint64 id;

  g_assert_true (les_runs_close_month (f->store, FY, month, NULL, NULL, NULL, &run, &error));
  g_assert_no_error (error);
  id = run.run_id;
  if (total != NULL)
    *total = run.total;
  les_run_clear (&run);
  return id;
}

static const LesStatementLine *
find_line (LesStatement *st, const char *rule, gint32 period, gboolean adjustment)
{
  for (guint i = 0; i < st->lines->len; i++)
    {
      const LesStatementLine *l = &g_array_index (st->lines, LesStatementLine, i);

      if (g_strcmp0 (l->rule_code, rule) == 0 && l->period == period && (l->corrects_id != 0) == adjustment)
        return l;
    }
  return NULL;
}

static char *
export_payments (Fixture *f)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (les_results_write_csv (f->store, "payments", FY, out, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (out, "", 1, NULL, NULL, NULL);
  g_output_stream_close (out, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

/* A run pays approved item lines and scheduled lines, and freezes them. */
static void
test_freeze (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LesStatement) st = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 total, preview, n;
  gint64 run;

  test_compute (f->store, FY, 202405);
  test_set_status (f->store, LES_CLAIM_STATUS_APPROVED, NULL, "C1");
  test_set_status (f->store, LES_CLAIM_STATUS_APPROVED, NULL, "C2");
  /* C3 (A81002) stays submitted: not paid */
  g_assert_true (les_runs_preview (f->store, FY, 202405, NULL, &preview, &n, &error));
  g_assert_no_error (error);
  run = close_month (f, 202405, &total);
  g_assert_cmpint (run, ==, 1);
  /* 5 × £10 + 3 × £10 + capitation 1200 × £1.20 / 12 × 2 months */
  g_assert_cmpint (total, ==, 5000 + 3000 + 12000 + 12000);
  g_assert_cmpint (preview, ==, total);

  st = les_runs_statement (f->store, run, "A81001", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (st->lines->len, ==, 4);
  g_assert_cmpint (st->payable, ==, total);
  g_assert_cmpint (find_line (st, "JAB", 202404, FALSE)->payable, ==, 5000);
  g_assert_cmpint (find_line (st, "JAB", 202404, FALSE)->rate, ==, 100000);
  g_clear_pointer (&st, les_statement_free);
  st = les_runs_statement (f->store, run, "A81002", &error);
  g_assert_cmpuint (st->lines->len, ==, 0);

  /* a later compute changes nothing that was paid: no adjustments while nothing changed */
  before = export_payments (f);
  test_compute (f->store, FY, 202405);
  after = export_payments (f);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (les_runs_pending_adjustments (f->store, FY, NULL), ==, 0);

  /* the unpaid line of an earlier month is paid by the next run once approved */
  test_set_status (f->store, LES_CLAIM_STATUS_APPROVED, NULL, "C3");
  test_compute (f->store, FY, 202406);
  run = close_month (f, 202406, &total);
  g_clear_pointer (&st, les_statement_free);
  st = les_runs_statement (f->store, run, "A81002", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (st->lines->len, ==, 1);
  g_assert_cmpint (find_line (st, "JAB", 202404, FALSE)->payable, ==, 7000);
  /* June: capitation for A81001 only */
  g_assert_cmpint (total, ==, 7000 + 12000);

  /* July: only the scheduled line, which needs no approval */
  test_compute (f->store, FY, 202407);
  close_month (f, 202407, &total);
  g_assert_cmpint (total, ==, 12000);
}

/* A late correction to a paid month and a rejected paid claim become adjustments. */
static void
test_adjustment (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LesStatement) st = NULL;
  const LesStatementLine *adj;
  gint64 first, second, total, amount;

  test_compute (f->store, FY, 202405);
  approve_all (f);
  first = close_month (f, 202405, NULL);

  /* April corrected late (C1 withdrawn, C4 sent for 7 instead of 5), and C2 rejected */
  test_set_status (f->store, LES_CLAIM_STATUS_WITHDRAWN, "corrected by C4", "C1");
  test_import_ok (f->store, f->dir, LES_KIND_CLAIMS,
                  "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n"
                  "C4,A81001,INJ,JAB,2024-04,7,2024-06-10\n");
  test_set_status (f->store, LES_CLAIM_STATUS_REJECTED, "duplicate of another claim", "C2");
  test_compute (f->store, FY, 202405);
  g_assert_cmpint (les_runs_pending_adjustments (f->store, FY, &amount), ==, 2);
  g_assert_cmpint (amount, ==, 2000 - 3000);

  /* the late claim is not approved yet: only the recovery is paid */
  test_compute (f->store, FY, 202406);
  second = close_month (f, 202406, &total);
  st = les_runs_statement (f->store, second, "A81001", &error);
  g_assert_no_error (error);
  g_assert_null (find_line (st, "JAB", 202404, TRUE));
  adj = find_line (st, "JAB", 202405, TRUE);
  g_assert_nonnull (adj);
  g_assert_cmpint (adj->payable, ==, -3000);
  g_assert_cmpint (adj->units, ==, -3);
  g_assert_cmpint (adj->corrects_run, ==, first);
  g_assert_cmpint (adj->previously_paid, ==, 3000);
  g_assert_cmpint (total, ==, -3000 + 12000);
  g_assert_cmpint (les_runs_pending_adjustments (f->store, FY, NULL), ==, 1);

  test_set_status (f->store, LES_CLAIM_STATUS_APPROVED, NULL, "C4");
  g_clear_pointer (&st, les_statement_free);
  test_compute (f->store, FY, 202407);
  second = close_month (f, 202407, &total);
  st = les_runs_statement (f->store, second, "A81001", &error);
  adj = find_line (st, "JAB", 202404, TRUE);
  g_assert_nonnull (adj);
  g_assert_cmpint (adj->payable, ==, 2000);
  g_assert_cmpint (adj->units, ==, 2);
  g_assert_cmpint (adj->previously_paid, ==, 5000);
  g_assert_cmpint (les_runs_pending_adjustments (f->store, FY, NULL), ==, 0);

  /* computing again records nothing twice */
  test_compute (f->store, FY, 202407);
  g_assert_cmpint (les_runs_pending_adjustments (f->store, FY, NULL), ==, 0);
}

static void
test_reopen (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) runs = NULL;
  gint64 first, second, total2, again_total;

  test_compute (f->store, FY, 202405);
  approve_all (f);
  first = close_month (f, 202404, NULL);
  second = close_month (f, 202405, &total2);

  g_assert_false (les_runs_reopen (f->store, second, "  ", NULL, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (les_runs_reopen (f->store, first, "wrong", NULL, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (les_runs_close_month (f->store, FY, 202405, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_CONFLICT);
  g_clear_error (&error);

  g_assert_true (les_runs_reopen (f->store, second, "paid the wrong month", NULL, &error));
  g_assert_no_error (error);
  g_assert_false (les_runs_reopen (f->store, second, "again", NULL, &error));
  g_clear_error (&error);
  runs = les_runs_list (f->store, FY, &error);
  g_assert_cmpuint (runs->len, ==, 2);
  g_assert_true (g_array_index (runs, LesRun, 0).reopened);
  g_assert_cmpstr (g_array_index (runs, LesRun, 0).reopen_reason, ==, "paid the wrong month");
  g_assert_cmpint (les_runs_next_open_month (f->store, FY), ==, 202405);

  close_month (f, 202405, &again_total);
  g_assert_cmpint (again_total, ==, total2);
}

static void
test_csv (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LesStatement) st = NULL;
  g_autoptr(LesReport) report = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autofree char *text = NULL;
  gint64 run;

  test_compute (f->store, FY, 202405);
  approve_all (f);
  run = close_month (f, 202405, NULL);
  st = les_runs_statement (f->store, run, "a81001", &error);
  g_assert_no_error (error);
  g_assert_true (les_statement_write_csv (st, out, NULL, &error));
  g_output_stream_write_all (out, "", 1, NULL, NULL, NULL);
  g_output_stream_close (out, NULL, NULL);
  text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
  g_assert_true (g_str_has_prefix (text, "run,run_month,practice_code,"));
  g_assert_nonnull (strstr (text, "\n1,2024-05,A81001,Ashford Surgery,line,INJ,Injections,JAB,,2024-04,5,10.00,"
                                  "50.00,0.00,,50.00,,,C1\n"));
  g_assert_true (g_str_has_suffix (text, "\n1,2024-05,A81001,Ashford Surgery,total,,,,,,,,320.00,0.00,,320.00,,,\n"));

  report = les_runs_report (f->store, FY, &error);
  g_assert_no_error (error);
  g_assert_cmpint (report->totals.paid, ==, 32000 + 7000);
  g_assert_cmpint (report->totals.unpaid, ==, 0);

  /* Issuing them is audited */
  {
    gint64 n_audit = les_store_count_rows (f->store, "audit");

    g_assert_true (les_runs_record_statement (f->store, st, "csv", NULL));
    g_assert_true (les_runs_record_report (f->store, report, "pdf", NULL));
    g_assert_cmpint (les_store_count_rows (f->store, "audit"), ==, n_audit + 2);
  }
}

static void
cancel_when_paying_cb (double fraction, const char *label, gpointer cancellable)
{
  if (fraction >= 0.8)
    g_cancellable_cancel (cancellable);
}

/* A run cancelled after its compute leaves everything as it was, the compute included. */
static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GArray) runs = NULL;
  gint64 n_audit, n_lines;
  LesStaleness why = 0;

  test_compute (f->store, FY, 202405);
  approve_all (f);
  /* the run's compute drops C3's line; the cancel brings it back */
  test_set_status (f->store, LES_CLAIM_STATUS_REJECTED, "not ours", "C3");
  n_audit = les_store_count_rows (f->store, "audit");
  n_lines = les_store_count_rows (f->store, "payment_lines");
  g_assert_false (les_runs_close_month (f->store, FY, 202405, cancel_when_paying_cb, cancellable, cancellable,
                                        NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  runs = les_runs_list (f->store, FY, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 0);
  g_assert_cmpint (les_store_count_rows (f->store, "audit"), ==, n_audit);
  g_assert_cmpint (les_store_count_rows (f->store, "payment_lines"), ==, n_lines);
  g_assert_true (les_results_is_stale (f->store, FY, &why));
  g_assert_cmpint (why, ==, LES_STALE_DECISIONS);

  /* and the store is usable after it */
  g_cancellable_reset (cancellable);
  close_month (f, 202405, NULL);
  g_assert_cmpint (les_store_count_rows (f->store, "payment_lines"), ==, n_lines - 1);
  g_assert_false (les_results_is_stale (f->store, FY, NULL));
}

/* A run cannot close a month the figures have not reached; it closes the next open month by default */
static void
test_month (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gint32 limit = 0;

  /* never computed: the month the year is worked to (the latest with claims) */
  g_assert_cmpint (les_runs_default_month (f->store, FY), ==, 202404);
  g_assert_true (les_runs_check_month (f->store, FY, 202405, &limit, &error));
  g_assert_no_error (error);
  g_assert_cmpint (limit, ==, 202405);
  g_assert_false (les_runs_check_month (f->store, FY, 202406, NULL, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_CONFLICT);
  g_clear_error (&error);

  test_compute (f->store, FY, 202404);
  g_assert_false (les_runs_check_month (f->store, FY, 202405, NULL, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_CONFLICT);
  g_assert_cmpstr (error->message, ==, "2024-05 cannot be closed yet: 2024/25 is computed only to 2024-04; "
                                       "compute it to 2024-05 first");
  g_clear_error (&error);
  g_assert_false (les_runs_close_month (f->store, FY, 202405, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_null (les_runs_preview_month (f->store, FY, 202405, NULL, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_CONFLICT);
  g_clear_error (&error);
  /* the run computes to the month computed, not beyond */
  close_month (f, 202404, NULL);
  {
    gint32 to = 0;

    g_assert_true (les_results_get_compute (f->store, FY, &to, NULL, NULL, NULL));
    g_assert_cmpint (to, ==, 202404);
  }
  g_assert_cmpint (les_runs_default_month (f->store, FY), ==, 202405);
  g_assert_false (les_runs_check_month (f->store, FY, 202504, NULL, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_INVALID);
}

/* What a run would pay, per service, and what it would leave out */
static void
test_preview (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LesRunPreview) preview = NULL;
  const LesRunPreviewRow *cap, *inj;
  gint64 total = 0, n = 0;

  /* a practice cap of £200 for CAP: £120 in April, £80 of May's £120 */
  test_import_ok (f->store, f->dir, LES_KIND_ALLOCATIONS,
                  "practice_code,service_code,year,cap_amount\nA81001,CAP,2024/25,200.00\n");
  test_compute (f->store, FY, 202406);
  test_set_status (f->store, LES_CLAIM_STATUS_APPROVED, NULL, "C1");

  preview = les_runs_preview_month (f->store, FY, 202405, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (preview->month, ==, 202405);
  g_assert_cmpint (preview->computed_to, ==, 202406);
  g_assert_cmpint (preview->stale, ==, 0);
  g_assert_cmpuint (preview->services->len, ==, 2);
  cap = &g_array_index (preview->services, LesRunPreviewRow, 0);
  inj = &g_array_index (preview->services, LesRunPreviewRow, 1);
  g_assert_cmpstr (cap->service_code, ==, "CAP");
  g_assert_cmpstr (cap->service_name, ==, "Care homes");
  g_assert_cmpint (cap->n_paid, ==, 2);
  g_assert_cmpint (cap->paid, ==, 12000 + 8000);
  g_assert_cmpint (cap->n_held, ==, 1);
  g_assert_cmpint (cap->held, ==, 4000);
  g_assert_cmpint (cap->n_unapproved, ==, 0);
  /* June is fully held: a line of £0.00, not yet due */
  g_assert_cmpint (cap->n_not_due, ==, 1);
  g_assert_cmpint (cap->not_due, ==, 0);
  g_assert_cmpstr (inj->service_code, ==, "INJ");
  g_assert_cmpint (inj->n_paid, ==, 1);
  g_assert_cmpint (inj->paid, ==, 5000);
  g_assert_cmpint (inj->n_unapproved, ==, 2);
  g_assert_cmpint (inj->unapproved, ==, 3000 + 7000);
  g_assert_cmpint (preview->totals.n_paid, ==, 3);
  g_assert_cmpint (preview->totals.paid, ==, 25000);
  g_assert_cmpint (preview->totals.n_unapproved, ==, 2);
  g_assert_cmpint (preview->totals.n_not_due, ==, 1);
  g_assert_null (preview->totals.service_code);

  g_assert_true (les_runs_preview (f->store, FY, 202405, NULL, &total, &n, &error));
  g_assert_cmpint (total, ==, 25000);
  g_assert_cmpint (n, ==, 3);
  /* the run pays what the preview said */
  g_assert_cmpint (close_month (f, 202405, &total), ==, 1);
  g_assert_cmpint (total, ==, 25000);

  /* an adjustment waiting for approval, and one paid: C1 withdrawn, C4 sent for April */
  test_set_status (f->store, LES_CLAIM_STATUS_WITHDRAWN, "corrected by C4", "C1");
  test_import_ok (f->store, f->dir, LES_KIND_CLAIMS,
                  "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n"
                  "C4,A81001,INJ,JAB,2024-04,7,2024-06-10\n");
  g_clear_pointer (&preview, les_run_preview_free);
  preview = les_runs_preview_month (f->store, FY, 202406, NULL, &error);
  g_assert_no_error (error);
  /* not computed since: the run will compute again, and the preview says so */
  g_assert_cmpint (preview->stale, ==, LES_STALE_IMPORTS | LES_STALE_DECISIONS);
  test_compute (f->store, FY, 202406);
  g_clear_pointer (&preview, les_run_preview_free);
  preview = les_runs_preview_month (f->store, FY, 202406, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (preview->stale, ==, 0);
  g_assert_cmpint (preview->totals.n_adjustments_waiting, ==, 1);
  g_assert_cmpint (preview->totals.adjustments_waiting, ==, 2000);
  g_assert_cmpint (preview->totals.n_adjustments, ==, 0);
}

static const LesStatementLine *
find_line_ok (LesStatement *st, const char *rule, gint32 period)
{
  const LesStatementLine *l = find_line (st, rule, period, FALSE);

  if (l == NULL)
    {
      g_test_message ("no line %s %d for %s", rule, period, st->practice_code);
      g_test_fail ();
      abort ();
    }
  return l;
}

/* Every practice's statement of a run: the claims each line pays, the
 * claims rejected or queried since the previous run, one CSV of them all */
static void
test_statements (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autofree char *text = NULL;
  LesStatement *a, *b;
  const LesStatementDecision *d;
  gint64 run, total, sum = 0;

  test_compute (f->store, FY, 202405);
  test_set_status (f->store, LES_CLAIM_STATUS_APPROVED, NULL, "C1");
  test_set_status (f->store, LES_CLAIM_STATUS_APPROVED, NULL, "C2");
  /* A81002's only claim: it is paid nothing, and is told why */
  test_set_status (f->store, LES_CLAIM_STATUS_REJECTED, "not signed up for injections", "C3");
  run = close_month (f, 202405, &total);

  all = les_runs_statements (f->store, run, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 2);
  a = all->pdata[0];
  b = all->pdata[1];
  g_assert_cmpstr (a->practice_code, ==, "A81001");
  g_assert_cmpstr (b->practice_code, ==, "A81002");
  g_assert_cmpint (a->previous_run, ==, 0);
  for (guint i = 0; i < all->len; i++)
    sum += ((LesStatement *) all->pdata[i])->payable;
  g_assert_cmpint (sum, ==, total);

  /* item lines name their claims; scheduled lines have none */
  g_assert_cmpstrv (find_line_ok (a, "JAB", 202404)->claim_refs, ((const char *[]) { "C1", NULL }));
  g_assert_cmpstrv (find_line_ok (a, "JAB", 202405)->claim_refs, ((const char *[]) { "C2", NULL }));
  g_assert_null (find_line_ok (a, "HEAD", 202404)->claim_refs);
  g_assert_cmpuint (a->decisions->len, ==, 0);

  g_assert_cmpuint (b->lines->len, ==, 0);
  g_assert_cmpint (b->payable, ==, 0);
  g_assert_cmpuint (b->decisions->len, ==, 1);
  d = &g_array_index (b->decisions, LesStatementDecision, 0);
  g_assert_cmpstr (d->claim_ref, ==, "C3");
  g_assert_cmpint (d->status, ==, LES_CLAIM_STATUS_REJECTED);
  g_assert_cmpstr (d->reason, ==, "not signed up for injections");
  g_assert_cmpstr (d->service_name, ==, "Injections");
  g_assert_cmpint (d->period, ==, 202404);
  g_assert_cmpint (d->count, ==, 7);

  g_assert_true (les_statements_write_csv (all, out, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (out, "", 1, NULL, NULL, NULL);
  g_output_stream_close (out, NULL, NULL);
  text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
  g_assert_true (g_str_has_prefix (text, "run,run_month,practice_code,practice_name,kind,"));
  g_assert_null (strstr (text + 1, "\nrun,run_month"));
  g_assert_nonnull (strstr (text, "\n1,2024-05,A81002,Beech House,rejected,INJ,Injections,JAB,"
                                  "not signed up for injections,2024-04,7,,,,,,,,C3\n"
                                  "1,2024-05,A81002,Beech House,total,,,,,,,,0.00,0.00,,0.00,,,\n"));

  /* a query after the run goes on the next run's statement, not this one's */
  test_set_status (f->store, LES_CLAIM_STATUS_QUERIED, "how many patients?", "C2");
  g_clear_pointer (&all, g_ptr_array_unref);
  all = les_runs_statements (f->store, run, NULL, &error);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpuint (((LesStatement *) all->pdata[0])->decisions->len, ==, 0);
  test_compute (f->store, FY, 202406);
  run = close_month (f, 202406, NULL);
  g_clear_pointer (&all, g_ptr_array_unref);
  all = les_runs_statements (f->store, run, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 1);
  a = all->pdata[0];
  g_assert_cmpint (a->previous_run, ==, 1);
  g_assert_cmpuint (a->decisions->len, ==, 1);
  d = &g_array_index (a->decisions, LesStatementDecision, 0);
  g_assert_cmpstr (d->claim_ref, ==, "C2");
  g_assert_cmpint (d->status, ==, LES_CLAIM_STATUS_QUERIED);
}

static const LesPaidRow *
paid_row (GArray *rows, const char *code)
{
  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (g_array_index (rows, LesPaidRow, i).service_code, code) == 0)
      return &g_array_index (rows, LesPaidRow, i);
  g_test_message ("no service %s", code);
  g_test_fail ();
  abort ();
}

/* What runs have paid, what is outstanding, and the run that paid each line */
static void
test_paid (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = NULL;
  g_autoptr(LesTable) lines = NULL;
  g_autoptr(LesTable) by_service = NULL;
  g_autoptr(LesRow) row = NULL;
  LesPaidRow totals = { 0 };
  gint64 run;

  /* never computed: every service, nothing payable */
  rows = les_runs_paid_outstanding (f->store, FY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpint (paid_row (rows, "INJ")->payable, ==, 0);
  g_clear_pointer (&rows, g_array_unref);

  test_compute (f->store, FY, 202405);
  test_set_status (f->store, LES_CLAIM_STATUS_APPROVED, NULL, "C1");
  test_set_status (f->store, LES_CLAIM_STATUS_APPROVED, NULL, "C2");
  run = close_month (f, 202405, NULL);
  rows = les_runs_paid_outstanding (f->store, FY, &totals, &error);
  g_assert_no_error (error);
  /* C3 (£70) not approved: outstanding */
  g_assert_cmpint (paid_row (rows, "INJ")->payable, ==, 15000);
  g_assert_cmpint (paid_row (rows, "INJ")->paid, ==, 8000);
  g_assert_cmpint (paid_row (rows, "INJ")->outstanding, ==, 7000);
  g_assert_cmpint (paid_row (rows, "CAP")->paid, ==, 24000);
  g_assert_cmpint (paid_row (rows, "CAP")->outstanding, ==, 0);
  g_assert_null (totals.service_code);
  g_assert_cmpstr (totals.service_name, ==, "Total");
  g_assert_cmpint (totals.payable, ==, 39000);
  g_assert_cmpint (totals.paid, ==, 32000);
  g_assert_cmpint (totals.outstanding, ==, 7000);
  les_paid_row_clear (&totals);

  /* the Payments screen's tables: paid and outstanding by service, the run of each line, totals */
  by_service = les_queries_payments_by_service (f->store, FY, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (by_service->columns[4].id, ==, "paid");
  g_assert_cmpstr (by_service->columns[5].id, ==, "outstanding");
  g_assert_cmpstr (les_row_get_text (by_service->totals, 0), ==, "Total");
  g_assert_cmpint (les_row_get_number (by_service->totals, 3), ==, 39000);
  g_assert_cmpstr (les_row_get_text (by_service->totals, 4), ==, "£320.00");
  g_assert_cmpstr (les_row_get_text (by_service->totals, 5), ==, "£70.00");
  lines = les_queries_payment_lines (f->store, FY, "INJ", "A81001", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lines->columns[6].id, ==, "paid_run");
  row = g_list_model_get_item (lines->rows, 0);
  g_assert_cmpint (les_row_get_number (row, 6), ==, run);
  g_assert_cmpstr (les_row_get_text (lines->totals, 0), ==, "Total");
  g_assert_cmpstr (les_row_get_text (lines->totals, 4), ==, "£80.00");
  g_clear_object (&row);
  g_clear_pointer (&lines, les_table_free);
  lines = les_queries_payment_lines (f->store, FY, "INJ", "A81002", &error);
  row = g_list_model_get_item (lines->rows, 0);
  g_assert_cmpstr (les_row_get_text (row, 6), ==, "");

  /* re-opened: paid no more */
  g_assert_true (les_runs_reopen (f->store, run, "wrong month", NULL, &error));
  g_clear_pointer (&rows, g_array_unref);
  rows = les_runs_paid_outstanding (f->store, FY, NULL, &error);
  g_assert_cmpint (paid_row (rows, "INJ")->paid, ==, 0);
  g_assert_cmpint (paid_row (rows, "INJ")->outstanding, ==, 15000);
}

static guint
count_breaks (Fixture *f, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) breaks = les_store_verify (f->store, 0, NULL, &error);
  gboolean found = expected == NULL;

  g_assert_no_error (error);
  for (guint i = 0; i < breaks->len; i++)
    {
      g_test_message ("%s", (char *) breaks->pdata[i]);
      found = found || strstr (breaks->pdata[i], expected) != NULL;
    }
  g_assert_true (found);
  return breaks->len;
}

/* Issue #12, item 7: the run's lines, the claims it paid and the trail are sealed */
static void
test_sealed (Fixture *f, gconstpointer data)
{
  const char *tamper = data;
  const char *expected = tamper + strlen (tamper) + 1;

  test_compute (f->store, FY, 202405);
  approve_all (f);
  close_month (f, 202405, NULL);
  /* status changes after the run are audited, not breaks */
  test_set_status (f->store, LES_CLAIM_STATUS_WITHDRAWN, "sent in error", "C2");
  test_compute (f->store, FY, 202405);
  g_assert_cmpuint (count_breaks (f, NULL), ==, 0);
  g_assert_true (les_store_exec (f->store, tamper, NULL));
  g_assert_cmpuint (count_breaks (f, expected), ==, 1);
}

static const char tamper_count[] =
  "UPDATE claims SET count = 300 WHERE claim_ref = 'C1'\0a claim it paid was changed";
static const char tamper_payable[] =
  "UPDATE paid_lines SET payable = payable * 100 WHERE id = 1\0its paid lines or its total were changed";
static const char tamper_audit[] =
  "DELETE FROM audit WHERE table_name = 'claims' AND row_key = 'C1'\0was deleted (row";

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/runs/freeze", Fixture, NULL, fixture_set_up, test_freeze, fixture_tear_down);
  g_test_add ("/runs/adjustment", Fixture, NULL, fixture_set_up, test_adjustment, fixture_tear_down);
  g_test_add ("/runs/reopen", Fixture, NULL, fixture_set_up, test_reopen, fixture_tear_down);
  g_test_add ("/runs/csv", Fixture, NULL, fixture_set_up, test_csv, fixture_tear_down);
  g_test_add ("/runs/cancel", Fixture, NULL, fixture_set_up, test_cancel, fixture_tear_down);
  g_test_add ("/runs/month", Fixture, NULL, fixture_set_up, test_month, fixture_tear_down);
  g_test_add ("/runs/preview", Fixture, NULL, fixture_set_up, test_preview, fixture_tear_down);
  g_test_add ("/runs/statements", Fixture, NULL, fixture_set_up, test_statements, fixture_tear_down);
  g_test_add ("/runs/paid", Fixture, NULL, fixture_set_up, test_paid, fixture_tear_down);
  g_test_add ("/runs/approve-race", Fixture, NULL, fixture_set_up, test_approve_race, fixture_tear_down);
  g_test_add ("/runs/sealed/claim-count", Fixture, tamper_count, fixture_set_up, test_sealed, fixture_tear_down);
  g_test_add ("/runs/sealed/paid-line", Fixture, tamper_payable, fixture_set_up, test_sealed, fixture_tear_down);
  g_test_add ("/runs/sealed/audit-rows", Fixture, tamper_audit, fixture_set_up, test_sealed, fixture_tear_down);
  return g_test_run ();
}
