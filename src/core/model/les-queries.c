/* les-queries.c: the read-only tables the desktop application shows (services, practices, drill-downs). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-csv.h"
#include "les-error.h"
#include "les-queries-private.h"
#include "les-results.h"
#include "les-runs.h"
#include "les-store-private.h"
#include "les-value.h"

void
les_table_free (LesTable *table)
{
  if (table == NULL)
    return;
  g_clear_object (&table->rows);
  g_clear_object (&table->totals);
  g_free (table);
}

/* The totals of @table's money columns (and, with @counts, its counts)
 * under "Total" in its first text column; blanks count as nothing */
static void
add_totals (LesTable *table, gboolean counts)
{
  guint n = g_list_model_get_n_items (table->rows);
  g_autofree gint64 *sums = g_new0 (gint64, table->n_columns);
  gboolean named = FALSE;

  for (guint r = 0; r < n; r++)
    {
      g_autoptr(LesRow) row = g_list_model_get_item (table->rows, r);

      for (guint c = 0; c < table->n_columns; c++)
        if (les_row_get_number (row, c) != G_MININT64 && les_row_get_text (row, c)[0] != '\0')
          sums[c] += les_row_get_number (row, c);
    }
  table->totals = les_row_new (table->n_columns);
  for (guint c = 0; c < table->n_columns; c++)
    switch (table->columns[c].type)
      {
      case LES_CELL_MONEY:
        les_row_take_text (table->totals, c, les_money_format_display (sums[c]), sums[c]);
        break;
      case LES_CELL_COUNT:
        if (counts)
          les_row_take_text (table->totals, c, les_count_format_display (sums[c]), sums[c]);
        break;
      case LES_CELL_TEXT:
      case LES_CELL_CENTI:
      default:
        if (!named && table->columns[c].type == LES_CELL_TEXT)
          {
            les_row_set (table->totals, c, _("Total"), 0);
            named = TRUE;
          }
        break;
      }
}


/* Runs @stmt (already bound) to its end, an item of @item_type made of each
 * result row; the rows are added in one splice, so a view sees one change */
GListModel *
les_queries_read_items (LesStmt            *stmt,
                        GType               item_type,
                        LesQueriesMakeItem  make_item,
                        gconstpointer       data,
                        GError            **error)
{
  g_autoptr(GListStore) items = g_list_store_new (item_type);
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
  LesStep rc;

  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    g_ptr_array_add (batch, make_item (stmt, data));
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return NULL;
  g_list_store_splice (items, 0, 0, batch->pdata, batch->len);
  return G_LIST_MODEL (g_steal_pointer (&items));
}

/* les_queries_read_items() over @sql, whose one parameter is the year @fy */
GListModel *
les_queries_read_year (LesStore           *store,
                       const char         *sql,
                       int                 fy,
                       GType               item_type,
                       LesQueriesMakeItem  make_item,
                       GError            **error)
{
  LesStmt *stmt = les_store_prepare (store, sql, error);

  if (stmt == NULL)
    return NULL;
  les_stmt_bind_int64 (stmt, 1, fy);
  return les_queries_read_items (stmt, item_type, make_item, NULL, error);
}

/* The text of column @col, "" for NULL */
char *
les_queries_dup_text (LesStmt *stmt, int col)
{
  return g_strdup (les_stmt_is_null (stmt, col) ? "" : les_stmt_text (stmt, col));
}

typedef struct {
  const LesColumnSpec *columns;
  guint                n_columns;
} TableShape;

/* A LesRow of the statement's row, whose columns follow the table's */
static gpointer
make_table_row (LesStmt *stmt, gconstpointer data)
{
  const TableShape *shape = data;
  LesRow *row = les_row_new (shape->n_columns);

  for (guint i = 0; i < shape->n_columns; i++)
    {
      gboolean null = les_stmt_is_null (stmt, i);
      gint64 n = les_stmt_int64 (stmt, i);

      switch (shape->columns[i].type)
        {
        case LES_CELL_TEXT:
          les_row_set (row, i, les_stmt_text (stmt, i), n);
          break;
        case LES_CELL_COUNT:
          les_row_take_text (row, i, null ? NULL : les_count_format_display (n), null ? G_MININT64 : n);
          break;
        case LES_CELL_MONEY:
          les_row_take_text (row, i, null ? NULL : les_money_format_display (n), null ? G_MININT64 : n);
          break;
        case LES_CELL_CENTI:
          les_row_take_text (row, i, null ? NULL : les_decimal_format (n, 2, 2), null ? G_MININT64 : n);
          break;
        }
    }
  return row;
}

/* Runs @stmt (already bound) and makes a row of it per result row; the
 * statement's columns follow @columns. */
static LesTable *
run_table (LesStmt             *stmt,
           const LesColumnSpec *columns,
           guint                n_columns,
           GError             **error)
{
  TableShape shape = { columns, n_columns };
  GListModel *rows = les_queries_read_items (stmt, LES_TYPE_ROW, make_table_row, &shape, error);
  LesTable *table;

  if (rows == NULL)
    return NULL;
  table = g_new0 (LesTable, 1);
  table->columns = columns;
  table->n_columns = n_columns;
  table->rows = rows;
  return table;
}

gboolean
les_table_write_csv (const LesColumnSpec *columns,
                     guint                n_columns,
                     GListModel          *rows,
                     GOutputStream       *out,
                     GCancellable        *cancellable,
                     GError             **error)
{
  g_autoptr(GString) buffer = g_string_new (NULL);
  g_autofree const char **fields = g_new0 (const char *, n_columns);
  guint n = g_list_model_get_n_items (rows);

  for (guint i = 0; i < n_columns; i++)
    fields[i] = columns[i].id;
  les_csv_append_row (buffer, fields, n_columns);

  for (guint r = 0; r < n; r++)
    {
      g_autoptr(LesRow) row = g_list_model_get_item (rows, r);
      g_autoptr(GPtrArray) owned = g_ptr_array_new_with_free_func (g_free);

      for (guint i = 0; i < n_columns; i++)
        {
          gint64 v = les_row_get_number (row, i);
          const char *text = les_row_get_text (row, i);

          if (columns[i].type == LES_CELL_TEXT || text[0] == '\0')
            fields[i] = text;
          else
            {
              char *plain = columns[i].type == LES_CELL_MONEY ? les_money_format (v)
                          : columns[i].type == LES_CELL_CENTI ? les_decimal_format (v, 2, 2)
                          : g_strdup_printf ("%" G_GINT64_FORMAT, v);
              g_ptr_array_add (owned, plain);
              fields[i] = plain;
            }
        }
      les_csv_append_row (buffer, fields, n_columns);
      if (!les_csv_flush (out, buffer, 64 * 1024, cancellable, error))
        return FALSE;
    }
  return les_csv_flush (out, buffer, 0, cancellable, error);
}

static LesTable *
query (LesStore            *store,
       const char          *sql,
       const LesColumnSpec *columns,
       guint                n_columns,
       GError             **error,
       ...)
{
  LesStmt *stmt = les_store_prepare (store, sql, error);
  const char *s;
  va_list args;
  int index = 1;

  if (stmt == NULL)
    return NULL;
  /* Text parameters, then -1; an integer parameter is passed as "#" and the value */
  va_start (args, error);
  while ((s = va_arg (args, const char *)) != NULL)
    {
      if (s[0] == '#' && s[1] == '\0')
        les_stmt_bind_int64 (stmt, index++, va_arg (args, int));
      else
        les_stmt_bind_text (stmt, index++, s);
    }
  va_end (args);
  return run_table (stmt, columns, n_columns, error);
}

#define INT_ARG(v) "#", (int) (v)

static LesTable *
with_totals (LesTable *table, gboolean counts)
{
  if (table != NULL)
    add_totals (table, counts);
  return table;
}

static const LesColumnSpec services_columns[] = {
  { "service_code", N_("Code"), LES_CELL_TEXT },
  { "name", N_("Service"), LES_CELL_TEXT },
  { "cap_mode", N_("Cap"), LES_CELL_TEXT },
  { "budget", N_("Budget"), LES_CELL_MONEY },
  { "schedule", N_("Schedule"), LES_CELL_TEXT },
  { "claim_frequency", N_("Frequency"), LES_CELL_TEXT },
  { "rules", N_("Rules"), LES_CELL_COUNT },
  { "practices", N_("Practices"), LES_CELL_COUNT },
  { "claim_count", N_("Claims"), LES_CELL_COUNT },
};

LesTable *
les_queries_services (LesStore *store, int fy, GError **error)
{
  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  return query (store, les_sql_screen_services,
                services_columns, G_N_ELEMENTS (services_columns), error, INT_ARG (fy), NULL);
}

static const LesColumnSpec practices_columns[] = {
  { "practice_code", N_("Code"), LES_CELL_TEXT },
  { "practice_name", N_("Practice"), LES_CELL_TEXT },
  { "pcn_code", N_("PCN"), LES_CELL_TEXT },
  { "pcn_name", N_("PCN Name"), LES_CELL_TEXT },
  { "registered", N_("List Size"), LES_CELL_COUNT },
  { "weighted", N_("Weighted"), LES_CELL_CENTI },
  { "services", N_("Services"), LES_CELL_COUNT },
};

LesTable *
les_queries_practices (LesStore *store, int fy, GError **error)
{
  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  return query (store, les_sql_screen_practices,
                practices_columns, G_N_ELEMENTS (practices_columns), error, INT_ARG (fy), NULL);
}

static const LesColumnSpec list_size_columns[] = {
  { "date", N_("Date"), LES_CELL_TEXT },
  { "registered", N_("Registered"), LES_CELL_COUNT },
  { "weighted", N_("Weighted"), LES_CELL_CENTI },
};
static const LesColumnSpec signup_columns[] = {
  { "service_code", N_("Code"), LES_CELL_TEXT },
  { "name", N_("Service"), LES_CELL_TEXT },
  { "from_date", N_("From"), LES_CELL_TEXT },
  { "to_date", N_("To"), LES_CELL_TEXT },
};
static const LesColumnSpec cohort_columns[] = {
  { "service_code", N_("Code"), LES_CELL_TEXT },
  { "name", N_("Service"), LES_CELL_TEXT },
  { "size", N_("Cohort"), LES_CELL_COUNT },
};
static const LesColumnSpec allocation_columns[] = {
  { "service_code", N_("Code"), LES_CELL_TEXT },
  { "name", N_("Service"), LES_CELL_TEXT },
  { "block_amount", N_("Block"), LES_CELL_MONEY },
  { "cap_amount", N_("Cap"), LES_CELL_MONEY },
};
static const LesColumnSpec practice_claim_columns[] = {
  { "service_code", N_("Service"), LES_CELL_TEXT },
  { "item_code", N_("Item"), LES_CELL_TEXT },
  { "status", N_("Status"), LES_CELL_TEXT },
  { "claims", N_("Claims"), LES_CELL_COUNT },
  { "units", N_("Units"), LES_CELL_COUNT },
};
static const LesColumnSpec practice_payment_columns[] = {
  { "service_code", N_("Service"), LES_CELL_TEXT },
  { "rule_code", N_("Rule"), LES_CELL_TEXT },
  { "period", N_("Period"), LES_CELL_TEXT },
  { "units", N_("Units"), LES_CELL_COUNT },
  { "gross", N_("Gross"), LES_CELL_MONEY },
  { "payable", N_("Payable"), LES_CELL_MONEY },
  { "held", N_("Held"), LES_CELL_MONEY },
  { "paid_run", N_("Paid by run"), LES_CELL_COUNT },
};

LesTable *
les_queries_practice_table (LesStore         *store,
                            LesPracticeTable  which,
                            const char       *practice_code,
                            int               fy,
                            GError          **error)
{
  g_return_val_if_fail (LES_IS_STORE (store), NULL);
  g_return_val_if_fail (practice_code != NULL, NULL);

  switch (which)
    {
    case LES_PRACTICE_LIST_SIZES:
      return query (store, les_sql_screen_practice_list_sizes,
                    list_size_columns, G_N_ELEMENTS (list_size_columns), error, practice_code, NULL);
    case LES_PRACTICE_SIGNUPS:
      return query (store, les_sql_screen_practice_signups,
                    signup_columns, G_N_ELEMENTS (signup_columns), error, practice_code, INT_ARG (fy), NULL);
    case LES_PRACTICE_COHORTS:
      return query (store, les_sql_screen_practice_cohorts,
                    cohort_columns, G_N_ELEMENTS (cohort_columns), error, practice_code, INT_ARG (fy), NULL);
    case LES_PRACTICE_ALLOCATIONS:
      return query (store, les_sql_screen_practice_allocations,
                    allocation_columns, G_N_ELEMENTS (allocation_columns), error, practice_code, INT_ARG (fy), NULL);
    case LES_PRACTICE_CLAIMS:
      return query (store, les_sql_screen_practice_claims,
                    practice_claim_columns, G_N_ELEMENTS (practice_claim_columns), error,
                    practice_code, INT_ARG (fy), NULL);
    case LES_PRACTICE_PAYMENTS:
      return query (store, les_sql_screen_practice_payments,
                    practice_payment_columns, G_N_ELEMENTS (practice_payment_columns), error,
                    practice_code, INT_ARG (fy), NULL);
    default:
      g_return_val_if_reached (NULL);
    }
}

static const LesColumnSpec findings_columns[] = {
  { "severity", N_("Severity"), LES_CELL_TEXT },
  { "code", N_("Finding"), LES_CELL_TEXT },
  { "count", N_("Count"), LES_CELL_COUNT },
  { "claims", N_("Claims"), LES_CELL_COUNT },
  { "message", N_("Example"), LES_CELL_TEXT },
};

LesTable *
les_queries_findings_summary (LesStore *store, int fy, GError **error)
{
  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  return query (store, les_sql_screen_findings_summary,
                findings_columns, G_N_ELEMENTS (findings_columns), error, INT_ARG (fy), NULL);
}

static const LesColumnSpec by_service_columns[] = {
  { "service_code", N_("Code"), LES_CELL_TEXT },
  { "service_name", N_("Service"), LES_CELL_TEXT },
  { "budget", N_("Budget"), LES_CELL_MONEY },
  { "payable", N_("Payable"), LES_CELL_MONEY },
  { "paid", N_("Paid by runs"), LES_CELL_MONEY },
  { "outstanding", N_("Not yet paid"), LES_CELL_MONEY },
  { "held", N_("Held"), LES_CELL_MONEY },
  { "ledger", N_("Ledger"), LES_CELL_MONEY },
  { "forecast", N_("Forecast"), LES_CELL_MONEY },
  { "variance", N_("Variance"), LES_CELL_MONEY },
};

static char *
money_or_blank (gboolean present, gint64 pence)
{
  return present ? les_money_format_display (pence) : NULL;
}

/* The reconciliation of les-results.c (FORMATS.md), as a table. */
LesTable *
les_queries_payments_by_service (LesStore *store, int fy, GError **error)
{
  g_autoptr(GArray) recon = NULL;
  g_autoptr(GArray) paid = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GListStore) rows = g_list_store_new (LES_TYPE_ROW);
  LesTable *table;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  recon = les_results_reconciliation (store, fy, &local_error);
  /* Never computed: no figures yet, which is not an error */
  if (recon == NULL && !g_error_matches (local_error, LES_ERROR, LES_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (recon != NULL)
    {
      paid = les_runs_paid_outstanding (store, fy, NULL, error);
      if (paid == NULL)
        return NULL;
    }
  for (guint i = 0; recon != NULL && i < recon->len; i++)
    {
      const LesReconciliationRow *r = &g_array_index (recon, LesReconciliationRow, i);
      g_autoptr(LesRow) row = les_row_new (G_N_ELEMENTS (by_service_columns));
      gint64 by_runs = 0;

      /* both by service code, every service of the year */
      for (guint k = 0; k < paid->len; k++)
        if (g_strcmp0 (g_array_index (paid, LesPaidRow, k).service_code, r->service_code) == 0)
          by_runs = g_array_index (paid, LesPaidRow, k).paid;
      les_row_set (row, 0, r->service_code, 0);
      les_row_set (row, 1, r->service_name, 0);
      les_row_take_text (row, 2, money_or_blank (r->has_budget, r->budget), r->has_budget ? r->budget : G_MININT64);
      les_row_take_text (row, 3, les_money_format_display (r->payable), r->payable);
      les_row_take_text (row, 4, les_money_format_display (by_runs), by_runs);
      les_row_take_text (row, 5, les_money_format_display (r->payable - by_runs), r->payable - by_runs);
      les_row_take_text (row, 6, les_money_format_display (r->held), r->held);
      les_row_take_text (row, 7, les_money_format_display (r->ledger), r->ledger);
      les_row_take_text (row, 8, les_money_format_display (r->forecast), r->forecast);
      les_row_take_text (row, 9, money_or_blank (r->has_budget, r->variance), r->has_budget ? r->variance : G_MININT64);
      g_list_store_append (rows, row);
    }
  table = g_new0 (LesTable, 1);
  table->columns = by_service_columns;
  table->n_columns = G_N_ELEMENTS (by_service_columns);
  table->rows = G_LIST_MODEL (g_steal_pointer (&rows));
  add_totals (table, FALSE);
  return table;
}

static const LesColumnSpec by_pcn_columns[] = {
  { "pcn_code", N_("PCN"), LES_CELL_TEXT },
  { "pcn_name", N_("Name"), LES_CELL_TEXT },
  { "practices", N_("Practices"), LES_CELL_COUNT },
  { "gross", N_("Gross"), LES_CELL_MONEY },
  { "payable", N_("Payable"), LES_CELL_MONEY },
  { "held", N_("Held"), LES_CELL_MONEY },
};

LesTable *
les_queries_payments_by_pcn (LesStore *store, int fy, const char *service_code, GError **error)
{
  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  return with_totals (query (store, les_sql_screen_payments_by_pcn,
                             by_pcn_columns, G_N_ELEMENTS (by_pcn_columns), error, INT_ARG (fy), service_code, NULL),
                      TRUE);
}

static const LesColumnSpec by_practice_columns[] = {
  { "practice_code", N_("Practice"), LES_CELL_TEXT },
  { "practice_name", N_("Name"), LES_CELL_TEXT },
  { "lines", N_("Lines"), LES_CELL_COUNT },
  { "gross", N_("Gross"), LES_CELL_MONEY },
  { "payable", N_("Payable"), LES_CELL_MONEY },
  { "held", N_("Held"), LES_CELL_MONEY },
};

LesTable *
les_queries_payments_by_practice (LesStore   *store,
                                  int         fy,
                                  const char *service_code,
                                  const char *pcn_code,
                                  GError    **error)
{
  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  return with_totals (query (store, les_sql_screen_payments_by_practice,
                             by_practice_columns, G_N_ELEMENTS (by_practice_columns), error,
                             INT_ARG (fy), service_code, pcn_code, NULL), TRUE);
}

static const LesColumnSpec lines_columns[] = {
  { "rule_code", N_("Rule"), LES_CELL_TEXT },
  { "period", N_("Period"), LES_CELL_TEXT },
  { "units", N_("Units"), LES_CELL_COUNT },
  { "gross", N_("Gross"), LES_CELL_MONEY },
  { "payable", N_("Payable"), LES_CELL_MONEY },
  { "held", N_("Held"), LES_CELL_MONEY },
  { "paid_run", N_("Paid by run"), LES_CELL_COUNT },
};

LesTable *
les_queries_payment_lines (LesStore   *store,
                           int         fy,
                           const char *service_code,
                           const char *practice_code,
                           GError    **error)
{
  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  return with_totals (query (store, les_sql_screen_payment_lines,
                             lines_columns, G_N_ELEMENTS (lines_columns), error,
                             INT_ARG (fy), service_code, practice_code, NULL), FALSE);
}

gboolean
les_queries_last_compute (LesStore *store, int fy, char **computed_at, char **to_period)
{
  LesStmt *stmt;
  gboolean found = FALSE;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);

  stmt = les_store_prepare (store, les_sql_screen_last_compute, NULL);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, fy);
  if (les_stmt_step (stmt, NULL) == LES_STEP_ROW)
    {
      found = TRUE;
      if (computed_at != NULL)
        *computed_at = g_strdup (les_stmt_text (stmt, 0));
      if (to_period != NULL)
        *to_period = g_strdup (les_stmt_text (stmt, 1));
    }
  les_stmt_reset (stmt);
  return found;
}

static GStrv
strings (LesStore *store, const char *sql, int fy)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  LesStmt *stmt = les_store_prepare (store, sql, NULL);

  if (stmt != NULL)
    {
      if (les_stmt_param_count (stmt) > 0)
        les_stmt_bind_int64 (stmt, 1, fy);
      while (les_stmt_step (stmt, NULL) == LES_STEP_ROW)
        g_strv_builder_add (builder, les_stmt_text (stmt, 0));
      les_stmt_reset (stmt);
    }
  return g_strv_builder_end (builder);
}

GStrv
les_queries_service_codes (LesStore *store, int fy)
{
  return strings (store, les_sql_screen_service_codes, fy);
}

GStrv
les_queries_pcn_codes (LesStore *store)
{
  return strings (store, les_sql_screen_pcn_codes, 0);
}

GStrv
les_queries_finding_codes (LesStore *store, int fy)
{
  return strings (store, les_sql_screen_finding_codes, fy);
}
