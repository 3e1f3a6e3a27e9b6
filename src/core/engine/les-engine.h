/* les-engine.h: the claims engine — RULES.md as exact integer computation over plain structs. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "les-enums.h"

G_BEGIN_DECLS

/* Money is gint64 pence, rates gint64 hundredths of a penny, percentages
 * gint64 hundredths of a percent, weighted lists hundredths of a patient;
 * dates are YYYYMMDD and periods YYYYMM integers (0 = blank); codes are
 * already trimmed and upper-cased, and compared with strcmp. */

typedef struct {
  const char        *code;
  const char        *name;
  LesCapMode         cap_mode;
  gboolean           has_budget;
  gint64             budget;              /* pence */
  LesSchedule        schedule;
  LesClaimFrequency  claim_frequency;
  gboolean           has_deadline;
  gint               deadline_days;
  gint32             start_date;          /* 0 = open */
  gint32             end_date;            /* 0 = open */
} LesEngineService;

typedef struct {
  const char    *service_code;
  const char    *code;
  LesRuleKind    kind;
  gboolean       has_rate;
  gint64         rate;                    /* hundredths of a penny */
  LesRatePer     rate_per;
  LesBase        base;
  gboolean       has_max_units;
  gint64         max_units;               /* per practice per FY */
  gboolean       has_max_per_patient;
  gint64         max_per_patient;         /* per patient per FY */
  gint64         fixed_amount;            /* hundredths of a penny; blank = 0 */
  gint64         upfront_pct;             /* hundredths of a percent; blank = 0 */
  gint64         lower_pct;
  gint64         upper_pct;
  LesSettlement  settlement;
} LesEngineRule;

typedef struct {
  const char  *practice_code;
  const char  *service_code;
  const char  *rule_code;                 /* "RULE:ACH" for an achievement line */
  gint32       period;
  gboolean     has_units;                 /* item rules */
  gint64       units;                     /* paid-for units before caps */
  gint64       gross;
  gint64       payable;
  gint64       held;
} LesPaymentLine;

typedef struct {
  LesSeverity  severity;
  const char  *code;                      /* static: "NOT_SIGNED_UP", … */
  const char  *practice_code;             /* NULL where the level has none */
  const char  *service_code;
  const char  *rule_code;
  gint32       period;                    /* 0 = blank */
  const char  *claim_ref;
  char        *message;                   /* owned */
} LesFinding;

typedef struct _LesEngineInput LesEngineInput;

typedef struct {
  GArray *lines;                          /* LesPaymentLine */
  GArray *findings;                       /* LesFinding */
  GError *error;                          /* LES_ERROR_OVERFLOW: a figure out of range, and no lines */
} LesEngineOutput;

/* Input.  Strings passed in are copied.  Services come before their rules,
 * rules before the claims that name them, claims before their patient lines;
 * a practice named before it is added is created open with no list sizes. */
LesEngineInput  *les_engine_input_new              (int                     fy,
                                                    gint32                  to_period);
void             les_engine_input_free             (LesEngineInput         *input);
int              les_engine_input_get_fy           (LesEngineInput         *input);
/* The last month computed: --to, or March of the FY. */
gint32           les_engine_input_get_to           (LesEngineInput         *input);
const char      *les_engine_input_intern           (LesEngineInput         *input,
                                                    const char             *text);

void             les_engine_input_add_practice     (LesEngineInput         *input,
                                                    const char             *practice_code,
                                                    gint32                  close_date);
void             les_engine_input_add_list_size    (LesEngineInput         *input,
                                                    const char             *practice_code,
                                                    gint32                  date,
                                                    gint64                  registered,
                                                    gboolean                has_weighted,
                                                    gint64                  weighted);
gboolean         les_engine_input_add_service      (LesEngineInput         *input,
                                                    const LesEngineService *service);
gboolean         les_engine_input_add_rule         (LesEngineInput         *input,
                                                    const LesEngineRule    *rule);
gboolean         les_engine_input_add_signup       (LesEngineInput         *input,
                                                    const char             *practice_code,
                                                    const char             *service_code,
                                                    gint32                  from_date,
                                                    gint32                  to_date);
gboolean         les_engine_input_add_cohort       (LesEngineInput         *input,
                                                    const char             *practice_code,
                                                    const char             *service_code,
                                                    gint64                  size);
gboolean         les_engine_input_add_allocation   (LesEngineInput         *input,
                                                    const char             *practice_code,
                                                    const char             *service_code,
                                                    gboolean                has_block,
                                                    gint64                  block_amount,
                                                    gboolean                has_cap,
                                                    gint64                  cap_amount);
gboolean         les_engine_input_add_achievement  (LesEngineInput         *input,
                                                    const char             *practice_code,
                                                    const char             *service_code,
                                                    gint64                  achieved_pct);
/* Returns a handle for les_engine_input_add_patient_line(), or
 * LES_ENGINE_NO_CLAIM when the service or rule is unknown. */
#define LES_ENGINE_NO_CLAIM G_MAXUINT
guint            les_engine_input_add_claim        (LesEngineInput         *input,
                                                    const char             *claim_ref,
                                                    const char             *practice_code,
                                                    const char             *service_code,
                                                    const char             *item_code,
                                                    gint32                  period,
                                                    gint64                  count,
                                                    gint32                  submitted_date);
/* @patient_key: the patient's identity (the keyed hash of a valid NHS
 * number), or NULL for a line whose NHS number is invalid. */
void             les_engine_input_add_patient_line (LesEngineInput         *input,
                                                    guint                   claim,
                                                    gint                    line_no,
                                                    const char             *patient_key,
                                                    gint32                  activity_date);

/* Once the input is complete: the engine's functions only read it from
 * then on, so one other thread may run services while this one reads
 * the services' codes. */
guint            les_engine_input_get_n_services   (LesEngineInput         *input);
/* Services in code order. */
const LesEngineService *les_engine_input_get_service (LesEngineInput       *input,
                                                      guint                 index);
guint64          les_engine_input_get_n_claims     (LesEngineInput         *input,
                                                    guint                   index);

/* Output. */
LesEngineOutput *les_engine_output_new             (void);
void             les_engine_output_clear           (LesEngineOutput        *output);
void             les_engine_output_free            (LesEngineOutput        *output);

/* Every figure is exact or refused: a product or total past the range of
 * amounts (LES_MONEY_MAX) or of 64 bits stops the service's run and sets
 * the output's error, naming the line (service, practice, rule, period). */

/* Appends the lines (by practice, rule, period) and findings of one service. */
gboolean         les_engine_run_service            (LesEngineInput         *input,
                                                    const char             *service_code,
                                                    LesEngineOutput        *output);
/* Every service, in code order, into one output. */
void             les_engine_run                    (LesEngineInput         *input,
                                                    LesEngineOutput        *output);
/* Every service on @n_threads threads, service i (code order) into outputs[i]. */
gboolean         les_engine_run_services           (LesEngineInput         *input,
                                                    LesEngineOutput       **outputs,
                                                    guint                   n_threads,
                                                    GCancellable           *cancellable,
                                                    GError                **error);

/* How one payment line was made, as lines of text for people. */
GPtrArray       *les_engine_explain                (LesEngineInput         *input,
                                                    const char             *practice_code,
                                                    const char             *service_code,
                                                    const char             *rule_code,
                                                    gint32                  period,
                                                    GError                **error);

/* What one claim counts for, as a compute judged it. */
typedef struct {
  gboolean counted;                       /* no claim error: its units make up its line */
  gint64   units;                         /* it counts for (0 when not counted) */
  gint64   lost;                          /* patient lines over the per-patient limit */
  gboolean has_line;                      /* it is part of a payment line */
  gint64   line_units;
  gint64   line_gross;
  gint64   line_payable;
} LesEngineClaimTrace;

/* How one claim was judged and, when it makes up a line, how that line
 * was made, as lines of text for people. */
GPtrArray       *les_engine_explain_claim          (LesEngineInput         *input,
                                                    const char             *service_code,
                                                    const char             *claim_ref,
                                                    LesEngineClaimTrace    *trace,
                                                    GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesEngineInput, les_engine_input_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesEngineOutput, les_engine_output_free)

G_END_DECLS
