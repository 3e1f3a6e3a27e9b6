/* les-enums.h: the domain's typed states — claim status, rule kind, cap mode, schedule, severity, finding — with their words and labels in one place. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each enum has its stored word (the CSV and database text, lower case),
 * read back with *_from_word() (-1 when unknown), and a label for people
 * (translated).  The numbering of the engine's enums is the order of the
 * words in FORMATS.md, with the default first. */

typedef enum {
  LES_CLAIM_STATUS_SUBMITTED,
  LES_CLAIM_STATUS_QUERIED,
  LES_CLAIM_STATUS_APPROVED,
  LES_CLAIM_STATUS_REJECTED,
  LES_CLAIM_STATUS_WITHDRAWN,
  LES_N_CLAIM_STATUSES,
} LesClaimStatus;

typedef enum {
  LES_CAP_MODE_NONE,
  LES_CAP_MODE_HOLD,
  LES_CAP_MODE_PRORATA,
  LES_N_CAP_MODES,
} LesCapMode;

typedef enum {
  LES_SCHEDULE_MONTHLY,
  LES_SCHEDULE_QUARTERLY,
  LES_N_SCHEDULES,
} LesSchedule;

typedef enum {
  LES_CLAIM_FREQUENCY_MONTHLY,
  LES_CLAIM_FREQUENCY_QUARTERLY,
  LES_CLAIM_FREQUENCY_ANNUAL,
  LES_N_CLAIM_FREQUENCIES,
} LesClaimFrequency;

typedef enum {
  LES_RULE_KIND_ITEM,
  LES_RULE_KIND_CAPITATION,
  LES_RULE_KIND_BLOCK,
  LES_RULE_KIND_THRESHOLD,
  LES_N_RULE_KINDS,
} LesRuleKind;

typedef enum {
  LES_RATE_PER_YEAR,
  LES_RATE_PER_QUARTER,
  LES_RATE_PER_MONTH,
  LES_N_RATE_PERS,
} LesRatePer;

typedef enum {
  LES_BASE_REGISTERED,
  LES_BASE_WEIGHTED,
  LES_BASE_COHORT,
  LES_BASE_BEDS,
  LES_N_BASES,
} LesBase;

typedef enum {
  LES_SETTLEMENT_REMAINDER,
  LES_SETTLEMENT_RECOVER,
  LES_N_SETTLEMENTS,
} LesSettlement;

typedef enum {
  LES_SEVERITY_ERROR,
  LES_SEVERITY_WARNING,
  LES_N_SEVERITIES,
} LesSeverity;

/* RULES.md §8, in its order. */
typedef enum {
  LES_FINDING_NOT_SIGNED_UP,
  LES_FINDING_PRACTICE_CLOSED,
  LES_FINDING_OUTSIDE_SERVICE_DATES,
  LES_FINDING_WRONG_PERIOD,
  LES_FINDING_LATE,
  LES_FINDING_DUPLICATE,
  LES_FINDING_COUNT_MISMATCH,
  LES_FINDING_BAD_NHS_NUMBER,
  LES_FINDING_DATE_OUTSIDE_PERIOD,
  LES_FINDING_NO_LIST_SIZE,
  LES_FINDING_NO_COHORT,
  LES_FINDING_NO_ALLOCATION,
  LES_FINDING_FREQUENCY_LIMIT,
  LES_FINDING_OVER_UNIT_CAP,
  LES_FINDING_OVER_PRACTICE_CAP,
  LES_FINDING_OVER_SERVICE_CAP,
  LES_FINDING_OVER_BUDGET,
  LES_FINDING_OUTLIER,
  LES_FINDING_NO_ACHIEVEMENT,
  LES_N_FINDINGS,
} LesFindingCode;

/* What a finding is about (RULES.md §8, "level"). */
typedef enum {
  LES_FINDING_LEVEL_CLAIM,
  LES_FINDING_LEVEL_PATIENT_LINE,
  LES_FINDING_LEVEL_LINE,
  LES_FINDING_LEVEL_SERVICE,
  LES_FINDING_LEVEL_PRACTICE_RULE,
} LesFindingLevel;

typedef struct {
  LesFindingCode   code;
  const char      *word;       /* "NOT_SIGNED_UP" */
  LesSeverity      severity;
  LesFindingLevel  level;
  const char      *title;      /* untranslated: pass through _() (les_finding_get_title() does) */
  const char      *advice;     /* what to do about it, untranslated */
} LesFindingInfo;

const char        *les_claim_status_to_word      (LesClaimStatus    status);
int                les_claim_status_from_word    (const char       *word);
const char        *les_claim_status_get_label    (LesClaimStatus    status);
/* Every status but submitted and approved needs a reason a practice can read. */
gboolean           les_claim_status_needs_reason (LesClaimStatus    status);
/* "submitted, queried, approved, rejected, withdrawn", for usage texts. */
const char        *les_claim_status_list_words   (void);

const char        *les_cap_mode_to_word          (LesCapMode        mode);
int                les_cap_mode_from_word        (const char       *word);
const char        *les_cap_mode_get_label        (LesCapMode        mode);

const char        *les_schedule_to_word          (LesSchedule       schedule);
int                les_schedule_from_word        (const char       *word);
const char        *les_schedule_get_label        (LesSchedule       schedule);

const char        *les_claim_frequency_to_word   (LesClaimFrequency frequency);
int                les_claim_frequency_from_word (const char       *word);
const char        *les_claim_frequency_get_label (LesClaimFrequency frequency);

const char        *les_rule_kind_to_word         (LesRuleKind       kind);
int                les_rule_kind_from_word       (const char       *word);
const char        *les_rule_kind_get_label       (LesRuleKind       kind);

const char        *les_rate_per_to_word          (LesRatePer        per);
int                les_rate_per_from_word        (const char       *word);
const char        *les_rate_per_get_label        (LesRatePer        per);

const char        *les_base_to_word              (LesBase           base);
int                les_base_from_word            (const char       *word);
const char        *les_base_get_label            (LesBase           base);

const char        *les_settlement_to_word        (LesSettlement     settlement);
int                les_settlement_from_word      (const char       *word);
const char        *les_settlement_get_label      (LesSettlement     settlement);

const char        *les_severity_to_word          (LesSeverity       severity);
int                les_severity_from_word        (const char       *word);
const char        *les_severity_get_label        (LesSeverity       severity);

/* The words of an enum, NULL-terminated, for import choices and usage texts. */
const char * const *les_cap_mode_words           (void);
const char * const *les_schedule_words           (void);
const char * const *les_claim_frequency_words    (void);
const char * const *les_rule_kind_words          (void);
const char * const *les_rate_per_words           (void);
const char * const *les_base_words               (void);
const char * const *les_settlement_words         (void);
const char * const *les_claim_status_words       (void);
const char * const *les_severity_words           (void);

const LesFindingInfo *les_finding_get_info       (LesFindingCode    code);
/* NULL when @word is not a finding code. */
const LesFindingInfo *les_finding_lookup         (const char       *word);
const char        *les_finding_to_word           (LesFindingCode    code);
/* "Duplicate of an earlier claim": for people, translated. */
const char        *les_finding_get_title         (LesFindingCode    code);
const char        *les_finding_get_advice        (LesFindingCode    code);

G_END_DECLS
