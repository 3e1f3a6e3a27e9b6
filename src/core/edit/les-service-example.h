/* les-service-example.h: the live example — what a typical practice would be paid under a draft's rule. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "les-service-draft.h"
#include "les-store.h"

G_BEGIN_DECLS

/* What the example practice has: -1 where unknown. */
typedef struct {
  gint64 registered;       /* patients */
  gint64 weighted;         /* hundredths of a patient */
  gint64 cohort;           /* cohort or beds */
  gint64 units_per_year;   /* of the rule */
  gint64 block_amount;     /* pence */
  gint64 achieved_pct;     /* hundredths of a percent */
} LesExampleBasis;

/* A typical practice of @fy: the median over the year's practices of the
 * latest list size on or before 1 April, and, for the service's rule, the
 * medians of cohorts, units claimed, allocations and achievement. */
void             les_service_example_basis    (LesStore               *store,
                                               const char             *service_code,
                                               int                     fy,
                                               const char             *rule_code,
                                               LesExampleBasis        *basis);

typedef struct {
  gboolean has_month;      /* paid monthly */
  gint64   month;          /* pence, a typical month */
  gboolean has_quarter;
  gint64   quarter;        /* pence, a typical quarter */
  gint64   year;           /* pence, the year */
  char    *explanation;    /* how, in words */
} LesRuleExample;

/* What the example practice would be paid under rule @rule of @draft, with
 * the engine's arithmetic (exact, rounded once per line, RULES.md); FALSE
 * (and why) when the rule or the basis does not allow an example. */
gboolean         les_rule_example             (const LesServiceDraft  *draft,
                                               guint                   rule,
                                               const LesExampleBasis  *basis,
                                               LesRuleExample         *example,
                                               GError                **error);
void             les_rule_example_clear       (LesRuleExample         *example);

G_END_DECLS
