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
  const char      *only_service;    /* NULL: every service (or those of only) */
  GHashTable      *only;            /* codes of the services to load; NULL: every one */
  gboolean         scan;            /* only's claims read in one pass over the year's */
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

/* @sql, whose ?1 is the year, prepared for the loader's year */
static LesStmt *
prepare_year (Loader *ld, const char *sql, GError **error)
{
  LesStmt *stmt = les_store_prepare (ld->store, sql, error);

  if (stmt != NULL)
    les_stmt_bind_int64 (stmt, 1, ld->fy);
  return stmt;
}

static gboolean
load_services (Loader *ld, LesEngineInput *in, GError **error)
{
  LesStmt *stmt;
  LesStep rc;

  stmt = prepare_year (ld, les_sql_compute_services, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      LesEngineService s = { 0 };

      s.code = les_stmt_text (stmt, 0);
      if (ld->only_service != NULL && strcmp (s.code, ld->only_service) != 0)
        continue;
      if (ld->only != NULL && !g_hash_table_contains (ld->only, s.code))
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

  stmt = prepare_year (ld, les_sql_compute_rules, error);
  if (stmt == NULL)
    return FALSE;
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

  stmt = prepare_year (ld, les_sql_compute_signups, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    les_engine_input_add_signup (in, les_stmt_text (stmt, 0), les_stmt_text (stmt, 1), column_date (stmt, 2),
                                 column_date (stmt, 3));
  if (!finish (stmt, rc))
    return FALSE;

  stmt = prepare_year (ld, les_sql_compute_cohorts, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    les_engine_input_add_cohort (in, les_stmt_text (stmt, 0), les_stmt_text (stmt, 1), les_stmt_int64 (stmt, 2));
  if (!finish (stmt, rc))
    return FALSE;

  stmt = prepare_year (ld, les_sql_compute_allocations, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    les_engine_input_add_allocation (in, les_stmt_text (stmt, 0), les_stmt_text (stmt, 1),
                                     !les_stmt_is_null (stmt, 2), les_stmt_int64 (stmt, 2),
                                     !les_stmt_is_null (stmt, 3), les_stmt_int64 (stmt, 3));
  if (!finish (stmt, rc))
    return FALSE;

  stmt = prepare_year (ld, les_sql_compute_achievements, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    les_engine_input_add_achievement (in, les_stmt_text (stmt, 0), les_stmt_text (stmt, 1),
                                      les_stmt_int64 (stmt, 2));
  return finish (stmt, rc);
}

static void
bind_scope (Loader *ld, LesStmt *stmt, const char *service_code)
{
  char first[8], last[8];

  period_text (ld->fy * 100 + 4, first);
  period_text (ld->to, last);
  les_stmt_bind_int64 (stmt, 1, ld->fy);
  les_stmt_bind_text (stmt, 2, first);
  les_stmt_bind_text (stmt, 3, last);
  if (service_code != NULL)
    les_stmt_bind_text (stmt, 4, service_code);
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

/* The claims of one service (@service_code) or of all, which this compute
 * looks at (RULES.md 9: periods of the year up to --to, not rejected or
 * withdrawn), and their patient lines. */
static gboolean
load_claims_of (Loader *ld, LesEngineInput *in, const char *service_code, GError **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) handles = g_array_new (FALSE, FALSE, sizeof (guint));
  LesStmt *stmt;
  gint64 n = 0;
  LesStep rc;

  stmt = les_store_prepare (ld->store, service_code ? les_sql_compute_claims_one : les_sql_compute_claims_all,
                            error);
  if (stmt == NULL)
    return FALSE;
  bind_scope (ld, stmt, service_code);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      gint64 id = les_stmt_int64 (stmt, 0);
      guint handle;

      if (++n % CHECK_EVERY == 0 && g_cancellable_set_error_if_cancelled (ld->cancellable, error))
        {
          les_stmt_reset (stmt);
          return FALSE;
        }
      /* the whole year read for some of its services: the others' claims are passed over */
      if (service_code == NULL && ld->only != NULL && !g_hash_table_contains (ld->only, les_stmt_text (stmt, 3)))
        continue;
      handle = les_engine_input_add_claim (in, les_stmt_text (stmt, 1), les_stmt_text (stmt, 2),
                                           les_stmt_text (stmt, 3), les_stmt_text (stmt, 4),
                                           column_period (stmt, 5), les_stmt_int64 (stmt, 6),
                                           column_date (stmt, 7));
      g_array_append_val (ids, id);
      g_array_append_val (handles, handle);
    }
  if (!finish (stmt, rc))
    return FALSE;
  ld->n_claims += ids->len;
  report (ld, 0.25, _("Reading patient lines"));

  stmt = les_store_prepare (ld->store,
                            service_code ? les_sql_compute_patient_lines_one : les_sql_compute_patient_lines_all,
                            error);
  if (stmt == NULL)
    return FALSE;
  bind_scope (ld, stmt, service_code);
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

/* A whole year is read in table order; a few services each by its index
 * (read_stale() chooses). */
static gboolean
load_claims (Loader *ld, LesEngineInput *in, GError **error)
{
  g_autofree const char **codes = NULL;
  guint n_codes;

  if (ld->only_service != NULL)
    return load_claims_of (ld, in, ld->only_service, error);
  if (ld->only == NULL || ld->scan)
    return load_claims_of (ld, in, NULL, error);
  codes = (const char **) g_hash_table_get_keys_as_array (ld->only, &n_codes);
  for (guint i = 0; i < n_codes; i++)
    if (!load_claims_of (ld, in, codes[i], error))
      return FALSE;
  return TRUE;
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

/* What one service's compute gave, kept beside its lines (service_totals) */
typedef struct {
  gint64 n_lines, gross, payable, held, n_claims, n_findings, n_errors;
} ServiceTotals;

#define FINDINGS_PER_INSERT 64      /* rows per INSERT: on a server, one round trip for many */

/* Findings @first … @first + @n - 1 of @out, in one statement of @n rows */
static gboolean
write_findings_batch (Loader *ld, LesStmt *stmt, LesEngineOutput *out, guint first, guint n, GError **error)
{
  char periods[FINDINGS_PER_INSERT][8];

  g_assert (n <= FINDINGS_PER_INSERT);

  for (guint r = 0; r < n; r++)
    {
      const LesFinding *f = &g_array_index (out->findings, LesFinding, first + r);
      int col = r * LES_SQL_COMPUTE_FINDING_COLUMNS;

      les_stmt_bind_int64 (stmt, col + 1, ld->fy);
      les_stmt_bind_static (stmt, col + 2, f->severity == LES_SEVERITY_ERROR ? "error" : "warning", -1);
      les_stmt_bind_static (stmt, col + 3, f->code, -1);
      les_stmt_bind_text_or_null (stmt, col + 4, f->practice_code);
      les_stmt_bind_text_or_null (stmt, col + 5, f->service_code);
      les_stmt_bind_text_or_null (stmt, col + 6, f->rule_code);
      /* the period lives here until the step is done */
      period_text (f->period, periods[r]);
      if (f->period != 0)
        les_stmt_bind_static (stmt, col + 7, periods[r], 7);
      else
        les_stmt_bind_null (stmt, col + 7);
      les_stmt_bind_text_or_null (stmt, col + 8, f->claim_ref);
      les_stmt_bind_static (stmt, col + 9, f->message, -1);
    }
  return les_stmt_run (stmt, error);
}

static gboolean
write_findings (Loader *ld, LesEngineOutput *out, ServiceTotals *totals, GError **error)
{
  guint len = out->findings->len;
  LesStmt *full = NULL;

  if (len >= FINDINGS_PER_INSERT)
    {
      g_autofree char *sql = les_sql_compute_insert_findings (FINDINGS_PER_INSERT);

      full = les_store_prepare (ld->store, sql, error);
      if (full == NULL)
        return FALSE;
    }
  for (guint i = 0; i < len; i += FINDINGS_PER_INSERT)
    {
      guint n = MIN (FINDINGS_PER_INSERT, len - i);
      LesStmt *stmt = full;

      if (n < FINDINGS_PER_INSERT)
        {
          g_autofree char *sql = les_sql_compute_insert_findings (n);

          stmt = les_store_prepare (ld->store, sql, error);
          if (stmt == NULL)
            return FALSE;
        }
      if (!write_findings_batch (ld, stmt, out, i, n, error))
        return FALSE;
    }
  for (guint i = 0; i < len; i++)
    {
      totals->n_findings++;
      if (g_array_index (out->findings, LesFinding, i).severity == LES_SEVERITY_ERROR)
        totals->n_errors++;
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

/* Stored lines, as les_sql_compute_stored_lines() gives them. */
enum { STORED_PRACTICE, STORED_SERVICE, STORED_RULE, STORED_PERIOD, STORED_UNITS, STORED_GROSS, STORED_PAYABLE,
       STORED_HELD };

/* A stored line against a new one, in key order. */
static int
cmp_stored_line (LesStmt *stmt, const LesPaymentLine *l)
{
  int c;

  if ((c = strcmp (les_stmt_text (stmt, STORED_PRACTICE), l->practice_code)) != 0
      || (c = strcmp (les_stmt_text (stmt, STORED_SERVICE), l->service_code)) != 0
      || (c = strcmp (les_stmt_text (stmt, STORED_RULE), l->rule_code)) != 0)
    return c;
  c = column_period (stmt, STORED_PERIOD);
  return (c > l->period) - (c < l->period);
}

static gboolean
stored_line_equal (LesStmt *stmt, const LesPaymentLine *l)
{
  if (les_stmt_is_null (stmt, STORED_UNITS) == l->has_units)
    return FALSE;
  return (!l->has_units || les_stmt_int64 (stmt, STORED_UNITS) == l->units)
         && les_stmt_int64 (stmt, STORED_GROSS) == l->gross
         && les_stmt_int64 (stmt, STORED_PAYABLE) == l->payable
         && les_stmt_int64 (stmt, STORED_HELD) == l->held;
}

/* What a compute changes in the stored lines: lines are found by their
 * key, which a stored line no longer due gives from the copy kept here. */
typedef struct {
  GStringChunk *strings;
  GArray       *deletes;        /* LineKey */
  GPtrArray    *updates;        /* const LesPaymentLine * */
  GPtrArray    *inserts;        /* const LesPaymentLine *, in key order */
} LineChanges;

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

typedef struct {
  const char *practice, *service, *rule, *period;
} LineKey;

static void
line_changes_init (LineChanges *ch)
{
  ch->strings = g_string_chunk_new (64 * 1024);
  ch->deletes = g_array_new (FALSE, FALSE, sizeof (LineKey));
  ch->updates = g_ptr_array_new ();
  ch->inserts = g_ptr_array_new ();
}

static void
line_changes_clear (LineChanges *ch)
{
  g_string_chunk_free (ch->strings);
  g_array_unref (ch->deletes);
  g_ptr_array_unref (ch->updates);
  g_ptr_array_unref (ch->inserts);
}

typedef const LesPaymentLine *(*NextLineFunc) (gpointer source);

/* Compares the stored lines @stmt gives (bound, in key order) with the
 * new ones, in the same order, without writing: what to delete, update
 * and insert. */
static gboolean
diff_lines (Loader *ld, LesStmt *stmt, NextLineFunc next, gpointer source, LineChanges *ch, GError **error)
{
  /* kept apart so that a cancellation found at the same time is the one reported */
  g_autoptr(GError) step_error = NULL;
  const LesPaymentLine *l;
  guint64 n = 0;
  LesStep rc;

  rc = les_stmt_step (stmt, &step_error);
  l = next (source);
  while (rc == LES_STEP_ROW || l != NULL)
    {
      int c = rc != LES_STEP_ROW ? 1 : l == NULL ? -1 : cmp_stored_line (stmt, l);

      if (c < 0)
        {
          LineKey key = {
            g_string_chunk_insert_const (ch->strings, les_stmt_text (stmt, STORED_PRACTICE)),
            g_string_chunk_insert_const (ch->strings, les_stmt_text (stmt, STORED_SERVICE)),
            g_string_chunk_insert_const (ch->strings, les_stmt_text (stmt, STORED_RULE)),
            g_string_chunk_insert_const (ch->strings, les_stmt_text (stmt, STORED_PERIOD)),
          };

          g_array_append_val (ch->deletes, key);
        }
      else if (c > 0)
        g_ptr_array_add (ch->inserts, (gpointer) l);
      else if (!stored_line_equal (stmt, l))
        g_ptr_array_add (ch->updates, (gpointer) l);
      if (c >= 0)
        l = next (source);
      if (c <= 0)
        rc = les_stmt_step (stmt, &step_error);
      if (++n % CHECK_EVERY == 0 && g_cancellable_is_cancelled (ld->cancellable))
        break;
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

/* Writes the changes: a line that has not changed is not written, and a
 * recompute of a year that changed little writes little.  New lines go in
 * in key order, so SQLite appends to the table's b-tree instead of
 * visiting it at random. */
static gboolean
write_changes (Loader *ld, LineChanges *ch, LesComputeSummary *sum, GError **error)
{
  g_autofree char *full_sql = NULL;
  LesStmt *full = NULL;
  LesStmt *stmt;

  g_debug ("compute: %u lines to insert, %u to update, %u to delete", ch->inserts->len, ch->updates->len,
           ch->deletes->len);
  sum->n_inserted += ch->inserts->len;
  sum->n_updated += ch->updates->len;
  sum->n_deleted += ch->deletes->len;

  stmt = les_store_prepare (ld->store, les_sql_compute_delete_line, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < ch->deletes->len; i++)
    {
      const LineKey *key = &g_array_index (ch->deletes, LineKey, i);

      les_stmt_bind_int64 (stmt, 1, ld->fy);
      les_stmt_bind_static (stmt, 2, key->practice, -1);
      les_stmt_bind_static (stmt, 3, key->service, -1);
      les_stmt_bind_static (stmt, 4, key->rule, -1);
      les_stmt_bind_static (stmt, 5, key->period, -1);
      if (!les_stmt_run (stmt, error))
        return FALSE;
    }

  /* updates as inserts: many lines a statement, the last batch shorter */
  if (ch->updates->len >= LINES_PER_INSERT)
    {
      g_autofree char *sql = les_sql_compute_update_lines (LINES_PER_INSERT);

      full = les_store_prepare (ld->store, sql, error);
      if (full == NULL)
        return FALSE;
    }
  for (guint i = 0; i < ch->updates->len; i += LINES_PER_INSERT)
    {
      guint n = MIN (LINES_PER_INSERT, ch->updates->len - i);

      stmt = full;
      if (n < LINES_PER_INSERT)
        {
          g_autofree char *sql = les_sql_compute_update_lines (n);

          stmt = les_store_prepare (ld->store, sql, error);
          if (stmt == NULL)
            return FALSE;
        }
      if (!write_lines (ld, stmt, (const LesPaymentLine **) ch->updates->pdata + i, n, error))
        return FALSE;
    }
  full = NULL;

  /* one statement for every full batch; the last, shorter one has its own */
  if (ch->inserts->len >= LINES_PER_INSERT)
    {
      full_sql = les_sql_compute_insert_lines (LINES_PER_INSERT);
      full = les_store_prepare (ld->store, full_sql, error);
      if (full == NULL)
        return FALSE;
    }
  for (guint i = 0; i < ch->inserts->len; i += LINES_PER_INSERT)
    {
      guint n = MIN (LINES_PER_INSERT, ch->inserts->len - i);

      if (i % (LINES_PER_INSERT * 1024) == 0)
        {
          if (g_cancellable_set_error_if_cancelled (ld->cancellable, error))
            return FALSE;
          report (ld, 0.6 + 0.38 * i / ch->inserts->len, _("Writing the payment lines"));
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
      if (!write_lines (ld, stmt, (const LesPaymentLine **) ch->inserts->pdata + i, n, error))
        return FALSE;
    }
  return TRUE;
}

/* Every line of the year against every stored one, merged in key order. */
static gboolean
write_lines_year (Loader *ld, LesEngineOutput **outputs, guint n_services, LesComputeSummary *sum,
                  GError **error)
{
  g_autofree guint *cursor = g_new0 (guint, n_services);
  LineMerge merge = { outputs, n_services, cursor, 0, NULL };
  LineChanges ch;
  LesStmt *stmt;
  gboolean ok;

  stmt = prepare_year (ld, les_sql_compute_stored_lines, error);
  if (stmt == NULL)
    return FALSE;
  line_changes_init (&ch);
  ok = diff_lines (ld, stmt, (NextLineFunc) line_merge_next, &merge, &ch, error)
       && write_changes (ld, &ch, sum, error);
  line_changes_clear (&ch);
  return ok;
}

typedef struct {
  GArray *lines;
  guint   next;
} LineCursor;

static const LesPaymentLine *
line_cursor_next (LineCursor *c)
{
  return c->next < c->lines->len ? &g_array_index (c->lines, LesPaymentLine, c->next++) : NULL;
}

/* The lines of one service against its stored ones (found practice by
 * practice, through the lines' key); a service no longer computed has
 * @out NULL, and its lines go. */
static gboolean
write_lines_service (Loader *ld, const char *service_code, LesEngineOutput *out, LesComputeSummary *sum,
                     GError **error)
{
  g_autoptr(GArray) none = g_array_new (FALSE, FALSE, sizeof (LesPaymentLine));
  LineCursor cursor = { out != NULL ? out->lines : none, 0 };
  LineChanges ch;
  LesStmt *stmt;
  gboolean ok;

  stmt = prepare_year (ld, les_sql_compute_stored_lines_of_service, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_text (stmt, 2, service_code);
  line_changes_init (&ch);
  ok = diff_lines (ld, stmt, (NextLineFunc) line_cursor_next, &cursor, &ch, error)
       && write_changes (ld, &ch, sum, error);
  line_changes_clear (&ch);
  return ok;
}

/* Adds up one service's lines; exact or refused (issue #12) */
static gboolean
add_line_totals (Loader *ld, ServiceTotals *t, LesEngineOutput *out, GError **error)
{
  for (guint j = 0; j < out->lines->len; j++)
    {
      const LesPaymentLine *line = &g_array_index (out->lines, LesPaymentLine, j);

      t->n_lines++;
      if (!les_int64_add_exact (t->payable, line->payable, &t->payable)
          || !les_int64_add_exact (t->held, line->held, &t->held))
        return refuse_total (ld, line->service_code, error);
      /* the gross was refused only over every service */
      if (!les_int64_add_exact (t->gross, line->gross, &t->gross))
        return refuse_total (ld, NULL, error);
    }
  /* the reconciliation forecasts payable × 12: amounts keep that within 64 bits */
  if (out->lines->len > 0 && (!amount_ok (t->payable) || !amount_ok (t->held)))
    return refuse_total (ld, g_array_index (out->lines, LesPaymentLine, 0).service_code, error);
  return TRUE;
}

/* The year's figures per service, kept beside the lines so that the
 * Overview, the reconciliation and a compute that redoes only some
 * services need not add up millions of rows (and the lines need no index
 * that every compute would have to rebuild at random). */
static gboolean
write_service_totals (Loader *ld, const char *service_code, const ServiceTotals *t, GError **error)
{
  LesStmt *stmt = prepare_year (ld, les_sql_compute_insert_total, error);

  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_text (stmt, 2, service_code);
  les_stmt_bind_int64 (stmt, 3, t->payable);
  les_stmt_bind_int64 (stmt, 4, t->held);
  les_stmt_bind_int64 (stmt, 5, t->n_lines);
  les_stmt_bind_int64 (stmt, 6, t->gross);
  les_stmt_bind_int64 (stmt, 7, t->n_claims);
  les_stmt_bind_int64 (stmt, 8, t->n_findings);
  les_stmt_bind_int64 (stmt, 9, t->n_errors);
  return les_stmt_run (stmt, error);
}

/* Runs a statement of (year ?1, service ?2) to its end. */
static gboolean
run_for_service (Loader *ld, const char *sql, const char *service_code, GError **error)
{
  LesStmt *stmt = prepare_year (ld, sql, error);

  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_text (stmt, 2, service_code);
  return les_stmt_run (stmt, error);
}

/* The year's summary, added up from every service's totals: exact or
 * refused, like each service's */
static gboolean
read_year_totals (Loader *ld, LesComputeSummary *sum, GError **error)
{
  LesStmt *stmt = les_store_prepare (ld->store, les_sql_compute_year_totals, error);
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, ld->fy);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      sum->n_services++;
      sum->n_lines += les_stmt_int64 (stmt, 0);
      sum->n_claims += les_stmt_int64 (stmt, 4);
      sum->n_findings += les_stmt_int64 (stmt, 5);
      sum->n_errors += les_stmt_int64 (stmt, 6);
      if (!les_int64_add_exact (sum->gross, les_stmt_int64 (stmt, 1), &sum->gross)
          || !les_int64_add_exact (sum->payable, les_stmt_int64 (stmt, 2), &sum->payable)
          || !les_int64_add_exact (sum->held, les_stmt_int64 (stmt, 3), &sum->held))
        {
          les_stmt_reset (stmt);
          return refuse_total (ld, NULL, error);
        }
    }
  sum->n_warnings = sum->n_findings - sum->n_errors;
  return finish (stmt, rc);
}

/* Computes the services of @in, then writes their findings, lines and
 * totals: the whole year's when @stale is NULL, else only those of the
 * services in @stale (each loaded in @in, or gone). */
static gboolean
compute_and_write (Loader *ld, LesEngineInput *in, GHashTable *stale, LesComputeSummary *sum, GError **error)
{
  guint n_services = les_engine_input_get_n_services (in);
  g_autofree LesEngineOutput **outputs = g_new0 (LesEngineOutput *, n_services);
  g_autofree ServiceTotals *totals = g_new0 (ServiceTotals, n_services);
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
  for (guint i = 0; i < n_services; i++)
    {
      totals[i].n_claims = les_engine_input_get_n_claims (in, i);
      if (!add_line_totals (ld, &totals[i], outputs[i], error))
        goto out;
    }

  t_start = g_get_monotonic_time ();
  report (ld, 0.5, _("Writing the findings"));
  if (stale == NULL)
    {
      if (!clear_year (ld->store, &findings_table, ld->fy, error))
        goto out;
      for (guint i = 0; i < n_services; i++)
        if (!write_findings (ld, outputs[i], &totals[i], error))
          goto out;
      report (ld, 0.55, _("Comparing the payment lines"));
      if (!write_lines_year (ld, outputs, n_services, sum, error))
        goto out;
      if (!clear_year (ld->store, &totals_table, ld->fy, error))
        goto out;
      for (guint i = 0; i < n_services; i++)
        if (!write_service_totals (ld, les_engine_input_get_service (in, i)->code, &totals[i], error))
          goto out;
    }
  else
    {
      g_autofree const char **codes = NULL;
      guint n_codes;

      /* every stale service: those computed, and any since removed */
      codes = (const char **) g_hash_table_get_keys_as_array (stale, &n_codes);
      for (guint c = 0; c < n_codes; c++)
        {
          LesEngineOutput *out = NULL;
          ServiceTotals *t = NULL;

          for (guint i = 0; i < n_services && out == NULL; i++)
            if (strcmp (les_engine_input_get_service (in, i)->code, codes[c]) == 0)
              {
                out = outputs[i];
                t = &totals[i];
              }
          if (!run_for_service (ld, les_sql_compute_findings_clear_service, codes[c], error)
              || !run_for_service (ld, les_sql_compute_totals_clear_service, codes[c], error))
            goto out;
          if (out != NULL && !write_findings (ld, out, t, error))
            goto out;
          if (!write_lines_service (ld, codes[c], out, sum, error))
            goto out;
          if (out != NULL && !write_service_totals (ld, codes[c], t, error))
            goto out;
        }
    }
  if (!read_year_totals (ld, sum, error))
    goto out;
  g_debug ("compute: results written in %.2f s", (g_get_monotonic_time () - t_start) / 1e6);
  ok = TRUE;

out:
  for (guint i = 0; i < n_services; i++)
    les_engine_output_free (outputs[i]);
  return ok;
}

static gint compute_plan = LES_COMPUTE_PLAN_AUTO;

void
les_compute_set_plan (LesComputePlan plan)
{
  g_atomic_int_set (&compute_plan, plan);
}

/* Reading a service by its index visits the claims at random and reads
 * every patient line again: beyond one service in SERVICES_BY_INDEX of the
 * year's, one pass over the claims that passes the others by is faster.
 * Writing a service's lines visits their pages at random too: once more
 * than half the services changed (a new month of claims for every one), a
 * merge of the whole year's lines in key order is faster, and the whole
 * year is redone. */
#define SERVICES_BY_INDEX 8

/* The services to redo (docs/engine.md, "Computing again"): NULL for the
 * whole year — never computed, computed to another month, a change that
 * touches every service, or most services changed — else those whose
 * inputs changed. */
static gboolean
read_stale (Loader *ld, GHashTable **stale, GError **error)
{
  g_autoptr(GHashTable) codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  LesComputePlan plan = g_atomic_int_get (&compute_plan);
  guint n_services = 0;
  LesStmt *stmt;
  gint32 to = 0;
  LesStep rc;

  *stale = NULL;
  stmt = prepare_year (ld, les_sql_results_compute, error);
  if (stmt == NULL)
    return FALSE;
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    to = column_period (stmt, 0);
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return FALSE;
  if (to != ld->to)
    return TRUE;

  stmt = prepare_year (ld, les_sql_compute_stale, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      const char *code = les_stmt_text (stmt, 0);

      if (code[0] == '\0')
        {
          les_stmt_reset (stmt);
          return TRUE;
        }
      g_hash_table_add (codes, g_strdup (code));
    }
  if (!finish (stmt, rc))
    return FALSE;

  stmt = prepare_year (ld, les_sql_compute_n_services, error);
  if (stmt == NULL)
    return FALSE;
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    n_services = les_stmt_int (stmt, 0);
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return FALSE;
  if (plan == LES_COMPUTE_PLAN_AUTO)
    plan = g_hash_table_size (codes) * 2 > n_services ? LES_COMPUTE_PLAN_WHOLE_YEAR
           : g_hash_table_size (codes) * SERVICES_BY_INDEX > n_services ? LES_COMPUTE_PLAN_BY_SCAN
           : LES_COMPUTE_PLAN_BY_INDEX;
  if (plan == LES_COMPUTE_PLAN_WHOLE_YEAR && g_hash_table_size (codes) > 0)
    return TRUE;
  ld->scan = plan == LES_COMPUTE_PLAN_BY_SCAN;
  *stale = g_steal_pointer (&codes);
  return TRUE;
}

static gboolean
clear_stale (Loader *ld, GError **error)
{
  LesStmt *stmt = prepare_year (ld, les_sql_compute_stale_clear, error);

  if (stmt == NULL)
    return FALSE;
  return les_stmt_run (stmt, error);
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
  g_autoptr(GHashTable) stale = NULL;
  LesComputeSummary sum = { 0 };
  Loader ld = { 0 };
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

  if (!read_stale (&ld, &stale, error))
    goto fail;
  t_start = g_get_monotonic_time ();
  ld.only = stale;
  if (stale != NULL && g_hash_table_size (stale) == 0)
    in = les_engine_input_new (ld.fy, ld.to);
  else
    in = load_input (&ld, error);
  if (in == NULL)
    goto fail;
  g_debug ("compute %d: loaded %s in %.2f s", fy, stale ? "the services changed" : "the year",
           (g_get_monotonic_time () - t_start) / 1e6);
  if (stale == NULL && les_engine_input_get_n_services (in) == 0)
    {
      g_autofree char *year = les_year_format (fy);

      g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND, _("%s has no services to compute; import its "
                                                            "services first"), year);
      goto fail;
    }

  t_start = g_get_monotonic_time ();
  if (!compute_and_write (&ld, in, stale, &sum, error))
    goto fail;
  g_debug ("compute %d: computed and written in %.2f s", fy, (g_get_monotonic_time () - t_start) / 1e6);
  if (!clear_stale (&ld, error))
    goto fail;

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
