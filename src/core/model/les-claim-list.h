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

/* What a list shows: a year, its filters and its order; immutable, shared between threads. */
typedef struct _LesClaimQuery LesClaimQuery;

#define LES_TYPE_CLAIM_LIST (les_claim_list_get_type ())
G_DECLARE_FINAL_TYPE (LesClaimList, les_claim_list, LES, CLAIM_LIST, GObject)

/* Every query runs on a worker thread with a connection of its own: the
 * list starts empty and "loading"; a change of year, filter or order keeps
 * the rows shown until the first page of the new ones is read, then
 * replaces them (one items-changed) and clears "loading".  While
 * "counting", the count is a lower bound, raised (items appended) as the
 * worker counts.  Rows not yet read are placeholders filled in place
 * (LesClaimRow::changed). */
LesClaimList  *les_claim_list_new         (LesStore       *store,
                                           int             fy);
int            les_claim_list_get_year    (LesClaimList   *self);
void           les_claim_list_set_year    (LesClaimList   *self,
                                           int             fy);
const char    *les_claim_list_get_filter  (LesClaimList   *self,
                                           LesClaimFilter  filter);
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
/* Reads the rows shown and the count again after the claims changed. */
void           les_claim_list_refresh     (LesClaimList   *self);
gboolean       les_claim_list_is_loading  (LesClaimList   *self);
gboolean       les_claim_list_is_counting (LesClaimList   *self);
/* Runs the list's main context until every read asked for has arrived (for tests and benchmarks). */
void           les_claim_list_wait        (LesClaimList   *self);

/* The ids of every claim shown, for changes to all of them. */
GArray        *les_claim_list_dup_all_ids (LesClaimList   *self,
                                           GError        **error);
/* Appends to @ids the ids of the @n claims shown from @position. */
gboolean       les_claim_list_get_ids     (LesClaimList   *self,
                                           guint           position,
                                           guint           n,
                                           GArray         *ids,
                                           GError        **error);

/* What the list shows, for work on another thread (an export). */
LesClaimQuery *les_claim_list_dup_query   (LesClaimList   *self);
LesClaimQuery *les_claim_query_ref        (LesClaimQuery  *query);
void           les_claim_query_unref      (LesClaimQuery  *query);
/* The ids of every claim @query matches, read on @store. */
GArray        *les_claim_query_dup_ids    (LesClaimQuery  *query,
                                           LesStore       *store,
                                           GError        **error);
/* Writes the claims @query matches, in its order, as CSV: the claims import
 * format with status, reason and findings added. */
gboolean       les_claim_query_export     (LesClaimQuery  *query,
                                           LesStore       *store,
                                           GOutputStream  *out,
                                           GCancellable   *cancellable,
                                           GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesClaimQuery, les_claim_query_unref)

G_END_DECLS
