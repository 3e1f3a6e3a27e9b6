/* les-export.c: exports of the imported tables, in the formats they are imported in. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-csv.h"
#include "les-export.h"
#include "les-store-private.h"
#include "les-value.h"

static char *
format_column (const LesColumn *col, sqlite3_stmt *stmt, int index)
{
  gint64 v;

  if (sqlite3_column_type (stmt, index) == SQLITE_NULL)
    return NULL;
  v = sqlite3_column_int64 (stmt, index);
  switch (col->type)
    {
    case LES_COL_YEAR:
      return les_year_format ((int) v);
    case LES_COL_MONEY:
    case LES_COL_MONEY_POS:
      return les_money_format (v);
    case LES_COL_RATE:
      return les_rate_format (v);
    case LES_COL_PERCENT:
    case LES_COL_PERCENT_ANY:
      return les_percent_format (v);
    case LES_COL_CENTI:
      return les_decimal_format (v, 2, 0);
    case LES_COL_COUNT:
      return g_strdup_printf ("%" G_GINT64_FORMAT, v);
    case LES_COL_TEXT:
    case LES_COL_CODE:
    case LES_COL_ODS:
    case LES_COL_DATE:
    case LES_COL_PERIOD:
    case LES_COL_CHOICE:
    default:
      return g_strdup ((const char *) sqlite3_column_text (stmt, index));
    }
}

static gboolean
has_year (const LesKindInfo *info)
{
  for (guint c = 0; c < info->n_columns; c++)
    if (info->columns[c].type == LES_COL_YEAR)
      return TRUE;
  return info->kind == LES_KIND_CLAIMS || info->kind == LES_KIND_LEDGER;
}

static char *
select_sql (const LesKindInfo *info)
{
  GString *sql = g_string_new ("SELECT ");

  switch (info->kind)
    {
    case LES_KIND_PRACTICES:
      return g_strdup ("SELECT p.practice_code, p.practice_name, p.pcn_code, n.pcn_name, p.open_date, p.close_date "
                       "FROM practices p JOIN pcns n ON n.pcn_code = p.pcn_code ORDER BY p.practice_code");
    case LES_KIND_PATIENT_ACTIVITY:
      return g_strdup ("SELECT l.claim_ref, NULL, l.activity_date, l.nhs_hash FROM patient_lines l "
                       "JOIN claims c ON c.claim_ref = l.claim_ref WHERE c.year = ?1 "
                       "ORDER BY l.claim_ref, l.line_no");
    default:
      break;
    }

  for (guint c = 0; c < info->n_columns; c++)
    g_string_append_printf (sql, "%s%s", c ? ", " : "",
                            info->columns[c].db_name ? info->columns[c].db_name : info->columns[c].name);
  g_string_append_printf (sql, " FROM %s", info->table);
  if (has_year (info))
    g_string_append (sql, " WHERE year = ?1");
  g_string_append_printf (sql, " ORDER BY %s", info->order_by);
  return g_string_free (sql, FALSE);
}

/**
 * les_export_table:
 *
 * Writes @kind's rows, header first, in the key order, so that importing the
 * output into another database and exporting again gives the same bytes.
 */
gboolean
les_export_table (LesStore      *store,
                  LesKind        kind,
                  int            fy,
                  GOutputStream *out,
                  GCancellable  *cancellable,
                  GError       **error)
{
  const LesKindInfo *info;
  g_autofree char *sql = NULL;
  g_autoptr(GString) buffer = g_string_sized_new (128 * 1024);
  g_autofree const char **names = NULL;
  g_autofree char **cells = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (kind >= 0 && kind < LES_N_KINDS, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  info = les_kind_get_info (kind);
  names = g_new0 (const char *, info->n_columns);
  cells = g_new0 (char *, info->n_columns);
  for (guint c = 0; c < info->n_columns; c++)
    names[c] = info->columns[c].name;
  les_csv_append_row (buffer, names, info->n_columns);

  sql = select_sql (info);
  stmt = les_store_prepare (store, sql, error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_bind_parameter_count (stmt) > 0)
    sqlite3_bind_int (stmt, 1, fy);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (guint c = 0; c < info->n_columns; c++)
        cells[c] = format_column (&info->columns[c], stmt, (int) c);
      les_csv_append_row (buffer, (const char **) cells, info->n_columns);
      for (guint c = 0; c < info->n_columns; c++)
        g_clear_pointer (&cells[c], g_free);
      if (!les_csv_flush (out, buffer, 64 * 1024, cancellable, error))
        {
          sqlite3_reset (stmt);
          return FALSE;
        }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return les_store_set_db_error (store, error);
  return les_csv_flush (out, buffer, 0, cancellable, error);
}
