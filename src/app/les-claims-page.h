/* les-claims-page.h: the Claims screen — a filterable table over every claim, paged from SQLite, with status changes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "les-page.h"

#include "les-claim-list.h"
#include "les-claim-pane.h"

G_BEGIN_DECLS

#define LES_TYPE_CLAIMS_PAGE (les_claims_page_get_type ())
G_DECLARE_FINAL_TYPE (LesClaimsPage, les_claims_page, LES, CLAIMS_PAGE, LesPage)

LesClaimList *les_claims_page_get_list     (LesClaimsPage *self);
GtkSelectionModel *les_claims_page_get_selection (LesClaimsPage *self);
/* Shows only the claims with @code, or LES_CLAIM_FINDING_ANY, _NONE, _ERROR, _NO_ERROR. */
void          les_claims_page_show_finding (LesClaimsPage *self,
                                            const char    *code);
void          les_claims_page_set_text     (LesClaimsPage *self,
                                            const char    *text);
/* Sets @status on the selected claims through the session, as the buttons do once a reason is given. */
gboolean      les_claims_page_apply_status (LesClaimsPage *self,
                                            LesClaimStatus status,
                                            const char    *reason);

/* The pane that shows one claim; opening the claim at @position in it, as activating its row does. */
LesClaimPane *les_claims_page_get_pane     (LesClaimsPage *self);
void          les_claims_page_show_claim_at (LesClaimsPage *self,
                                             guint          position);

/* Exports the claims shown, in their order, as a job of the session's. */
gboolean      les_claims_page_export_to    (LesClaimsPage *self,
                                            GFile         *file);

G_END_DECLS
