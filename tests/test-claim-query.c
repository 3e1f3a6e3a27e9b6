/* test-claim-query.c: the claims model's statements — their SQL and parameters for each filter and order, run on a small database. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-claim-query.h"
#include "les-claims-edit.h"
#include "les-store-private.h"
#include "test-helpers.h"

#define FY 2024

/* The claims of the database, as the test expects them */
typedef struct {
  gint64       id;
  char        *ref;
  const char  *practice;
  const char  *name;
  const char  *pcn;
  const char  *service;
  const char  *item;
  char        *period;
  char        *count;
  char        *submitted;
  const char  *status;
  const char  *reason;
  int          year;
  const char  *findings[2];   /* in the order they were found */
} Claim;

static const struct {
  const char *code;
  const char *name;
  const char *pcn;
} practices[] = {
  { "A81001", "Ashford Surgery", "U81001" },
  { "A81002", "Beech House", "U81002" },
  { "B82001", "Cedar Lodge", "U81001" },
  { "B82002", "Beechwood Clinic", "U81002" },
};

#define N_CLAIMS 66   /* 60 in 2024/25, 6 in 2025/26 */

typedef struct {
  char     *dir;
  LesStore *store;
  Claim     claims[N_CLAIMS];
} Fixture;

static const char *
status_of (int i)
{
  static const char *statuses[] = { "submitted", "queried", "approved", "rejected", "withdrawn" };

  return statuses[i % 5];
}

static const char *
reason_of (int i)
{
  switch (i % 5)
    {
    case 1:
      /* at practices whose names do not say Beech */
      return i % 2 ? "Count too high" : "Ask Beech for the letter";
    case 3:
      return "A duplicate";
    case 4:
      return "The practice withdrew it";
    default:
      return NULL;
    }
}

static void
insert_finding (LesStore *store, int year, const char *code, const char *claim_ref)
{
  g_autoptr(GError) error = NULL;
  LesStmt *stmt = les_store_prepare (store,
                                     "INSERT INTO findings (year, severity, code, claim_ref, message) "
                                     "VALUES (?1, ?4, ?2, ?3, 'test')", &error);

  g_assert_no_error (error);
  les_stmt_bind_int64 (stmt, 1, year);
  les_stmt_bind_text (stmt, 2, code);
  les_stmt_bind_text (stmt, 3, claim_ref);
  les_stmt_bind_text (stmt, 4, les_severity_to_word (les_finding_lookup (code)->severity));
  g_assert_true (les_stmt_run (stmt, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GString) practices_csv = g_string_new ("practice_code,practice_name,pcn_code,pcn_name\n");
  g_autoptr(GString) claims_csv = g_string_new ("claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n");
  g_autoptr(GError) error = NULL;

  for (guint p = 0; p < G_N_ELEMENTS (practices); p++)
    g_string_append_printf (practices_csv, "%s,%s,%s,%s PCN\n", practices[p].code, practices[p].name,
                            practices[p].pcn, practices[p].pcn);
  for (int i = 0; i < N_CLAIMS; i++)
    {
      Claim *c = &f->claims[i];
      int n = i + 1;
      int m = i % 12 + 4;
      int y = (i < 60 ? 2024 : 2025) + (m > 12);

      m = m > 12 ? m - 12 : m;
      c->ref = g_strdup_printf ("R%03d", n);
      c->practice = practices[i % 4].code;
      c->name = practices[i % 4].name;
      c->pcn = practices[i % 4].pcn;
      c->service = i % 2 ? "INJ" : "VAC";
      c->item = i % 2 ? "JAB" : "DOSE";
      c->period = g_strdup_printf ("%d-%02d", y, m);
      c->count = g_strdup_printf ("%d", i % 7);
      c->submitted = g_strdup_printf ("%d-%02d-%02d", y, m, 28 - i % 3);
      c->status = status_of (i);
      c->reason = reason_of (i);
      c->year = i < 60 ? 2024 : 2025;
      g_string_append_printf (claims_csv, "%s,%s,%s,%s,%s,%s,%s\n", c->ref, c->practice, c->service, c->item,
                              c->period, c->count, c->submitted);
    }

  f->store = test_store_new (&f->dir);
  test_import_ok (f->store, f->dir, LES_KIND_PRACTICES, practices_csv->str);
  test_import_ok (f->store, f->dir, LES_KIND_SERVICES,
                  "service_code,year,name\nINJ,2024/25,Injections\nVAC,2024/25,Vaccines\n"
                  "INJ,2025/26,Injections\nVAC,2025/26,Vaccines\n");
  test_import_ok (f->store, f->dir, LES_KIND_RULES,
                  "service_code,year,rule_code,kind,rate,rate_per,base\n"
                  "INJ,2024/25,JAB,item,10.00,,\nVAC,2024/25,DOSE,item,12.00,,\n"
                  "INJ,2025/26,JAB,item,10.00,,\nVAC,2025/26,DOSE,item,12.00,,\n");
  test_import_ok (f->store, f->dir, LES_KIND_CLAIMS, claims_csv->str);

  for (int i = 0; i < N_CLAIMS; i++)
    {
      Claim *c = &f->claims[i];
      const char *refs[] = { c->ref, NULL };
      g_autoptr(GArray) ids = les_claims_ids_for_refs (f->store, refs, &error);

      g_assert_no_error (error);
      c->id = g_array_index (ids, gint64, 0);
      if (g_strcmp0 (c->status, "submitted") != 0)
        {
          g_autoptr(LesClaimsChange) change = les_claims_set_status (f->store, &c->id, NULL, 1, les_claim_status_from_word (c->status), c->reason,
                                                                     &error);
          g_assert_no_error (error);
        }
      /* two findings for some, found in this order */
      if (c->year == FY && i % 6 == 5)
        {
          insert_finding (f->store, FY, "DUPLICATE", c->ref);
          c->findings[0] = "DUPLICATE";
        }
      if (c->year == FY && i % 4 == 3)
        {
          insert_finding (f->store, FY, "LATE", c->ref);
          c->findings[c->findings[0] != NULL] = "LATE";
        }
    }
  /* neither of another year's claim nor of no claim */
  insert_finding (f->store, FY + 1, "OUTLIER", "R001");
  insert_finding (f->store, FY, "OVER_BUDGET", NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  for (int i = 0; i < N_CLAIMS; i++)
    {
      g_free (f->claims[i].ref);
      g_free (f->claims[i].period);
      g_free (f->claims[i].count);
      g_free (f->claims[i].submitted);
    }
  test_store_clear (&f->store, &f->dir);
}

/* Running a statement */

static LesStmt *
prepare (LesStore *store, LesSqlBuilt *built)
{
  g_autoptr(GError) error = NULL;
  LesStmt *stmt = les_store_prepare (store, built->sql, &error);

  g_assert_no_error (error);
  g_assert_nonnull (stmt);
  g_assert_cmpint (les_stmt_param_count (stmt), ==, (int) built->params->len);
  for (guint i = 0; i < built->params->len; i++)
    {
      GVariant *value = g_ptr_array_index (built->params, i);

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        les_stmt_bind_int64 (stmt, (int) i + 1, g_variant_get_int64 (value));
      else
        les_stmt_bind_text (stmt, (int) i + 1, g_variant_get_string (value, NULL));
    }
  return stmt;
}

/* Every row, its columns as text joined by "|" ("-" for NULL) */
static GPtrArray *
run (LesStore *store, LesSqlBuilt *built)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);
  LesStmt *stmt = prepare (store, built);
  LesStep rc;

  while ((rc = les_stmt_step (stmt, &error)) == LES_STEP_ROW)
    {
      g_autoptr(GString) row = g_string_new (NULL);

      for (int c = 0; c < les_stmt_column_count (stmt); c++)
        g_string_append_printf (row, "%s%s", c ? "|" : "",
                                les_stmt_is_null (stmt, c) ? "-" : les_stmt_text (stmt, c));
      g_ptr_array_add (rows, g_string_free (g_steal_pointer (&row), FALSE));
    }
  g_assert_no_error (error);
  g_assert_cmpint (rc, ==, LES_STEP_DONE);
  les_stmt_reset (stmt);
  return rows;
}

static gint64
run_count (LesStore *store, LesSqlBuilt *built)
{
  g_autoptr(GPtrArray) rows = run (store, built);

  g_assert_cmpuint (rows->len, ==, 1);
  return g_ascii_strtoll (g_ptr_array_index (rows, 0), NULL, 10);
}

static char *
params_text (LesSqlBuilt *built)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < built->params->len; i++)
    {
      g_autofree char *value = g_variant_print (g_ptr_array_index (built->params, i), TRUE);

      g_string_append_printf (text, "%s%s", i ? ", " : "", value);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* What the test expects */

static gboolean
has_prefix_ci (const char *text, const char *prefix)
{
  g_autofree char *up = g_ascii_strup (prefix, -1);

  return g_str_has_prefix (text, up);
}

static gboolean
contains_ci (const char *text, const char *part)
{
  g_autofree char *a = text != NULL ? g_ascii_strdown (text, -1) : NULL;
  g_autofree char *b = g_ascii_strdown (part, -1);

  return a != NULL && strstr (a, b) != NULL;
}

static gboolean
matches (const Claim *c, const LesClaimQuery *query)
{
  const char *v;

  if (c->year != les_claim_query_get_year (query))
    return FALSE;
  if ((v = les_claim_query_get_filter (query, LES_CLAIM_FILTER_PRACTICE)) && g_strcmp0 (v, c->practice) != 0)
    return FALSE;
  if ((v = les_claim_query_get_filter (query, LES_CLAIM_FILTER_PCN)) && g_strcmp0 (v, c->pcn) != 0)
    return FALSE;
  if ((v = les_claim_query_get_filter (query, LES_CLAIM_FILTER_SERVICE)) && g_strcmp0 (v, c->service) != 0)
    return FALSE;
  if ((v = les_claim_query_get_filter (query, LES_CLAIM_FILTER_ITEM)) && g_strcmp0 (v, c->item) != 0)
    return FALSE;
  if ((v = les_claim_query_get_filter (query, LES_CLAIM_FILTER_PERIOD)) && g_strcmp0 (v, c->period) != 0)
    return FALSE;
  if ((v = les_claim_query_get_filter (query, LES_CLAIM_FILTER_STATUS)) && g_strcmp0 (v, c->status) != 0)
    return FALSE;
  /* the fixture's findings of claims are all errors (DUPLICATE, LATE) */
  if ((v = les_claim_query_get_filter (query, LES_CLAIM_FILTER_FINDING))
      && !(g_strcmp0 (v, "*") == 0 || g_strcmp0 (v, "!") == 0 ? c->findings[0] != NULL
           : g_strcmp0 (v, "-") == 0 || g_strcmp0 (v, "~") == 0 ? c->findings[0] == NULL
           : g_strcmp0 (v, c->findings[0]) == 0 || g_strcmp0 (v, c->findings[1]) == 0))
    return FALSE;
  if ((v = les_claim_query_get_filter (query, LES_CLAIM_FILTER_TEXT))
      && !(has_prefix_ci (c->ref, v) || has_prefix_ci (c->practice, v) || contains_ci (c->name, v)
           || contains_ci (c->reason, v)))
    return FALSE;
  return TRUE;
}

static const char *
field_of (const Claim *c, LesClaimField field)
{
  switch (field)
    {
    case LES_CLAIM_FIELD_PRACTICE: return c->practice;
    case LES_CLAIM_FIELD_PRACTICE_NAME: return c->name;
    case LES_CLAIM_FIELD_PCN: return c->pcn;
    case LES_CLAIM_FIELD_SERVICE: return c->service;
    case LES_CLAIM_FIELD_ITEM: return c->item;
    case LES_CLAIM_FIELD_PERIOD: return c->period;
    case LES_CLAIM_FIELD_COUNT: return c->count;
    case LES_CLAIM_FIELD_SUBMITTED: return c->submitted;
    case LES_CLAIM_FIELD_STATUS: return c->status;
    case LES_CLAIM_FIELD_REASON: return c->reason;
    case LES_CLAIM_FIELD_REF:
    case LES_CLAIM_FIELD_FINDINGS:
    case LES_N_CLAIM_FIELDS:
    default:
      return c->ref;
    }
}

static const LesClaimQuery *sort_query;

/* SQL's order: NULL first, counts as numbers, then the id */
static int
compare_claims (gconstpointer a, gconstpointer b)
{
  const Claim *x = *(const Claim **) a, *y = *(const Claim **) b;
  gboolean descending;
  LesClaimField field = les_claim_query_get_sort (sort_query, &descending);
  const char *u = field_of (x, field), *v = field_of (y, field);
  int r;

  if (u == NULL || v == NULL)
    r = (u != NULL) - (v != NULL);
  else if (field == LES_CLAIM_FIELD_COUNT)
    r = (int) (g_ascii_strtoll (u, NULL, 10) - g_ascii_strtoll (v, NULL, 10));
  else
    r = strcmp (u, v);
  if (r == 0)
    r = (x->id > y->id) - (x->id < y->id);
  return descending ? -r : r;
}

/* The claims @query matches, in its order */
static GPtrArray *
expected_claims (Fixture *f, const LesClaimQuery *query)
{
  GPtrArray *claims = g_ptr_array_new ();

  for (int i = 0; i < N_CLAIMS; i++)
    if (matches (&f->claims[i], query))
      g_ptr_array_add (claims, &f->claims[i]);
  sort_query = query;
  g_ptr_array_sort (claims, compare_claims);
  return claims;
}

/* Rows of a ROWS or PAGE statement: a row per finding */
static GPtrArray *
expected_rows (GPtrArray *claims, guint from, guint n)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);

  for (guint i = from; i < claims->len && i < from + n; i++)
    {
      const Claim *c = g_ptr_array_index (claims, i);

      for (guint k = 0; k == 0 || (k < 2 && c->findings[k] != NULL); k++)
        g_ptr_array_add (rows, g_strdup_printf ("%" G_GINT64_FORMAT "|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s",
                                                c->id, c->ref, c->practice, c->name, c->pcn, c->service, c->item,
                                                c->period, c->count, c->submitted, c->status,
                                                c->reason != NULL ? c->reason : "-",
                                                c->findings[k] != NULL ? c->findings[k] : "-"));
    }
  return rows;
}

static GPtrArray *
expected_ids (GPtrArray *claims, guint from, guint n)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = from; i < claims->len && i < from + n; i++)
    ids = (g_ptr_array_add (ids, g_strdup_printf ("%" G_GINT64_FORMAT, ((Claim *) g_ptr_array_index (claims, i))->id)),
           ids);
  return ids;
}

static void
assert_rows (GPtrArray *rows, GPtrArray *expected)
{
  g_assert_cmpuint (rows->len, ==, expected->len);
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpstr (g_ptr_array_index (rows, i), ==, g_ptr_array_index (expected, i));
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* Runs every statement of @query and compares them with what it should match */
static void
check_query (Fixture *f, LesClaimQuery *query, gboolean broad)
{
  g_autoptr(GPtrArray) claims = expected_claims (f, query);
  g_autoptr(LesSqlBuilt) count = les_sql_claims (query, LES_SQL_CLAIMS_COUNT, broad, 0, 0);
  g_autoptr(LesSqlBuilt) capped = les_sql_claims (query, LES_SQL_CLAIMS_COUNT, broad, 3, 0);
  g_autoptr(LesSqlBuilt) all = les_sql_claims (query, LES_SQL_CLAIMS_ROWS, broad, 0, 0);
  g_autoptr(LesSqlBuilt) page = les_sql_claims (query, LES_SQL_CLAIMS_PAGE, broad, 4, 2);
  g_autoptr(LesSqlBuilt) ids = les_sql_claims (query, LES_SQL_CLAIMS_IDS, broad, 0, 0);
  g_autoptr(LesSqlBuilt) id_page = les_sql_claims (query, LES_SQL_CLAIMS_IDS_PAGE, broad, 3, 1);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) expected = NULL;
  LesSqlBuilt *each[] = { count, capped, all, page, ids, id_page };

  /* portable SQL: numbered parameters, no GLOB, no SQLite-only functions */
  for (guint i = 0; i < G_N_ELEMENTS (each); i++)
    {
      g_assert_null (strstr (each[i]->sql, "GLOB"));
      g_assert_null (strstr (each[i]->sql, "group_concat"));
      for (const char *q = strchr (each[i]->sql, '?'); q != NULL; q = strchr (q + 1, '?'))
        g_assert_true (g_ascii_isdigit (q[1]));
    }

  g_assert_cmpint (run_count (f->store, count), ==, claims->len);
  g_assert_cmpint (run_count (f->store, capped), ==, MIN (claims->len, 3));

  rows = run (f->store, all);
  expected = expected_rows (claims, 0, G_MAXUINT);
  assert_rows (rows, expected);
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&expected, g_ptr_array_unref);

  rows = run (f->store, page);
  expected = expected_rows (claims, 2, 4);
  assert_rows (rows, expected);
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&expected, g_ptr_array_unref);

  rows = run (f->store, id_page);
  expected = expected_ids (claims, 1, 3);
  assert_rows (rows, expected);
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&expected, g_ptr_array_unref);

  /* in no order */
  rows = run (f->store, ids);
  expected = expected_ids (claims, 0, G_MAXUINT);
  g_ptr_array_sort (rows, compare_strings);
  g_ptr_array_sort (expected, compare_strings);
  assert_rows (rows, expected);
}

/* Tests */

/* The text and parameters of each filter on its own */
static void
test_sql (Fixture *f, gconstpointer data)
{
  static const struct {
    LesClaimFilter  filter;
    const char     *value;
    gboolean        broad;
    const char     *where;
    const char     *params;
  } cases[] = {
    { LES_N_CLAIM_FILTERS, NULL, FALSE, "c.year = ?1", "int64 2024" },
    { LES_CLAIM_FILTER_PRACTICE, " a81002 ", FALSE, "c.year = ?1 AND c.practice_code = ?2",
      "int64 2024, 'A81002'" },
    { LES_CLAIM_FILTER_PCN, "u81002", FALSE,
      "c.year = ?1 AND c.practice_code IN (SELECT practice_code FROM practices WHERE pcn_code = ?2)",
      "int64 2024, 'U81002'" },
    { LES_CLAIM_FILTER_SERVICE, "vac", FALSE, "c.year = ?1 AND c.service_code = ?2", "int64 2024, 'VAC'" },
    { LES_CLAIM_FILTER_ITEM, "dose", FALSE, "c.year = ?1 AND c.item_code = ?2", "int64 2024, 'DOSE'" },
    { LES_CLAIM_FILTER_PERIOD, "2024-06", FALSE, "c.year = ?1 AND c.period = ?2", "int64 2024, '2024-06'" },
    { LES_CLAIM_FILTER_STATUS, "queried", FALSE, "c.year = ?1 AND c.status = ?2", "int64 2024, 'queried'" },
    { LES_CLAIM_FILTER_FINDING, "*", FALSE,
      "c.year = ?1 AND c.claim_ref IN (SELECT f.claim_ref FROM findings f WHERE f.year = ?1 "
      "AND f.claim_ref IS NOT NULL)", "int64 2024" },
    { LES_CLAIM_FILTER_FINDING, "late", FALSE,
      "c.year = ?1 AND c.claim_ref IN (SELECT f.claim_ref FROM findings f WHERE f.year = ?1 "
      "AND f.claim_ref IS NOT NULL AND f.code = ?2)", "int64 2024, 'LATE'" },
    { LES_CLAIM_FILTER_FINDING, "-", FALSE,
      "c.year = ?1 AND c.claim_ref NOT IN (SELECT f.claim_ref FROM findings f WHERE f.year = ?1 "
      "AND f.claim_ref IS NOT NULL)", "int64 2024" },
    { LES_CLAIM_FILTER_FINDING, "!", FALSE,
      "c.year = ?1 AND c.claim_ref IN (SELECT f.claim_ref FROM findings f WHERE f.year = ?1 "
      "AND f.claim_ref IS NOT NULL AND f.severity = 'error')", "int64 2024" },
    { LES_CLAIM_FILTER_FINDING, "~", FALSE,
      "c.year = ?1 AND c.claim_ref NOT IN (SELECT f.claim_ref FROM findings f WHERE f.year = ?1 "
      "AND f.claim_ref IS NOT NULL AND f.severity = 'error')", "int64 2024" },
    { LES_CLAIM_FILTER_TEXT, "r0z", FALSE,
      "+c.year = ?1 AND c.id IN (SELECT id FROM claims WHERE claim_ref >= ?2 AND claim_ref < ?3 "
      "UNION ALL SELECT id FROM claims WHERE year = ?1 AND practice_code IN "
      "(SELECT practice_code FROM practices WHERE practice_code >= ?2 AND practice_code < ?3 "
      "OR practice_name LIKE ?4) UNION ALL SELECT id FROM claims WHERE status_reason IS NOT NULL "
      "AND status_reason LIKE ?4)", "int64 2024, 'R0Z', 'R0[', '%r0z%'" },
    { LES_CLAIM_FILTER_TEXT, "r0z", TRUE,
      "c.year = ?1 AND (c.claim_ref >= ?2 AND c.claim_ref < ?3 "
      "OR c.practice_code IN (SELECT practice_code FROM practices WHERE practice_code >= ?2 "
      "AND practice_code < ?3 OR practice_name LIKE ?4) OR c.status_reason LIKE ?4)",
      "int64 2024, 'R0Z', 'R0[', '%r0z%'" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *filters[LES_N_CLAIM_FILTERS] = { NULL };
      g_autoptr(LesClaimQuery) query = NULL;
      g_autoptr(LesSqlBuilt) count = NULL;
      g_autoptr(LesSqlBuilt) capped = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *params = NULL;

      if (cases[i].filter < LES_N_CLAIM_FILTERS)
        filters[cases[i].filter] = cases[i].value;
      query = les_claim_query_new (FY, filters, LES_CLAIM_FIELD_REF, FALSE);
      count = les_sql_claims (query, LES_SQL_CLAIMS_COUNT, cases[i].broad, 0, 0);
      expected = g_strdup_printf ("SELECT count(*) FROM claims c WHERE %s", cases[i].where);
      g_assert_cmpstr (count->sql, ==, expected);
      params = params_text (count);
      g_assert_cmpstr (params, ==, cases[i].params);

      /* a count that stops: its limit comes last */
      capped = les_sql_claims (query, LES_SQL_CLAIMS_COUNT, cases[i].broad, 5001, 0);
      g_clear_pointer (&expected, g_free);
      expected = g_strdup_printf ("SELECT count(*) FROM (SELECT 1 AS one FROM claims c WHERE %s LIMIT ?%u) AS capped",
                                  cases[i].where, count->params->len + 1);
      g_assert_cmpstr (capped->sql, ==, expected);
      g_assert_cmpuint (capped->params->len, ==, count->params->len + 1);
      g_assert_cmpint (g_variant_get_int64 (g_ptr_array_index (capped->params, count->params->len)), ==, 5001);
    }
}

/* Orders and pages: the sort column, then the id; with a practice or PCN
 * filter the sort column's index is kept out */
static void
test_order_sql (Fixture *f, gconstpointer data)
{
  const char *by_practice[LES_N_CLAIM_FILTERS] = { [LES_CLAIM_FILTER_PRACTICE] = "A81001" };
  g_autoptr(LesClaimQuery) by_ref = les_claim_query_new (FY, NULL, LES_CLAIM_FIELD_REF, TRUE);
  g_autoptr(LesClaimQuery) by_count = les_claim_query_new (FY, by_practice, LES_CLAIM_FIELD_COUNT, FALSE);
  g_autoptr(LesClaimQuery) by_name = les_claim_query_new (FY, by_practice, LES_CLAIM_FIELD_PRACTICE_NAME, TRUE);
  g_autoptr(LesSqlBuilt) ids = les_sql_claims (by_ref, LES_SQL_CLAIMS_IDS_PAGE, FALSE, 10, 20);
  g_autoptr(LesSqlBuilt) counts = les_sql_claims (by_count, LES_SQL_CLAIMS_IDS_PAGE, FALSE, 10, 20);
  g_autoptr(LesSqlBuilt) names = les_sql_claims (by_name, LES_SQL_CLAIMS_PAGE, FALSE, 256, 512);
  g_autofree char *params = NULL;

  g_assert_cmpstr (ids->sql, ==, "SELECT c.id FROM claims c JOIN practices p ON p.practice_code = c.practice_code "
                                 "WHERE c.year = ?1 ORDER BY c.claim_ref DESC LIMIT ?2 OFFSET ?3");
  params = params_text (ids);
  g_assert_cmpstr (params, ==, "int64 2024, int64 10, int64 20");
  g_assert_cmpstr (counts->sql, ==, "SELECT c.id FROM claims c JOIN practices p ON p.practice_code = c.practice_code "
                                    "WHERE c.year = ?1 AND c.practice_code = ?2 "
                                    "ORDER BY (c.count + 0) ASC, c.id ASC LIMIT ?3 OFFSET ?4");
  g_assert_cmpstr (names->sql, ==,
                   "WITH page AS (SELECT c.id, c.claim_ref, c.practice_code, p.practice_name, p.pcn_code, "
                   "c.service_code, c.item_code, c.period, c.count, c.submitted_date, c.status, c.status_reason, "
                   "c.year FROM claims c JOIN practices p ON p.practice_code = c.practice_code "
                   "WHERE c.year = ?1 AND c.practice_code = ?2 ORDER BY (p.practice_name || '') DESC, c.id DESC "
                   "LIMIT ?3 OFFSET ?4) "
                   "SELECT page.id, page.claim_ref, page.practice_code, page.practice_name, page.pcn_code, "
                   "page.service_code, page.item_code, page.period, page.count, page.submitted_date, page.status, "
                   "page.status_reason, f.code FROM page "
                   "LEFT JOIN findings f ON f.claim_ref = page.claim_ref AND +f.year = page.year "
                   "ORDER BY page.practice_name DESC, page.id DESC, f.id");
  g_clear_pointer (&params, g_free);
  params = params_text (names);
  g_assert_cmpstr (params, ==, "int64 2024, 'A81001', int64 256, int64 512");
}

/* Every combination of filters, a search looked up by index and one read
 * in order alike, gives the claims it should */
static void
test_combinations (Fixture *f, gconstpointer data)
{
  static const char *values[LES_N_CLAIM_FILTERS] = {
    [LES_CLAIM_FILTER_PRACTICE] = "A81002",
    [LES_CLAIM_FILTER_PCN] = "U81002",
    [LES_CLAIM_FILTER_SERVICE] = "VAC",
    [LES_CLAIM_FILTER_ITEM] = "DOSE",
    [LES_CLAIM_FILTER_PERIOD] = "2024-05",
    [LES_CLAIM_FILTER_STATUS] = "queried",
    [LES_CLAIM_FILTER_FINDING] = "*",
    [LES_CLAIM_FILTER_TEXT] = "beech",
  };
  guint n_nonempty = 0;

  for (guint mask = 0; mask < 1u << LES_N_CLAIM_FILTERS; mask++)
    {
      const char *filters[LES_N_CLAIM_FILTERS] = { NULL };
      g_autoptr(LesClaimQuery) query = NULL;
      g_autoptr(GPtrArray) claims = NULL;

      for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
        if (mask & (1u << i))
          filters[i] = values[i];
      query = les_claim_query_new (FY, filters, LES_CLAIM_FIELD_REF, mask % 3 == 0);
      check_query (f, query, FALSE);
      check_query (f, query, TRUE);
      claims = expected_claims (f, query);
      n_nonempty += claims->len > 0;
    }
  /* not a test of empty results */
  g_assert_cmpuint (n_nonempty, >=, 50);
}

/* Searches: a reference's or practice code's start (in capitals, the rest
 * literal), or a part of a practice's name or a reason; and every finding */
static void
test_searches (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *text;
    guint       n;
  } searches[] = {
    { "r00", 9 },          /* R001…R009 */
    { "R05", 10 },         /* R050…R059 */
    { "b82", 30 },         /* B82001 and B82002 */
    { "BEECH", 36 },       /* Beech House, Beechwood Clinic and "Ask Beech …" elsewhere */
    { "withdrew", 12 },
    { "R*", 0 },
    { "R0_", 0 },
    { "zz", 0 },
  };
  static const char *findings[] = { "*", "LATE", "DUPLICATE", "OUTLIER", "OVER_BUDGET", "-", "!", "~" };

  for (guint i = 0; i < G_N_ELEMENTS (searches); i++)
    {
      const char *filters[LES_N_CLAIM_FILTERS] = { [LES_CLAIM_FILTER_TEXT] = searches[i].text };
      g_autoptr(LesClaimQuery) query = les_claim_query_new (FY, filters, LES_CLAIM_FIELD_PERIOD, i % 2);
      g_autoptr(GPtrArray) claims = expected_claims (f, query);

      g_test_message ("search “%s”", searches[i].text);
      g_assert_cmpuint (claims->len, ==, searches[i].n);
      check_query (f, query, FALSE);
      check_query (f, query, TRUE);
    }
  for (guint i = 0; i < G_N_ELEMENTS (findings); i++)
    {
      const char *filters[LES_N_CLAIM_FILTERS] = { [LES_CLAIM_FILTER_FINDING] = findings[i] };
      g_autoptr(LesClaimQuery) query = les_claim_query_new (FY, filters, LES_CLAIM_FIELD_REF, FALSE);

      check_query (f, query, FALSE);
    }
}

/* Every order, each way, with and without the practice filter that keeps
 * the sort column's index out */
static void
test_orders (Fixture *f, gconstpointer data)
{
  for (LesClaimField field = 0; field < LES_N_CLAIM_FIELDS; field++)
    for (guint k = 0; k < 4; k++)
      {
        const char *filters[LES_N_CLAIM_FILTERS] = { [LES_CLAIM_FILTER_PRACTICE] = k & 2 ? "B82002" : NULL };
        g_autoptr(LesClaimQuery) query = les_claim_query_new (FY, filters, field, k & 1);

        check_query (f, query, FALSE);
      }
}

/* A search's range ends after the last text with its start, in code point order */
static void
test_ranges (Fixture *f, gconstpointer data)
{
  static const struct {
    const char *text;
    const char *from;
    const char *to;
  } cases[] = {
    { "a", "A", "B" },
    { "r0", "R0", "R1" },
    { "z~", "Z~", "Z\x7f" },
    { "é", "é", "ê" },
    { "\xed\x9f\xbf", "\xed\x9f\xbf", "\xee\x80\x80" },      /* U+D7FF: the surrogates are skipped */
    { "a\xf4\x8f\xbf\xbf", "A\xf4\x8f\xbf\xbf", "B" },      /* nothing follows U+10FFFF */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LesSqlBuilt) built = les_sql_claims_breadth (cases[i].text, 5000);

      g_assert_cmpuint (built->params->len, ==, 4);
      g_assert_cmpstr (g_variant_get_string (g_ptr_array_index (built->params, 0), NULL), ==, cases[i].from);
      g_assert_cmpstr (g_variant_get_string (g_ptr_array_index (built->params, 1), NULL), ==, cases[i].to);
    }
}

/* How broad a search is: a quick look, a practice standing for a tenth of
 * the bound */
static void
test_breadth (Fixture *f, gconstpointer data)
{
  g_autoptr(LesSqlBuilt) refs = les_sql_claims_breadth ("R0", 5);
  g_autoptr(LesSqlBuilt) few = les_sql_claims_breadth ("R06", 50);
  g_autoptr(LesSqlBuilt) names = les_sql_claims_breadth ("beech", 10);

  g_assert_cmpint (run_count (f->store, refs), ==, 5);        /* stops at the bound */
  g_assert_cmpint (run_count (f->store, few), ==, 7);         /* R060…R066, every year */
  g_assert_cmpint (run_count (f->store, names), ==, 2);       /* two practices, a tenth of 10 each */
}

/* The plans the claims table's speed rests on (docs/app.md, national
 * scale): each found by its index, ordered by it without a sort */
static char *
plan_of (LesStore *store, LesSqlBuilt *built)
{
  g_autofree char *sql = g_strconcat ("EXPLAIN QUERY PLAN ", built->sql, NULL);
  g_autoptr(LesSqlBuilt) explain = g_new0 (LesSqlBuilt, 1);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GString) plan = g_string_new (NULL);

  explain->sql = g_steal_pointer (&sql);
  explain->params = g_ptr_array_ref (built->params);
  rows = run (store, explain);
  for (guint i = 0; i < rows->len; i++)
    {
      /* id|parent|notused|detail */
      const char *detail = strrchr (g_ptr_array_index (rows, i), '|');
      g_string_append_printf (plan, "%s\n", detail + 1);
    }
  return g_string_free (g_steal_pointer (&plan), FALSE);
}

static void
test_plans (Fixture *f, gconstpointer data)
{
  static const struct {
    LesClaimFilter filter;
    const char    *value;
    gboolean       broad;
    LesSqlClaims   what;
    const char    *has;
    const char    *lacks;
  } cases[] = {
    { LES_N_CLAIM_FILTERS, NULL, FALSE, LES_SQL_CLAIMS_PAGE, "claims_by_year_ref (year=?)", "TEMP B-TREE" },
    /* an export sorts each claim's findings, not the year */
    { LES_N_CLAIM_FILTERS, NULL, FALSE, LES_SQL_CLAIMS_ROWS, "claims_by_year_ref (year=?)", "TEMP B-TREE FOR ORDER BY" },
    { LES_CLAIM_FILTER_PRACTICE, "A81001", FALSE, LES_SQL_CLAIMS_PAGE, "claims_by_year_practice (year=? AND practice_code=?)", NULL },
    { LES_CLAIM_FILTER_PRACTICE, "A81001", FALSE, LES_SQL_CLAIMS_COUNT, "claims_by_year_practice (year=? AND practice_code=?)", NULL },
    { LES_CLAIM_FILTER_STATUS, "queried", FALSE, LES_SQL_CLAIMS_COUNT, "claims_by_year_status (year=? AND status=?)", NULL },
    { LES_CLAIM_FILTER_TEXT, "R00", FALSE, LES_SQL_CLAIMS_PAGE, "sqlite_autoindex_claims_1 (claim_ref>? AND claim_ref<?)", NULL },
    { LES_CLAIM_FILTER_TEXT, "R00", FALSE, LES_SQL_CLAIMS_COUNT, "sqlite_autoindex_claims_1 (claim_ref>? AND claim_ref<?)", NULL },
    { LES_CLAIM_FILTER_TEXT, "R00", TRUE, LES_SQL_CLAIMS_PAGE, "claims_by_year_ref (year=?)", "TEMP B-TREE" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *filters[LES_N_CLAIM_FILTERS] = { NULL };
      g_autoptr(LesClaimQuery) query = NULL;
      g_autoptr(LesSqlBuilt) built = NULL;
      g_autofree char *plan = NULL;

      if (cases[i].filter < LES_N_CLAIM_FILTERS)
        filters[cases[i].filter] = cases[i].value;
      query = les_claim_query_new (FY, filters, LES_CLAIM_FIELD_REF, FALSE);
      built = les_sql_claims (query, cases[i].what, cases[i].broad, 256, 0);
      plan = plan_of (f->store, built);
      g_test_message ("case %u:\n%s", i, plan);
      g_assert_nonnull (strstr (plan, cases[i].has));
      /* a page's claims are found without a sort; its findings are sorted */
      if (strstr (plan, "SCAN page") != NULL)
        *strstr (plan, "SCAN page") = '\0';
      if (cases[i].lacks != NULL)
        g_assert_null (strstr (plan, cases[i].lacks));
    }
}

/* The reads on a connection: findings joined, counts that stop, ids */
static void
test_reads (Fixture *f, gconstpointer data)
{
  const char *filters[LES_N_CLAIM_FILTERS] = { [LES_CLAIM_FILTER_FINDING] = "*" };
  g_autoptr(LesClaimQuery) query = les_claim_query_new (FY, filters, LES_CLAIM_FIELD_REF, FALSE);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  LesClaimValues *v;
  gint64 n = 0;

  rows = les_claim_query_read_rows (query, f->store, 0, 100, &error);
  g_assert_no_error (error);
  /* R004 (LATE), R006 (DUPLICATE), R008 (LATE), R012 (DUPLICATE, LATE), … */
  g_assert_cmpuint (rows->len, ==, 20);
  v = g_ptr_array_index (rows, 0);
  g_assert_cmpstr (v->fields[LES_CLAIM_FIELD_REF], ==, "R004");
  g_assert_cmpstr (v->fields[LES_CLAIM_FIELD_FINDINGS], ==, "LATE");
  v = g_ptr_array_index (rows, 3);
  g_assert_cmpstr (v->fields[LES_CLAIM_FIELD_REF], ==, "R012");
  g_assert_cmpstr (v->fields[LES_CLAIM_FIELD_PRACTICE_NAME], ==, "Beechwood Clinic");
  g_assert_cmpstr (v->fields[LES_CLAIM_FIELD_FINDINGS], ==, "DUPLICATE, LATE");
  g_assert_cmpint (v->id, ==, f->claims[11].id);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* a page from the middle */
  rows = les_claim_query_read_rows (query, f->store, 3, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (((LesClaimValues *) g_ptr_array_index (rows, 1))->fields[LES_CLAIM_FIELD_REF], ==, "R016");

  g_assert_true (les_claim_query_count (query, f->store, 0, &n, &error));
  g_assert_cmpint (n, ==, 20);
  g_assert_true (les_claim_query_count (query, f->store, 10, &n, &error));
  g_assert_cmpint (n, ==, 10);
  g_assert_true (les_claim_query_read_ids (query, f->store, 3, 1, ids, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, f->claims[11].id);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/claim-query/sql", Fixture, NULL, fixture_set_up, test_sql, fixture_tear_down);
  g_test_add ("/claim-query/order-sql", Fixture, NULL, fixture_set_up, test_order_sql, fixture_tear_down);
  g_test_add ("/claim-query/combinations", Fixture, NULL, fixture_set_up, test_combinations, fixture_tear_down);
  g_test_add ("/claim-query/searches", Fixture, NULL, fixture_set_up, test_searches, fixture_tear_down);
  g_test_add ("/claim-query/orders", Fixture, NULL, fixture_set_up, test_orders, fixture_tear_down);
  g_test_add ("/claim-query/ranges", Fixture, NULL, fixture_set_up, test_ranges, fixture_tear_down);
  g_test_add ("/claim-query/breadth", Fixture, NULL, fixture_set_up, test_breadth, fixture_tear_down);
  g_test_add ("/claim-query/plans", Fixture, NULL, fixture_set_up, test_plans, fixture_tear_down);
  g_test_add ("/claim-query/reads", Fixture, NULL, fixture_set_up, test_reads, fixture_tear_down);
  return g_test_run ();
}
