/* les-sql-claim-list.c: the statements of the claims model, built for a query's filters and order. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-claim-query.h"
#include "les-sql.h"

/* A statement being built: its text and its parameters, numbered in the
 * order they are added (?1 is always the year) */
typedef struct
{
  GString   *sql;
  GPtrArray *params;
} Builder;

typedef struct
{
  const char *column;    /* in the rows' statement */
  const char *name;      /* in the page's */
  gboolean    is_text;
} SortColumn;

static const SortColumn sort_columns[LES_N_CLAIM_FIELDS] = {
  [LES_CLAIM_FIELD_REF] = { "c.claim_ref", "claim_ref", TRUE },
  [LES_CLAIM_FIELD_PRACTICE] = { "c.practice_code", "practice_code", TRUE },
  [LES_CLAIM_FIELD_PRACTICE_NAME] = { "p.practice_name", "practice_name", TRUE },
  [LES_CLAIM_FIELD_PCN] = { "p.pcn_code", "pcn_code", TRUE },
  [LES_CLAIM_FIELD_SERVICE] = { "c.service_code", "service_code", TRUE },
  [LES_CLAIM_FIELD_ITEM] = { "c.item_code", "item_code", TRUE },
  [LES_CLAIM_FIELD_PERIOD] = { "c.period", "period", TRUE },
  [LES_CLAIM_FIELD_COUNT] = { "c.count", "count", FALSE },
  [LES_CLAIM_FIELD_SUBMITTED] = { "c.submitted_date", "submitted_date", TRUE },
  [LES_CLAIM_FIELD_STATUS] = { "c.status", "status", TRUE },
  [LES_CLAIM_FIELD_REASON] = { "c.status_reason", "status_reason", TRUE },
  /* findings are not sortable: by reference */
  [LES_CLAIM_FIELD_FINDINGS] = { "c.claim_ref", "claim_ref", TRUE },
};

/* The columns of a claim, LES_CLAIM_FIELD_REF to LES_CLAIM_FIELD_REASON, after its id */
#define CLAIM_COLUMNS \
  "c.id, c.claim_ref, c.practice_code, p.practice_name, p.pcn_code, c.service_code, c.item_code, " \
  "c.period, c.count, c.submitted_date, c.status, c.status_reason"
#define PAGE_COLUMNS \
  "page.id, page.claim_ref, page.practice_code, page.practice_name, page.pcn_code, page.service_code, " \
  "page.item_code, page.period, page.count, page.submitted_date, page.status, page.status_reason"

void
les_sql_built_free (LesSqlBuilt *built)
{
  if (built == NULL)
    return;
  g_free (built->sql);
  g_ptr_array_unref (built->params);
  g_free (built);
}

static int
add_text (Builder *b, const char *text)
{
  g_ptr_array_add (b->params, g_variant_ref_sink (g_variant_new_string (text)));
  return (int) b->params->len;
}

static int
add_int (Builder *b, gint64 value)
{
  g_ptr_array_add (b->params, g_variant_ref_sink (g_variant_new_int64 (value)));
  return (int) b->params->len;
}

static void
builder_init (Builder *b)
{
  b->sql = g_string_new (NULL);
  b->params = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
}

static LesSqlBuilt *
builder_end (Builder *b)
{
  LesSqlBuilt *built = g_new0 (LesSqlBuilt, 1);

  built->sql = g_string_free (b->sql, FALSE);
  built->params = b->params;
  return built;
}

/* The first text after every text that starts with @prefix, in code point
 * (binary) order: a prefix search is the range [@prefix, this) */
static char *
prefix_end (const char *prefix)
{
  g_autoptr(GString) end = g_string_new (prefix);

  while (end->len > 0)
    {
      const char *last = g_utf8_find_prev_char (end->str, end->str + end->len);
      gunichar c = g_utf8_get_char (last);

      g_string_truncate (end, last - end->str);
      if (c < 0x10FFFF)
        {
          c = c == 0xD7FF ? 0xE000 : c + 1;
          g_string_append_unichar (end, c);
          return g_string_free (g_steal_pointer (&end), FALSE);
        }
    }
  /* nothing comes after: the largest code point ends the range */
  return g_strconcat (prefix, "\xf4\x8f\xbf\xbf", NULL);
}

/* The range of codes and references starting with @text (in capitals, as
 * they are stored) and the pattern of names and reasons containing it */
static void
add_search (Builder *b, const char *text, int *from, int *to, int *like)
{
  g_autofree char *prefix = g_ascii_strup (text, -1);
  g_autofree char *end = prefix_end (prefix);
  g_autofree char *pattern = g_strdup_printf ("%%%s%%", text);

  *from = add_text (b, prefix);
  *to = add_text (b, end);
  *like = add_text (b, pattern);
}

/* The conditions of @query, on claims alone (practices are looked up in
 * subqueries) so that a count never joins.  Codes are matched by their
 * indexes.  A search that matches few claims collects their ids by index,
 * each way of matching on its own ("+" keeps the year from driving the
 * query); one that matches many is quicker to meet reading the year in
 * order: its terms are one OR whose reason pattern (a leading "%") no index
 * serves, so none of them leads the plan. */
static char *
build_where (Builder *b, const LesClaimQuery *query, gboolean broad)
{
  g_autoptr(GString) where = g_string_new (NULL);
  const char *text = les_claim_query_get_filter (query, LES_CLAIM_FILTER_TEXT);
  gboolean narrow = text != NULL && !broad;
  int year = add_int (b, les_claim_query_get_year (query));

  g_string_append_printf (where, narrow ? "+c.year = ?%d" : "c.year = ?%d", year);
  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    {
      const char *value = les_claim_query_get_filter (query, i);
      int from, to, like;

      if (value == NULL)
        continue;
      g_string_append (where, " AND ");
      switch ((LesClaimFilter) i)
        {
        case LES_CLAIM_FILTER_PRACTICE:
          g_string_append_printf (where, "c.practice_code = ?%d", add_text (b, value));
          break;
        case LES_CLAIM_FILTER_PCN:
          g_string_append_printf (where, "c.practice_code IN (SELECT practice_code FROM practices WHERE pcn_code = ?%d)",
                                  add_text (b, value));
          break;
        case LES_CLAIM_FILTER_SERVICE:
          g_string_append_printf (where, "c.service_code = ?%d", add_text (b, value));
          break;
        case LES_CLAIM_FILTER_ITEM:
          g_string_append_printf (where, "c.item_code = ?%d", add_text (b, value));
          break;
        case LES_CLAIM_FILTER_PERIOD:
          g_string_append_printf (where, "c.period = ?%d", add_text (b, value));
          break;
        case LES_CLAIM_FILTER_STATUS:
          g_string_append_printf (where, "c.status = ?%d", add_text (b, value));
          break;
        case LES_CLAIM_FILTER_FINDING:
          /* "none" and "no error" read the year's findings once: NOT EXISTS
           * would look them up claim by claim */
          g_string_append_printf (where, "c.claim_ref %s (SELECT f.claim_ref FROM findings f WHERE f.year = ?%d "
                                  "AND f.claim_ref IS NOT NULL",
                                  g_strcmp0 (value, LES_CLAIM_FINDING_NONE) == 0
                                  || g_strcmp0 (value, LES_CLAIM_FINDING_NO_ERROR) == 0 ? "NOT IN" : "IN", year);
          if (g_strcmp0 (value, LES_CLAIM_FINDING_ERROR) == 0 || g_strcmp0 (value, LES_CLAIM_FINDING_NO_ERROR) == 0)
            g_string_append (where, " AND f.severity = 'error'");
          else if (g_strcmp0 (value, LES_CLAIM_FINDING_ANY) != 0 && g_strcmp0 (value, LES_CLAIM_FINDING_NONE) != 0)
            g_string_append_printf (where, " AND f.code = ?%d", add_text (b, value));
          g_string_append_c (where, ')');
          break;
        case LES_CLAIM_FILTER_TEXT:
          add_search (b, value, &from, &to, &like);
          if (narrow)
            g_string_append_printf (where,
                                    "c.id IN (SELECT id FROM claims WHERE claim_ref >= ?%d AND claim_ref < ?%d "
                                    "UNION ALL SELECT id FROM claims WHERE year = ?%d AND practice_code IN "
                                    "(SELECT practice_code FROM practices WHERE practice_code >= ?%d "
                                    "AND practice_code < ?%d OR practice_name LIKE ?%d) "
                                    "UNION ALL SELECT id FROM claims WHERE status_reason IS NOT NULL "
                                    "AND status_reason LIKE ?%d)",
                                    from, to, year, from, to, like, like);
          else
            g_string_append_printf (where,
                                    "(c.claim_ref >= ?%d AND c.claim_ref < ?%d "
                                    "OR c.practice_code IN (SELECT practice_code FROM practices "
                                    "WHERE practice_code >= ?%d AND practice_code < ?%d OR practice_name LIKE ?%d) "
                                    "OR c.status_reason LIKE ?%d)",
                                    from, to, from, to, like, like);
          break;
        case LES_N_CLAIM_FILTERS:
        default:
          g_assert_not_reached ();
        }
    }
  return g_string_free (g_steal_pointer (&where), FALSE);
}

/* The order of @query; @page: in the page's names.  A reference is unique;
 * other orders end with the id.  With a practice or PCN filter, a few
 * thousand claims at most are found by the practice's index and sorted
 * (kept from the sort column's index, which the planner, having no
 * statistics, would read the whole year in instead). */
static char *
build_order (const LesClaimQuery *query, gboolean page)
{
  gboolean descending;
  LesClaimField field = les_claim_query_get_sort (query, &descending);
  const SortColumn *sort = &sort_columns[field < LES_N_CLAIM_FIELDS ? field : LES_CLAIM_FIELD_REF];
  const char *dir = descending ? "DESC" : "ASC";
  gboolean unindexed = !page && (les_claim_query_get_filter (query, LES_CLAIM_FILTER_PRACTICE) != NULL
                                 || les_claim_query_get_filter (query, LES_CLAIM_FILTER_PCN) != NULL);
  g_autoptr(GString) order = g_string_new (NULL);

  if (page)
    g_string_append_printf (order, "page.%s %s", sort->name, dir);
  else if (unindexed)
    g_string_append_printf (order, sort->is_text ? "(%s || '') %s" : "(%s + 0) %s", sort->column, dir);
  else
    g_string_append_printf (order, "%s %s", sort->column, dir);
  if (g_strcmp0 (sort->name, "claim_ref") != 0)
    g_string_append_printf (order, ", %s %s", page ? "page.id" : "c.id", dir);
  return g_string_free (g_steal_pointer (&order), FALSE);
}

/**
 * les_sql_claims:
 * @limit: how many (pages), or where a count stops (0: nowhere)
 * @offset: from where (pages)
 *
 * Returns: (transfer full): the statement @what of @query.
 */
LesSqlBuilt *
les_sql_claims (const LesClaimQuery *query, LesSqlClaims what, gboolean broad, gint64 limit, gint64 offset)
{
  Builder b;
  g_autofree char *where = NULL;
  g_autofree char *order = NULL;
  g_autofree char *page_order = NULL;
  int n, from;

  g_return_val_if_fail (query != NULL, NULL);

  builder_init (&b);
  where = build_where (&b, query, broad);
  order = build_order (query, FALSE);
  switch (what)
    {
    case LES_SQL_CLAIMS_ROWS:
      g_string_append_printf (b.sql,
                              "SELECT " CLAIM_COLUMNS ", f.code "
                              "FROM claims c JOIN practices p ON p.practice_code = c.practice_code "
                              "LEFT JOIN findings f ON f.claim_ref = c.claim_ref AND +f.year = c.year "
                              "WHERE %s ORDER BY %s, f.id",
                              where, order);
      break;

    case LES_SQL_CLAIMS_PAGE:
      /* the page's claims first, then their findings: a limit on the join
       * would count findings */
      n = add_int (&b, limit);
      from = add_int (&b, offset);
      page_order = build_order (query, TRUE);
      g_string_append_printf (b.sql,
                              "WITH page AS (SELECT " CLAIM_COLUMNS ", c.year "
                              "FROM claims c JOIN practices p ON p.practice_code = c.practice_code "
                              "WHERE %s ORDER BY %s LIMIT ?%d OFFSET ?%d) "
                              "SELECT " PAGE_COLUMNS ", f.code FROM page "
                              "LEFT JOIN findings f ON f.claim_ref = page.claim_ref AND +f.year = page.year "
                              "ORDER BY %s, f.id",
                              where, order, n, from, page_order);
      break;

    case LES_SQL_CLAIMS_COUNT:
      if (limit > 0)
        g_string_append_printf (b.sql,
                                "SELECT count(*) FROM (SELECT 1 AS one FROM claims c WHERE %s LIMIT ?%d) AS capped",
                                where, add_int (&b, limit));
      else
        g_string_append_printf (b.sql, "SELECT count(*) FROM claims c WHERE %s", where);
      break;

    case LES_SQL_CLAIMS_IDS:
      g_string_append_printf (b.sql, "SELECT c.id FROM claims c WHERE %s", where);
      break;

    case LES_SQL_CLAIMS_IDS_PAGE:
      n = add_int (&b, limit);
      from = add_int (&b, offset);
      g_string_append_printf (b.sql,
                              "SELECT c.id FROM claims c JOIN practices p ON p.practice_code = c.practice_code "
                              "WHERE %s ORDER BY %s LIMIT ?%d OFFSET ?%d",
                              where, order, n, from);
      break;

    default:
      g_assert_not_reached ();
    }
  return builder_end (&b);
}

/**
 * les_sql_claims_breadth:
 *
 * Returns: (transfer full): a quick look at how many claim references and
 * practices a search for @text matches, a practice standing for a tenth
 * of @many claims.
 */
LesSqlBuilt *
les_sql_claims_breadth (const char *text, gint64 many)
{
  Builder b;
  int from, to, like, limit;

  g_return_val_if_fail (text != NULL, NULL);

  builder_init (&b);
  add_search (&b, text, &from, &to, &like);
  limit = add_int (&b, many);
  g_string_append_printf (b.sql,
                          "SELECT (SELECT count(*) FROM (SELECT 1 AS one FROM claims "
                          "WHERE claim_ref >= ?%d AND claim_ref < ?%d LIMIT ?%d) AS refs) "
                          "+ (SELECT count(*) FROM (SELECT 1 AS one FROM practices "
                          "WHERE practice_code >= ?%d AND practice_code < ?%d OR practice_name LIKE ?%d LIMIT 11) AS names) "
                          "* ?%d / 10",
                          from, to, limit, from, to, like, limit);
  return builder_end (&b);
}
