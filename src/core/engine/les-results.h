/* les-results.h: reading stored compute results — exports and the reconciliation. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "les-store.h"

G_BEGIN_DECLS

typedef struct {
  char     *service_code;
  char     *service_name;
  gboolean  has_budget;
  gint64    budget;        /* pence, when has_budget */
  gint64    payable;
  gint64    held;
  gint64    ledger;
  gint64    forecast;
  gint64    variance;      /* budget − forecast, when has_budget */
} LesReconciliationRow;

void      les_reconciliation_row_clear (LesReconciliationRow *row);

/* The stored compute of @fy: FALSE with LES_ERROR_NOT_FOUND when there is none. */
gboolean  les_results_get_compute     (LesStore       *store,
                                       int             fy,
                                       gint32         *to_period,
                                       char          **computed_at,
                                       char          **computed_by,
                                       GError        **error);

/* (element-type LesReconciliationRow): one row per service of @fy, by code;
 * the array clears its rows. */
GArray   *les_results_reconciliation  (LesStore       *store,
                                       int             fy,
                                       GError        **error);

/* @kind: "payments", "findings" or "reconciliation" (FORMATS.md). */
gboolean  les_results_write_csv       (LesStore       *store,
                                       const char     *kind,
                                       int             fy,
                                       GOutputStream  *out,
                                       GCancellable   *cancellable,
                                       GError        **error);

G_END_DECLS
