/* les-claim-list.h: the claims of a year as a GListModel that pages from SQLite, filtered and sorted in SQL. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "les-claim-row.h"
#include "les-store.h"

G_BEGIN_DECLS

typedef enum {
  LES_CLAIM_FILTER_PRACTICE,   /* practice code */
  LES_CLAIM_FILTER_PCN,        /* PCN code */
  LES_CLAIM_FILTER_SERVICE,    /* service code */
  LES_CLAIM_FILTER_ITEM,       /* item (rule) code */
  LES_CLAIM_FILTER_PERIOD,     /* YYYY-MM */
  LES_CLAIM_FILTER_STATUS,     /* submitted, queried, … */
  LES_CLAIM_FILTER_FINDING,    /* a finding code, or "*" for any finding */
  LES_CLAIM_FILTER_TEXT,       /* free text in reference, practice, name or reason */
  LES_N_CLAIM_FILTERS,
} LesClaimFilter;

#define LES_TYPE_CLAIM_LIST (les_claim_list_get_type ())
G_DECLARE_FINAL_TYPE (LesClaimList, les_claim_list, LES, CLAIM_LIST, GObject)

LesClaimList  *les_claim_list_new         (LesStore       *store,
                                           int             fy);
int            les_claim_list_get_year    (LesClaimList   *self);
void           les_claim_list_set_year    (LesClaimList   *self,
                                           int             fy);
const char    *les_claim_list_get_filter  (LesClaimList   *self,
                                           LesClaimFilter  filter);
/* Each call that changes something emits one items-changed. */
void           les_claim_list_set_filter  (LesClaimList   *self,
                                           LesClaimFilter  filter,
                                           const char     *value);
/* Sets every filter at once (@values has LES_N_CLAIM_FILTERS entries, NULL = none). */
void           les_claim_list_set_filters (LesClaimList   *self,
                                           const char    **values);
void           les_claim_list_set_sort    (LesClaimList   *self,
                                           LesClaimField   field,
                                           gboolean        descending);
LesClaimField  les_claim_list_get_sort    (LesClaimList   *self,
                                           gboolean       *descending);
/* Drops the cache and recounts after the claims changed. */
void           les_claim_list_refresh     (LesClaimList   *self);
/* The ids of every claim the filters match, for changes to all of them. */
GArray        *les_claim_list_dup_all_ids (LesClaimList   *self,
                                           GError        **error);
/* How long the last count took, in microseconds (for the benchmark). */
gint64         les_claim_list_get_last_query_time (LesClaimList *self);

G_END_DECLS
