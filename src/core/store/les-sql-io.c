/* les-sql-io.c: the statements of imports and exports, built from the kinds' tables and columns. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-kinds.h"
#include "les-sql.h"

static gboolean
has_year (const LesKindInfo *info)
{
  for (guint c = 0; c < info->n_columns; c++)
    if (info->columns[c].type == LES_COL_YEAR)
      return TRUE;
  return info->kind == LES_KIND_CLAIMS || info->kind == LES_KIND_LEDGER;
}

/**
 * les_sql_export_select:
 *
 * Returns: (transfer full): the SELECT of @info's rows in its import
 * columns and key order, with the year as ?1 when the table is kept by year.
 */
char *
les_sql_export_select (const LesKindInfo *info)
{
  GString *sql;

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

  sql = g_string_new ("SELECT ");
  for (guint c = 0; c < info->n_columns; c++)
    g_string_append_printf (sql, "%s%s", c ? ", " : "",
                            info->columns[c].db_name ? info->columns[c].db_name : info->columns[c].name);
  g_string_append_printf (sql, " FROM %s", info->table);
  if (has_year (info))
    g_string_append (sql, " WHERE year = ?1");
  g_string_append_printf (sql, " ORDER BY %s", info->order_by);
  return g_string_free (sql, FALSE);
}
