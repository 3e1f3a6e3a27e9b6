/* les-results.c: the stored results of a compute — payments, findings and reconciliation. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-csv.h"
#include "les-error.h"
#include "les-results.h"
#include "les-store-private.h"
#include "les-value.h"

#define FLUSH_AT (256 * 1024)

void
les_reconciliation_row_clear (LesReconciliationRow *row)
{
  g_return_if_fail (row != NULL);

  g_clear_pointer (&row->service_code, g_free);
  g_clear_pointer (&row->service_name, g_free);
}

/**
 * les_results_get_compute:
 * @to_period: (out) (optional): the last month computed (YYYYMM)
 * @computed_at: (out) (optional) (transfer full): when, ISO 8601
 * @computed_by: (out) (optional) (transfer full): who
 *
 * Returns: FALSE with LES_ERROR_NOT_FOUND when @fy has never been computed.
 */
gboolean
les_results_get_compute (LesStore  *store,
                         int        fy,
                         gint32    *to_period,
                         char     **computed_at,
                         char     **computed_by,
                         GError   **error)
{
  LesStmt *stmt;
  gint32 to = 0;
  LesStep rc;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);

  stmt = les_store_prepare (store, les_sql_results_compute, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, fy);
  rc = les_stmt_step (stmt, error);
  if (rc != LES_STEP_ROW)
    {
      les_stmt_reset (stmt);
      if (rc == LES_STEP_ERROR)
        return FALSE;
      {
        g_autofree char *year = les_year_format (fy);

        g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND,
                     _("%s has not been computed yet: run “compute --year %s” first"), year, year);
      }
      return FALSE;
    }
  les_period_parse (les_stmt_text (stmt, 0), &to, NULL);
  if (to_period != NULL)
    *to_period = to;
  if (computed_at != NULL)
    *computed_at = g_strdup (les_stmt_text (stmt, 1));
  if (computed_by != NULL)
    *computed_by = g_strdup (les_stmt_text (stmt, 2));
  les_stmt_reset (stmt);
  return TRUE;
}

/**
 * les_results_reconciliation:
 *
 * RULES.md 7, from the stored lines: per service of @fy, by code, the
 * budget, payable and held, the ledger up to the computed month, the
 * straight-line forecast and the variance.
 *
 * Returns: (transfer full) (element-type LesReconciliationRow): the rows,
 * or NULL with @error set (LES_ERROR_NOT_FOUND when never computed).
 */
GArray *
les_results_reconciliation (LesStore *store, int fy, GError **error)
{
  g_autoptr(GArray) rows = NULL;
  LesStmt *stmt;
  gint32 to = 0;
  char to_text[8];
  LesStep rc;
  int m;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!les_results_get_compute (store, fy, &to, NULL, NULL, error))
    return NULL;
  m = les_period_month_number (to);
  les_period_format (to, to_text);

  stmt = les_store_prepare (store, les_sql_results_reconciliation, error);
  if (stmt == NULL)
    return NULL;
  les_stmt_bind_int64 (stmt, 1, fy);
  les_stmt_bind_text (stmt, 2, to_text);

  rows = g_array_new (FALSE, TRUE, sizeof (LesReconciliationRow));
  g_array_set_clear_func (rows, (GDestroyNotify) les_reconciliation_row_clear);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      LesReconciliationRow row = { 0 };

      row.service_code = g_strdup (les_stmt_text (stmt, 0));
      row.service_name = g_strdup (les_stmt_text (stmt, 1));
      row.has_budget = !les_stmt_is_null (stmt, 2);
      row.budget = row.has_budget ? les_stmt_int64 (stmt, 2) : 0;
      row.payable = les_stmt_int64 (stmt, 3);
      row.held = les_stmt_int64 (stmt, 4);
      row.ledger = les_stmt_int64 (stmt, 5);
      /* the compute keeps a service's payable an amount, so × 12 fits; a total
       * from elsewhere that does not is refused, not wrapped */
      if (!les_round_div_exact ((__int128) row.payable * 12, m, &row.forecast)
          || (row.has_budget && !les_int64_sub_exact (row.budget, row.forecast, &row.variance)))
        {
          g_set_error (error, LES_ERROR, LES_ERROR_OVERFLOW,
                       _("The forecast of service %s is past the range of amounts; compute the year again"),
                       row.service_code);
          les_reconciliation_row_clear (&row);
          les_stmt_reset (stmt);
          return NULL;
        }
      g_array_append_val (rows, row);
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return NULL;
  return g_steal_pointer (&rows);
}

/* Fills @fields from the current row; figures are written into @scratch,
 * one LES_DECIMAL_BUF each (millions of rows: nothing is allocated). */
typedef void (*RowFormatFunc) (LesStmt *stmt, const char **fields, char (*scratch)[LES_DECIMAL_BUF]);

/* Writes @header, then every row of @stmt formatted by @format, flushing as it goes. */
static gboolean
write_rows (LesStmt *stmt, const char **header, guint n_fields, RowFormatFunc format,
            GOutputStream *out, GString *buf, GCancellable *cancellable, GError **error)
{
  g_autofree const char **fields = g_new0 (const char *, n_fields);
  g_autofree char (*scratch)[LES_DECIMAL_BUF] = g_malloc0 (n_fields * LES_DECIMAL_BUF);
  gboolean ok = TRUE;
  LesStep rc = LES_STEP_DONE;

  les_csv_append_row (buf, header, n_fields);
  while (ok && (rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      format (stmt, fields, scratch);
      les_csv_append_row (buf, fields, n_fields);
      ok = les_csv_flush (out, buf, FLUSH_AT, cancellable, error);
    }
  les_stmt_reset (stmt);
  return ok && rc != LES_STEP_ERROR;
}

static void
format_payment (LesStmt *stmt, const char **fields, char (*scratch)[LES_DECIMAL_BUF])
{
  for (int i = 0; i < 4; i++)
    fields[i] = les_stmt_text (stmt, i);
  fields[4] = NULL;
  if (!les_stmt_is_null (stmt, 4))
    {
      les_decimal_format_to (les_stmt_int64 (stmt, 4), 0, 0, scratch[4]);
      fields[4] = scratch[4];
    }
  for (int i = 5; i < 8; i++)
    {
      les_decimal_format_to (les_stmt_int64 (stmt, i), 2, 2, scratch[i]);
      fields[i] = scratch[i];
    }
}

static gboolean
write_payments (LesStore *store, int fy, GOutputStream *out, GString *buf, GCancellable *cancellable,
                GError **error)
{
  static const char *header[] = { "practice_code", "service_code", "rule_code", "period", "units", "gross",
                                  "payable", "held" };
  LesStmt *stmt;

  stmt = les_store_prepare (store, les_sql_results_payments, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, fy);
  return write_rows (stmt, header, G_N_ELEMENTS (header), format_payment, out, buf, cancellable, error);
}

static void
format_finding (LesStmt *stmt, const char **fields, char (*scratch)[LES_DECIMAL_BUF])
{
  for (int i = 0; i < 8; i++)
    fields[i] = les_stmt_text (stmt, i);
}

static gboolean
write_findings (LesStore *store, int fy, GOutputStream *out, GString *buf, GCancellable *cancellable,
                GError **error)
{
  static const char *header[] = { "severity", "code", "practice_code", "service_code", "rule_code", "period",
                                  "claim_ref", "message" };
  LesStmt *stmt;

  stmt = les_store_prepare (store, les_sql_results_findings, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, fy);
  return write_rows (stmt, header, G_N_ELEMENTS (header), format_finding, out, buf, cancellable, error);
}

static gboolean
write_reconciliation (LesStore *store, int fy, GOutputStream *out, GString *buf, GCancellable *cancellable,
                      GError **error)
{
  static const char *header[] = { "service_code", "service_name", "budget", "payable", "held", "ledger",
                                  "forecast", "variance" };
  g_autoptr(GArray) rows = les_results_reconciliation (store, fy, error);

  if (rows == NULL)
    return FALSE;
  les_csv_append_row (buf, header, G_N_ELEMENTS (header));
  for (guint i = 0; i < rows->len; i++)
    {
      const LesReconciliationRow *row = &g_array_index (rows, LesReconciliationRow, i);
      g_autofree char *budget = row->has_budget ? les_money_format (row->budget) : NULL;
      g_autofree char *payable = les_money_format (row->payable);
      g_autofree char *held = les_money_format (row->held);
      g_autofree char *ledger = les_money_format (row->ledger);
      g_autofree char *forecast = les_money_format (row->forecast);
      g_autofree char *variance = row->has_budget ? les_money_format (row->variance) : NULL;
      const char *fields[] = { row->service_code, row->service_name, budget, payable, held, ledger, forecast,
                               variance };

      les_csv_append_row (buf, fields, G_N_ELEMENTS (fields));
    }
  return les_csv_flush (out, buf, FLUSH_AT, cancellable, error);
}

/**
 * les_results_write_csv:
 * @kind: "payments", "findings" or "reconciliation"
 *
 * Writes what the last compute of @fy stored, in the export format of
 * FORMATS.md (header row, LF, the stated order).  A year never computed
 * is an error (LES_ERROR_NOT_FOUND).
 */
gboolean
les_results_write_csv (LesStore      *store,
                       const char    *kind,
                       int            fy,
                       GOutputStream *out,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(GString) buf = NULL;
  gboolean ok;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (kind != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (strcmp (kind, "payments") != 0 && strcmp (kind, "findings") != 0 && strcmp (kind, "reconciliation") != 0)
    {
      g_set_error (error, LES_ERROR, LES_ERROR_INVALID,
                   _("unknown results kind “%s”: expected payments, findings or reconciliation"), kind);
      return FALSE;
    }
  if (!les_results_get_compute (store, fy, NULL, NULL, NULL, error))
    return FALSE;

  buf = g_string_sized_new (FLUSH_AT + 4096);
  if (strcmp (kind, "payments") == 0)
    ok = write_payments (store, fy, out, buf, cancellable, error);
  else if (strcmp (kind, "findings") == 0)
    ok = write_findings (store, fy, out, buf, cancellable, error);
  else
    ok = write_reconciliation (store, fy, out, buf, cancellable, error);
  return ok && les_csv_flush (out, buf, 0, cancellable, error);
}
