/* les-claim-detail.h: one claim examined — its fields, its value and how it was worked out, its patient lines, findings and history. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "les-enums.h"
#include "les-store.h"

G_BEGIN_DECLS

typedef struct {
  int       line_no;           /* 1, 2, … in the claim */
  gboolean  valid_nhs_number;  /* the number passed the check (it is never stored itself) */
  gint32    activity_date;     /* YYYYMMDD */
  gboolean  in_period;         /* the date falls in the period the claim covers */
} LesClaimPatientLine;

typedef struct {
  LesFindingCode   code;
  LesSeverity      severity;
  gboolean         of_line;    /* about the claim's payment line or practice and rule, not the claim */
  char            *message;    /* the finding's own words */
  const char      *title;      /* les_finding_get_title() */
  const char      *advice;     /* les_finding_get_advice() */
} LesClaimFinding;

typedef struct {
  char *at;                    /* ISO 8601 */
  char *user;
  char *action;                /* "set-status", "undo-set-status" */
  char *before;
  char *after;
} LesClaimEvent;

typedef struct {
  gint64          id;
  char           *claim_ref;
  int             year;
  char           *practice_code;
  char           *practice_name;
  char           *pcn_code;
  char           *pcn_name;
  char           *service_code;
  char           *service_name;
  char           *item_code;
  char           *item_description;
  gint32          period;        /* YYYYMM */
  gint32          cover_first;   /* the days its patient lines may fall on (YYYYMMDD) */
  gint32          cover_last;
  gint64          count;
  gint32          submitted_date;
  LesClaimStatus  status;
  char           *status_reason;
  gboolean        has_rate;
  gint64          rate;          /* hundredths of a penny */

  /* What it is worth, by a compute up to the year's stored month */
  gboolean        checked;       /* the last compute looked at it */
  gint32          computed_to;   /* 0: the year was never computed */
  gboolean        counted;       /* no claim error: its units make up its payment line */
  gint64          units;         /* it counts for */
  gint64          lost_units;    /* patient lines over the per-patient limit */
  gint64          value;         /* round (units × rate), pence */
  gint64          value_payable; /* its share of what its line pays after caps */
  gboolean        has_line;
  gint64          line_units;
  gint64          line_gross;
  gint64          line_payable;
  gint64          line_held;
  char           *held_reason;   /* why the line is held, for people, or NULL */
  gint64          paid_run;      /* the payment run that paid its line, 0 when none */
  char           *value_text;    /* all that in words */
  GPtrArray      *explanation;   /* (element-type utf8): how it was worked out; empty when not checked */

  GArray         *patient_lines; /* LesClaimPatientLine */
  GArray         *findings;      /* LesClaimFinding: the claim's, then its line's */
  gint64          original_id;   /* for a DUPLICATE: the claim it duplicates, else 0 */
  char           *original_ref;
  GArray         *history;       /* LesClaimEvent, newest first */
} LesClaimDetail;

void            les_claim_detail_free          (LesClaimDetail  *detail);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesClaimDetail, les_claim_detail_free)

/* Everything about one claim; LES_ERROR_NOT_FOUND when there is no such
 * claim.  Reads the claim's service again through the engine: run it off
 * the main thread. */
LesClaimDetail *les_claim_detail_get           (LesStore        *store,
                                                gint64           claim_id,
                                                GError         **error);
gboolean        les_claim_detail_has_errors    (const LesClaimDetail *detail);

/* Sorts @ids as the last compute saw them: @clean (no error found),
 * @with_errors, and @unchecked (never computed, a month after the one
 * computed, or rejected or withdrawn).  Each out array is optional and
 * (element-type gint64), in the order of @ids.  Approving "the clean
 * ones" of a selection approves @clean. */
gboolean        les_claims_sort_by_check       (LesStore        *store,
                                                const gint64    *ids,
                                                guint            n_ids,
                                                GArray         **clean,
                                                GArray         **with_errors,
                                                GArray         **unchecked,
                                                GError         **error);
/* How many of @ids carry an error finding of the last compute; -1 on error. */
gint64          les_claims_count_with_errors   (LesStore        *store,
                                                const gint64    *ids,
                                                guint            n_ids,
                                                GError         **error);

G_END_DECLS
