/* les-compute.h: computing a year's payment lines and findings from the store, and explaining one line. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "les-engine.h"
#include "les-progress.h"
#include "les-store.h"

G_BEGIN_DECLS

typedef struct {
  int    fy;
  gint32 to_period;        /* YYYYMM: --to, or March of the year */
  guint  n_services;
  gint64 n_claims;         /* claims looked at (not rejected or withdrawn, in scope) */
  gint64 n_lines;
  gint64 n_inserted;       /* lines written anew */
  gint64 n_updated;        /* stored lines whose figures changed */
  gint64 n_deleted;        /* stored lines no longer due */
  gint64 n_findings;
  gint64 n_errors;
  gint64 n_warnings;
  gint64 gross;            /* pence */
  gint64 payable;
  gint64 held;
} LesComputeSummary;

gboolean   les_compute_year    (LesStore           *store,
                                int                 fy,
                                gint32              to_period,
                                LesProgressFunc     progress,
                                gpointer            user_data,
                                GCancellable       *cancellable,
                                LesComputeSummary  *summary,
                                GError            **error);

GPtrArray *les_compute_explain (LesStore           *store,
                                int                 fy,
                                const char         *practice_code,
                                const char         *service_code,
                                const char         *rule_code,
                                gint32              period,
                                GError            **error);

/* How the claim @claim_ref of @service_code was judged by a compute up to
 * the year's stored month, and the line it makes up (no writes). */
GPtrArray *les_compute_explain_claim (LesStore           *store,
                                      int                 fy,
                                      const char         *service_code,
                                      const char         *claim_ref,
                                      LesEngineClaimTrace *trace,
                                      GError            **error);

/* How a compute redoes the services whose inputs changed (docs/engine.md,
 * "Computing again"); AUTO chooses by how many changed.  For tests, which
 * check that every plan gives the same results. */
typedef enum {
  LES_COMPUTE_PLAN_AUTO,
  LES_COMPUTE_PLAN_BY_INDEX,     /* each service's claims read by its index */
  LES_COMPUTE_PLAN_BY_SCAN,      /* one pass over the year's claims */
  LES_COMPUTE_PLAN_WHOLE_YEAR,   /* every service, as if all had changed */
} LesComputePlan;

void       les_compute_set_plan (LesComputePlan plan);

G_END_DECLS
