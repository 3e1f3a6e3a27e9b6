/* les-runs.c: payment runs — closing a month, adjustments to paid lines, statements and the finance report. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-adjustments.h"
#include "les-compute.h"
#include "les-csv.h"
#include "les-enums.h"
#include "les-error.h"
#include "les-results.h"
#include "les-runs.h"
#include "les-store-private.h"
#include "les-value.h"
#include "les-year-status.h"

/* The model is in docs/payment-runs.md; the statements are in les-sql-runs.c. */

static char *
dup_column (LesStmt *stmt, int col)
{
  return g_strdup (les_stmt_text (stmt, col));
}

void
les_run_clear (LesRun *run)
{
  g_return_if_fail (run != NULL);

  g_clear_pointer (&run->created_at, g_free);
  g_clear_pointer (&run->created_by, g_free);
  g_clear_pointer (&run->reopened_at, g_free);
  g_clear_pointer (&run->reopened_by, g_free);
  g_clear_pointer (&run->reopen_reason, g_free);
}

static void
read_run (LesStmt *stmt, LesRun *run)
{
  run->run_id = les_stmt_int64 (stmt, 0);
  run->year = les_stmt_int (stmt, 1);
  run->month = les_stmt_period (stmt, 2);
  run->created_at = dup_column (stmt, 3);
  run->created_by = dup_column (stmt, 4);
  run->total = les_stmt_int64 (stmt, 5);
  run->n_lines = les_stmt_int64 (stmt, 6);
  run->reopened = !les_stmt_is_null (stmt, 7);
  run->reopened_at = dup_column (stmt, 7);
  run->reopened_by = dup_column (stmt, 8);
  run->reopen_reason = dup_column (stmt, 9);
}

static void
statement_line_clear (LesStatementLine *line)
{
  g_free (line->service_code);
  g_free (line->service_name);
  g_free (line->rule_code);
  g_free (line->rule_description);
  g_free (line->rule_kind);
  g_free (line->held_reason);
  g_strfreev (line->claim_refs);
}

static void
statement_decision_clear (LesStatementDecision *d)
{
  g_free (d->claim_ref);
  g_free (d->service_code);
  g_free (d->service_name);
  g_free (d->item_code);
  g_free (d->reason);
}

void
les_statement_free (LesStatement *statement)
{
  if (statement == NULL)
    return;
  les_run_clear (&statement->run);
  g_free (statement->organisation);
  g_free (statement->practice_code);
  g_free (statement->practice_name);
  g_free (statement->pcn_code);
  g_free (statement->pcn_name);
  g_clear_pointer (&statement->lines, g_array_unref);
  g_clear_pointer (&statement->decisions, g_array_unref);
  g_free (statement);
}

static void
report_row_clear (LesReportRow *row)
{
  g_free (row->service_code);
  g_free (row->service_name);
}

void
les_report_free (LesReport *report)
{
  if (report == NULL)
    return;
  g_free (report->organisation);
  g_free (report->generated_at);
  g_free (report->stale_text);
  g_clear_pointer (&report->rows, g_array_unref);
  report_row_clear (&report->totals);
  g_free (report);
}

/* The latest live run's number and month, or 0 (failures count as none) */
static gint64
latest_live_run (LesStore *store, int fy, gint32 *month)
{
  gint64 run_id;

  les_adjustments_latest_run (store, fy, &run_id, month, NULL);
  return run_id;
}

/**
 * les_runs_next_open_month:
 *
 * Returns: the first month of @fy after its latest run (April when there
 * is none), or 0 when March has been closed.
 */
gint32
les_runs_next_open_month (LesStore *store, int fy)
{
  gint32 month;

  g_return_val_if_fail (LES_IS_STORE (store), 0);

  if (latest_live_run (store, fy, &month) == 0)
    return les_fy_period (fy, 1);
  if (les_period_month_number (month) == 12)
    return 0;
  return les_period_add_months (month, 1);
}

gint64
les_runs_pending_adjustments (LesStore *store, int fy, gint64 *amount)
{
  LesStmt *stmt;
  gint64 n = 0;

  g_return_val_if_fail (LES_IS_STORE (store), 0);

  if (amount != NULL)
    *amount = 0;
  stmt = les_store_prepare (store, les_sql_adjustments_pending, NULL);
  if (stmt == NULL)
    return 0;
  les_stmt_bind_int64 (stmt, 1, fy);
  if (les_stmt_step (stmt, NULL) == LES_STEP_ROW)
    {
      n = les_stmt_int64 (stmt, 0);
      if (amount != NULL)
        *amount = les_stmt_int64 (stmt, 1);
    }
  les_stmt_reset (stmt);
  return n;
}

/* The latest month a run of @fy may close: the month its stored compute
 * reached, or, never computed, the month the year is worked to (which the
 * run then computes to).  0 with @error set on a database error. */
static gint32
closable_to (LesStore *store, int fy, gboolean *computed, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gint32 to = 0;

  *computed = TRUE;
  if (les_results_get_compute (store, fy, &to, NULL, NULL, &local_error))
    return to;
  if (!g_error_matches (local_error, LES_ERROR, LES_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return 0;
    }
  *computed = FALSE;
  return les_year_get_to_period (store, fy, NULL, error);
}

static gboolean
check_month (LesStore *store, int fy, gint32 month, gint32 *limit, GError **error)
{
  g_autofree char *year = les_year_format (fy);
  gint32 last_month, to;
  gboolean computed;
  gint64 last;
  char text[8];

  les_period_format (month, text);
  if (les_period_fy (month) != fy)
    {
      g_set_error (error, LES_ERROR, LES_ERROR_INVALID, _("%s is not a month of %s"), text, year);
      return FALSE;
    }
  last = latest_live_run (store, fy, &last_month);
  if (last != 0 && last_month >= month)
    {
      char last_text[8];

      les_period_format (last_month, last_text);
      g_set_error (error, LES_ERROR, LES_ERROR_CONFLICT,
                   _("%s is already closed: run %" G_GINT64_FORMAT " closed %s; re-open that run first, "
                     "or close a later month"), text, last, last_text);
      return FALSE;
    }
  /* a run pays every line due up to its month: one closed before the
   * figures reach it would pay instalments of months not yet reached */
  to = closable_to (store, fy, &computed, error);
  if (to == 0)
    return FALSE;
  if (month > to)
    {
      char to_text[8];

      les_period_format (to, to_text);
      if (computed)
        g_set_error (error, LES_ERROR, LES_ERROR_CONFLICT,
                     _("%s cannot be closed yet: %s is computed only to %s; compute it to %s first"),
                     text, year, to_text, text);
      else
        g_set_error (error, LES_ERROR, LES_ERROR_CONFLICT,
                     _("%s cannot be closed yet: %s is worked to %s; compute it to %s first"),
                     text, year, to_text, text);
      return FALSE;
    }
  if (limit != NULL)
    *limit = to;
  return TRUE;
}

/**
 * les_runs_check_month:
 * @limit: (out) (optional): the latest month that can be closed now
 *
 * Whether a run could close @month now: a month of @fy after the latest
 * run's, and not after the month the year is computed to (or, never
 * computed, worked to).  The error says why not, for people.
 */
gboolean
les_runs_check_month (LesStore *store, int fy, gint32 month, gint32 *limit, GError **error)
{
  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return check_month (store, fy, month, limit, error);
}

/**
 * les_runs_default_month:
 *
 * Returns: the month a run closes unless told otherwise: the month after
 * the latest run (April when there is none), 0 when March is closed.
 */
gint32
les_runs_default_month (LesStore *store, int fy)
{
  return les_runs_next_open_month (store, fy);
}

/* Long statements stop when @cancellable is cancelled. */
static void
watch_cancellable (LesStore *store, GCancellable *cancellable)
{
  if (cancellable != NULL)
    les_store_set_cancellable (store, cancellable);
}

/* Stops watching; a failure after cancelling is reported as the cancel. */
static gboolean
unwatch_cancellable (LesStore *store, GCancellable *cancellable, gboolean ok, GError *local_error, GError **error)
{
  if (cancellable != NULL)
    les_store_set_cancellable (store, NULL);
  if (ok)
    {
      g_clear_error (&local_error);
      return TRUE;
    }
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_clear_error (&local_error);
      g_cancellable_set_error_if_cancelled (cancellable, &local_error);
    }
  g_propagate_error (error, local_error);
  return FALSE;
}

static void
bind_year_month (LesStmt *stmt, int fy, gint32 month)
{
  char text[8];

  les_period_format (month, text);
  les_stmt_bind_int64 (stmt, 1, fy);
  les_stmt_bind_text (stmt, 2, text);
}

static void
preview_row_clear (LesRunPreviewRow *row)
{
  g_free (row->service_code);
  g_free (row->service_name);
}

void
les_run_preview_free (LesRunPreview *preview)
{
  if (preview == NULL)
    return;
  g_clear_pointer (&preview->services, g_array_unref);
  preview_row_clear (&preview->totals);
  g_free (preview);
}

/* Adds @n lines, @amount and @n_held / @held of category @what (les_sql_runs_preview) to @row */
static void
preview_add (LesRunPreviewRow *row, int what, gint64 n, gint64 amount, gint64 n_held, gint64 held)
{
  switch (what)
    {
    case 0:
      row->n_paid += n;
      row->paid += amount;
      row->n_held += n_held;
      row->held += held;
      break;
    case 1:
      row->n_unapproved += n;
      row->unapproved += amount;
      break;
    case 2:
      row->n_not_due += n;
      row->not_due += amount;
      break;
    case 3:
      row->n_adjustments += n;
      row->adjustments += amount;
      break;
    case 4:
    default:
      row->n_adjustments_waiting += n;
      row->adjustments_waiting += amount;
      break;
    }
}

/**
 * les_runs_preview_month:
 * @cancellable: (nullable): stops the statement
 *
 * What closing @month would pay now, per service, from the stored
 * compute: the approved (or scheduled) lines due and the adjustments it
 * would pay, the amounts held on them, and what it would leave out —
 * lines waiting for claims to be approved and lines of later months.  A
 * run computes the year again first: when the figures are out of date
 * (@stale) what it pays may differ.  Fails as les_runs_check_month() when
 * @month cannot be closed.
 *
 * Returns: (transfer full): the preview, or NULL with @error set.
 */
LesRunPreview *
les_runs_preview_month (LesStore *store, int fy, gint32 month, GCancellable *cancellable, GError **error)
{
  g_autoptr(LesRunPreview) preview = NULL;
  GError *local_error = NULL;
  LesStaleness stale = 0;
  LesStmt *stmt;
  LesStep rc = LES_STEP_ERROR;
  gint32 limit = 0;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_month (store, fy, month, &limit, error))
    return NULL;
  preview = g_new0 (LesRunPreview, 1);
  preview->year = fy;
  preview->month = month;
  if (!les_results_get_compute (store, fy, &preview->computed_to, NULL, NULL, NULL))
    preview->computed_to = 0;
  les_results_is_stale (store, fy, &stale);
  preview->stale = stale;
  preview->services = g_array_new (FALSE, TRUE, sizeof (LesRunPreviewRow));
  g_array_set_clear_func (preview->services, (GDestroyNotify) preview_row_clear);

  watch_cancellable (store, cancellable);
  stmt = les_store_prepare (store, les_sql_runs_preview, &local_error);
  if (stmt != NULL)
    {
      bind_year_month (stmt, fy, month);
      while ((rc = les_stmt_step (stmt, &local_error)) == LES_STEP_ROW)
        {
          const char *code = les_stmt_text (stmt, 0);
          LesRunPreviewRow *row = preview->services->len > 0
                                  ? &g_array_index (preview->services, LesRunPreviewRow, preview->services->len - 1)
                                  : NULL;
          int what = les_stmt_int (stmt, 2);
          gint64 n = les_stmt_int64 (stmt, 3), amount = les_stmt_int64 (stmt, 4);
          gint64 n_held = les_stmt_int64 (stmt, 5), held = les_stmt_int64 (stmt, 6);

          if (row == NULL || g_strcmp0 (row->service_code, code) != 0)
            {
              LesRunPreviewRow fresh = { g_strdup (code), g_strdup (les_stmt_text (stmt, 1)) };

              g_array_append_val (preview->services, fresh);
              row = &g_array_index (preview->services, LesRunPreviewRow, preview->services->len - 1);
            }
          preview_add (row, what, n, amount, n_held, held);
          preview_add (&preview->totals, what, n, amount, n_held, held);
        }
      les_stmt_reset (stmt);
    }
  if (!unwatch_cancellable (store, cancellable, rc == LES_STEP_DONE, local_error, error))
    return NULL;
  return g_steal_pointer (&preview);
}

/**
 * les_runs_preview:
 *
 * What closing @month would pay now, from the stored compute: lines due
 * and approved and the adjustments that can be paid.
 */
gboolean
les_runs_preview (LesStore      *store,
                  int            fy,
                  gint32         month,
                  GCancellable  *cancellable,
                  gint64        *total,
                  gint64        *n_lines,
                  GError       **error)
{
  g_autoptr(LesRunPreview) preview = NULL;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *total = 0;
  *n_lines = 0;
  preview = les_runs_preview_month (store, fy, month, cancellable, error);
  if (preview == NULL)
    return FALSE;
  *total = preview->totals.paid + preview->totals.adjustments;
  *n_lines = preview->totals.n_paid + preview->totals.n_adjustments;
  return TRUE;
}

/* Freezes the lines due and the adjustments that can be paid as run @run_id. */
static gboolean
pay (LesStore *store, int fy, gint32 month, gint64 run_id, GError **error)
{
  static const char *inserts[] = { les_sql_runs_pay_lines, les_sql_runs_pay_adjustments };
  LesStmt *stmt;
  char next_text[8];

  for (guint i = 0; i < G_N_ELEMENTS (inserts); i++)
    {
      stmt = les_store_prepare (store, inserts[i], error);
      if (stmt == NULL)
        return FALSE;
      bind_year_month (stmt, fy, month);
      les_stmt_bind_int64 (stmt, 3, run_id);
      if (!les_stmt_run (stmt, error))
        return FALSE;
    }

  stmt = les_store_prepare (store, les_sql_runs_drop_paid_adjustments, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, fy);
  les_stmt_bind_int64 (stmt, 2, run_id);
  if (!les_stmt_run (stmt, error))
    return FALSE;

  /* those not paid (claims not yet approved) wait for the next open month */
  les_period_format (les_period_add_months (month, 1), next_text);
  stmt = les_store_prepare (store, les_sql_runs_postpone_adjustments, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, fy);
  les_stmt_bind_text (stmt, 2, next_text);
  if (!les_stmt_run (stmt, error))
    return FALSE;

  stmt = les_store_prepare (store, les_sql_runs_set_totals, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, run_id);
  if (!les_stmt_run (stmt, error))
    return FALSE;

  stmt = les_store_prepare (store, les_sql_runs_insert_totals, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, run_id);
  return les_stmt_run (stmt, error);
}

typedef struct {
  LesProgressFunc  func;
  gpointer         user_data;
} Progress;

static void
report_progress (Progress *p, double fraction, const char *label)
{
  if (p->func != NULL)
    p->func (fraction, label, p->user_data);
}

/* The compute a run makes is most of its work */
static void
compute_progress_cb (double fraction, const char *label, gpointer user_data)
{
  report_progress (user_data, 0.8 * fraction, label);
}

static gboolean
close_month (LesStore *store, int fy, gint32 month, Progress *progress, GCancellable *cancellable, LesRun *made,
             GError **error)
{
  g_autofree char *now = les_now_iso8601 ();
  g_autofree char *year = les_year_format (fy);
  LesStmt *stmt;
  gint32 to = 0;
  gint64 run_id = 0;
  LesStep rc;
  char month_text[8];

  les_period_format (month, month_text);
  if (!les_store_begin (store, error))
    return FALSE;
  /* in the transaction, so that no other run closes the month meanwhile;
   * the year is computed again to the month it was computed to, so that
   * the run pays what the data say now */
  if (!check_month (store, fy, month, &to, error))
    goto fail;
  /* a failed compute has rolled the transaction back already */
  if (!les_compute_year (store, fy, to, compute_progress_cb, progress, cancellable, NULL, error))
    goto fail;

  report_progress (progress, 0.8, _("Paying the lines due…"));
  stmt = les_store_prepare (store, les_sql_runs_insert, error);
  if (stmt == NULL)
    goto fail;
  bind_year_month (stmt, fy, month);
  les_stmt_bind_text (stmt, 3, now);
  les_stmt_bind_text (stmt, 4, g_get_user_name ());
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    run_id = les_stmt_int64 (stmt, 0);
  les_stmt_reset (stmt);
  if (rc != LES_STEP_ROW)
    goto fail;

  if (!pay (store, fy, month, run_id, error) || !les_runs_get (store, run_id, made, error))
    goto fail;
  if (made->n_lines == 0)
    {
      g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND,
                   _("Nothing is due for %s or earlier in %s: no computed line is both unpaid and approved"),
                   month_text, year);
      goto fail;
    }
  {
    g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, run_id);
    g_autofree char *total = les_money_format (made->total);
    g_autofree char *after = g_strdup_printf ("run %" G_GINT64_FORMAT " of %s closes %s: %" G_GINT64_FORMAT
                                              " lines, total %s", run_id, year, month_text, made->n_lines, total);

    g_autofree char *seal = les_chain_seal_run (store, run_id, error);

    /* the trail vouches for the lines the run froze */
    if (seal == NULL
        || !les_store_audit_sealed (store, "payment-run", "payment_runs", key, NULL, after, seal, error))
      goto fail;
  }
  /* the last moment a cancel can still leave everything as it was */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;
  report_progress (progress, 0.95, _("Saving the run…"));
  return les_store_commit (store, error);

fail:
  les_store_rollback (store);
  return FALSE;
}

/**
 * les_runs_close_month:
 * @month: the month to close (YYYYMM), after the latest run's
 * @progress: (nullable): told how far the work has got
 * @cancellable: (nullable): cancelling rolls back and leaves the database as it was
 * @run: (out caller-allocates) (optional): the new run; clear with les_run_clear()
 *
 * In one transaction: recomputes the year to the later of the last
 * compute's month and @month (so the run pays what the data say now),
 * pays the lines of @month and earlier not yet paid whose claims are
 * approved, and the adjustments to earlier runs, and freezes them.
 * Fails with LES_ERROR_NOT_FOUND when nothing is due, with
 * G_IO_ERROR_CANCELLED when cancelled.  Safe to run on a worker thread
 * with its own store (les_store_dup()).
 */
gboolean
les_runs_close_month (LesStore         *store,
                      int               fy,
                      gint32            month,
                      LesProgressFunc   progress,
                      gpointer          user_data,
                      GCancellable     *cancellable,
                      LesRun           *run,
                      GError          **error)
{
  Progress p = { progress, user_data };
  GError *local_error = NULL;
  LesRun made = { 0 };
  gboolean ok;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  report_progress (&p, 0, _("Computing the year…"));
  watch_cancellable (store, cancellable);
  ok = close_month (store, fy, month, &p, cancellable, &made, &local_error);
  if (!unwatch_cancellable (store, cancellable, ok, local_error, error))
    {
      les_run_clear (&made);
      return FALSE;
    }
  report_progress (&p, 1.0, NULL);
  if (run != NULL)
    *run = made;
  else
    les_run_clear (&made);
  return TRUE;
}

static gboolean
reopen (LesStore *store, gint64 run_id, const char *why, GError **error)
{
  g_autofree char *now = les_now_iso8601 ();
  LesRun run = { 0 };
  LesStmt *stmt;
  gint32 latest_month, to = 0;
  gint64 latest;

  if (!les_store_begin (store, error))
    return FALSE;
  if (!les_runs_get (store, run_id, &run, error))
    goto fail;
  latest = latest_live_run (store, run.year, &latest_month);
  if (run.reopened || latest != run_id)
    {
      if (run.reopened)
        g_set_error (error, LES_ERROR, LES_ERROR_CONFLICT, _("Run %" G_GINT64_FORMAT " is already re-opened"),
                     run_id);
      else
        g_set_error (error, LES_ERROR, LES_ERROR_CONFLICT,
                     _("Only the latest run can be re-opened: run %" G_GINT64_FORMAT " came after run %"
                       G_GINT64_FORMAT), latest, run_id);
      goto fail;
    }
  stmt = les_store_prepare (store, les_sql_runs_reopen, error);
  if (stmt == NULL)
    goto fail;
  les_stmt_bind_int64 (stmt, 1, run_id);
  les_stmt_bind_text (stmt, 2, now);
  les_stmt_bind_text (stmt, 3, g_get_user_name ());
  les_stmt_bind_text (stmt, 4, why);
  if (!les_stmt_run (stmt, error))
    goto fail;
  /* what the re-opened run paid is owed again, differences included */
  if (!les_results_get_compute (store, run.year, &to, NULL, NULL, error)
      || !les_adjustments_update (store, run.year, to, error))
    goto fail;
  {
    g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, run_id);
    g_autofree char *total = les_money_format (run.total);
    char month_text[8];
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;

    les_period_format (run.month, month_text);
    before = g_strdup_printf ("run %" G_GINT64_FORMAT " closed %s: %" G_GINT64_FORMAT " lines, total %s",
                              run_id, month_text, run.n_lines, total);
    after = g_strdup_printf ("re-opened; reason: %s", why);
    if (!les_store_audit (store, "reopen-run", "payment_runs", key, before, after, error))
      goto fail;
  }
  les_run_clear (&run);
  return les_store_commit (store, error);

fail:
  les_run_clear (&run);
  les_store_rollback (store);
  return FALSE;
}

/**
 * les_runs_reopen:
 * @reason: why, for the audit trail (required)
 * @cancellable: (nullable): cancelling rolls back and leaves the database as it was
 *
 * Re-opens the latest run of its year: its lines count as unpaid again
 * (they are kept, marked, for the record) and its month can be closed
 * again.  Safe to run on a worker thread with its own store.
 */
gboolean
les_runs_reopen (LesStore *store, gint64 run_id, const char *reason, GCancellable *cancellable, GError **error)
{
  g_autofree char *why = NULL;
  GError *local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  why = g_strstrip (g_strdup (reason != NULL ? reason : ""));
  if (why[0] == '\0')
    {
      g_set_error_literal (error, LES_ERROR, LES_ERROR_INVALID, _("A reason is needed to re-open a payment run"));
      return FALSE;
    }
  watch_cancellable (store, cancellable);
  ok = reopen (store, run_id, why, &local_error);
  if (!unwatch_cancellable (store, cancellable, ok, local_error, error))
    return FALSE;
  return TRUE;
}

GArray *
les_runs_list (LesStore *store, int fy, GError **error)
{
  g_autoptr(GArray) runs = g_array_new (FALSE, TRUE, sizeof (LesRun));
  LesStmt *stmt;
  LesStep rc;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  g_array_set_clear_func (runs, (GDestroyNotify) les_run_clear);
  stmt = les_store_prepare (store, les_sql_runs_list, error);
  if (stmt == NULL)
    return NULL;
  les_stmt_bind_int64 (stmt, 1, fy);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      LesRun run = { 0 };

      read_run (stmt, &run);
      g_array_append_val (runs, run);
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return NULL;
  return g_steal_pointer (&runs);
}

gboolean
les_runs_get (LesStore *store, gint64 run_id, LesRun *run, GError **error)
{
  LesStmt *stmt;
  LesStep rc;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (run != NULL, FALSE);

  stmt = les_store_prepare (store, les_sql_runs_get, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, run_id);
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    read_run (stmt, run);
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ROW)
    return TRUE;
  if (rc == LES_STEP_ERROR)
    return FALSE;
  g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND, _("There is no payment run %" G_GINT64_FORMAT), run_id);
  return FALSE;
}

GStrv
les_runs_list_practices (LesStore *store, gint64 run_id, GStrv *names, GError **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GStrvBuilder) name_builder = g_strv_builder_new ();
  LesStmt *stmt;
  LesStep rc;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  stmt = les_store_prepare (store, les_sql_runs_practices, error);
  if (stmt == NULL)
    return NULL;
  les_stmt_bind_int64 (stmt, 1, run_id);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      g_strv_builder_add (builder, les_stmt_text (stmt, 0));
      g_strv_builder_add (name_builder, les_stmt_text (stmt, 1));
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return NULL;
  if (names != NULL)
    *names = g_strv_builder_end (name_builder);
  return g_strv_builder_end (builder);
}

gboolean
les_runs_record_statement (LesStore *store, const LesStatement *statement, const char *form, GError **error)
{
  g_autofree char *key = NULL;
  g_autofree char *payable = NULL;
  g_autofree char *after = NULL;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (statement != NULL, FALSE);

  key = g_strdup_printf ("%" G_GINT64_FORMAT "/%s", statement->run.run_id, statement->practice_code);
  payable = les_money_format (statement->payable);
  after = g_strdup_printf ("statement of run %" G_GINT64_FORMAT " for %s issued as %s: %u lines, paid %s",
                           statement->run.run_id, statement->practice_code, form, statement->lines->len, payable);
  return les_store_audit (store, "issue-statement", "payment_runs", key, NULL, after, error);
}

gboolean
les_runs_record_report (LesStore *store, const LesReport *report, const char *form, GError **error)
{
  g_autofree char *year = NULL;
  g_autofree char *after = NULL;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (report != NULL, FALSE);

  year = les_year_format (report->year);
  after = g_strdup_printf ("reconciliation report of %s issued as %s: %" G_GINT64_FORMAT " runs", year, form,
                           report->n_runs);
  return les_store_audit (store, "issue-report", "payment_runs", year, NULL, after, error);
}

char *
les_runs_get_organisation (LesStore *store)
{
  LesStmt *stmt = les_store_prepare (store, les_sql_meta_get, NULL);
  char *name = NULL;

  if (stmt != NULL)
    {
      les_stmt_bind_text (stmt, 1, "organisation_name");
      if (les_stmt_step (stmt, NULL) == LES_STEP_ROW)
        name = dup_column (stmt, 0);
      les_stmt_reset (stmt);
    }
  return name != NULL ? name : g_strdup (_("NHS Integrated Care Board"));
}

/* Which decisions on claims go on @run's statements: those audited
 * between the previous live run's audit row and @run's own */
typedef struct {
  gint64 previous_run;
  gint64 first_id;
  gint64 last_id;
} Window;

static gboolean
decision_window (LesStore *store, const LesRun *run, Window *w, GError **error)
{
  LesStmt *stmt = les_store_prepare (store, les_sql_runs_decision_window, error);
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, run->year);
  les_stmt_bind_int64 (stmt, 2, run->run_id);
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    {
      /* the audit ids strictly between the runs' own rows */
      w->previous_run = les_stmt_int64 (stmt, 0);
      w->first_id = les_stmt_int64 (stmt, 1) + 1;
      w->last_id = les_stmt_int64 (stmt, 2) - 1;
    }
  les_stmt_reset (stmt);
  return rc == LES_STEP_ROW;
}

static gboolean
read_practice (LesStore *store, LesStatement *st, const char *code, GError **error)
{
  LesStmt *stmt = les_store_prepare (store, les_sql_runs_statement_practice, error);
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_text (stmt, 1, code);
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    {
      st->practice_code = dup_column (stmt, 0);
      st->practice_name = dup_column (stmt, 1);
      st->pcn_code = dup_column (stmt, 2);
      st->pcn_name = dup_column (stmt, 3);
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_DONE)
    g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND, _("There is no practice %s"), code);
  return rc == LES_STEP_ROW;
}

static gboolean
read_lines (LesStore *store, LesStatement *st, GError **error)
{
  LesStmt *stmt = les_store_prepare (store, les_sql_runs_statement_lines, error);
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, st->run.run_id);
  les_stmt_bind_text (stmt, 2, st->practice_code);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      LesStatementLine line = { 0 };

      line.id = les_stmt_int64 (stmt, 0);
      line.service_code = dup_column (stmt, 1);
      line.service_name = dup_column (stmt, 2);
      line.rule_code = dup_column (stmt, 3);
      line.rule_description = dup_column (stmt, 4);
      line.rule_kind = g_str_has_suffix (line.rule_code, ":ACH") ? g_strdup ("achievement") : dup_column (stmt, 5);
      line.period = les_stmt_period (stmt, 6);
      line.has_units = !les_stmt_is_null (stmt, 7);
      line.units = les_stmt_int64 (stmt, 7);
      line.has_rate = !les_stmt_is_null (stmt, 8);
      line.rate = les_stmt_int64 (stmt, 8);
      line.gross = les_stmt_int64 (stmt, 9);
      line.payable = les_stmt_int64 (stmt, 10);
      line.held = les_stmt_int64 (stmt, 11);
      line.held_reason = dup_column (stmt, 12);
      line.corrects_id = les_stmt_int64 (stmt, 13);
      line.corrects_run = les_stmt_int64 (stmt, 14);
      line.previously_paid = les_stmt_int64 (stmt, 15);
      st->gross += line.gross;
      st->held += line.held;
      st->payable += line.payable;
      if (line.corrects_id != 0)
        st->adjustments += line.payable;
      g_array_append_val (st->lines, line);
    }
  les_stmt_reset (stmt);
  return rc == LES_STEP_DONE;
}

/* "SERVICE/RULE/2024-05", a line's key among the claims read */
static char *
line_key (const char *service, const char *rule, gint32 period)
{
  return g_strdup_printf ("%s/%s/%06d", service, rule, period);
}

/* Each item line's claims: one read for the practice, matched by key */
static gboolean
read_claims (LesStore *store, LesStatement *st, GError **error)
{
  g_autoptr(GHashTable) by_line = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_ptr_array_unref);
  LesStmt *stmt = les_store_prepare (store, les_sql_runs_statement_claims, error);
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, st->run.year);
  les_stmt_bind_text (stmt, 2, st->practice_code);
  les_stmt_bind_int64 (stmt, 3, st->run.run_id);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      g_autofree char *key = line_key (les_stmt_text (stmt, 0), les_stmt_text (stmt, 1), les_stmt_period (stmt, 2));
      GPtrArray *refs = g_hash_table_lookup (by_line, key);

      if (refs == NULL)
        {
          refs = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (by_line, g_steal_pointer (&key), refs);
        }
      g_ptr_array_add (refs, dup_column (stmt, 3));
    }
  les_stmt_reset (stmt);
  if (rc != LES_STEP_DONE)
    return FALSE;

  for (guint i = 0; i < st->lines->len; i++)
    {
      LesStatementLine *l = &g_array_index (st->lines, LesStatementLine, i);
      g_autofree char *key = NULL;
      GPtrArray *refs;

      if (g_strcmp0 (l->rule_kind, "item") != 0)
        continue;
      key = line_key (l->service_code, l->rule_code, l->period);
      refs = g_hash_table_lookup (by_line, key);
      l->claim_refs = g_new0 (char *, (refs != NULL ? refs->len : 0) + 1);
      for (guint k = 0; refs != NULL && k < refs->len; k++)
        l->claim_refs[k] = g_strdup (refs->pdata[k]);
    }
  return TRUE;
}

static gboolean
read_decisions (LesStore *store, LesStatement *st, const Window *w, GError **error)
{
  LesStmt *stmt = les_store_prepare (store, les_sql_runs_statement_decisions, error);
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, st->run.year);
  les_stmt_bind_text (stmt, 2, st->practice_code);
  les_stmt_bind_int64 (stmt, 3, w->first_id);
  les_stmt_bind_int64 (stmt, 4, w->last_id);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      LesStatementDecision d = { 0 };

      d.claim_ref = dup_column (stmt, 0);
      d.service_code = dup_column (stmt, 1);
      d.service_name = dup_column (stmt, 2);
      d.item_code = dup_column (stmt, 3);
      d.period = les_stmt_period (stmt, 4);
      d.count = les_stmt_int64 (stmt, 5);
      d.status = les_claim_status_from_word (les_stmt_text (stmt, 6));
      d.reason = dup_column (stmt, 7);
      g_array_append_val (st->decisions, d);
    }
  les_stmt_reset (stmt);
  return rc == LES_STEP_DONE;
}

/* One practice's statement of @run (copied), with the decisions of @w */
static LesStatement *
build_statement (LesStore *store, const LesRun *run, const char *organisation, const Window *w, const char *code,
                 GError **error)
{
  g_autoptr(LesStatement) st = g_new0 (LesStatement, 1);

  st->lines = g_array_new (FALSE, TRUE, sizeof (LesStatementLine));
  g_array_set_clear_func (st->lines, (GDestroyNotify) statement_line_clear);
  st->decisions = g_array_new (FALSE, TRUE, sizeof (LesStatementDecision));
  g_array_set_clear_func (st->decisions, (GDestroyNotify) statement_decision_clear);
  st->run = *run;
  st->run.created_at = g_strdup (run->created_at);
  st->run.created_by = g_strdup (run->created_by);
  st->run.reopened_at = g_strdup (run->reopened_at);
  st->run.reopened_by = g_strdup (run->reopened_by);
  st->run.reopen_reason = g_strdup (run->reopen_reason);
  st->organisation = g_strdup (organisation);
  st->previous_run = w->previous_run;

  if (!read_practice (store, st, code, error) || !read_lines (store, st, error) || !read_claims (store, st, error)
      || !read_decisions (store, st, w, error))
    return NULL;
  return g_steal_pointer (&st);
}

/**
 * les_runs_statement:
 *
 * A practice's payment statement for one run: every line the run paid
 * the practice, with the claims each item line pays, then the
 * adjustments with the line each corrects, and the practice's claims
 * rejected or queried since the previous run, with their reasons.
 */
LesStatement *
les_runs_statement (LesStore *store, gint64 run_id, const char *practice_code, GError **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *code = NULL;
  g_autofree char *organisation = NULL;
  LesRun run = { 0 };
  LesStatement *st = NULL;
  Window w = { 0 };

  g_return_val_if_fail (LES_IS_STORE (store), NULL);
  g_return_val_if_fail (practice_code != NULL, NULL);

  if (!les_runs_get (store, run_id, &run, error))
    return NULL;
  trimmed = g_strstrip (g_strdup (practice_code));
  code = g_ascii_strup (trimmed, -1);
  organisation = les_runs_get_organisation (store);
  if (decision_window (store, &run, &w, error))
    st = build_statement (store, &run, organisation, &w, code, error);
  les_run_clear (&run);
  return st;
}

/**
 * les_runs_statements:
 * @cancellable: (nullable): checked between practices
 *
 * Every statement of a run, by practice code: each practice the run paid,
 * and each whose claims were rejected or queried since the previous run
 * (a statement with no lines tells them why).
 */
GPtrArray *
les_runs_statements (LesStore *store, gint64 run_id, GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) statements = g_ptr_array_new_with_free_func ((GDestroyNotify) les_statement_free);
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *organisation = NULL;
  LesRun run = { 0 };
  Window w = { 0 };
  LesStmt *stmt;
  LesStep rc;
  gboolean ok = FALSE;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!les_runs_get (store, run_id, &run, error))
    return NULL;
  organisation = les_runs_get_organisation (store);
  if (!decision_window (store, &run, &w, error))
    goto out;
  stmt = les_store_prepare (store, les_sql_runs_statement_practices, error);
  if (stmt == NULL)
    goto out;
  les_stmt_bind_int64 (stmt, 1, run_id);
  les_stmt_bind_int64 (stmt, 2, run.year);
  les_stmt_bind_int64 (stmt, 3, w.first_id);
  les_stmt_bind_int64 (stmt, 4, w.last_id);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    g_ptr_array_add (codes, dup_column (stmt, 0));
  les_stmt_reset (stmt);
  if (rc != LES_STEP_DONE)
    goto out;

  for (guint i = 0; i < codes->len; i++)
    {
      LesStatement *st;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      st = build_statement (store, &run, organisation, &w, codes->pdata[i], error);
      if (st == NULL)
        goto out;
      g_ptr_array_add (statements, st);
    }
  ok = TRUE;

out:
  les_run_clear (&run);
  return ok ? g_steal_pointer (&statements) : NULL;
}

char *
les_runs_held_reason_text (const char *codes)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  static const char *order[] = { "OVER_UNIT_CAP", "OVER_PRACTICE_CAP", "OVER_SERVICE_CAP" };

  if (codes == NULL || codes[0] == '\0')
    return g_strdup ("");
  parts = g_strsplit (codes, ",", -1);
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      const char *what;

      if (!g_strv_contains ((const char *const *) parts, order[i]))
        continue;
      what = i == 0 ? _("over the unit cap") : i == 1 ? _("over the practice cap") : _("over the service budget");
      if (text->len > 0)
        g_string_append (text, "; ");
      g_string_append (text, what);
    }
  if (text->len > 0)
    text->str[0] = g_ascii_toupper (text->str[0]);
  return g_strdup (text->str);
}

static char *
money_or_blank (gboolean present, gint64 pence)
{
  return present ? les_money_format (pence) : g_strdup ("");
}

static const char *statement_header[] = {
  "run", "run_month", "practice_code", "practice_name", "kind", "service_code", "service_name", "rule_code",
  "description", "period", "units", "rate", "gross", "held", "held_reason", "paid", "corrects_run",
  "previously_paid", "claims",
};
#define N_STATEMENT_COLUMNS G_N_ELEMENTS (statement_header)

/* The rows of one statement (docs/payment-runs.md), its total last */
static void
append_statement_rows (GString *buf, LesStatement *st)
{
  g_autofree char *run = g_strdup_printf ("%" G_GINT64_FORMAT, st->run.run_id);
  char month[8];

  les_period_format (st->run.month, month);
  for (guint i = 0; i < st->lines->len; i++)
    {
      const LesStatementLine *l = &g_array_index (st->lines, LesStatementLine, i);
      g_autofree char *units = l->has_units ? g_strdup_printf ("%" G_GINT64_FORMAT, l->units) : g_strdup ("");
      g_autofree char *rate = l->has_rate ? les_rate_format (l->rate) : g_strdup ("");
      g_autofree char *gross = les_money_format (l->gross);
      g_autofree char *held = les_money_format (l->held);
      g_autofree char *paid = les_money_format (l->payable);
      g_autofree char *corrects = l->corrects_id ? g_strdup_printf ("%" G_GINT64_FORMAT, l->corrects_run)
                                                 : g_strdup ("");
      g_autofree char *before = money_or_blank (l->corrects_id != 0, l->previously_paid);
      g_autofree char *claims = l->claim_refs != NULL ? g_strjoinv (" ", l->claim_refs) : NULL;
      char period[8];
      const char *row[N_STATEMENT_COLUMNS];

      les_period_format (l->period, period);
      row[0] = run;
      row[1] = month;
      row[2] = st->practice_code;
      row[3] = st->practice_name;
      row[4] = l->corrects_id ? "adjustment" : "line";
      row[5] = l->service_code;
      row[6] = l->service_name;
      row[7] = l->rule_code;
      row[8] = l->rule_description;
      row[9] = period;
      row[10] = units;
      row[11] = rate;
      row[12] = gross;
      row[13] = held;
      row[14] = l->held_reason;
      row[15] = paid;
      row[16] = corrects;
      row[17] = before;
      row[18] = claims;
      les_csv_append_row (buf, row, N_STATEMENT_COLUMNS);
    }
  /* claims rejected or queried: the reason in description, the claim in claims */
  for (guint i = 0; i < st->decisions->len; i++)
    {
      const LesStatementDecision *d = &g_array_index (st->decisions, LesStatementDecision, i);
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, d->count);
      char period[8];
      const char *row[N_STATEMENT_COLUMNS] = { run, month, st->practice_code, st->practice_name };

      les_period_format (d->period, period);
      row[4] = d->status >= 0 ? les_claim_status_to_word (d->status) : "";
      row[5] = d->service_code;
      row[6] = d->service_name;
      row[7] = d->item_code;
      row[8] = d->reason;
      row[9] = period;
      row[10] = count;
      row[18] = d->claim_ref;
      les_csv_append_row (buf, row, N_STATEMENT_COLUMNS);
    }
  {
    g_autofree char *gross = les_money_format (st->gross);
    g_autofree char *held = les_money_format (st->held);
    g_autofree char *paid = les_money_format (st->payable);
    const char *row[N_STATEMENT_COLUMNS] = { run, month, st->practice_code, st->practice_name, "total" };

    row[12] = gross;
    row[13] = held;
    row[15] = paid;
    les_csv_append_row (buf, row, N_STATEMENT_COLUMNS);
  }
}

/**
 * les_statement_write_csv:
 *
 * The statement as CSV (docs/payment-runs.md): one row per line, kind
 * `line` or `adjustment`, one per claim `rejected` or `queried` since the
 * previous run, then one `total` row.
 */
gboolean
les_statement_write_csv (LesStatement *st, GOutputStream *out, GCancellable *cancellable, GError **error)
{
  g_autoptr(GString) buf = g_string_new (NULL);

  g_return_val_if_fail (st != NULL, FALSE);

  les_csv_append_row (buf, statement_header, N_STATEMENT_COLUMNS);
  append_statement_rows (buf, st);
  return les_csv_flush (out, buf, 0, cancellable, error);
}

gboolean
les_statements_write_csv (GPtrArray *statements, GOutputStream *out, GCancellable *cancellable, GError **error)
{
  g_autoptr(GString) buf = g_string_new (NULL);

  g_return_val_if_fail (statements != NULL, FALSE);

  les_csv_append_row (buf, statement_header, N_STATEMENT_COLUMNS);
  for (guint i = 0; i < statements->len; i++)
    {
      append_statement_rows (buf, statements->pdata[i]);
      if (!les_csv_flush (out, buf, 256 * 1024, cancellable, error))
        return FALSE;
    }
  return les_csv_flush (out, buf, 0, cancellable, error);
}

void
les_paid_row_clear (LesPaidRow *row)
{
  g_return_if_fail (row != NULL);

  g_clear_pointer (&row->service_code, g_free);
  g_clear_pointer (&row->service_name, g_free);
}

/**
 * les_runs_paid_outstanding:
 * @totals: (out caller-allocates) (optional): the sums of every row
 *   (has_budget when any service has a budget); clear it with
 *   les_paid_row_clear()
 *
 * Per service of @fy, by code: the budget, what is payable to date and
 * held (the last compute; 0 when never computed), what live payment runs
 * have paid, adjustments included, and what is outstanding — payable not
 * yet paid.  Reads a few rows per service and run, not the lines.
 *
 * Returns: (transfer full) (element-type LesPaidRow): the rows, or NULL
 * with @error set.
 */
GArray *
les_runs_paid_outstanding (LesStore *store, int fy, LesPaidRow *totals, GError **error)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (LesPaidRow));
  LesPaidRow sum = { 0 };
  LesStmt *stmt;
  LesStep rc;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  g_array_set_clear_func (rows, (GDestroyNotify) les_paid_row_clear);
  stmt = les_store_prepare (store, les_sql_runs_paid_outstanding, error);
  if (stmt == NULL)
    return NULL;
  les_stmt_bind_int64 (stmt, 1, fy);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      LesPaidRow row = { 0 };

      row.service_code = dup_column (stmt, 0);
      row.service_name = dup_column (stmt, 1);
      row.has_budget = !les_stmt_is_null (stmt, 2);
      row.budget = les_stmt_int64 (stmt, 2);
      row.payable = les_stmt_int64 (stmt, 3);
      row.held = les_stmt_int64 (stmt, 4);
      row.paid = les_stmt_int64 (stmt, 5);
      row.outstanding = row.payable - row.paid;
      sum.has_budget |= row.has_budget;
      sum.budget += row.budget;
      sum.payable += row.payable;
      sum.held += row.held;
      sum.paid += row.paid;
      sum.outstanding += row.outstanding;
      g_array_append_val (rows, row);
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return NULL;
  if (totals != NULL)
    {
      sum.service_name = g_strdup (_("Total"));
      *totals = sum;
    }
  return g_steal_pointer (&rows);
}

/**
 * les_runs_report:
 *
 * The reconciliation report for finance: RULES.md 7 per service, with
 * what payment runs have paid and what is payable but not yet paid.
 */
LesReport *
les_runs_report (LesStore *store, int fy, GError **error)
{
  g_autoptr(LesReport) report = g_new0 (LesReport, 1);
  g_autoptr(GArray) rec = NULL;
  g_autoptr(GHashTable) paid = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  LesStmt *stmt;
  LesStep rc;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  rec = les_results_reconciliation (store, fy, error);
  if (rec == NULL || !les_results_get_compute (store, fy, &report->to_period, NULL, NULL, error))
    return NULL;
  report->year = fy;
  report->organisation = les_runs_get_organisation (store);
  report->generated_at = les_now_iso8601 ();
  {
    g_auto(LesYearStatus) status = { 0 };

    if (!les_year_status_get (store, fy, &status, error))
      return NULL;
    report->stale = status.stale;
    report->stale_text = les_year_status_describe (&status);
  }
  report->rows = g_array_new (FALSE, TRUE, sizeof (LesReportRow));
  g_array_set_clear_func (report->rows, (GDestroyNotify) report_row_clear);
  report->totals.service_name = g_strdup (_("Total"));

  stmt = les_store_prepare (store, les_sql_runs_paid_by_service, error);
  if (stmt == NULL)
    return NULL;
  les_stmt_bind_int64 (stmt, 1, fy);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      gint64 *amount = g_new (gint64, 1);

      *amount = les_stmt_int64 (stmt, 1);
      g_hash_table_insert (paid, dup_column (stmt, 0), amount);
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return NULL;
  stmt = les_store_prepare (store, les_sql_runs_live_count, error);
  if (stmt == NULL)
    return NULL;
  les_stmt_bind_int64 (stmt, 1, fy);
  if (les_stmt_step (stmt, NULL) == LES_STEP_ROW)
    {
      report->n_runs = les_stmt_int64 (stmt, 0);
      report->last_run_month = les_stmt_period (stmt, 1);
    }
  les_stmt_reset (stmt);

  for (guint i = 0; i < rec->len; i++)
    {
      const LesReconciliationRow *r = &g_array_index (rec, LesReconciliationRow, i);
      const gint64 *amount = g_hash_table_lookup (paid, r->service_code);
      LesReportRow row = { 0 };
      LesReportRow *t = &report->totals;

      row.service_code = g_strdup (r->service_code);
      row.service_name = g_strdup (r->service_name);
      row.has_budget = r->has_budget;
      row.budget = r->budget;
      row.paid = amount ? *amount : 0;
      row.unpaid = r->payable - row.paid;
      row.held = r->held;
      row.ledger = r->ledger;
      row.ledger_variance = row.paid - row.ledger;
      row.forecast = r->forecast;
      row.variance = r->variance;

      t->has_budget |= row.has_budget;
      t->budget += row.budget;
      t->paid += row.paid;
      t->unpaid += row.unpaid;
      t->held += row.held;
      t->ledger += row.ledger;
      t->ledger_variance += row.ledger_variance;
      t->forecast += row.forecast;
      t->variance += row.variance;
      g_array_append_val (report->rows, row);
    }
  return g_steal_pointer (&report);
}

/**
 * les_report_write_csv:
 *
 * One row per service by code, then a row with a blank code and
 * service_name `Total`.  Blank budget and variance where there is no budget.
 */
gboolean
les_report_write_csv (LesReport *report, GOutputStream *out, GCancellable *cancellable, GError **error)
{
  static const char *header[] = { "service_code", "service_name", "budget", "paid", "unpaid", "held", "ledger",
                                  "ledger_variance", "forecast", "variance" };
  g_autoptr(GString) buf = g_string_new (NULL);

  g_return_val_if_fail (report != NULL, FALSE);

  les_csv_append_row (buf, header, G_N_ELEMENTS (header));
  for (guint i = 0; i <= report->rows->len; i++)
    {
      const LesReportRow *r = i < report->rows->len ? &g_array_index (report->rows, LesReportRow, i)
                                                    : &report->totals;
      g_autofree char *budget = money_or_blank (r->has_budget, r->budget);
      g_autofree char *paid = les_money_format (r->paid);
      g_autofree char *unpaid = les_money_format (r->unpaid);
      g_autofree char *held = les_money_format (r->held);
      g_autofree char *ledger = les_money_format (r->ledger);
      g_autofree char *ledger_variance = les_money_format (r->ledger_variance);
      g_autofree char *forecast = les_money_format (r->forecast);
      g_autofree char *variance = money_or_blank (r->has_budget, r->variance);
      const char *row[] = { r->service_code, i < report->rows->len ? r->service_name : "Total", budget, paid,
                            unpaid, held, ledger, ledger_variance, forecast, variance };

      les_csv_append_row (buf, row, G_N_ELEMENTS (row));
    }
  return les_csv_flush (out, buf, 0, cancellable, error);
}
