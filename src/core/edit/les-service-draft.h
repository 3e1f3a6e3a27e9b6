/* les-service-draft.h: a service and its payment rules as a person edits them — checks, saving with audit and undo. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "les-store.h"

G_BEGIN_DECLS

/* A service of a year and its rules as a person edits them: every field as
 * text, named by its import column (FORMATS.md: services and rules), so that
 * it is checked exactly as an import of the same values would be. */
typedef struct _LesServiceDraft LesServiceDraft;

LesServiceDraft *les_service_draft_new        (int                     fy);
LesServiceDraft *les_service_draft_load       (LesStore               *store,
                                               const char             *service_code,
                                               int                     fy,
                                               GError                **error);
LesServiceDraft *les_service_draft_copy       (const LesServiceDraft  *draft);
void             les_service_draft_free       (LesServiceDraft        *draft);
gboolean         les_service_draft_equal      (const LesServiceDraft  *a,
                                               const LesServiceDraft  *b);
/* TRUE for a service not yet in the database (its code may still change). */
gboolean         les_service_draft_is_new     (const LesServiceDraft  *draft);
int              les_service_draft_get_year   (const LesServiceDraft  *draft);

/* Service columns: service_code, name, cap_mode, budget, schedule,
 * claim_frequency, claim_deadline_days, start_date, end_date, description. */
const char      *les_service_draft_get        (const LesServiceDraft  *draft,
                                               const char             *column);
void             les_service_draft_set        (LesServiceDraft        *draft,
                                               const char             *column,
                                               const char             *text);

/* Rule columns: rule_code, kind, description, rate, rate_per, base,
 * max_units_per_practice, max_per_patient, fixed_amount, upfront_pct,
 * lower_pct, upper_pct, settlement. */
guint            les_service_draft_get_n_rules (const LesServiceDraft *draft);
const char      *les_service_draft_get_rule   (const LesServiceDraft  *draft,
                                               guint                   rule,
                                               const char             *column);
void             les_service_draft_set_rule   (LesServiceDraft        *draft,
                                               guint                   rule,
                                               const char             *column,
                                               const char             *text);
/* TRUE for a rule already in the database: its code is fixed. */
gboolean         les_service_draft_rule_is_stored (const LesServiceDraft *draft,
                                                   guint                rule);
/* Adds a rule of @kind with an unused code; returns its index. */
guint            les_service_draft_add_rule   (LesServiceDraft        *draft,
                                               const char             *kind);
void             les_service_draft_remove_rule (LesServiceDraft       *draft,
                                                guint                  rule);

/* Whether a rule of @kind has @column (RULES.md): the editor shows only these,
 * and saving blanks the others. */
gboolean         les_rule_kind_uses           (const char             *kind,
                                               const char             *column);

/* Checks one value as the importer checks that column (blank is fine for an
 * optional column). @is_rule: a rules column, else a services column. */
gboolean         les_service_check_value      (gboolean                is_rule,
                                               const char             *column,
                                               const char             *text,
                                               GError                **error);
/* Checks the whole draft: each value, then what the importer checks across
 * columns (a rule's kind needs its fields, upper ≥ lower, dates in order,
 * unique rule codes). On failure @rule is the rule concerned (-1 for the
 * service itself) and @column the column. */
gboolean         les_service_draft_check      (const LesServiceDraft  *draft,
                                               int                    *rule,
                                               const char            **column,
                                               GError                **error);

/* What a save, duplicate or retire did, enough to undo it. */
typedef struct _LesServiceChange LesServiceChange;

/* Writes the draft (service and rules; rules no longer in it are removed)
 * in one transaction with an audit row holding the before and after values,
 * then emits LesStore::changed ("services" and "rules"). */
LesServiceChange *les_service_save            (LesStore               *store,
                                               const LesServiceDraft  *draft,
                                               GError                **error);
/* Copies the service and its rules to the next year, dates a year later,
 * without sign-ups, cohorts or allocations. */
LesServiceChange *les_service_duplicate       (LesStore               *store,
                                               const char             *service_code,
                                               int                     fy,
                                               GError                **error);
/* Ends the service on @end_date (YYYY-MM-DD; NULL = the end of its year).
 * A service is never deleted: its claims, lines and audit stay. */
LesServiceChange *les_service_retire          (LesStore               *store,
                                               const char             *service_code,
                                               int                     fy,
                                               const char             *end_date,
                                               GError                **error);
const char      *les_service_change_get_code  (LesServiceChange       *change);
int              les_service_change_get_year  (LesServiceChange       *change);
/* Puts the service back as it was (removing one that was created). */
gboolean         les_service_change_undo      (LesStore               *store,
                                               LesServiceChange       *change,
                                               GError                **error);
void             les_service_change_free      (LesServiceChange       *change);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesServiceDraft, les_service_draft_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesServiceChange, les_service_change_free)

G_END_DECLS
