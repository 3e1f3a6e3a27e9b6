/* les-service-example.c: the live example — a typical practice of the year, and what it would be paid under a draft's rule. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-column.h"
#include "les-enums.h"
#include "les-error.h"
#include "les-kinds.h"
#include "les-service-example.h"
#include "les-store-private.h"
#include "les-value.h"

/* The typical practice */

/* Steps @stmt to its end: its rows come sorted; the lower middle of an even
 * count, so that it is a real practice's figure; -1 for none */
static gint64
median_of (LesStmt *stmt)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 median = -1;

  if (stmt == NULL)
    return -1;
  while (les_stmt_step (stmt, NULL) == LES_STEP_ROW)
    {
      gint64 v = les_stmt_int64 (stmt, 0);
      g_array_append_val (values, v);
    }
  les_stmt_reset (stmt);
  if (values->len > 0)
    median = g_array_index (values, gint64, (values->len - 1) / 2);
  return median;
}

/* A statement of the year's practices: ?1 the year, ?2 the service, ?3 the rule (as the statement has them) */
static LesStmt *
prepare_for_year (LesStore *store, const char *sql, int fy, const char *code, const char *rule_code)
{
  LesStmt *stmt = les_store_prepare (store, sql, NULL);
  int n;

  if (stmt == NULL)
    return NULL;
  n = les_stmt_param_count (stmt);
  les_stmt_bind_int64 (stmt, 1, fy);
  if (n >= 2)
    les_stmt_bind_text_or_null (stmt, 2, code);
  if (n >= 3)
    les_stmt_bind_text_or_null (stmt, 3, rule_code);
  return stmt;
}

/* A list-size statement: ?1 the first day of the year */
static LesStmt *
prepare_for_first_day (LesStore *store, const char *sql, int fy)
{
  LesStmt *stmt = les_store_prepare (store, sql, NULL);
  char first_day[11];

  if (stmt == NULL)
    return NULL;
  les_date_format (fy * 10000 + 401, first_day);
  les_stmt_bind_text (stmt, 1, first_day);
  return stmt;
}

void
les_service_example_basis (LesStore        *store,
                           const char      *service_code,
                           int              fy,
                           const char      *rule_code,
                           LesExampleBasis *basis)
{
  g_return_if_fail (LES_IS_STORE (store));
  g_return_if_fail (basis != NULL);

  /* the latest list size on or before 1 April of the year */
  basis->registered = median_of (prepare_for_first_day (store, les_sql_example_registered, fy));
  basis->weighted = median_of (prepare_for_first_day (store, les_sql_example_weighted, fy));
  basis->cohort = median_of (prepare_for_year (store, les_sql_example_cohorts, fy, service_code, NULL));
  basis->block_amount = median_of (prepare_for_year (store, les_sql_example_blocks, fy, service_code, NULL));
  basis->achieved_pct = median_of (prepare_for_year (store, les_sql_example_achieved, fy, service_code, NULL));
  basis->units_per_year = rule_code == NULL ? -1
                          : median_of (prepare_for_year (store, les_sql_example_units, fy, service_code, rule_code));
}

/* What a draft says, parsed as an import would */

/* A number (or a choice's enum value) of @column of the rule; FALSE when blank or not valid */
static gboolean
rule_number (const LesServiceDraft *draft, guint rule, const char *column, gint64 *out)
{
  const LesKindInfo *info = les_kind_get_info (LES_KIND_RULES);
  g_autofree char *text = g_strdup (les_service_draft_get_rule (draft, rule, column));
  LesValue value;

  if (!les_column_parse (&info->columns[les_kind_column_index (info, column)], text, &value, NULL)
      || value.type == LES_VALUE_BLANK)
    return FALSE;
  *out = value.i;
  return TRUE;
}

static gint64
parsed (const LesServiceDraft *draft, guint rule, const char *column, gboolean *present)
{
  gint64 n = 0;

  *present = rule_number (draft, rule, column, &n);
  return n;
}

/* A choice of the rule as its enum value, -1 when blank or not one of its words */
static int
rule_choice (const LesServiceDraft *draft, guint rule, const char *column)
{
  gint64 n;

  return rule_number (draft, rule, column, &n) ? (int) n : -1;
}

static gboolean
is_quarterly (const LesServiceDraft *draft)
{
  const LesKindInfo *info = les_kind_get_info (LES_KIND_SERVICES);
  g_autofree char *text = g_strdup (les_service_draft_get (draft, "schedule"));
  LesValue value;

  return les_column_parse (&info->columns[les_kind_column_index (info, "schedule")], text, &value, NULL)
         && value.type == LES_VALUE_TEXT && value.i == LES_SCHEDULE_QUARTERLY;
}

/* The example */

void
les_rule_example_clear (LesRuleExample *example)
{
  g_clear_pointer (&example->explanation, g_free);
}

static int
months_per (int rate_per)
{
  switch (rate_per)
    {
    case LES_RATE_PER_MONTH:
      return 1;
    case LES_RATE_PER_QUARTER:
      return 3;
    case LES_RATE_PER_YEAR:
    default:
      return 12;
    }
}

/* The example practice's base for a capitation or threshold rule, as num / den */
static gboolean
base_of (int base, const LesExampleBasis *basis, gint64 *num, gint64 *den, char **what, GError **error)
{
  g_autofree char *figure = NULL;

  *den = 1;
  if (base == LES_BASE_WEIGHTED)
    {
      *num = basis->weighted;
      *den = 100;
      figure = les_decimal_format (basis->weighted, 2, 0);
      *what = g_strdup_printf (_("%s weighted patients"), figure);
    }
  else if (base == LES_BASE_COHORT || base == LES_BASE_BEDS)
    {
      *num = basis->cohort;
      *what = g_strdup_printf (base == LES_BASE_BEDS ? _("%" G_GINT64_FORMAT " beds")
                                                              : _("a cohort of %" G_GINT64_FORMAT),
                               basis->cohort);
    }
  else
    {
      *num = basis->registered;
      *what = g_strdup_printf (_("%" G_GINT64_FORMAT " registered patients"), basis->registered);
    }
  if (*num < 0)
    {
      g_clear_pointer (what, g_free);
      g_set_error_literal (error, LES_ERROR, LES_ERROR_NOT_FOUND,
                           _("No example: there is no figure for the rule’s base this year"));
      return FALSE;
    }
  return TRUE;
}

/* A scheduled amount @total paid in instalments (RULES.md block) */
static void
instalments (const LesServiceDraft *draft, gint64 total, LesRuleExample *example)
{
  gboolean quarterly = is_quarterly (draft);
  int n = quarterly ? 4 : 12;
  gint64 each = les_floor_div (total, n);

  example->year = total;
  example->has_month = !quarterly;
  example->month = quarterly ? 0 : each;
  example->has_quarter = TRUE;
  example->quarter = quarterly ? each : 3 * each;
}

gboolean
les_rule_example (const LesServiceDraft *draft,
                  guint                  rule,
                  const LesExampleBasis *basis,
                  LesRuleExample        *example,
                  GError               **error)
{
  const char *kind_text;
  int kind;
  gboolean has_rate;
  gint64 rate;

  g_return_val_if_fail (draft != NULL, FALSE);
  g_return_val_if_fail (rule < les_service_draft_get_n_rules (draft), FALSE);
  g_return_val_if_fail (basis != NULL && example != NULL, FALSE);

  memset (example, 0, sizeof *example);
  kind_text = les_service_draft_get_rule (draft, rule, "kind");
  kind = rule_choice (draft, rule, "kind");
  rate = parsed (draft, rule, "rate", &has_rate);

  if (kind == LES_RULE_KIND_ITEM)
    {
      gint64 units_month, max_units, units_year;
      gboolean has_max;
      g_autofree char *each = NULL;
      g_autofree char *year = NULL;

      if (!has_rate)
        goto no_rate;
      /* a month's units: the median practice's year spread evenly, or 10 when nobody has claimed yet */
      units_month = basis->units_per_year > 0 ? MAX (1, les_round_div (basis->units_per_year, 12)) : 10;
      units_year = 12 * units_month;
      max_units = parsed (draft, rule, "max_units_per_practice", &has_max);
      if (has_max && units_year > max_units)
        units_year = max_units;
      example->has_month = TRUE;
      example->month = les_round_div ((__int128) MIN (units_month, units_year) * rate, LES_RATE_SCALE);
      example->has_quarter = TRUE;
      example->quarter = les_round_div ((__int128) MIN (3 * units_month, units_year) * rate, LES_RATE_SCALE);
      example->year = les_round_div ((__int128) units_year * rate, LES_RATE_SCALE);
      each = les_rate_format (rate);
      year = les_money_format_display (example->year);
      example->explanation =
        has_max && 12 * units_month > max_units
          ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " unit a month × £%s, capped at %"
                                          G_GINT64_FORMAT " a year: %s a year",
                                          "%" G_GINT64_FORMAT " units a month × £%s, capped at %" G_GINT64_FORMAT
                                          " a year: %s a year", (gulong) units_month),
                             units_month, each, max_units, year)
          : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " unit a month × £%s: %s a year",
                                          "%" G_GINT64_FORMAT " units a month × £%s: %s a year",
                                          (gulong) units_month),
                             units_month, each, year);
      return TRUE;
    }

  if (kind == LES_RULE_KIND_CAPITATION)
    {
      int rate_per = rule_choice (draft, rule, "rate_per");
      int per = months_per (rate_per);
      gboolean quarterly = is_quarterly (draft);
      gint64 num, den;
      g_autofree char *what = NULL;
      g_autofree char *each = NULL;
      g_autofree char *year = NULL;

      if (!has_rate)
        goto no_rate;
      if (!base_of (rule_choice (draft, rule, "base"), basis, &num, &den, &what, error))
        return FALSE;
      /* one line per scheduled period, each rounded once */
      example->has_month = !quarterly;
      example->month = quarterly ? 0 : les_round_div ((__int128) rate * num, (__int128) LES_RATE_SCALE * den * per);
      example->has_quarter = TRUE;
      example->quarter = quarterly ? les_round_div ((__int128) rate * num * 3, (__int128) LES_RATE_SCALE * den * per)
                                   : 3 * example->month;
      example->year = quarterly ? 4 * example->quarter : 12 * example->month;
      each = les_rate_format (rate);
      year = les_money_format_display (example->year);
      example->explanation = g_strdup_printf (rate_per == LES_RATE_PER_MONTH ? _("%s × £%s a month: %s a year")
                                              : rate_per == LES_RATE_PER_QUARTER
                                                ? _("%s × £%s a quarter: %s a year")
                                                : _("%s × £%s a year: %s a year"),
                                              what, each, year);
      return TRUE;
    }

  if (kind == LES_RULE_KIND_BLOCK)
    {
      g_autofree char *year = NULL;

      if (basis->block_amount < 0)
        {
          g_set_error_literal (error, LES_ERROR, LES_ERROR_NOT_FOUND,
                               _("A block rule pays each practice its allocation; no allocations are recorded yet"));
          return FALSE;
        }
      instalments (draft, basis->block_amount, example);
      year = les_money_format_display (basis->block_amount);
      example->explanation = g_strdup_printf (_("The median allocation, %s, in instalments"), year);
      return TRUE;
    }

  if (kind == LES_RULE_KIND_THRESHOLD)
    {
      gboolean has_fixed, has_up, has_lower, has_upper;
      gint64 fixed = parsed (draft, rule, "fixed_amount", &has_fixed);
      gint64 upfront_pct = parsed (draft, rule, "upfront_pct", &has_up);
      gint64 lower = parsed (draft, rule, "lower_pct", &has_lower);
      gint64 upper = parsed (draft, rule, "upper_pct", &has_upper);
      gint64 achieved = basis->achieved_pct >= 0 ? basis->achieved_pct : upper;
      gboolean recover = rule_choice (draft, rule, "settlement") == LES_SETTLEMENT_RECOVER;
      __int128 award_num;
      gint64 award_den = 1, upfront, s_num, s_den, achievement;
      g_autofree char *what = NULL;
      g_autofree char *award = NULL;
      g_autofree char *pct = NULL;
      g_autofree char *year = NULL;

      if (!has_lower || !has_upper || upper < lower)
        {
          g_set_error_literal (error, LES_ERROR, LES_ERROR_INVALID,
                               _("No example until the lower and upper thresholds are set"));
          return FALSE;
        }
      award_num = has_fixed ? fixed : 0;
      if (has_rate)
        {
          gint64 num, den;

          if (!base_of (rule_choice (draft, rule, "base"), basis, &num, &den, &what, error))
            return FALSE;
          award_num = award_num * den + (__int128) rate * num;
          award_den = den;
        }
      /* hundredths of a penny: award_num / award_den */
      upfront = has_up ? les_round_div (award_num * upfront_pct,
                                        (__int128) award_den * LES_RATE_SCALE * 100 * LES_PCT_SCALE) : 0;
      if (achieved < lower)
        s_num = 0, s_den = 1;
      else if (achieved >= upper)
        s_num = 1, s_den = 1;
      else
        s_num = achieved - lower, s_den = upper - lower;
      achievement = recover
        ? les_round_div (award_num * s_num, (__int128) award_den * LES_RATE_SCALE * s_den) - upfront
        : les_round_div (award_num * (100 * LES_PCT_SCALE - upfront_pct) * s_num,
                         (__int128) award_den * LES_RATE_SCALE * 100 * LES_PCT_SCALE * s_den);
      instalments (draft, upfront, example);
      example->year = upfront + achievement;
      award = les_money_format_display (les_round_div (award_num, (__int128) award_den * LES_RATE_SCALE));
      pct = les_percent_format (achieved);
      year = les_money_format_display (example->year);
      {
        g_autofree char *up = les_money_format_display (upfront);
        g_autofree char *ach = les_money_format_display (achievement);

        example->explanation =
          g_strdup_printf (_("An award of %s: %s upfront, then %s for achieving %s%%: %s a year"), award, up, ach,
                           pct, year);
      }
      return TRUE;
    }

  g_set_error (error, LES_ERROR, LES_ERROR_INVALID, _("“%s” is not a rule kind"), kind_text);
  return FALSE;

no_rate:
  g_set_error_literal (error, LES_ERROR, LES_ERROR_INVALID, _("No example until the rule has a valid rate"));
  return FALSE;
}
