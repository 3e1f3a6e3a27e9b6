/* les-claim-list.h: the claims of a year as a GListModel that pages from the database, filtered and sorted in SQL. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "les-claim-query.h"
#include "les-claim-row.h"

G_BEGIN_DECLS

/* The session (les-session.h): its readers read the claims, its "changed"
 * says when to read them again. */
typedef struct _LesSession LesSession;

#define LES_TYPE_CLAIM_LIST (les_claim_list_get_type ())
G_DECLARE_FINAL_TYPE (LesClaimList, les_claim_list, LES, CLAIM_LIST, GObject)

/* Every read runs on the session's readers: the list starts empty and
 * "loading"; a change of year, filter or order keeps the rows shown until
 * the first page of the new ones is read, then replaces them (one
 * items-changed) and clears "loading", the reads of the old ones
 * cancelled.  While "counting", the count is a lower bound, raised (items
 * appended) as the claims are counted.  Rows not yet read are placeholders
 * filled in place (LesClaimRow::changed).  When the session says claims,
 * payments or reference data changed, the rows shown and the count are
 * read again. */
LesClaimList  *les_claim_list_new         (LesSession     *session,
                                           int             fy);
LesSession    *les_claim_list_get_session (LesClaimList   *self);
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
/* Reads the rows shown and the count again. */
void           les_claim_list_refresh     (LesClaimList   *self);
gboolean       les_claim_list_is_loading  (LesClaimList   *self);
gboolean       les_claim_list_is_counting (LesClaimList   *self);
/* Runs the list's main context until every read asked for has arrived (for tests and benchmarks). */
void           les_claim_list_wait        (LesClaimList   *self);

/* What the list shows (what it will show, while loading), for work on
 * another thread: a change to everything matched, an export. */
LesClaimQuery *les_claim_list_dup_query   (LesClaimList   *self);

/* The ids of the claims shown in @ranges (pairs of a position and a
 * length; NULL: every claim shown), read on a reader; the rows already
 * read give theirs at once. */
void           les_claim_list_read_ids_async  (LesClaimList        *self,
                                               GArray              *ranges,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
/* (element-type gint64) (transfer full): in the order of @ranges. */
GArray        *les_claim_list_read_ids_finish (LesClaimList        *self,
                                               GAsyncResult        *result,
                                               GError             **error);

/* The same on the main thread's connection (quick for a few rows, not
 * for every claim of a national year). */
GArray        *les_claim_list_dup_all_ids (LesClaimList   *self,
                                           GError        **error);
/* Appends to @ids the ids of the @n claims shown from @position. */
gboolean       les_claim_list_get_ids     (LesClaimList   *self,
                                           guint           position,
                                           guint           n,
                                           GArray         *ids,
                                           GError        **error);
/* Appends to @seen (element-type LesClaimStatus) the status each of the @n
 * claims from @position shows, for les_claims_set_status(); FALSE, with
 * nothing appended, when a row has not been read yet. */
gboolean       les_claim_list_get_seen    (LesClaimList   *self,
                                           guint           position,
                                           guint           n,
                                           GArray         *seen);

G_END_DECLS
