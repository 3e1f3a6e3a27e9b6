/* les-compute.c: loading a year from the store, running the engine, and storing its results. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-compute.h"
#include "les-engine.h"
#include "les-error.h"
#include "les-results.h"
#include "les-runs.h"
#include "les-store-compat.h"
#include "les-value.h"

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
column_date (sqlite3_stmt *stmt, int col)
{
  const unsigned char *t = sqlite3_column_text (stmt, col);
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
column_period (sqlite3_stmt *stmt, int col)
{
  const unsigned char *t = sqlite3_column_text (stmt, col);
  int y, m;
  gint32 ym = 0;

  if (t == NULL)
    return 0;
  if (t[4] == '-' && fixed_digits (t, 4, &y) && fixed_digits (t + 5, 2, &m) && t[7] == '\0')
    return y * 100 + m;
  les_period_parse ((const char *) t, &ym, NULL);
  return ym;
}

static const char *
column_text (sqlite3_stmt *stmt, int col)
{
  return (const char *) sqlite3_column_text (stmt, col);
}

static gboolean
column_is_null (sqlite3_stmt *stmt, int col)
{
  return sqlite3_column_type (stmt, col) == SQLITE_NULL;
}

static gboolean
text_is (sqlite3_stmt *stmt, int col, const char *value)
{
  const char *t = column_text (stmt, col);

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

/* Steps @stmt to its end; FALSE with @error on a database error. */
static gboolean
finish (LesStore *store, sqlite3_stmt *stmt, int rc, GError **error)
{
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return les_store_set_db_error (store, error);
  return TRUE;
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
  sqlite3_stmt *stmt;
  int rc;

  stmt = les_store_prepare_sqlite (ld->store,
                            "SELECT service_code, name, cap_mode, budget, schedule, claim_frequency, "
                            "claim_deadline_days, start_date, end_date FROM services WHERE year = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, ld->fy);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LesEngineService s = { 0 };

      s.code = column_text (stmt, 0);
      if (ld->only_service != NULL && strcmp (s.code, ld->only_service) != 0)
        continue;
      s.name = column_text (stmt, 1);
      s.cap_mode = text_is (stmt, 2, "hold") ? LES_CAP_MODE_HOLD
                   : text_is (stmt, 2, "prorata") ? LES_CAP_MODE_PRORATA : LES_CAP_MODE_NONE;
      s.has_budget = !column_is_null (stmt, 3);
      s.budget = sqlite3_column_int64 (stmt, 3);
      s.schedule = text_is (stmt, 4, "quarterly") ? LES_SCHEDULE_QUARTERLY : LES_SCHEDULE_MONTHLY;
      s.claim_frequency = text_is (stmt, 5, "quarterly") ? LES_CLAIM_FREQUENCY_QUARTERLY
                          : text_is (stmt, 5, "annual") ? LES_CLAIM_FREQUENCY_ANNUAL
                          : LES_CLAIM_FREQUENCY_MONTHLY;
      s.has_deadline = !column_is_null (stmt, 6);
      s.deadline_days = sqlite3_column_int (stmt, 6);
      s.start_date = column_date (stmt, 7);
      s.end_date = column_date (stmt, 8);
      les_engine_input_add_service (in, &s);
    }
  return finish (ld->store, stmt, rc, error);
}

static gboolean
load_rules (Loader *ld, LesEngineInput *in, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = les_store_prepare_sqlite (ld->store,
                            "SELECT service_code, rule_code, kind, rate, rate_per, base, max_units_per_practice, "
                            "max_per_patient, fixed_amount, upfront_pct, lower_pct, upper_pct, settlement "
                            "FROM rules WHERE year = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, ld->fy);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LesEngineRule r = { 0 };

      r.service_code = column_text (stmt, 0);
      r.code = column_text (stmt, 1);
      r.kind = text_is (stmt, 2, "capitation") ? LES_RULE_KIND_CAPITATION
               : text_is (stmt, 2, "block") ? LES_RULE_KIND_BLOCK
               : text_is (stmt, 2, "threshold") ? LES_RULE_KIND_THRESHOLD : LES_RULE_KIND_ITEM;
      r.has_rate = !column_is_null (stmt, 3);
      r.rate = sqlite3_column_int64 (stmt, 3);
      r.rate_per = text_is (stmt, 4, "month") ? LES_RATE_PER_MONTH
                   : text_is (stmt, 4, "quarter") ? LES_RATE_PER_QUARTER : LES_RATE_PER_YEAR;
      r.base = text_is (stmt, 5, "weighted") ? LES_BASE_WEIGHTED
               : text_is (stmt, 5, "cohort") ? LES_BASE_COHORT
               : text_is (stmt, 5, "beds") ? LES_BASE_BEDS : LES_BASE_REGISTERED;
      r.has_max_units = !column_is_null (stmt, 6);
      r.max_units = sqlite3_column_int64 (stmt, 6);
      r.has_max_per_patient = !column_is_null (stmt, 7);
      r.max_per_patient = sqlite3_column_int64 (stmt, 7);
      r.fixed_amount = sqlite3_column_int64 (stmt, 8);
      r.upfront_pct = sqlite3_column_int64 (stmt, 9);
      r.lower_pct = sqlite3_column_int64 (stmt, 10);
      r.upper_pct = sqlite3_column_int64 (stmt, 11);
      r.settlement = text_is (stmt, 12, "recover") ? LES_SETTLEMENT_RECOVER : LES_SETTLEMENT_REMAINDER;
      les_engine_input_add_rule (in, &r);
    }
  return finish (ld->store, stmt, rc, error);
}

static gboolean
load_practices (Loader *ld, LesEngineInput *in, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = les_store_prepare_sqlite (ld->store, "SELECT practice_code, close_date FROM practices", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    les_engine_input_add_practice (in, column_text (stmt, 0), column_date (stmt, 1));
  if (!finish (ld->store, stmt, rc, error))
    return FALSE;

  stmt = les_store_prepare_sqlite (ld->store, "SELECT practice_code, date, registered, weighted FROM list_sizes", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    les_engine_input_add_list_size (in, column_text (stmt, 0), column_date (stmt, 1),
                                    sqlite3_column_int64 (stmt, 2), !column_is_null (stmt, 3),
                                    sqlite3_column_int64 (stmt, 3));
  return finish (ld->store, stmt, rc, error);
}

/* Sign-ups, cohorts, allocations and achievements of the year (rows of
 * services not loaded are ignored by the engine). */
static gboolean
load_service_data (Loader *ld, LesEngineInput *in, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = les_store_prepare_sqlite (ld->store,
                            "SELECT practice_code, service_code, from_date, to_date FROM signups WHERE year = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, ld->fy);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    les_engine_input_add_signup (in, column_text (stmt, 0), column_text (stmt, 1), column_date (stmt, 2),
                                 column_date (stmt, 3));
  if (!finish (ld->store, stmt, rc, error))
    return FALSE;

  stmt = les_store_prepare_sqlite (ld->store,
                            "SELECT practice_code, service_code, size FROM cohorts WHERE year = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, ld->fy);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    les_engine_input_add_cohort (in, column_text (stmt, 0), column_text (stmt, 1), sqlite3_column_int64 (stmt, 2));
  if (!finish (ld->store, stmt, rc, error))
    return FALSE;

  stmt = les_store_prepare_sqlite (ld->store,
                            "SELECT practice_code, service_code, block_amount, cap_amount FROM allocations "
                            "WHERE year = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, ld->fy);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    les_engine_input_add_allocation (in, column_text (stmt, 0), column_text (stmt, 1),
                                     !column_is_null (stmt, 2), sqlite3_column_int64 (stmt, 2),
                                     !column_is_null (stmt, 3), sqlite3_column_int64 (stmt, 3));
  if (!finish (ld->store, stmt, rc, error))
    return FALSE;

  stmt = les_store_prepare_sqlite (ld->store,
                            "SELECT practice_code, service_code, achieved_pct FROM achievements WHERE year = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, ld->fy);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    les_engine_input_add_achievement (in, column_text (stmt, 0), column_text (stmt, 1),
                                      sqlite3_column_int64 (stmt, 2));
  return finish (ld->store, stmt, rc, error);
}

static void
bind_scope (Loader *ld, sqlite3_stmt *stmt)
{
  char first[8], last[8];

  period_text (ld->fy * 100 + 4, first);
  period_text (ld->to, last);
  sqlite3_bind_int (stmt, 1, ld->fy);
  sqlite3_bind_text (stmt, 2, first, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, last, -1, SQLITE_TRANSIENT);
  if (ld->only_service != NULL)
    sqlite3_bind_text (stmt, 4, ld->only_service, -1, SQLITE_TRANSIENT);
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
  /* a whole year is read in table order (+year keeps SQLite off the
   * by-service index, which would visit the table at random) */
  static const char all_sql[] =
    "SELECT id, claim_ref, practice_code, service_code, item_code, period, count, submitted_date "
    "FROM claims WHERE +year = ?1 AND period >= ?2 AND period <= ?3 "
    "AND status NOT IN ('rejected', 'withdrawn') ORDER BY id";
  static const char one_sql[] =
    "SELECT id, claim_ref, practice_code, service_code, item_code, period, count, submitted_date "
    "FROM claims WHERE year = ?1 AND period >= ?2 AND period <= ?3 "
    "AND status NOT IN ('rejected', 'withdrawn') AND service_code = ?4 ORDER BY id";
  /* patient lines drive the join: a year without any costs nothing */
  static const char lines_all_sql[] =
    "SELECT c.id, p.line_no, p.nhs_hash, p.activity_date "
    "FROM patient_lines AS p CROSS JOIN claims AS c "
    "WHERE c.claim_ref = p.claim_ref AND c.year = ?1 AND c.period >= ?2 AND c.period <= ?3 "
    "AND c.status NOT IN ('rejected', 'withdrawn')";
  static const char lines_one_sql[] =
    "SELECT c.id, p.line_no, p.nhs_hash, p.activity_date "
    "FROM patient_lines AS p CROSS JOIN claims AS c "
    "WHERE c.claim_ref = p.claim_ref AND c.year = ?1 AND c.period >= ?2 AND c.period <= ?3 "
    "AND c.status NOT IN ('rejected', 'withdrawn') AND c.service_code = ?4";
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) handles = g_array_new (FALSE, FALSE, sizeof (guint));
  sqlite3_stmt *stmt;
  gint64 n = 0;
  int rc;

  stmt = les_store_prepare_sqlite (ld->store, ld->only_service ? one_sql : all_sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_scope (ld, stmt);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      guint handle = les_engine_input_add_claim (in, column_text (stmt, 1), column_text (stmt, 2),
                                                 column_text (stmt, 3), column_text (stmt, 4),
                                                 column_period (stmt, 5), sqlite3_column_int64 (stmt, 6),
                                                 column_date (stmt, 7));

      g_array_append_val (ids, id);
      g_array_append_val (handles, handle);
      if (++n % CHECK_EVERY == 0 && g_cancellable_set_error_if_cancelled (ld->cancellable, error))
        {
          sqlite3_reset (stmt);
          return FALSE;
        }
    }
  if (!finish (ld->store, stmt, rc, error))
    return FALSE;
  ld->n_claims = n;
  report (ld, 0.25, _("Reading patient lines"));

  stmt = les_store_prepare_sqlite (ld->store, ld->only_service ? lines_one_sql : lines_all_sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_scope (ld, stmt);
  n = 0;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      guint handle = handle_for_id (ids, handles, sqlite3_column_int64 (stmt, 0));

      if (handle != LES_ENGINE_NO_CLAIM)
        les_engine_input_add_patient_line (in, handle, sqlite3_column_int (stmt, 1), column_text (stmt, 2),
                                           column_date (stmt, 3));
      if (++n % CHECK_EVERY == 0 && g_cancellable_set_error_if_cancelled (ld->cancellable, error))
        {
          sqlite3_reset (stmt);
          return FALSE;
        }
    }
  return finish (ld->store, stmt, rc, error);
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

static gboolean
clear_year (LesStore *store, const char *table, int fy, GError **error)
{
  g_autofree char *range_sql = g_strdup_printf ("SELECT min(year), max(year) FROM %s", table);
  g_autofree char *all_sql = g_strdup_printf ("DELETE FROM %s", table);
  g_autofree char *year_sql = g_strdup_printf ("DELETE FROM %s WHERE year = ?1", table);
  sqlite3_stmt *stmt;
  gboolean only_this_year;
  int rc;

  /* a table holding only this year is emptied whole, which SQLite does
   * without visiting each row */
  stmt = les_store_prepare_sqlite (store, range_sql, error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return finish (store, stmt, rc, error);
  only_this_year = sqlite3_column_type (stmt, 0) == SQLITE_NULL
                   || (sqlite3_column_int (stmt, 0) == fy && sqlite3_column_int (stmt, 1) == fy);
  sqlite3_reset (stmt);

  stmt = les_store_prepare_sqlite (store, only_this_year ? all_sql : year_sql, error);
  if (stmt == NULL)
    return FALSE;
  if (!only_this_year)
    sqlite3_bind_int (stmt, 1, fy);
  return finish (store, stmt, sqlite3_step (stmt), error);
}

#define LINE_COLUMNS 9
#define LINES_PER_INSERT 64         /* rows per INSERT: far fewer statement steps */

static char *
insert_lines_sql (guint rows)
{
  GString *sql = g_string_new ("INSERT INTO payment_lines (year, practice_code, service_code, rule_code, period, "
                               "units, gross, payable, held) VALUES ");

  for (guint r = 0; r < rows; r++)
    g_string_append (sql, r == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  return g_string_free (sql, FALSE);
}

static gboolean
write_lines (Loader *ld, const LesPaymentLine **lines, guint n, GError **error)
{
  g_autofree char *sql = insert_lines_sql (n);
  sqlite3_stmt *stmt = les_store_prepare_sqlite (ld->store, sql, error);
  char periods[LINES_PER_INSERT][8];

  if (stmt == NULL)
    return FALSE;
  for (guint r = 0; r < n; r++)
    {
      const LesPaymentLine *l = lines[r];
      int col = r * LINE_COLUMNS;

      period_text (l->period, periods[r]);
      sqlite3_bind_int (stmt, col + 1, ld->fy);
      sqlite3_bind_text (stmt, col + 2, l->practice_code, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, col + 3, l->service_code, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, col + 4, l->rule_code, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, col + 5, periods[r], 7, SQLITE_STATIC);
      les_bind_int64_or_null (stmt, col + 6, l->has_units, l->units);
      sqlite3_bind_int64 (stmt, col + 7, l->gross);
      sqlite3_bind_int64 (stmt, col + 8, l->payable);
      sqlite3_bind_int64 (stmt, col + 9, l->held);
    }
  return finish (ld->store, stmt, sqlite3_step (stmt), error);
}

static gboolean
write_findings (Loader *ld, LesEngineOutput *out, LesComputeSummary *summary, GError **error)
{
  sqlite3_stmt *stmt;

  stmt = les_store_prepare_sqlite (ld->store,
                            "INSERT INTO findings (year, severity, code, practice_code, service_code, rule_code, "
                            "period, claim_ref, message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < out->findings->len; i++)
    {
      const LesFinding *f = &g_array_index (out->findings, LesFinding, i);
      char period[8];

      sqlite3_bind_int (stmt, 1, ld->fy);
      sqlite3_bind_text (stmt, 2, f->severity == LES_SEVERITY_ERROR ? "error" : "warning", -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, f->code, -1, SQLITE_STATIC);
      les_bind_text_or_null (stmt, 4, f->practice_code);
      les_bind_text_or_null (stmt, 5, f->service_code);
      les_bind_text_or_null (stmt, 6, f->rule_code);
      period_text (f->period, period);
      if (f->period != 0)
        sqlite3_bind_text (stmt, 7, period, 7, SQLITE_STATIC);
      else
        sqlite3_bind_null (stmt, 7);
      les_bind_text_or_null (stmt, 8, f->claim_ref);
      sqlite3_bind_text (stmt, 9, f->message, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          les_store_set_db_error (ld->store, error);
          sqlite3_reset (stmt);
          return FALSE;
        }
      sqlite3_reset (stmt);
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
cmp_stored_line (sqlite3_stmt *stmt, const LesPaymentLine *l)
{
  int c;

  if ((c = strcmp (column_text (stmt, 1), l->practice_code)) != 0
      || (c = strcmp (column_text (stmt, 2), l->service_code)) != 0
      || (c = strcmp (column_text (stmt, 3), l->rule_code)) != 0)
    return c;
  c = column_period (stmt, 4);
  return (c > l->period) - (c < l->period);
}

static gboolean
stored_line_equal (sqlite3_stmt *stmt, const LesPaymentLine *l)
{
  if (column_is_null (stmt, 5) == l->has_units)
    return FALSE;
  return (!l->has_units || sqlite3_column_int64 (stmt, 5) == l->units)
         && sqlite3_column_int64 (stmt, 6) == l->gross
         && sqlite3_column_int64 (stmt, 7) == l->payable
         && sqlite3_column_int64 (stmt, 8) == l->held;
}

typedef struct {
  gint64                id;
  const LesPaymentLine *line;
} Change;

/* Compares the year's stored lines with the new ones, both in key order,
 * without writing: what to delete, update and insert. */
static gboolean
diff_lines (Loader *ld, LineMerge *merge, GArray *deletes, GArray *updates, GPtrArray *inserts,
            LesComputeSummary *sum, GError **error)
{
  sqlite3_stmt *stmt;
  const LesPaymentLine *l;
  int rc;

  /* the unique index gives this order without sorting */
  stmt = les_store_prepare_sqlite (ld->store,
                            "SELECT id, practice_code, service_code, rule_code, period, units, gross, payable, held "
                            "FROM payment_lines WHERE year = ?1 ORDER BY practice_code COLLATE BINARY, "
                            "service_code COLLATE BINARY, rule_code COLLATE BINARY, period COLLATE BINARY", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, ld->fy);
  rc = sqlite3_step (stmt);
  l = line_merge_next (merge);
  while (rc == SQLITE_ROW || l != NULL)
    {
      int c = rc != SQLITE_ROW ? 1 : l == NULL ? -1 : cmp_stored_line (stmt, l);

      if (c < 0)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);

          g_array_append_val (deletes, id);
        }
      else if (c > 0)
        g_ptr_array_add (inserts, (gpointer) l);
      else if (!stored_line_equal (stmt, l))
        {
          Change change = { sqlite3_column_int64 (stmt, 0), l };

          g_array_append_val (updates, change);
        }
      if (c >= 0)
        {
          sum->n_lines++;
          sum->gross += l->gross;
          sum->payable += l->payable;
          sum->held += l->held;
          l = line_merge_next (merge);
        }
      if (c <= 0)
        {
          rc = sqlite3_step (stmt);
          if (sum->n_lines % CHECK_EVERY == 0 && g_cancellable_is_cancelled (ld->cancellable))
            break;
        }
    }
  sqlite3_reset (stmt);
  if (g_cancellable_set_error_if_cancelled (ld->cancellable, error))
    return FALSE;
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return les_store_set_db_error (ld->store, error);
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
  sqlite3_stmt *stmt;

  if (!diff_lines (ld, &merge, deletes, updates, inserts, sum, error))
    return FALSE;
  g_debug ("compute: %u lines to insert, %u to update, %u to delete", inserts->len, updates->len, deletes->len);
  sum->n_inserted = inserts->len;
  sum->n_updated = updates->len;
  sum->n_deleted = deletes->len;

  stmt = les_store_prepare_sqlite (ld->store, "DELETE FROM payment_lines WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < deletes->len; i++)
    {
      sqlite3_bind_int64 (stmt, 1, g_array_index (deletes, gint64, i));
      if (!finish (ld->store, stmt, sqlite3_step (stmt), error))
        return FALSE;
    }

  stmt = les_store_prepare_sqlite (ld->store,
                            "UPDATE payment_lines SET units = ?2, gross = ?3, payable = ?4, held = ?5 "
                            "WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < updates->len; i++)
    {
      const Change *change = &g_array_index (updates, Change, i);

      sqlite3_bind_int64 (stmt, 1, change->id);
      les_bind_int64_or_null (stmt, 2, change->line->has_units, change->line->units);
      sqlite3_bind_int64 (stmt, 3, change->line->gross);
      sqlite3_bind_int64 (stmt, 4, change->line->payable);
      sqlite3_bind_int64 (stmt, 5, change->line->held);
      if (!finish (ld->store, stmt, sqlite3_step (stmt), error))
        return FALSE;
    }

  for (guint i = 0; i < inserts->len; i += LINES_PER_INSERT)
    {
      if (i % (LINES_PER_INSERT * 1024) == 0)
        {
          if (g_cancellable_set_error_if_cancelled (ld->cancellable, error))
            return FALSE;
          report (ld, 0.6 + 0.38 * i / inserts->len, _("Writing the payment lines"));
        }
      if (!write_lines (ld, (const LesPaymentLine **) inserts->pdata + i, MIN (LINES_PER_INSERT, inserts->len - i),
                        error))
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
  sqlite3_stmt *stmt;

  if (!clear_year (ld->store, "service_totals", ld->fy, error))
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

          payable += line->payable;
          held += line->held;
        }
      stmt = les_store_prepare_sqlite (ld->store,
                                "INSERT INTO service_totals (year, service_code, payable, held, n_lines) "
                                "VALUES (?1, ?2, ?3, ?4, ?5)", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int (stmt, 1, ld->fy);
      sqlite3_bind_text (stmt, 2, g_array_index (lines, LesPaymentLine, 0).service_code, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, payable);
      sqlite3_bind_int64 (stmt, 4, held);
      sqlite3_bind_int (stmt, 5, (int) lines->len);
      if (!finish (ld->store, stmt, sqlite3_step (stmt), error))
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
  if (!les_engine_run_services (in, outputs, MIN (g_get_num_processors (), 4), ld->cancellable))
    {
      g_cancellable_set_error_if_cancelled (ld->cancellable, error);
      goto out;
    }
  g_debug ("compute: engine %.2f s", (g_get_monotonic_time () - t_start) / 1e6);

  t_start = g_get_monotonic_time ();
  report (ld, 0.5, _("Writing the findings"));
  if (!clear_year (ld->store, "findings", ld->fy, error))
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

static gboolean
write_compute_row (LesStore *store, int fy, gint32 to, GError **error)
{
  g_autofree char *now = les_now_iso8601 ();
  sqlite3_stmt *stmt;
  char period[8];

  stmt = les_store_prepare_sqlite (store,
                            "INSERT INTO computes (year, to_period, computed_at, computed_by) "
                            "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (year) DO UPDATE SET "
                            "to_period = excluded.to_period, computed_at = excluded.computed_at, "
                            "computed_by = excluded.computed_by", error);
  if (stmt == NULL)
    return FALSE;
  period_text (to, period);
  sqlite3_bind_int (stmt, 1, fy);
  sqlite3_bind_text (stmt, 2, period, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, g_get_user_name (), -1, SQLITE_TRANSIENT);
  return finish (store, stmt, sqlite3_step (stmt), error);
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
  if (!les_runs_update_adjustments (store, fy, ld.to, error))
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
    les_store_audit (store, "compute", "payment_lines", year, NULL, after);
  }
  t_start = g_get_monotonic_time ();
  if (!les_store_commit (store, error))
    return FALSE;
  g_debug ("compute %d: committed in %.2f s", fy, (g_get_monotonic_time () - t_start) / 1e6);

  report (&ld, 1.0, _("Computed"));
  les_store_emit_changed (store, "payment_lines");
  les_store_emit_changed (store, "findings");
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
