/* les-claim-row.h: one claim as the claims table shows it, with its findings. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define LES_TYPE_CLAIM_ROW (les_claim_row_get_type ())
G_DECLARE_FINAL_TYPE (LesClaimRow, les_claim_row, LES, CLAIM_ROW, GObject)

typedef enum {
  LES_CLAIM_FIELD_REF,
  LES_CLAIM_FIELD_PRACTICE,
  LES_CLAIM_FIELD_PRACTICE_NAME,
  LES_CLAIM_FIELD_PCN,
  LES_CLAIM_FIELD_SERVICE,
  LES_CLAIM_FIELD_ITEM,
  LES_CLAIM_FIELD_PERIOD,
  LES_CLAIM_FIELD_COUNT,
  LES_CLAIM_FIELD_SUBMITTED,
  LES_CLAIM_FIELD_STATUS,
  LES_CLAIM_FIELD_REASON,
  LES_CLAIM_FIELD_FINDINGS,
  LES_N_CLAIM_FIELDS,
} LesClaimField;

LesClaimRow *les_claim_row_new      (gint64         id,
                                     const char   **fields);
LesClaimRow *les_claim_row_new_placeholder (void);
void         les_claim_row_set      (LesClaimRow   *self,
                                     gint64         id,
                                     const char   **fields);
gboolean     les_claim_row_is_loaded (LesClaimRow  *self);
gint64       les_claim_row_get_id   (LesClaimRow   *self);
const char  *les_claim_row_get      (LesClaimRow   *self,
                                     LesClaimField  field);

G_END_DECLS
