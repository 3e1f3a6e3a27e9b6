/* les-claims-edit.h: setting claims' status (approve, query, reject, withdraw) with audit and undo. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "les-enums.h"
#include "les-store.h"

G_BEGIN_DECLS

/* What a change did, enough to undo it. */
typedef struct _LesClaimsChange LesClaimsChange;

/* A claim left as it was: its status was no longer the one the decision saw. */
typedef struct
{
  char           *claim_ref;
  LesClaimStatus  seen;         /* what the decision was based on */
  LesClaimStatus  now;          /* what someone made it meanwhile */
  char           *reason;       /* (nullable) the reason it now has */
  char           *by;           /* (nullable) who, from the audit trail */
  char           *at;           /* (nullable) when, from the audit trail */
} LesClaimsRefusal;

/* Sets @status (and @reason) on each claim of @ids in one transaction,
 * writing one audit row per claim whose status or reason changes.
 * @seen: (nullable) (array length=n_ids): the status each claim had when
 * the decision was made; a claim whose status differs by the time the
 * transaction holds the database is not changed, and is reported by
 * les_claims_change_get_refused(). %NULL: no expectation.
 * Returns the change (NULL on error); les_claims_change_get_n_changed()
 * may be 0 when every claim already had that status. */
LesClaimsChange *les_claims_set_status         (LesStore         *store,
                                                const gint64     *ids,
                                                const LesClaimStatus *seen,
                                                guint             n_ids,
                                                LesClaimStatus    status,
                                                const char       *reason,
                                                GError          **error);
guint            les_claims_change_get_n_changed (LesClaimsChange *change);
LesClaimStatus   les_claims_change_get_status  (LesClaimsChange  *change);
/* (element-type LesClaimsRefusal) (transfer none): the claims left as they
 * were, in the order of the ids given; empty when there is none. */
GArray          *les_claims_change_get_refused (LesClaimsChange  *change);
/* Puts back each claim's previous status and reason, audited as "undo-set-status". */
gboolean         les_claims_change_undo        (LesStore         *store,
                                                LesClaimsChange  *change,
                                                GError          **error);
void             les_claims_change_free        (LesClaimsChange  *change);

/* (element-type gint64): the ids of @refs, in order; LES_ERROR_NOT_FOUND
 * names the first unknown reference. */
GArray          *les_claims_ids_for_refs       (LesStore         *store,
                                                const char *const *refs,
                                                GError          **error);
/* (element-type gint64): the claims of @fy; with @approvable, only the
 * submitted ones the last compute looked at that carry no error.
 * @seen: (out) (optional) (element-type LesClaimStatus): the status each
 * had as it was read, for les_claims_set_status(). */
GArray          *les_claims_ids_for_year       (LesStore         *store,
                                                int               fy,
                                                gboolean          approvable,
                                                GArray          **seen,
                                                GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesClaimsChange, les_claims_change_free)

G_END_DECLS
