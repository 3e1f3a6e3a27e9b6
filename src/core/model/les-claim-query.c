/* les-claim-query.c: what the claims table shows — a year, its filters and its order — and the reads of it on a connection. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-claim-query.h"
#include "les-csv.h"
#include "les-store-private.h"

/* A free-text search thought to match more claims than this reads the
 * year in order until a page is found; fewer are looked up by index. */
#define BROAD_SEARCH 5000

enum {
  BREADTH_UNKNOWN = -1,
  BREADTH_NARROW,
  BREADTH_BROAD,
};

struct _LesClaimQuery
{
  gatomicrefcount  ref;
  int              fy;
  char            *filters[LES_N_CLAIM_FILTERS];
  LesClaimField    sort_field;
  gboolean         descending;
  int              breadth;     /* atomic: of the free-text search, looked at by the first read */
};

char *
les_claim_filter_normalize (LesClaimFilter filter, const char *value)
{
  g_autofree char *v = NULL;

  g_return_val_if_fail (filter < LES_N_CLAIM_FILTERS, NULL);

  if (value == NULL)
    return NULL;
  v = g_strstrip (g_utf8_make_valid (value, -1));
  if (v[0] == '\0')
    return NULL;
  if (filter != LES_CLAIM_FILTER_TEXT && filter != LES_CLAIM_FILTER_STATUS)
    return g_ascii_strup (v, -1);
  return g_steal_pointer (&v);
}

LesClaimQuery *
les_claim_query_new (int                 fy,
                     const char * const *filters,
                     LesClaimField       sort_field,
                     gboolean            descending)
{
  LesClaimQuery *query;

  g_return_val_if_fail (sort_field < LES_N_CLAIM_FIELDS, NULL);

  query = g_new0 (LesClaimQuery, 1);
  g_atomic_ref_count_init (&query->ref);
  query->fy = fy;
  for (guint i = 0; filters != NULL && i < LES_N_CLAIM_FILTERS; i++)
    query->filters[i] = les_claim_filter_normalize (i, filters[i]);
  query->sort_field = sort_field;
  query->descending = !!descending;
  query->breadth = query->filters[LES_CLAIM_FILTER_TEXT] != NULL ? BREADTH_UNKNOWN : BREADTH_NARROW;
  return query;
}

LesClaimQuery *
les_claim_query_ref (LesClaimQuery *query)
{
  g_return_val_if_fail (query != NULL, NULL);

  g_atomic_ref_count_inc (&query->ref);
  return query;
}

void
les_claim_query_unref (LesClaimQuery *query)
{
  g_return_if_fail (query != NULL);

  if (!g_atomic_ref_count_dec (&query->ref))
    return;
  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    g_free (query->filters[i]);
  g_free (query);
}

int
les_claim_query_get_year (const LesClaimQuery *query)
{
  g_return_val_if_fail (query != NULL, 0);

  return query->fy;
}

const char *
les_claim_query_get_filter (const LesClaimQuery *query, LesClaimFilter filter)
{
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (filter < LES_N_CLAIM_FILTERS, NULL);

  return query->filters[filter];
}

LesClaimField
les_claim_query_get_sort (const LesClaimQuery *query, gboolean *descending)
{
  g_return_val_if_fail (query != NULL, LES_CLAIM_FIELD_REF);

  if (descending != NULL)
    *descending = query->descending;
  return query->sort_field;
}

gboolean
les_claim_query_equal (const LesClaimQuery *a, const LesClaimQuery *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->fy != b->fy || a->sort_field != b->sort_field || a->descending != b->descending)
    return FALSE;
  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    if (g_strcmp0 (a->filters[i], b->filters[i]) != 0)
      return FALSE;
  return TRUE;
}

void
les_claim_values_free (LesClaimValues *values)
{
  if (values == NULL)
    return;
  for (guint i = 0; i < LES_N_CLAIM_FIELDS; i++)
    g_free (values->fields[i]);
  g_free (values);
}

/* Reads */

static void
bind_params (LesStmt *stmt, GPtrArray *params)
{
  for (guint i = 0; i < params->len; i++)
    {
      GVariant *value = g_ptr_array_index (params, i);

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
        les_stmt_bind_int64 (stmt, (int) i + 1, g_variant_get_int64 (value));
      else
        les_stmt_bind_text (stmt, (int) i + 1, g_variant_get_string (value, NULL));
    }
}

/* Whether the free-text search matches many claims, looked at once per
 * query (a quick look at the references and practices it matches) */
static gboolean
is_broad (LesClaimQuery *query, LesStore *store, GError **error)
{
  int breadth = g_atomic_int_get (&query->breadth);
  g_autoptr(LesSqlBuilt) built = NULL;
  LesStmt *stmt;
  LesStep rc;

  if (breadth != BREADTH_UNKNOWN)
    return breadth == BREADTH_BROAD;
  built = les_sql_claims_breadth (query->filters[LES_CLAIM_FILTER_TEXT], BROAD_SEARCH);
  stmt = les_store_prepare (store, built->sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_params (stmt, built->params);
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    {
      breadth = les_stmt_int64 (stmt, 0) >= BROAD_SEARCH ? BREADTH_BROAD : BREADTH_NARROW;
      /* another thread may have looked too: the same answer */
      g_atomic_int_set (&query->breadth, breadth);
    }
  les_stmt_reset (stmt);
  return breadth == BREADTH_BROAD;
}

/* Prepares and binds @what of @query; NULL with @error */
static LesStmt *
prepare (LesClaimQuery *query, LesStore *store, LesSqlClaims what, gint64 limit, gint64 offset, GError **error)
{
  g_autoptr(LesSqlBuilt) built = NULL;
  GError *local_error = NULL;
  gboolean broad;
  LesStmt *stmt;

  broad = is_broad (query, store, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  built = les_sql_claims (query, what, broad, limit, offset);
  stmt = les_store_prepare (store, built->sql, error);
  if (stmt != NULL)
    bind_params (stmt, built->params);
  return stmt;
}

/* The claims of a ROWS or PAGE statement, a row per finding, until @stmt
 * is done or @each says stop; NULL with @error */
typedef gboolean (*EachFunc) (LesClaimValues *values, gpointer data, GError **error);

static gboolean
read_claims (LesStmt *stmt, EachFunc each, gpointer data, GError **error)
{
  g_autoptr(LesClaimValues) values = NULL;
  g_autoptr(GString) findings = g_string_new (NULL);
  LesStep rc;

  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      gint64 id = les_stmt_int64 (stmt, 0);
      const char *code = les_stmt_text (stmt, LES_CLAIM_FIELD_FINDINGS + 1);

      if (values != NULL && values->id != id)
        {
          values->fields[LES_CLAIM_FIELD_FINDINGS] = findings->len > 0 ? g_strdup (findings->str) : NULL;
          g_string_truncate (findings, 0);
          if (!each (g_steal_pointer (&values), data, error))
            {
              les_stmt_reset (stmt);
              return FALSE;
            }
        }
      if (values == NULL)
        {
          values = g_new0 (LesClaimValues, 1);
          values->id = id;
          for (guint i = 0; i < LES_CLAIM_FIELD_FINDINGS; i++)
            values->fields[i] = g_strdup (les_stmt_text (stmt, (int) i + 1));
        }
      if (code != NULL)
        g_string_append_printf (findings, "%s%s", findings->len > 0 ? ", " : "", code);
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return FALSE;
  if (values != NULL)
    {
      values->fields[LES_CLAIM_FIELD_FINDINGS] = findings->len > 0 ? g_strdup (findings->str) : NULL;
      return each (g_steal_pointer (&values), data, error);
    }
  return TRUE;
}

static gboolean
add_values (LesClaimValues *values, gpointer data, GError **error)
{
  g_ptr_array_add (data, values);
  return TRUE;
}

GPtrArray *
les_claim_query_read_rows (LesClaimQuery  *query,
                           LesStore       *store,
                           guint           offset,
                           guint           n,
                           GError        **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  LesStmt *stmt;

  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  stmt = prepare (query, store, LES_SQL_CLAIMS_PAGE, n, offset, error);
  if (stmt == NULL)
    return NULL;
  rows = g_ptr_array_new_full (n, (GDestroyNotify) les_claim_values_free);
  if (!read_claims (stmt, add_values, rows, error))
    return NULL;
  return g_steal_pointer (&rows);
}

gboolean
les_claim_query_count (LesClaimQuery  *query,
                       LesStore       *store,
                       gint64          limit,
                       gint64         *count,
                       GError        **error)
{
  LesStmt *stmt;
  LesStep rc;

  g_return_val_if_fail (query != NULL, FALSE);
  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (count != NULL, FALSE);

  stmt = prepare (query, store, LES_SQL_CLAIMS_COUNT, limit, 0, error);
  if (stmt == NULL)
    return FALSE;
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    *count = les_stmt_int64 (stmt, 0);
  les_stmt_reset (stmt);
  return rc == LES_STEP_ROW;
}

/* Runs @stmt, appending the id in its first column of each row to @ids */
static gboolean
append_ids (LesStmt *stmt, GArray *ids, GError **error)
{
  LesStep rc;

  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      gint64 id = les_stmt_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  les_stmt_reset (stmt);
  return rc == LES_STEP_DONE;
}

GArray *
les_claim_query_dup_ids (LesClaimQuery *query, LesStore *store, GError **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  LesStmt *stmt;

  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  stmt = prepare (query, store, LES_SQL_CLAIMS_IDS, 0, 0, error);
  if (stmt == NULL || !append_ids (stmt, ids, error))
    return NULL;
  return g_steal_pointer (&ids);
}

gboolean
les_claim_query_read_ids (LesClaimQuery  *query,
                          LesStore       *store,
                          guint           offset,
                          guint           n,
                          GArray         *ids,
                          GError        **error)
{
  LesStmt *stmt;

  g_return_val_if_fail (query != NULL, FALSE);
  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (ids != NULL, FALSE);

  stmt = prepare (query, store, LES_SQL_CLAIMS_IDS_PAGE, n, offset, error);
  return stmt != NULL && append_ids (stmt, ids, error);
}

typedef struct
{
  GString       *buffer;
  GOutputStream *out;
  GCancellable  *cancellable;
  guint64        n;
} Export;

static gboolean
export_values (LesClaimValues *values, gpointer data, GError **error)
{
  static const LesClaimField fields[] = {
    LES_CLAIM_FIELD_REF, LES_CLAIM_FIELD_PRACTICE, LES_CLAIM_FIELD_SERVICE, LES_CLAIM_FIELD_ITEM,
    LES_CLAIM_FIELD_PERIOD, LES_CLAIM_FIELD_COUNT, LES_CLAIM_FIELD_SUBMITTED, LES_CLAIM_FIELD_STATUS,
    LES_CLAIM_FIELD_REASON, LES_CLAIM_FIELD_FINDINGS,
  };
  g_autoptr(LesClaimValues) owned = values;
  Export *export = data;
  const char *cells[G_N_ELEMENTS (fields)];

  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    cells[f] = values->fields[fields[f]];
  les_csv_append_row (export->buffer, cells, G_N_ELEMENTS (fields));
  if (++export->n % 4096 == 0 && g_cancellable_set_error_if_cancelled (export->cancellable, error))
    return FALSE;
  return les_csv_flush (export->out, export->buffer, 64 * 1024, export->cancellable, error);
}

gboolean
les_claim_query_export (LesClaimQuery  *query,
                        LesStore       *store,
                        GOutputStream  *out,
                        GCancellable   *cancellable,
                        GError        **error)
{
  g_autoptr(GString) buffer = g_string_new ("claim_ref,practice_code,service_code,item_code,period,count,"
                                            "submitted_date,status,status_reason,findings\n");
  Export export = { buffer, out, cancellable, 0 };
  LesStmt *stmt;

  g_return_val_if_fail (query != NULL, FALSE);
  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  stmt = prepare (query, store, LES_SQL_CLAIMS_ROWS, 0, 0, error);
  if (stmt == NULL || !read_claims (stmt, export_values, &export, error))
    return FALSE;
  return les_csv_flush (out, buffer, 0, cancellable, error);
}
