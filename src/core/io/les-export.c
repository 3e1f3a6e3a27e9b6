/* les-export.c: exports of the imported tables, in the formats they are imported in. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-csv.h"
#include "les-export.h"
#include "les-store-private.h"
#include "les-value.h"

static char *
format_column (const LesColumn *col, LesStmt *stmt, int index)
{
  gint64 v;

  if (les_stmt_is_null (stmt, index))
    return NULL;
  v = les_stmt_int64 (stmt, index);
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
      return g_strdup (les_stmt_text (stmt, index));
    }
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
  LesStmt *stmt;
  LesStep rc;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (kind >= 0 && kind < LES_N_KINDS, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  info = les_kind_get_info (kind);
  names = g_new0 (const char *, info->n_columns);
  cells = g_new0 (char *, info->n_columns);
  for (guint c = 0; c < info->n_columns; c++)
    names[c] = info->columns[c].name;
  les_csv_append_row (buffer, names, info->n_columns);

  /* patient keys go out tagged with this database's key (les_chain_patient_key()) */
  if (kind == LES_KIND_PATIENT_ACTIVITY && !les_store_ensure_key (store, error))
    return FALSE;
  sql = les_sql_export_select (info);
  stmt = les_store_prepare (store, sql, error);
  if (stmt == NULL)
    return FALSE;
  if (les_stmt_param_count (stmt) > 0)
    les_stmt_bind_int64 (stmt, 1, fy);

  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      for (guint c = 0; c < info->n_columns; c++)
        cells[c] = format_column (&info->columns[c], stmt, (int) c);
      if (kind == LES_KIND_PATIENT_ACTIVITY && cells[3] != NULL)
        {
          char *tagged = les_chain_patient_key (store, cells[3]);

          g_free (cells[3]);
          cells[3] = tagged;
        }
      les_csv_append_row (buffer, (const char **) cells, info->n_columns);
      for (guint c = 0; c < info->n_columns; c++)
        g_clear_pointer (&cells[c], g_free);
      if (!les_csv_flush (out, buffer, 64 * 1024, cancellable, error))
        {
          les_stmt_reset (stmt);
          return FALSE;
        }
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return FALSE;
  return les_csv_flush (out, buffer, 0, cancellable, error);
}
