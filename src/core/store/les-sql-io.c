/* les-sql-io.c: the statements of imports and exports, built from the kinds' tables and columns. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

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

/* Imports */

const char les_sql_import_practice_codes[] =
  "SELECT practice_code FROM practices";

const char les_sql_import_service_keys[] =
  "SELECT service_code || '/' || year FROM services";

const char les_sql_import_rule_kinds[] =
  "SELECT service_code || '/' || year || '/' || rule_code, kind FROM rules";

const char les_sql_import_max_claim_id[] =
  "SELECT COALESCE (MAX (id), 0) FROM claims";

/* SQLite checks references only outside a transaction; other backends ignore it */
const char les_sql_import_sqlite_foreign_keys_off[] =
  "PRAGMA foreign_keys = OFF";

const char les_sql_import_sqlite_foreign_keys_on[] =
  "PRAGMA foreign_keys = ON";

/* The indexes of claims that a bulk load drops and makes again: all but
 * the unique claim_ref's, which has no SQL of its own (SQLite's catalogue) */
const char les_sql_import_sqlite_claims_indexes[] =
  "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'claims' AND sql IS NOT NULL "
  "ORDER BY name";

/* a practices file names its PCN; a blank PCN name keeps the one held */
const char les_sql_import_pcn_upsert[] =
  "INSERT INTO pcns (pcn_code, pcn_name) VALUES (?1, ?2) "
  "ON CONFLICT (pcn_code) DO UPDATE SET pcn_name = COALESCE (excluded.pcn_name, pcns.pcn_name)";

const char les_sql_import_claim_insert[] =
  "INSERT INTO claims (claim_ref, practice_code, service_code, item_code, period, count, submitted_date, year) "
  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
  "ON CONFLICT (claim_ref) DO NOTHING";

const char les_sql_import_claim_select[] =
  "SELECT practice_code, service_code, item_code, period, count, submitted_date, id "
  "FROM claims WHERE claim_ref = ?1";

/* A server's import loads claims a batch at a time (les-import.c): first
 * the batch's references already held, in the claim_select's columns (an
 * array of text: PostgreSQL's, as is COPY), then the new claims in one COPY */
const char les_sql_import_pg_claims_held[] =
  "SELECT claim_ref, practice_code, service_code, item_code, period, count, submitted_date, id "
  "FROM claims WHERE claim_ref = ANY (CAST (?1 AS TEXT[]))";

const char les_sql_import_pg_claims_copy[] =
  "COPY claims (claim_ref, practice_code, service_code, item_code, period, count, submitted_date, year) "
  "FROM STDIN";

/* A batch that fails is undone alone, then written again a row at a time
 * to find the row and say why */
const char les_sql_import_batch_savepoint[] =
  "SAVEPOINT les_import_batch";

const char les_sql_import_batch_release[] =
  "RELEASE SAVEPOINT les_import_batch";

const char les_sql_import_batch_rollback[] =
  "ROLLBACK TO SAVEPOINT les_import_batch";

const char les_sql_import_claim_exists[] =
  "SELECT year, service_code FROM claims WHERE claim_ref = ?1";

const char les_sql_import_lines_delete[] =
  "DELETE FROM patient_lines WHERE claim_ref = ?1";

const char les_sql_import_line_insert[] =
  "INSERT INTO patient_lines (claim_ref, line_no, nhs_hash, activity_date) VALUES (?1, ?2, ?3, ?4)";

/* keeps a weighted figure that a fuller file gave for the same date */
const char les_sql_import_nhs_list_size_upsert[] =
  "INSERT INTO list_sizes (practice_code, date, registered) VALUES (?1, ?2, ?3) "
  "ON CONFLICT (practice_code, date) DO UPDATE SET registered = excluded.registered";

static const char *
column_db_name (const LesColumn *col)
{
  return col->db_name ? col->db_name : col->name;
}

static gboolean
is_key (const LesKindInfo *info, guint column)
{
  return (info->key_mask & (1u << column)) != 0;
}

/**
 * les_sql_import_stores:
 *
 * Returns: whether import column @column of @info is a column of its table
 * (a practices file's pcn_name lives in pcns).
 */
gboolean
les_sql_import_stores (const LesKindInfo *info, guint column)
{
  return !(info->kind == LES_KIND_PRACTICES && strcmp (info->columns[column].name, "pcn_name") == 0);
}

/* "a = ?1, b = ?2" over the stored columns that are (or are not) the key, numbered as les_sql_import_insert() */
static void
append_assignments (GString *sql, const LesKindInfo *info, gboolean key, const char *separator)
{
  guint param = 0;
  gboolean first = TRUE;

  for (guint c = 0; c < info->n_columns; c++)
    {
      if (!les_sql_import_stores (info, c))
        continue;
      param++;
      if (is_key (info, c) != key)
        continue;
      g_string_append_printf (sql, "%s%s = ?%u", first ? "" : separator, column_db_name (&info->columns[c]), param);
      first = FALSE;
    }
}

/**
 * les_sql_import_select:
 *
 * Returns: (transfer full): the SELECT of the row with a key, giving the
 * stored columns in order; the key columns are ?1, ?2, … in order.
 */
char *
les_sql_import_select (const LesKindInfo *info)
{
  GString *sql = g_string_new ("SELECT ");
  guint param = 0;
  gboolean first = TRUE;

  for (guint c = 0; c < info->n_columns; c++)
    if (les_sql_import_stores (info, c))
      {
        g_string_append_printf (sql, "%s%s", first ? "" : ", ", column_db_name (&info->columns[c]));
        first = FALSE;
      }
  g_string_append_printf (sql, " FROM %s WHERE ", info->table);
  for (guint c = 0; c < info->n_columns; c++)
    if (is_key (info, c))
      {
        param++;
        g_string_append_printf (sql, "%s%s = ?%u", param > 1 ? " AND " : "", column_db_name (&info->columns[c]),
                                param);
      }
  return g_string_free (sql, FALSE);
}

/* Whether a column is stored as a number (BIGINT), not as text */
static gboolean
is_number (const LesColumn *col)
{
  switch (col->type)
    {
    case LES_COL_YEAR:
    case LES_COL_MONEY:
    case LES_COL_MONEY_POS:
    case LES_COL_RATE:
    case LES_COL_PERCENT:
    case LES_COL_PERCENT_ANY:
    case LES_COL_COUNT:
    case LES_COL_CENTI:
      return TRUE;
    case LES_COL_TEXT:
    case LES_COL_CODE:
    case LES_COL_ODS:
    case LES_COL_DATE:
    case LES_COL_PERIOD:
    case LES_COL_CHOICE:
    default:
      return FALSE;
    }
}

/**
 * les_sql_import_pg_held:
 *
 * A server's import reads a batch of rows' keys at once (PostgreSQL's
 * arrays and unnest()): ?1, ?2, … are arrays of the key columns' values,
 * one element per row, in order.
 *
 * Returns: (transfer full): the SELECT of the rows held with those keys,
 * giving the key columns, then the stored columns as les_sql_import_select()
 */
char *
les_sql_import_pg_held (const LesKindInfo *info)
{
  GString *sql = g_string_new ("SELECT ");
  GString *keys = g_string_new (NULL);
  GString *arrays = g_string_new (NULL);
  guint param = 0;

  for (guint c = 0; c < info->n_columns; c++)
    if (is_key (info, c))
      {
        param++;
        g_string_append_printf (keys, "%s%s", param > 1 ? ", " : "", column_db_name (&info->columns[c]));
        g_string_append_printf (arrays, "%sCAST (?%u AS %s[])", param > 1 ? ", " : "", param,
                                is_number (&info->columns[c]) ? "BIGINT" : "TEXT");
      }
  g_string_append (sql, keys->str);
  for (guint c = 0; c < info->n_columns; c++)
    if (les_sql_import_stores (info, c))
      g_string_append_printf (sql, ", %s", column_db_name (&info->columns[c]));
  g_string_append_printf (sql, " FROM %s WHERE (%s) IN (SELECT * FROM unnest (%s))", info->table, keys->str,
                          arrays->str);
  g_string_free (keys, TRUE);
  g_string_free (arrays, TRUE);
  return g_string_free (sql, FALSE);
}

/**
 * les_sql_import_pg_copy:
 *
 * Returns: (transfer full): the COPY … FROM STDIN of new rows, with the
 * columns of les_sql_import_insert() in its order (PostgreSQL)
 */
char *
les_sql_import_pg_copy (const LesKindInfo *info)
{
  GString *sql = g_string_new (NULL);
  guint n = 0;

  g_string_printf (sql, "COPY %s (", info->table);
  for (guint c = 0; c < info->n_columns; c++)
    if (les_sql_import_stores (info, c))
      g_string_append_printf (sql, "%s%s", n++ > 0 ? ", " : "", column_db_name (&info->columns[c]));
  if (info->kind == LES_KIND_LEDGER)
    g_string_append (sql, ", year");
  g_string_append (sql, ") FROM STDIN");
  return g_string_free (sql, FALSE);
}

/**
 * les_sql_import_insert:
 *
 * Returns: (transfer full): the INSERT of a row: the stored columns are
 * ?1, ?2, … in order; a ledger row's financial year follows them.
 */
char *
les_sql_import_insert (const LesKindInfo *info)
{
  GString *sql = g_string_new (NULL);
  GString *marks = g_string_new (NULL);
  guint param = 0;

  g_string_printf (sql, "INSERT INTO %s (", info->table);
  for (guint c = 0; c < info->n_columns; c++)
    if (les_sql_import_stores (info, c))
      {
        param++;
        g_string_append_printf (sql, "%s%s", param > 1 ? ", " : "", column_db_name (&info->columns[c]));
        g_string_append_printf (marks, "%s?%u", param > 1 ? ", " : "", param);
      }
  if (info->kind == LES_KIND_LEDGER)
    {
      /* the financial year follows from the period */
      g_string_append (sql, ", year");
      g_string_append_printf (marks, ", ?%u", param + 1);
    }
  g_string_append_printf (sql, ") VALUES (%s)", marks->str);
  g_string_free (marks, TRUE);
  return g_string_free (sql, FALSE);
}

/**
 * les_sql_import_update:
 *
 * Returns: (transfer full) (nullable): the UPDATE of a row's columns that are
 * not its key, parameters numbered as les_sql_import_insert(); %NULL when
 * every column is the key.
 */
char *
les_sql_import_update (const LesKindInfo *info)
{
  GString *sql = g_string_new (NULL);
  gsize start;

  g_string_printf (sql, "UPDATE %s SET ", info->table);
  start = sql->len;
  append_assignments (sql, info, FALSE, ", ");
  if (sql->len == start)
    {
      g_string_free (sql, TRUE);
      return NULL;
    }
  g_string_append (sql, " WHERE ");
  append_assignments (sql, info, TRUE, " AND ");
  return g_string_free (sql, FALSE);
}
