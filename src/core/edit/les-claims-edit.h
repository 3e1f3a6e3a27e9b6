/* les-claims-edit.h: setting claims' status (approve, query, reject, withdraw) with audit and undo. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "les-enums.h"
#include "les-store.h"

G_BEGIN_DECLS

/* What a change did, enough to undo it. */
typedef struct _LesClaimsChange LesClaimsChange;


/* Sets @status (and @reason) on each claim of @ids in one transaction,
 * writing one audit row per claim whose status or reason changes.
 * Returns the change (NULL on error); les_claims_change_get_n_changed()
 * may be 0 when every claim already had that status. */
LesClaimsChange *les_claims_set_status         (LesStore         *store,
                                                const gint64     *ids,
                                                guint             n_ids,
                                                LesClaimStatus    status,
                                                const char       *reason,
                                                GError          **error);
guint            les_claims_change_get_n_changed (LesClaimsChange *change);
LesClaimStatus   les_claims_change_get_status  (LesClaimsChange  *change);
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
 * submitted ones the last compute looked at that carry no error. */
GArray          *les_claims_ids_for_year       (LesStore         *store,
                                                int               fy,
                                                gboolean          approvable,
                                                GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesClaimsChange, les_claims_change_free)

G_END_DECLS
