/* les-sql-services.c: the statements of the service editor — a service and its rules, and the live example's typical practice. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-kinds.h"
#include "les-sql.h"

/* "SELECT a, b, … FROM table WHERE code = ?1 AND year = ?2": a draft reads every import column */
static char *
select_by_service (LesKind kind, const char *order_by)
{
  const LesKindInfo *info = les_kind_get_info (kind);
  GString *sql = g_string_new ("SELECT ");

  for (guint c = 0; c < info->n_columns; c++)
    g_string_append_printf (sql, "%s%s", c > 0 ? ", " : "", info->columns[c].name);
  g_string_append_printf (sql, " FROM %s WHERE service_code = ?1 AND year = ?2", info->table);
  if (order_by != NULL)
    g_string_append_printf (sql, " ORDER BY %s", order_by);
  return g_string_free (sql, FALSE);
}

/* An insert of every column that updates the row of the same key */
static char *
upsert (LesKind kind)
{
  const LesKindInfo *info = les_kind_get_info (kind);
  GString *sql = g_string_new ("INSERT INTO ");
  gboolean first = TRUE;

  g_string_append_printf (sql, "%s (", info->table);
  for (guint c = 0; c < info->n_columns; c++)
    g_string_append_printf (sql, "%s%s", c > 0 ? ", " : "", info->columns[c].name);
  g_string_append (sql, ") VALUES (");
  for (guint c = 0; c < info->n_columns; c++)
    g_string_append_printf (sql, "%s?%u", c > 0 ? ", " : "", c + 1);
  g_string_append (sql, ") ON CONFLICT (");
  for (guint c = 0; c < info->n_columns; c++)
    if (info->key_mask & (1u << c))
      {
        g_string_append_printf (sql, "%s%s", first ? "" : ", ", info->columns[c].name);
        first = FALSE;
      }
  g_string_append (sql, ") DO UPDATE SET ");
  first = TRUE;
  for (guint c = 0; c < info->n_columns; c++)
    if (!(info->key_mask & (1u << c)))
      {
        g_string_append_printf (sql, "%s%s = excluded.%s", first ? "" : ", ", info->columns[c].name,
                                info->columns[c].name);
        first = FALSE;
      }
  return g_string_free (sql, FALSE);
}

char *
les_sql_service_select (void)
{
  return select_by_service (LES_KIND_SERVICES, NULL);
}

char *
les_sql_service_rules_select (void)
{
  return select_by_service (LES_KIND_RULES, "rule_code");
}

char *
les_sql_service_upsert (void)
{
  return upsert (LES_KIND_SERVICES);
}

char *
les_sql_service_rule_upsert (void)
{
  return upsert (LES_KIND_RULES);
}

const char les_sql_service_exists[] =
  "SELECT 1 FROM services WHERE service_code = ?1 AND year = ?2";

const char les_sql_service_rule_codes[] =
  "SELECT rule_code FROM rules WHERE service_code = ?1 AND year = ?2";

const char les_sql_service_rule_delete[] =
  "DELETE FROM rules WHERE service_code = ?1 AND year = ?2 AND rule_code = ?3";

const char les_sql_service_rules_delete[] =
  "DELETE FROM rules WHERE service_code = ?1 AND year = ?2";

const char les_sql_service_delete[] =
  "DELETE FROM services WHERE service_code = ?1 AND year = ?2";

/* The latest list size on or before the first day of the year, a practice each */
const char les_sql_example_registered[] =
  "SELECT l.registered FROM list_sizes l WHERE l.date = "
  " (SELECT max(m.date) FROM list_sizes m WHERE m.practice_code = l.practice_code AND m.date <= ?1) "
  "ORDER BY 1";

const char les_sql_example_weighted[] =
  "SELECT l.weighted FROM list_sizes l WHERE l.weighted IS NOT NULL AND l.date = "
  " (SELECT max(m.date) FROM list_sizes m WHERE m.practice_code = l.practice_code AND m.date <= ?1) "
  "ORDER BY 1";

const char les_sql_example_cohorts[] =
  "SELECT size FROM cohorts WHERE year = ?1 AND service_code = ?2 ORDER BY 1";

const char les_sql_example_blocks[] =
  "SELECT block_amount FROM allocations WHERE year = ?1 AND service_code = ?2 AND block_amount IS NOT NULL "
  "ORDER BY 1";

const char les_sql_example_achieved[] =
  "SELECT achieved_pct FROM achievements WHERE year = ?1 AND service_code = ?2 ORDER BY 1";

/* a practice's units of the year, on claims still to be paid or paid */
const char les_sql_example_units[] =
  "SELECT sum(count) FROM claims WHERE year = ?1 AND service_code = ?2 AND item_code = ?3 "
  "AND status NOT IN ('rejected', 'withdrawn') GROUP BY practice_code ORDER BY 1";
