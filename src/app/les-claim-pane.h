/* les-claim-pane.h: one claim examined beside the claims table — its value and how it was worked out, patient lines, findings, history. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "les-claim-detail.h"
#include "les-session.h"

G_BEGIN_DECLS

#define LES_TYPE_CLAIM_PANE (les_claim_pane_get_type ())
G_DECLARE_FINAL_TYPE (LesClaimPane, les_claim_pane, LES, CLAIM_PANE, AdwBin)

/* Its buttons activate actions of the widgets around it:
 *   page.close-claim              the back or close button
 *   page.decide-claim (s)         approve, query or reject the claim shown (a status word)
 *   page.show-claim (s)           a duplicate's original, by its reference */

GtkWidget            *les_claim_pane_new          (void);
/* Reads claim @claim_id on one of @session's readers and shows it when it
 * arrives (what is shown stays until then); a newer call cancels an older one. */
void                  les_claim_pane_show         (LesClaimPane *self,
                                                   LesSession   *session,
                                                   gint64        claim_id);
/* Reads the claim shown again (after a change to claims or payments). */
void                  les_claim_pane_refresh      (LesClaimPane *self,
                                                   LesSession   *session);
void                  les_claim_pane_clear        (LesClaimPane *self);
/* The claim asked for (shown, or being read), 0 when none. */
gint64                les_claim_pane_get_claim_id (LesClaimPane *self);
/* (nullable): what is shown, once read. */
const LesClaimDetail *les_claim_pane_get_detail   (LesClaimPane *self);
gboolean              les_claim_pane_is_loading   (LesClaimPane *self);
/* Back (to the table, when the pane covers it) or close. */
void                  les_claim_pane_set_folded   (LesClaimPane *self,
                                                   gboolean      folded);

G_END_DECLS
