/* les-enums.c: the words and labels of the domain's enums, and the finding codes of RULES.md §8. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-enums.h"

static int
word_index (const char * const *words, const char *word)
{
  if (word == NULL)
    return -1;
  for (int i = 0; words[i] != NULL; i++)
    if (strcmp (words[i], word) == 0)
      return i;
  return -1;
}

/* One enum: its words (NULL-terminated) and labels, in the order of its values */
#define DEFINE_ENUM(prefix, Type, n, ...)                                       \
  static const char * const prefix##_words_[] = { __VA_ARGS__, NULL };          \
  G_STATIC_ASSERT (G_N_ELEMENTS (prefix##_words_) == (n) + 1);                  \
  const char * const *prefix##_words (void) { return prefix##_words_; }         \
  const char *prefix##_to_word (Type value)                                     \
  {                                                                             \
    g_return_val_if_fail ((int) value >= 0 && (int) value < (n), NULL);         \
    return prefix##_words_[value];                                              \
  }                                                                             \
  int prefix##_from_word (const char *word)                                     \
  {                                                                             \
    return word_index (prefix##_words_, word);                                  \
  }                                                                             \
  const char *prefix##_get_label (Type value)                                   \
  {                                                                             \
    g_return_val_if_fail ((int) value >= 0 && (int) value < (n), NULL);         \
    return _(prefix##_labels_[value]);                                          \
  }

static const char * const les_claim_status_labels_[] = {
  N_("Submitted"), N_("Queried"), N_("Approved"), N_("Rejected"), N_("Withdrawn"),
};
DEFINE_ENUM (les_claim_status, LesClaimStatus, LES_N_CLAIM_STATUSES,
             "submitted", "queried", "approved", "rejected", "withdrawn")

static const char * const les_cap_mode_labels_[] = {
  N_("No cap"), N_("Hold over budget"), N_("Pro rata"),
};
DEFINE_ENUM (les_cap_mode, LesCapMode, LES_N_CAP_MODES, "none", "hold", "prorata")

static const char * const les_schedule_labels_[] = { N_("Monthly"), N_("Quarterly") };
DEFINE_ENUM (les_schedule, LesSchedule, LES_N_SCHEDULES, "monthly", "quarterly")

static const char * const les_claim_frequency_labels_[] = {
  N_("Monthly"), N_("Quarterly"), N_("Annual"),
};
DEFINE_ENUM (les_claim_frequency, LesClaimFrequency, LES_N_CLAIM_FREQUENCIES,
             "monthly", "quarterly", "annual")

static const char * const les_rule_kind_labels_[] = {
  N_("Per item"), N_("Capitation"), N_("Block"), N_("Threshold"),
};
DEFINE_ENUM (les_rule_kind, LesRuleKind, LES_N_RULE_KINDS, "item", "capitation", "block", "threshold")

static const char * const les_rate_per_labels_[] = { N_("Per year"), N_("Per quarter"), N_("Per month") };
DEFINE_ENUM (les_rate_per, LesRatePer, LES_N_RATE_PERS, "year", "quarter", "month")

static const char * const les_base_labels_[] = {
  N_("Registered list"), N_("Weighted list"), N_("Cohort"), N_("Care-home beds"),
};
DEFINE_ENUM (les_base, LesBase, LES_N_BASES, "registered", "weighted", "cohort", "beds")

static const char * const les_settlement_labels_[] = {
  N_("Pay the remainder"), N_("Recover the upfront share"),
};
DEFINE_ENUM (les_settlement, LesSettlement, LES_N_SETTLEMENTS, "remainder", "recover")

static const char * const les_severity_labels_[] = { N_("Error"), N_("Warning") };
DEFINE_ENUM (les_severity, LesSeverity, LES_N_SEVERITIES, "error", "warning")

gboolean
les_claim_status_needs_reason (LesClaimStatus status)
{
  return status != LES_CLAIM_STATUS_SUBMITTED && status != LES_CLAIM_STATUS_APPROVED;
}

const char *
les_claim_status_list_words (void)
{
  return "submitted, queried, approved, rejected, withdrawn";
}

static const LesFindingInfo findings[] = {
  { LES_FINDING_NOT_SIGNED_UP, "NOT_SIGNED_UP", LES_SEVERITY_ERROR, LES_FINDING_LEVEL_CLAIM,
    N_("Practice not signed up"),
    N_("The practice was not signed up to the service for the claim’s month. Check its sign-ups; if they are right, reject the claim.") },
  { LES_FINDING_PRACTICE_CLOSED, "PRACTICE_CLOSED", LES_SEVERITY_ERROR, LES_FINDING_LEVEL_CLAIM,
    N_("Practice had closed"),
    N_("The practice closed before the claim’s month. Check its close date; if it is right, reject the claim.") },
  { LES_FINDING_OUTSIDE_SERVICE_DATES, "OUTSIDE_SERVICE_DATES", LES_SEVERITY_ERROR, LES_FINDING_LEVEL_CLAIM,
    N_("Outside the service’s dates"),
    N_("The service did not run in the claim’s month. Check the service’s start and end dates, or reject the claim.") },
  { LES_FINDING_WRONG_PERIOD, "WRONG_PERIOD", LES_SEVERITY_ERROR, LES_FINDING_LEVEL_CLAIM,
    N_("Month not allowed for this service"),
    N_("The service takes claims quarterly or once a year, not for this month. Ask the practice to claim for the right period.") },
  { LES_FINDING_LATE, "LATE", LES_SEVERITY_ERROR, LES_FINDING_LEVEL_CLAIM,
    N_("Submitted after the deadline"),
    N_("The claim arrived after the service’s deadline. Reject it, or extend the deadline if the delay was agreed.") },
  { LES_FINDING_DUPLICATE, "DUPLICATE", LES_SEVERITY_ERROR, LES_FINDING_LEVEL_CLAIM,
    N_("Duplicate of an earlier claim"),
    N_("An earlier claim is for the same practice, item and month. Compare the two; reject this one, or withdraw the original if this one corrects it.") },
  { LES_FINDING_COUNT_MISMATCH, "COUNT_MISMATCH", LES_SEVERITY_ERROR, LES_FINDING_LEVEL_CLAIM,
    N_("Count differs from the patient lines"),
    N_("The claim’s count is not the number of patient lines sent with it. Query the claim with the practice.") },
  { LES_FINDING_BAD_NHS_NUMBER, "BAD_NHS_NUMBER", LES_SEVERITY_ERROR, LES_FINDING_LEVEL_PATIENT_LINE,
    N_("Invalid NHS number"),
    N_("A patient line’s NHS number is not a valid number, so the line is not paid. Ask the practice to correct it.") },
  { LES_FINDING_DATE_OUTSIDE_PERIOD, "DATE_OUTSIDE_PERIOD", LES_SEVERITY_ERROR, LES_FINDING_LEVEL_PATIENT_LINE,
    N_("Activity outside the claim’s period"),
    N_("A patient line’s activity date is not in the period claimed for, so the line is not paid. Ask the practice to claim it in the right period.") },
  { LES_FINDING_NO_LIST_SIZE, "NO_LIST_SIZE", LES_SEVERITY_ERROR, LES_FINDING_LEVEL_LINE,
    N_("No list size"),
    N_("There is no list size for the practice on the day the payment needs one. Import the list sizes, then compute again.") },
  { LES_FINDING_NO_COHORT, "NO_COHORT", LES_SEVERITY_ERROR, LES_FINDING_LEVEL_LINE,
    N_("No cohort figure"),
    N_("The payment is per patient in a cohort or per bed, and the practice has no figure. Import the cohorts, then compute again.") },
  { LES_FINDING_NO_ALLOCATION, "NO_ALLOCATION", LES_SEVERITY_ERROR, LES_FINDING_LEVEL_LINE,
    N_("No block allocation"),
    N_("The practice is signed up to a block payment but has no block amount. Import its allocation, then compute again.") },
  { LES_FINDING_FREQUENCY_LIMIT, "FREQUENCY_LIMIT", LES_SEVERITY_WARNING, LES_FINDING_LEVEL_CLAIM,
    N_("Patient over the yearly limit"),
    N_("A patient on this claim had already been claimed for as often as the service allows this year; those lines are not paid.") },
  { LES_FINDING_OVER_UNIT_CAP, "OVER_UNIT_CAP", LES_SEVERITY_WARNING, LES_FINDING_LEVEL_LINE,
    N_("Over the practice’s unit limit"),
    N_("The practice has claimed more units this year than the rule allows; the units over the limit are held.") },
  { LES_FINDING_OVER_PRACTICE_CAP, "OVER_PRACTICE_CAP", LES_SEVERITY_WARNING, LES_FINDING_LEVEL_LINE,
    N_("Over the practice’s cap"),
    N_("The practice has reached its cap for the service; the amount over it is held.") },
  { LES_FINDING_OVER_SERVICE_CAP, "OVER_SERVICE_CAP", LES_SEVERITY_WARNING, LES_FINDING_LEVEL_LINE,
    N_("Over the service budget"),
    N_("The service has reached its budget; what is over it is held or scaled down, as the service’s cap says.") },
  { LES_FINDING_OVER_BUDGET, "OVER_BUDGET", LES_SEVERITY_WARNING, LES_FINDING_LEVEL_SERVICE,
    N_("Service over budget"),
    N_("The year’s payable is more than the service’s budget. Nothing is held: decide whether to raise the budget or cap the service.") },
  { LES_FINDING_OUTLIER, "OUTLIER", LES_SEVERITY_WARNING, LES_FINDING_LEVEL_PRACTICE_RULE,
    N_("Unusually high activity"),
    N_("The practice claims more than three times the typical amount per registered patient. Check its claims before approving them.") },
  { LES_FINDING_NO_ACHIEVEMENT, "NO_ACHIEVEMENT", LES_SEVERITY_WARNING, LES_FINDING_LEVEL_PRACTICE_RULE,
    N_("No achievement recorded"),
    N_("The practice has no achievement figure for the year, so its achievement payment is not made. Import the achievements, then compute again.") },
};

G_STATIC_ASSERT (G_N_ELEMENTS (findings) == LES_N_FINDINGS);

const LesFindingInfo *
les_finding_get_info (LesFindingCode code)
{
  g_return_val_if_fail ((int) code >= 0 && code < LES_N_FINDINGS, NULL);

  return &findings[code];
}

const LesFindingInfo *
les_finding_lookup (const char *word)
{
  if (word == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (findings); i++)
    if (strcmp (findings[i].word, word) == 0)
      return &findings[i];
  return NULL;
}

const char *
les_finding_to_word (LesFindingCode code)
{
  return les_finding_get_info (code)->word;
}

const char *
les_finding_get_title (LesFindingCode code)
{
  return _(les_finding_get_info (code)->title);
}

const char *
les_finding_get_advice (LesFindingCode code)
{
  return _(les_finding_get_info (code)->advice);
}
