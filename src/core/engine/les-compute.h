/* les-compute.h: computing a year's payment lines and findings from the store, and explaining one line. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

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

G_END_DECLS
