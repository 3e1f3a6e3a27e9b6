/* les-compute.c: loading a year from the store, running the engine, and storing its results. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-adjustments.h"
#include "les-compute.h"
#include "les-engine.h"
#include "les-error.h"
#include "les-results.h"
#include "les-store-private.h"
#include "les-value.h"
#include "les-year-status.h"

#define CHECK_EVERY 65536           /* rows between cancellation checks */

/* Reading values the importer wrote (always well formed); NULL is 0. */

static gboolean
fixed_digits (const unsigned char *t, int n, int *out)
{
  int v = 0;

  for (int i = 0; i < n; i++)
    {
      if (t[i] < '0' || t[i] > '9')
        return FALSE;
      v = v * 10 + (t[i] - '0');
    }
  *out = v;
  return TRUE;
}

static gint32
column_date (LesStmt *stmt, int col)
{
  const unsigned char *t = (const unsigned char *) les_stmt_text (stmt, col);
  int y, m, d;
  gint32 ymd = 0;

  if (t == NULL)
    return 0;
  if (t[4] == '-' && t[7] == '-' && fixed_digits (t, 4, &y) && fixed_digits (t + 5, 2, &m)
      && fixed_digits (t + 8, 2, &d))
    return y * 10000 + m * 100 + d;
  les_date_parse ((const char *) t, &ymd, NULL);
  return ymd;
}

static gint32
column_period (LesStmt *stmt, int col)
{
  const unsigned char *t = (const unsigned char *) les_stmt_text (stmt, col);
  int y, m;
  gint32 ym = 0;

  if (t == NULL)
    return 0;
  if (t[4] == '-' && fixed_digits (t, 4, &y) && fixed_digits (t + 5, 2, &m) && t[7] == '\0')
    return y * 100 + m;
  les_period_parse ((const char *) t, &ym, NULL);
  return ym;
}

static gboolean
text_is (LesStmt *stmt, int col, const char *value)
{
  const char *t = les_stmt_text (stmt, col);

  return t != NULL && strcmp (t, value) == 0;
}

/* YYYY-MM without printf: it runs once per payment line */
static void
period_text (gint32 ym, char buf[8])
{
  int y = ym / 100, m = ym % 100;

  buf[0] = '0' + y / 1000 % 10;
  buf[1] = '0' + y / 100 % 10;
  buf[2] = '0' + y / 10 % 10;
  buf[3] = '0' + y % 10;
  buf[4] = '-';
  buf[5] = '0' + m / 10;
  buf[6] = '0' + m % 10;
  buf[7] = '\0';
}

/* After the last row of @stmt: ready for its next use; FALSE when @rc is an error (already in @error). */
static gboolean
finish (LesStmt *stmt, LesStep rc)
{
  les_stmt_reset (stmt);
  return rc == LES_STEP_DONE;
}

typedef struct {
  LesStore        *store;
  int              fy;
  gint32           to;
  const char      *only_service;    /* NULL: every service */
  GCancellable    *cancellable;
  LesProgressFunc  progress;
  gpointer         user_data;
  gint64           n_claims;
} Loader;

static void
report (Loader *ld, double fraction, const char *label)
{
  if (ld->progress != NULL)
    ld->progress (fraction, label, ld->user_data);
}

static gboolean
load_services (Loader *ld, LesEngineInput *in, GError **error)
{
  LesStmt *stmt;
  LesStep rc;

  stmt = les_store_prepare (ld->store, les_sql_compute_services, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, ld->fy);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      LesEngineService s = { 0 };

      s.code = les_stmt_text (stmt, 0);
      if (ld->only_service != NULL && strcmp (s.code, ld->only_service) != 0)
        continue;
      s.name = les_stmt_text (stmt, 1);
      s.cap_mode = text_is (stmt, 2, "hold") ? LES_CAP_MODE_HOLD
                   : text_is (stmt, 2, "prorata") ? LES_CAP_MODE_PRORATA : LES_CAP_MODE_NONE;
      s.has_budget = !les_stmt_is_null (stmt, 3);
      s.budget = les_stmt_int64 (stmt, 3);
      s.schedule = text_is (stmt, 4, "quarterly") ? LES_SCHEDULE_QUARTERLY : LES_SCHEDULE_MONTHLY;
      s.claim_frequency = text_is (stmt, 5, "quarterly") ? LES_CLAIM_FREQUENCY_QUARTERLY
                          : text_is (stmt, 5, "annual") ? LES_CLAIM_FREQUENCY_ANNUAL
                          : LES_CLAIM_FREQUENCY_MONTHLY;
      s.has_deadline = !les_stmt_is_null (stmt, 6);
      /* up to a trillion days may be imported: any more than a million is past
       * every valid date all the same */
      s.deadline_days = (gint) CLAMP (les_stmt_int64 (stmt, 6), 0, 1000000);
      s.start_date = column_date (stmt, 7);
      s.end_date = column_date (stmt, 8);
      les_engine_input_add_service (in, &s);
    }
  return finish (stmt, rc);
}

static gboolean
load_rules (Loader *ld, LesEngineInput *in, GError **error)
{
  LesStmt *stmt;
  LesStep rc;

  stmt = les_store_prepare (ld->store, les_sql_compute_rules, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, ld->fy);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      LesEngineRule r = { 0 };

      r.service_code = les_stmt_text (stmt, 0);
      r.code = les_stmt_text (stmt, 1);
      r.kind = text_is (stmt, 2, "capitation") ? LES_RULE_KIND_CAPITATION
               : text_is (stmt, 2, "block") ? LES_RULE_KIND_BLOCK
               : text_is (stmt, 2, "threshold") ? LES_RULE_KIND_THRESHOLD : LES_RULE_KIND_ITEM;
      r.has_rate = !les_stmt_is_null (stmt, 3);
      r.rate = les_stmt_int64 (stmt, 3);
      r.rate_per = text_is (stmt, 4, "month") ? LES_RATE_PER_MONTH
                   : text_is (stmt, 4, "quarter") ? LES_RATE_PER_QUARTER : LES_RATE_PER_YEAR;
      r.base = text_is (stmt, 5, "weighted") ? LES_BASE_WEIGHTED
               : text_is (stmt, 5, "cohort") ? LES_BASE_COHORT
               : text_is (stmt, 5, "beds") ? LES_BASE_BEDS : LES_BASE_REGISTERED;
      r.has_max_units = !les_stmt_is_null (stmt, 6);
      r.max_units = les_stmt_int64 (stmt, 6);
      r.has_max_per_patient = !les_stmt_is_null (stmt, 7);
      r.max_per_patient = les_stmt_int64 (stmt, 7);
      r.fixed_amount = les_stmt_int64 (stmt, 8);
      r.upfront_pct = les_stmt_int64 (stmt, 9);
      r.lower_pct = les_stmt_int64 (stmt, 10);
      r.upper_pct = les_stmt_int64 (stmt, 11);
      r.settlement = text_is (stmt, 12, "recover") ? LES_SETTLEMENT_RECOVER : LES_SETTLEMENT_REMAINDER;
      les_engine_input_add_rule (in, &r);
    }
  return finish (stmt, rc);
}

static gboolean
load_practices (Loader *ld, LesEngineInput *in, GError **error)
{
  LesStmt *stmt;
  LesStep rc;

  stmt = les_store_prepare (ld->store, les_sql_compute_practices, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    les_engine_input_add_practice (in, les_stmt_text (stmt, 0), column_date (stmt, 1));
  if (!finish (stmt, rc))
    return FALSE;

  stmt = les_store_prepare (ld->store, les_sql_compute_list_sizes, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    les_engine_input_add_list_size (in, les_stmt_text (stmt, 0), column_date (stmt, 1),
                                    les_stmt_int64 (stmt, 2), !les_stmt_is_null (stmt, 3),
                                    les_stmt_int64 (stmt, 3));
  return finish (stmt, rc);
}

/* Sign-ups, cohorts, allocations and achievements of the year (rows of
 * services not loaded are ignored by the engine). */
static gboolean
load_service_data (Loader *ld, LesEngineInput *in, GError **error)
{
  LesStmt *stmt;
  LesStep rc;

  stmt = les_store_prepare (ld->store, les_sql_compute_signups, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, ld->fy);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    les_engine_input_add_signup (in, les_stmt_text (stmt, 0), les_stmt_text (stmt, 1), column_date (stmt, 2),
                                 column_date (stmt, 3));
  if (!finish (stmt, rc))
    return FALSE;

  stmt = les_store_prepare (ld->store, les_sql_compute_cohorts, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, ld->fy);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    les_engine_input_add_cohort (in, les_stmt_text (stmt, 0), les_stmt_text (stmt, 1), les_stmt_int64 (stmt, 2));
  if (!finish (stmt, rc))
    return FALSE;

  stmt = les_store_prepare (ld->store, les_sql_compute_allocations, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, ld->fy);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    les_engine_input_add_allocation (in, les_stmt_text (stmt, 0), les_stmt_text (stmt, 1),
                                     !les_stmt_is_null (stmt, 2), les_stmt_int64 (stmt, 2),
                                     !les_stmt_is_null (stmt, 3), les_stmt_int64 (stmt, 3));
  if (!finish (stmt, rc))
    return FALSE;

  stmt = les_store_prepare (ld->store, les_sql_compute_achievements, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, ld->fy);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    les_engine_input_add_achievement (in, les_stmt_text (stmt, 0), les_stmt_text (stmt, 1),
                                      les_stmt_int64 (stmt, 2));
  return finish (stmt, rc);
}

static void
bind_scope (Loader *ld, LesStmt *stmt)
{
  char first[8], last[8];

  period_text (ld->fy * 100 + 4, first);
  period_text (ld->to, last);
  les_stmt_bind_int64 (stmt, 1, ld->fy);
  les_stmt_bind_text (stmt, 2, first);
  les_stmt_bind_text (stmt, 3, last);
  if (ld->only_service != NULL)
    les_stmt_bind_text (stmt, 4, ld->only_service);
}

static guint
handle_for_id (GArray *ids, GArray *handles, gint64 id)
{
  guint lo = 0, hi = ids->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      gint64 v = g_array_index (ids, gint64, mid);

      if (v == id)
        return g_array_index (handles, guint, mid);
      if (v < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  return LES_ENGINE_NO_CLAIM;
}

/* The claims this compute looks at (RULES.md 9: periods of the year up to
 * --to, not rejected or withdrawn) and their patient lines. */
static gboolean
load_claims (Loader *ld, LesEngineInput *in, GError **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) handles = g_array_new (FALSE, FALSE, sizeof (guint));
  LesStmt *stmt;
  gint64 n = 0;
  LesStep rc;

  stmt = les_store_prepare (ld->store, ld->only_service ? les_sql_compute_claims_one : les_sql_compute_claims_all,
                            error);
  if (stmt == NULL)
    return FALSE;
  bind_scope (ld, stmt);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      gint64 id = les_stmt_int64 (stmt, 0);
      guint handle = les_engine_input_add_claim (in, les_stmt_text (stmt, 1), les_stmt_text (stmt, 2),
                                                 les_stmt_text (stmt, 3), les_stmt_text (stmt, 4),
                                                 column_period (stmt, 5), les_stmt_int64 (stmt, 6),
                                                 column_date (stmt, 7));

      g_array_append_val (ids, id);
      g_array_append_val (handles, handle);
      if (++n % CHECK_EVERY == 0 && g_cancellable_set_error_if_cancelled (ld->cancellable, error))
        {
          les_stmt_reset (stmt);
          return FALSE;
        }
    }
  if (!finish (stmt, rc))
    return FALSE;
  ld->n_claims = n;
  report (ld, 0.25, _("Reading patient lines"));

  stmt = les_store_prepare (ld->store,
                            ld->only_service ? les_sql_compute_patient_lines_one : les_sql_compute_patient_lines_all,
                            error);
  if (stmt == NULL)
    return FALSE;
  bind_scope (ld, stmt);
  n = 0;
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      guint handle = handle_for_id (ids, handles, les_stmt_int64 (stmt, 0));

      if (handle != LES_ENGINE_NO_CLAIM)
        les_engine_input_add_patient_line (in, handle, les_stmt_int (stmt, 1), les_stmt_text (stmt, 2),
                                           column_date (stmt, 3));
      if (++n % CHECK_EVERY == 0 && g_cancellable_set_error_if_cancelled (ld->cancellable, error))
        {
          les_stmt_reset (stmt);
          return FALSE;
        }
    }
  return finish (stmt, rc);
}

static LesEngineInput *
load_input (Loader *ld, GError **error)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (ld->fy, ld->to);

  report (ld, 0.0, _("Reading services"));
  if (!load_services (ld, in, error) || !load_rules (ld, in, error))
    return NULL;
  report (ld, 0.02, _("Reading practices"));
  if (!load_practices (ld, in, error) || !load_service_data (ld, in, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (ld->cancellable, error))
    return NULL;
  report (ld, 0.05, _("Reading claims"));
  if (!load_claims (ld, in, error))
    return NULL;
  return g_steal_pointer (&in);
}

/* Writing */

/* A table of results kept by year, and its statements. */
typedef struct {
  const char *years;        /* the smallest and largest year it holds */
  const char *clear;        /* every row */
  const char *clear_year;   /* the rows of year ?1 */
} YearTable;

static const YearTable findings_table = {
  les_sql_compute_findings_years, les_sql_compute_findings_clear, les_sql_compute_findings_clear_year,
};

static const YearTable totals_table = {
  les_sql_compute_totals_years, les_sql_compute_totals_clear, les_sql_compute_totals_clear_year,
};

static gboolean
clear_year (LesStore *store, const YearTable *table, int fy, GError **error)
{
  LesStmt *stmt;
  gboolean only_this_year;
  LesStep rc;

  /* a table holding only this year is emptied whole, which SQLite does
   * without visiting each row */
  stmt = les_store_prepare (store, table->years, error);
  if (stmt == NULL)
    return FALSE;
  rc = les_stmt_step (stmt, error);
  if (rc != LES_STEP_ROW)
    return finish (stmt, rc);
  only_this_year = les_stmt_is_null (stmt, 0)
                   || (les_stmt_int (stmt, 0) == fy && les_stmt_int (stmt, 1) == fy);
  les_stmt_reset (stmt);

  stmt = les_store_prepare (store, only_this_year ? table->clear : table->clear_year, error);
  if (stmt == NULL)
    return FALSE;
  if (!only_this_year)
    les_stmt_bind_int64 (stmt, 1, fy);
  return les_stmt_run (stmt, error);
}

#define LINES_PER_INSERT 64         /* rows per INSERT: far fewer statement steps */

/* Inserts @n lines with @stmt, an INSERT of @n rows (les_sql_compute_insert_lines()). */
static gboolean
write_lines (Loader *ld, LesStmt *stmt, const LesPaymentLine **lines, guint n, GError **error)
{
  char periods[LINES_PER_INSERT][8];

  g_assert (n <= LINES_PER_INSERT);

  for (guint r = 0; r < n; r++)
    {
      const LesPaymentLine *l = lines[r];
      int col = r * LES_SQL_COMPUTE_LINE_COLUMNS;

      /* the codes live in the engine's output and the periods here until the step is done */
      period_text (l->period, periods[r]);
      les_stmt_bind_int64 (stmt, col + 1, ld->fy);
      les_stmt_bind_static (stmt, col + 2, l->practice_code, -1);
      les_stmt_bind_static (stmt, col + 3, l->service_code, -1);
      les_stmt_bind_static (stmt, col + 4, l->rule_code, -1);
      les_stmt_bind_static (stmt, col + 5, periods[r], 7);
      les_stmt_bind_int64_or_null (stmt, col + 6, l->has_units, l->units);
      les_stmt_bind_int64 (stmt, col + 7, l->gross);
      les_stmt_bind_int64 (stmt, col + 8, l->payable);
      les_stmt_bind_int64 (stmt, col + 9, l->held);
    }
  return les_stmt_run (stmt, error);
}

static gboolean
write_findings (Loader *ld, LesEngineOutput *out, LesComputeSummary *summary, GError **error)
{
  LesStmt *stmt;

  stmt = les_store_prepare (ld->store, les_sql_compute_insert_finding, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < out->findings->len; i++)
    {
      const LesFinding *f = &g_array_index (out->findings, LesFinding, i);
      char period[8];

      les_stmt_bind_int64 (stmt, 1, ld->fy);
      les_stmt_bind_static (stmt, 2, f->severity == LES_SEVERITY_ERROR ? "error" : "warning", -1);
      les_stmt_bind_static (stmt, 3, f->code, -1);
      les_stmt_bind_text_or_null (stmt, 4, f->practice_code);
      les_stmt_bind_text_or_null (stmt, 5, f->service_code);
      les_stmt_bind_text_or_null (stmt, 6, f->rule_code);
      period_text (f->period, period);
      if (f->period != 0)
        les_stmt_bind_static (stmt, 7, period, 7);
      else
        les_stmt_bind_null (stmt, 7);
      les_stmt_bind_text_or_null (stmt, 8, f->claim_ref);
      les_stmt_bind_static (stmt, 9, f->message, -1);
      if (!les_stmt_run (stmt, error))
        return FALSE;
      summary->n_findings++;
      if (f->severity == LES_SEVERITY_ERROR)
        summary->n_errors++;
      else
        summary->n_warnings++;
    }
  return TRUE;
}

/* The new lines in key order (practice, service, rule, period): each
 * service's lines are sorted by practice, rule and period, so this merges
 * them, taking one practice of one service at a time. */
typedef struct {
  LesEngineOutput **outputs;
  guint             n_services;
  guint            *cursor;
  guint             service;
  const char       *practice;       /* of the current run; NULL: pick the next */
} LineMerge;

static const LesPaymentLine *
line_merge_next (LineMerge *m)
{
  GArray *lines;

  if (m->practice != NULL)
    {
      lines = m->outputs[m->service]->lines;
      if (m->cursor[m->service] < lines->len
          && g_array_index (lines, LesPaymentLine, m->cursor[m->service]).practice_code == m->practice)
        return &g_array_index (lines, LesPaymentLine, m->cursor[m->service]++);
      m->practice = NULL;
    }

  /* the smallest practice; on a tie the first service in code order */
  for (guint s = 0; s < m->n_services; s++)
    {
      const char *code;

      lines = m->outputs[s]->lines;
      if (m->cursor[s] >= lines->len)
        continue;
      code = g_array_index (lines, LesPaymentLine, m->cursor[s]).practice_code;
      if (m->practice == NULL || strcmp (code, m->practice) < 0)
        {
          m->practice = code;
          m->service = s;
        }
    }
  if (m->practice == NULL)
    return NULL;
  return &g_array_index (m->outputs[m->service]->lines, LesPaymentLine, m->cursor[m->service]++);
}

/* A stored line against a new one, in key order. */
static int
cmp_stored_line (LesStmt *stmt, const LesPaymentLine *l)
{
  int c;

  if ((c = strcmp (les_stmt_text (stmt, 1), l->practice_code)) != 0
      || (c = strcmp (les_stmt_text (stmt, 2), l->service_code)) != 0
      || (c = strcmp (les_stmt_text (stmt, 3), l->rule_code)) != 0)
    return c;
  c = column_period (stmt, 4);
  return (c > l->period) - (c < l->period);
}

static gboolean
stored_line_equal (LesStmt *stmt, const LesPaymentLine *l)
{
  if (les_stmt_is_null (stmt, 5) == l->has_units)
    return FALSE;
  return (!l->has_units || les_stmt_int64 (stmt, 5) == l->units)
         && les_stmt_int64 (stmt, 6) == l->gross
         && les_stmt_int64 (stmt, 7) == l->payable
         && les_stmt_int64 (stmt, 8) == l->held;
}

typedef struct {
  gint64                id;
  const LesPaymentLine *line;
} Change;

static gboolean
amount_ok (gint64 pence)
{
  return pence <= LES_MONEY_MAX && pence >= -LES_MONEY_MAX;
}

/* Exact or refuse: a total past the range of amounts fails the compute */
static gboolean
refuse_total (Loader *ld, const char *service_code, GError **error)
{
  g_autofree char *year = les_year_format (ld->fy);
  g_autofree char *largest = les_money_format_display (LES_MONEY_MAX);

  if (service_code != NULL)
    g_set_error (error, LES_ERROR, LES_ERROR_OVERFLOW,
                 _("Cannot compute service %s exactly: its totals for %s are more than the largest amount (%s); "
                   "nothing was computed"), service_code, year, largest);
  else
    g_set_error (error, LES_ERROR, LES_ERROR_OVERFLOW,
                 _("Cannot compute %s exactly: the totals over every service are more than 64-bit figures hold; "
                   "nothing was computed"), year);
  return FALSE;
}

/* Compares the year's stored lines with the new ones, both in key order,
 * without writing: what to delete, update and insert. */
static gboolean
diff_lines (Loader *ld, LineMerge *merge, GArray *deletes, GArray *updates, GPtrArray *inserts,
            LesComputeSummary *sum, GError **error)
{
  /* kept apart so that a cancellation found at the same time is the one reported */
  g_autoptr(GError) step_error = NULL;
  LesStmt *stmt;
  const LesPaymentLine *l;
  LesStep rc;

  stmt = les_store_prepare (ld->store, les_sql_compute_stored_lines, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, ld->fy);
  rc = les_stmt_step (stmt, &step_error);
  l = line_merge_next (merge);
  while (rc == LES_STEP_ROW || l != NULL)
    {
      int c = rc != LES_STEP_ROW ? 1 : l == NULL ? -1 : cmp_stored_line (stmt, l);

      if (c < 0)
        {
          gint64 id = les_stmt_int64 (stmt, 0);

          g_array_append_val (deletes, id);
        }
      else if (c > 0)
        g_ptr_array_add (inserts, (gpointer) l);
      else if (!stored_line_equal (stmt, l))
        {
          Change change = { les_stmt_int64 (stmt, 0), l };

          g_array_append_val (updates, change);
        }
      if (c >= 0)
        {
          sum->n_lines++;
          /* every figure of a line is an amount, but there may be millions */
          if (!les_int64_add_exact (sum->gross, l->gross, &sum->gross)
              || !les_int64_add_exact (sum->payable, l->payable, &sum->payable)
              || !les_int64_add_exact (sum->held, l->held, &sum->held))
            {
              les_stmt_reset (stmt);
              return refuse_total (ld, NULL, error);
            }
          l = line_merge_next (merge);
        }
      if (c <= 0)
        {
          rc = les_stmt_step (stmt, &step_error);
          if (sum->n_lines % CHECK_EVERY == 0 && g_cancellable_is_cancelled (ld->cancellable))
            break;
        }
    }
  les_stmt_reset (stmt);
  if (g_cancellable_set_error_if_cancelled (ld->cancellable, error))
    return FALSE;
  if (rc == LES_STEP_ERROR)
    {
      g_propagate_error (error, g_steal_pointer (&step_error));
      return FALSE;
    }
  return TRUE;
}

/* Writes the new lines as changes to the stored ones: a line that has not
 * changed keeps its row (and its id), and a recompute of a year that
 * changed little writes little.  New lines go in in key order, so SQLite
 * appends to the unique index instead of visiting it at random. */
static gboolean
write_lines_diff (Loader *ld, LesEngineOutput **outputs, guint n_services, LesComputeSummary *sum,
                  GError **error)
{
  g_autofree guint *cursor = g_new0 (guint, n_services);
  LineMerge merge = { outputs, n_services, cursor, 0, NULL };
  g_autoptr(GArray) deletes = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) updates = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autoptr(GPtrArray) inserts = g_ptr_array_new ();
  g_autofree char *full_sql = NULL;
  LesStmt *full = NULL;
  LesStmt *stmt;

  if (!diff_lines (ld, &merge, deletes, updates, inserts, sum, error))
    return FALSE;
  g_debug ("compute: %u lines to insert, %u to update, %u to delete", inserts->len, updates->len, deletes->len);
  sum->n_inserted = inserts->len;
  sum->n_updated = updates->len;
  sum->n_deleted = deletes->len;

  stmt = les_store_prepare (ld->store, les_sql_compute_delete_line, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < deletes->len; i++)
    {
      les_stmt_bind_int64 (stmt, 1, g_array_index (deletes, gint64, i));
      if (!les_stmt_run (stmt, error))
        return FALSE;
    }

  stmt = les_store_prepare (ld->store, les_sql_compute_update_line, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < updates->len; i++)
    {
      const Change *change = &g_array_index (updates, Change, i);

      les_stmt_bind_int64 (stmt, 1, change->id);
      les_stmt_bind_int64_or_null (stmt, 2, change->line->has_units, change->line->units);
      les_stmt_bind_int64 (stmt, 3, change->line->gross);
      les_stmt_bind_int64 (stmt, 4, change->line->payable);
      les_stmt_bind_int64 (stmt, 5, change->line->held);
      if (!les_stmt_run (stmt, error))
        return FALSE;
    }

  /* one statement for every full batch; the last, shorter one has its own */
  if (inserts->len >= LINES_PER_INSERT)
    {
      full_sql = les_sql_compute_insert_lines (LINES_PER_INSERT);
      full = les_store_prepare (ld->store, full_sql, error);
      if (full == NULL)
        return FALSE;
    }
  for (guint i = 0; i < inserts->len; i += LINES_PER_INSERT)
    {
      guint n = MIN (LINES_PER_INSERT, inserts->len - i);

      if (i % (LINES_PER_INSERT * 1024) == 0)
        {
          if (g_cancellable_set_error_if_cancelled (ld->cancellable, error))
            return FALSE;
          report (ld, 0.6 + 0.38 * i / inserts->len, _("Writing the payment lines"));
        }
      if (n == LINES_PER_INSERT)
        stmt = full;
      else
        {
          g_autofree char *last_sql = les_sql_compute_insert_lines (n);

          stmt = les_store_prepare (ld->store, last_sql, error);
          if (stmt == NULL)
            return FALSE;
        }
      if (!write_lines (ld, stmt, (const LesPaymentLine **) inserts->pdata + i, n, error))
        return FALSE;
    }
  return TRUE;
}

/* The year's payable and held per service, kept beside the lines so that the
 * Overview and the reconciliation need not add up millions of rows (and the
 * lines need no index that every compute would have to rebuild at random). */
static gboolean
write_service_totals (Loader *ld, LesEngineOutput **outputs, guint n_services, GError **error)
{
  LesStmt *stmt;

  if (!clear_year (ld->store, &totals_table, ld->fy, error))
    return FALSE;
  stmt = les_store_prepare (ld->store, les_sql_compute_insert_total, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < n_services; i++)
    {
      GArray *lines = outputs[i]->lines;
      gint64 payable = 0, held = 0;

      if (lines->len == 0)
        continue;
      for (guint j = 0; j < lines->len; j++)
        {
          const LesPaymentLine *line = &g_array_index (lines, LesPaymentLine, j);

          if (!les_int64_add_exact (payable, line->payable, &payable)
              || !les_int64_add_exact (held, line->held, &held))
            return refuse_total (ld, line->service_code, error);
        }
      /* the reconciliation forecasts payable × 12: amounts keep that within 64 bits */
      if (!amount_ok (payable) || !amount_ok (held))
        return refuse_total (ld, g_array_index (lines, LesPaymentLine, 0).service_code, error);
      les_stmt_bind_int64 (stmt, 1, ld->fy);
      les_stmt_bind_text (stmt, 2, g_array_index (lines, LesPaymentLine, 0).service_code);
      les_stmt_bind_int64 (stmt, 3, payable);
      les_stmt_bind_int64 (stmt, 4, held);
      les_stmt_bind_int64 (stmt, 5, lines->len);
      if (!les_stmt_run (stmt, error))
        return FALSE;
    }
  return TRUE;
}

/* Computes every service, then writes the findings and the lines. */
static gboolean
compute_and_write (Loader *ld, LesEngineInput *in, LesComputeSummary *sum, GError **error)
{
  guint n_services = les_engine_input_get_n_services (in);
  g_autofree LesEngineOutput **outputs = g_new0 (LesEngineOutput *, n_services);
  gboolean ok = FALSE;
  gint64 t_start = g_get_monotonic_time ();

  for (guint i = 0; i < n_services; i++)
    outputs[i] = les_engine_output_new ();

  report (ld, 0.3, _("Computing"));
  if (!les_engine_run_services (in, outputs, MIN (g_get_num_processors (), 4), ld->cancellable, error))
    {
      if (error == NULL || *error == NULL)
        g_cancellable_set_error_if_cancelled (ld->cancellable, error);
      goto out;
    }
  g_debug ("compute: engine %.2f s", (g_get_monotonic_time () - t_start) / 1e6);

  t_start = g_get_monotonic_time ();
  report (ld, 0.5, _("Writing the findings"));
  if (!clear_year (ld->store, &findings_table, ld->fy, error))
    goto out;
  for (guint i = 0; i < n_services; i++)
    if (!write_findings (ld, outputs[i], sum, error))
      goto out;

  report (ld, 0.55, _("Comparing the payment lines"));
  if (!write_lines_diff (ld, outputs, n_services, sum, error))
    goto out;
  if (!write_service_totals (ld, outputs, n_services, error))
    goto out;
  g_debug ("compute: results written in %.2f s", (g_get_monotonic_time () - t_start) / 1e6);
  sum->n_services = n_services;
  ok = TRUE;

out:
  for (guint i = 0; i < n_services; i++)
    les_engine_output_free (outputs[i]);
  return ok;
}

/* The compute's row, with the year's counters of changes it saw, and its
 * month kept as the month the year is worked to (les-year-status.c). */
static gboolean
write_compute_row (LesStore *store, int fy, gint32 to, GError **error)
{
  g_autofree char *now = les_now_iso8601 ();
  gint64 seen[3] = { 0, 0, 0 };
  LesStmt *stmt;
  LesStep rc;
  char period[8];

  stmt = les_store_prepare (store, les_sql_year_counters, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, fy);
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    for (int i = 0; i < 3; i++)
      seen[i] = les_stmt_int64 (stmt, i);
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return FALSE;

  stmt = les_store_prepare (store, les_sql_compute_upsert_compute, error);
  if (stmt == NULL)
    return FALSE;
  period_text (to, period);
  les_stmt_bind_int64 (stmt, 1, fy);
  les_stmt_bind_text (stmt, 2, period);
  les_stmt_bind_text (stmt, 3, now);
  les_stmt_bind_text (stmt, 4, g_get_user_name ());
  for (int i = 0; i < 3; i++)
    les_stmt_bind_int64 (stmt, 5 + i, seen[i]);
  if (!les_stmt_run (stmt, error))
    return FALSE;
  return les_year_set_to_period (store, fy, to, error);
}

static gboolean
check_to (int fy, gint32 to_period, GError **error)
{
  if (to_period != 0 && les_period_fy (to_period) != fy)
    {
      g_autofree char *year = les_year_format (fy);
      char period[8];

      period_text (to_period, period);
      g_set_error (error, LES_ERROR, LES_ERROR_INVALID, _("--to %s is not a month of %s (2024-04 to 2025-03 "
                                                           "for 2024/25)"), period, year);
      return FALSE;
    }
  return TRUE;
}

/**
 * les_compute_year:
 * @fy: the financial year (2024 for 2024/25)
 * @to_period: the last month to compute (YYYYMM), or 0 for the whole year
 * @progress: (nullable): told how far the work has got
 * @cancellable: (nullable): cancelling rolls back and leaves the previous results
 * @summary: (out caller-allocates) (optional): figures of the compute
 *
 * Works out the year to date afresh (RULES.md) and, in one transaction,
 * replaces the year's payment lines and findings and records the compute.
 * Safe to run on a worker thread with its own store (les_store_dup()).
 */
gboolean
les_compute_year (LesStore           *store,
                  int                 fy,
                  gint32              to_period,
                  LesProgressFunc     progress,
                  gpointer            user_data,
                  GCancellable       *cancellable,
                  LesComputeSummary  *summary,
                  GError            **error)
{
  g_autoptr(LesEngineInput) in = NULL;
  LesComputeSummary sum = { 0 };
  Loader ld = { 0 };
  guint n_services;
  gint64 t_start;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_to (fy, to_period, error))
    return FALSE;

  ld.store = store;
  ld.fy = fy;
  ld.to = to_period != 0 ? to_period : (fy + 1) * 100 + 3;
  ld.cancellable = cancellable;
  ld.progress = progress;
  ld.user_data = user_data;
  sum.fy = fy;
  sum.to_period = ld.to;

  /* one write transaction from the first read: the results match one state of the data */
  if (!les_store_begin (store, error))
    return FALSE;

  t_start = g_get_monotonic_time ();
  in = load_input (&ld, error);
  if (in == NULL)
    goto fail;
  g_debug ("compute %d: loaded in %.2f s", fy, (g_get_monotonic_time () - t_start) / 1e6);
  sum.n_claims = ld.n_claims;
  n_services = les_engine_input_get_n_services (in);
  if (n_services == 0)
    {
      g_autofree char *year = les_year_format (fy);

      g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND, _("%s has no services to compute; import its "
                                                            "services first"), year);
      goto fail;
    }

  t_start = g_get_monotonic_time ();
  if (!compute_and_write (&ld, in, &sum, error))
    goto fail;
  g_debug ("compute %d: computed and written in %.2f s", fy, (g_get_monotonic_time () - t_start) / 1e6);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;
  /* payment runs: what was paid is never rewritten; differences become adjustments */
  if (!les_adjustments_update (store, fy, ld.to, error))
    goto fail;
  if (!write_compute_row (store, fy, ld.to, error))
    goto fail;
  {
    g_autofree char *year = les_year_format (fy);
    g_autofree char *gross = les_money_format (sum.gross);
    g_autofree char *payable = les_money_format (sum.payable);
    g_autofree char *held = les_money_format (sum.held);
    g_autofree char *after = NULL;
    char to_text[8];

    period_text (ld.to, to_text);
    after = g_strdup_printf ("%s to %s: %u services, %" G_GINT64_FORMAT " claims, %" G_GINT64_FORMAT
                             " payment lines (%" G_GINT64_FORMAT " new, %" G_GINT64_FORMAT " changed, %"
                             G_GINT64_FORMAT " removed; gross %s, payable %s, held %s), %" G_GINT64_FORMAT
                             " findings (%" G_GINT64_FORMAT " errors, %" G_GINT64_FORMAT " warnings)",
                             year, to_text, sum.n_services, sum.n_claims, sum.n_lines, sum.n_inserted,
                             sum.n_updated, sum.n_deleted, gross, payable, held, sum.n_findings, sum.n_errors,
                             sum.n_warnings);
    if (!les_store_audit (store, "compute", "payment_lines", year, NULL, after, error))
      goto fail;
  }
  t_start = g_get_monotonic_time ();
  if (!les_store_commit (store, error))
    return FALSE;
  g_debug ("compute %d: committed in %.2f s", fy, (g_get_monotonic_time () - t_start) / 1e6);

  report (&ld, 1.0, _("Computed"));
  if (summary != NULL)
    *summary = sum;
  return TRUE;

fail:
  les_store_rollback (store);
  return FALSE;
}

/* Codes as the importer stores them: trimmed and upper-cased ("RULE:ACH" keeps its colon). */
static char *
normalise_code (const char *code)
{
  g_autofree char *copy = g_strstrip (g_strdup (code));

  return g_ascii_strup (copy, -1);
}

/**
 * les_compute_explain:
 * @period: the line's period (YYYYMM)
 *
 * Recomputes the service in memory, up to the `to` of the year's last
 * compute, without writing anything, and tells how the payment line
 * (@practice_code, @service_code, @rule_code, @period) was made.
 *
 * Returns: (transfer full) (element-type utf8): lines of text for people,
 * or NULL with @error set.
 */
GPtrArray *
les_compute_explain (LesStore    *store,
                     int          fy,
                     const char  *practice_code,
                     const char  *service_code,
                     const char  *rule_code,
                     gint32       period,
                     GError     **error)
{
  g_autoptr(LesEngineInput) in = NULL;
  g_autofree char *practice = NULL;
  g_autofree char *service = NULL;
  g_autofree char *rule = NULL;
  Loader ld = { 0 };
  gint32 to = 0;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);
  g_return_val_if_fail (practice_code != NULL && service_code != NULL && rule_code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!les_results_get_compute (store, fy, &to, NULL, NULL, error))
    return NULL;

  practice = normalise_code (practice_code);
  service = normalise_code (service_code);
  rule = normalise_code (rule_code);
  ld.store = store;
  ld.fy = fy;
  ld.to = to;
  ld.only_service = service;

  in = load_input (&ld, error);
  if (in == NULL)
    return NULL;
  return les_engine_explain (in, practice, service, rule, period, error);
}

/**
 * les_compute_explain_claim:
 * @trace: (out caller-allocates) (optional): what the claim counts for
 *
 * Recomputes the claim's service in memory, up to the `to` of the year's
 * last compute, without writing anything, and tells how the claim was
 * judged and how the line it makes up was made.
 *
 * Returns: (transfer full) (element-type utf8): lines of text for people,
 * or NULL with @error set (LES_ERROR_NOT_FOUND when the compute does not
 * look at the claim, or the year was never computed).
 */
GPtrArray *
les_compute_explain_claim (LesStore            *store,
                           int                  fy,
                           const char          *service_code,
                           const char          *claim_ref,
                           LesEngineClaimTrace *trace,
                           GError             **error)
{
  g_autoptr(LesEngineInput) in = NULL;
  g_autofree char *service = NULL;
  g_autofree char *ref = NULL;
  Loader ld = { 0 };
  gint32 to = 0;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);
  g_return_val_if_fail (service_code != NULL && claim_ref != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!les_results_get_compute (store, fy, &to, NULL, NULL, error))
    return NULL;
  service = normalise_code (service_code);
  ref = normalise_code (claim_ref);
  ld.store = store;
  ld.fy = fy;
  ld.to = to;
  ld.only_service = service;

  in = load_input (&ld, error);
  if (in == NULL)
    return NULL;
  return les_engine_explain_claim (in, service, ref, trace, error);
}
