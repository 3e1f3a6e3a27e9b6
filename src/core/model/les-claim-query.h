/* les-claim-query.h: what the claims table shows — a year, its filters and its order — and the reads of it on a connection. */
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
  LES_CLAIM_FILTER_FINDING,    /* a finding code, or one of LES_CLAIM_FINDING_* below */
  LES_CLAIM_FILTER_TEXT,       /* free text: a reference or practice code's start, or in a practice's name or a reason */
  LES_N_CLAIM_FILTERS,
} LesClaimFilter;

/* Values of LES_CLAIM_FILTER_FINDING besides a finding code.  The findings
 * are the last compute's: a claim it did not look at has none. */
#define LES_CLAIM_FINDING_ANY      "*"   /* any finding */
#define LES_CLAIM_FINDING_NONE     "-"   /* no finding at all */
#define LES_CLAIM_FINDING_ERROR    "!"   /* any error (a claim or patient-line error) */
#define LES_CLAIM_FINDING_NO_ERROR "~"   /* no error, warnings or not: the claims approving "clean" ones takes */

/* Immutable and shared between threads. */
typedef struct _LesClaimQuery LesClaimQuery;

/* @filters: LES_N_CLAIM_FILTERS values (NULL: none), normalised as
 * les_claim_filter_normalize() does; NULL for no filters. */
LesClaimQuery *les_claim_query_new        (int                  fy,
                                           const char * const  *filters,
                                           LesClaimField        sort_field,
                                           gboolean             descending);
LesClaimQuery *les_claim_query_ref        (LesClaimQuery       *query);
void           les_claim_query_unref      (LesClaimQuery       *query);
int            les_claim_query_get_year   (const LesClaimQuery *query);
const char    *les_claim_query_get_filter (const LesClaimQuery *query,
                                           LesClaimFilter       filter);
LesClaimField  les_claim_query_get_sort   (const LesClaimQuery *query,
                                           gboolean            *descending);
gboolean       les_claim_query_equal      (const LesClaimQuery *a,
                                           const LesClaimQuery *b);
/* (transfer full) (nullable): @value trimmed, NULL when blank, codes in capitals. */
char          *les_claim_filter_normalize (LesClaimFilter       filter,
                                           const char          *value);

/* One claim as read: its id and LES_N_CLAIM_FIELDS texts (NULL for none). */
typedef struct {
  gint64  id;
  char   *fields[LES_N_CLAIM_FIELDS];
} LesClaimValues;

void           les_claim_values_free      (LesClaimValues      *values);

/* Reads on @store, which may be a worker's connection; a cancellable set
 * on it with les_store_set_cancellable() stops them. */
/* (element-type LesClaimValues) (transfer full): up to @n claims from @offset, in order. */
GPtrArray     *les_claim_query_read_rows  (LesClaimQuery       *query,
                                           LesStore            *store,
                                           guint                offset,
                                           guint                n,
                                           GError             **error);
/* How many claims match, counting no further than @limit (0: all). */
gboolean       les_claim_query_count      (LesClaimQuery       *query,
                                           LesStore            *store,
                                           gint64               limit,
                                           gint64              *count,
                                           GError             **error);
/* (element-type gint64) (transfer full): the ids of every claim @query matches. */
GArray        *les_claim_query_dup_ids    (LesClaimQuery       *query,
                                           LesStore            *store,
                                           GError             **error);
/* Appends to @ids the ids of the @n claims from @offset, in order. */
gboolean       les_claim_query_read_ids   (LesClaimQuery       *query,
                                           LesStore            *store,
                                           guint                offset,
                                           guint                n,
                                           GArray              *ids,
                                           GError             **error);
/* Writes the claims @query matches, in its order, as CSV: the claims import
 * format with status, reason and findings added. */
gboolean       les_claim_query_export     (LesClaimQuery       *query,
                                           LesStore            *store,
                                           GOutputStream       *out,
                                           GCancellable        *cancellable,
                                           GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesClaimQuery, les_claim_query_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesClaimValues, les_claim_values_free)

G_END_DECLS
