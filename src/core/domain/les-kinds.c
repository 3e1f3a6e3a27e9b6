/* les-kinds.c: column definitions of every import kind. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-enums.h"
#include "les-kinds.h"

static const LesColumn practices_cols[] = {
  { "practice_code", LES_COL_ODS, TRUE },
  { "practice_name", LES_COL_TEXT, TRUE },
  { "pcn_code", LES_COL_CODE, TRUE },
  { "pcn_name", LES_COL_TEXT, FALSE },
  { "open_date", LES_COL_DATE, FALSE },
  { "close_date", LES_COL_DATE, FALSE },
};

static const LesColumn list_sizes_cols[] = {
  { "practice_code", LES_COL_ODS, TRUE },
  { "date", LES_COL_DATE, TRUE },
  { "registered", LES_COL_COUNT, TRUE },
  { "weighted", LES_COL_CENTI, FALSE },
};

static const LesColumn services_cols[] = {
  { "service_code", LES_COL_CODE, TRUE },
  { "year", LES_COL_YEAR, TRUE },
  { "name", LES_COL_TEXT, TRUE },
  { "cap_mode", LES_COL_CHOICE, FALSE, les_cap_mode_words },
  { "budget", LES_COL_MONEY_POS, FALSE },
  { "schedule", LES_COL_CHOICE, FALSE, les_schedule_words },
  { "claim_frequency", LES_COL_CHOICE, FALSE, les_claim_frequency_words },
  { "claim_deadline_days", LES_COL_COUNT, FALSE },
  { "start_date", LES_COL_DATE, FALSE },
  { "end_date", LES_COL_DATE, FALSE },
  { "description", LES_COL_TEXT, FALSE },
};

static const LesColumn rules_cols[] = {
  { "service_code", LES_COL_CODE, TRUE },
  { "year", LES_COL_YEAR, TRUE },
  { "rule_code", LES_COL_CODE, TRUE },
  { "kind", LES_COL_CHOICE, TRUE, les_rule_kind_words },
  { "description", LES_COL_TEXT, FALSE },
  { "rate", LES_COL_RATE, FALSE },
  { "rate_per", LES_COL_CHOICE, FALSE, les_rate_per_words },
  { "base", LES_COL_CHOICE, FALSE, les_base_words },
  { "max_units_per_practice", LES_COL_COUNT, FALSE },
  { "max_per_patient", LES_COL_COUNT, FALSE },
  { "fixed_amount", LES_COL_RATE, FALSE },
  { "upfront_pct", LES_COL_PERCENT, FALSE },
  { "lower_pct", LES_COL_PERCENT, FALSE },
  { "upper_pct", LES_COL_PERCENT, FALSE },
  { "settlement", LES_COL_CHOICE, FALSE, les_settlement_words },
};

static const LesColumn signups_cols[] = {
  { "practice_code", LES_COL_ODS, TRUE },
  { "service_code", LES_COL_CODE, TRUE },
  { "year", LES_COL_YEAR, TRUE },
  { "from_date", LES_COL_DATE, TRUE },
  { "to_date", LES_COL_DATE, FALSE },
};

static const LesColumn cohorts_cols[] = {
  { "practice_code", LES_COL_ODS, TRUE },
  { "service_code", LES_COL_CODE, TRUE },
  { "year", LES_COL_YEAR, TRUE },
  { "size", LES_COL_COUNT, TRUE },
};

static const LesColumn allocations_cols[] = {
  { "practice_code", LES_COL_ODS, TRUE },
  { "service_code", LES_COL_CODE, TRUE },
  { "year", LES_COL_YEAR, TRUE },
  { "block_amount", LES_COL_MONEY_POS, FALSE },
  { "cap_amount", LES_COL_MONEY_POS, FALSE },
};

static const LesColumn claims_cols[] = {
  { "claim_ref", LES_COL_CODE, TRUE },
  { "practice_code", LES_COL_ODS, TRUE },
  { "service_code", LES_COL_CODE, TRUE },
  { "item_code", LES_COL_CODE, TRUE },
  { "period", LES_COL_PERIOD, TRUE },
  { "count", LES_COL_COUNT, TRUE },
  { "submitted_date", LES_COL_DATE, TRUE },
};

static const LesColumn patient_cols[] = {
  { "claim_ref", LES_COL_CODE, TRUE },
  /* a blank number is an invalid line, kept so that it can be reported */
  { "nhs_number", LES_COL_TEXT, TRUE, NULL, NULL, TRUE },
  { "activity_date", LES_COL_DATE, TRUE },
  /* written by export: the keyed hash, since numbers are never stored */
  { "patient_key", LES_COL_TEXT, FALSE, NULL, "nhs_hash" },
};

static const LesColumn achievements_cols[] = {
  { "practice_code", LES_COL_ODS, TRUE },
  { "service_code", LES_COL_CODE, TRUE },
  { "year", LES_COL_YEAR, TRUE },
  { "achieved_pct", LES_COL_PERCENT_ANY, TRUE },
};

static const LesColumn ledger_cols[] = {
  { "service_code", LES_COL_CODE, TRUE },
  { "period", LES_COL_PERIOD, TRUE },
  { "amount", LES_COL_MONEY, TRUE },
  { "reference", LES_COL_TEXT, TRUE },
};

#define KIND(k, n, t, cols, key, order) { k, n, t, cols, G_N_ELEMENTS (cols), key, order }
#define FIRST(n) ((1u << (n)) - 1)

static const LesKindInfo kinds[LES_N_KINDS] = {
  KIND (LES_KIND_PRACTICES, "practices", "practices", practices_cols, FIRST (1), "practice_code"),
  KIND (LES_KIND_LIST_SIZES, "list-sizes", "list_sizes", list_sizes_cols, FIRST (2), "practice_code, date"),
  KIND (LES_KIND_SERVICES, "services", "services", services_cols, FIRST (2), "service_code, year"),
  KIND (LES_KIND_RULES, "rules", "rules", rules_cols, FIRST (3), "service_code, year, rule_code"),
  KIND (LES_KIND_SIGNUPS, "signups", "signups", signups_cols, FIRST (4),
        "practice_code, service_code, year, from_date"),
  KIND (LES_KIND_COHORTS, "cohorts", "cohorts", cohorts_cols, FIRST (3), "practice_code, service_code, year"),
  KIND (LES_KIND_ALLOCATIONS, "allocations", "allocations", allocations_cols, FIRST (3),
        "practice_code, service_code, year"),
  KIND (LES_KIND_CLAIMS, "claims", "claims", claims_cols, FIRST (1), "claim_ref"),
  KIND (LES_KIND_PATIENT_ACTIVITY, "patient-activity", "patient_lines", patient_cols, FIRST (1),
        "claim_ref, line_no"),
  KIND (LES_KIND_ACHIEVEMENTS, "achievements", "achievements", achievements_cols, FIRST (3),
        "practice_code, service_code, year"),
  KIND (LES_KIND_LEDGER, "ledger", "ledger", ledger_cols, 0xBu, "service_code, period, reference"),
};

const LesKindInfo *
les_kind_get_info (LesKind kind)
{
  g_return_val_if_fail (kind >= 0 && kind < LES_N_KINDS, NULL);

  return &kinds[kind];
}

LesKind
les_kind_from_string (const char *name)
{
  for (int i = 0; i < LES_N_KINDS; i++)
    if (g_ascii_strcasecmp (kinds[i].name, name) == 0)
      return (LesKind) i;
  return LES_KIND_INVALID;
}

const char *
les_kind_to_string (LesKind kind)
{
  g_return_val_if_fail (kind >= 0 && kind < LES_N_KINDS, NULL);

  return kinds[kind].name;
}

int
les_kind_column_index (const LesKindInfo *info, const char *name)
{
  g_return_val_if_fail (info != NULL && name != NULL, -1);

  for (guint c = 0; c < info->n_columns; c++)
    if (strcmp (info->columns[c].name, name) == 0)
      return (int) c;
  return -1;
}

LesKind
les_kind_detect (const char * const *header)
{
  g_auto(GStrv) clean = g_strdupv ((char **) header);
  LesKind best = LES_KIND_INVALID;
  guint best_score = 0;

  for (guint i = 0; clean[i] != NULL; i++)
    g_strstrip (clean[i]);

  /* NHS Digital's registered-patients file */
  for (guint i = 0; clean[i] != NULL; i++)
    if (g_ascii_strcasecmp (clean[i], "NUMBER_OF_PATIENTS") == 0)
      return LES_KIND_LIST_SIZES;

  /* the kind whose required columns are all present, with most columns matched */
  for (int k = 0; k < LES_N_KINDS; k++)
    {
      guint score = 0;
      gboolean all_required = TRUE;

      for (guint c = 0; c < kinds[k].n_columns; c++)
        {
          gboolean found = FALSE;

          for (guint i = 0; clean[i] != NULL && !found; i++)
            found = g_ascii_strcasecmp (clean[i], kinds[k].columns[c].name) == 0;
          if (found)
            score++;
          else if (kinds[k].columns[c].required)
            all_required = FALSE;
        }
      if (all_required && score > best_score)
        {
          best = (LesKind) k;
          best_score = score;
        }
    }
  return best;
}
