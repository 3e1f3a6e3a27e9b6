/* les-finding-row.h: the findings of a compute counted by code, as the Overview lists them — typed properties. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "les-store.h"

G_BEGIN_DECLS

#define LES_TYPE_FINDING_ROW (les_finding_row_get_type ())
G_DECLARE_FINAL_TYPE (LesFindingRow, les_finding_row, LES, FINDING_ROW, GObject)

/* Properties (read-only):
 *   severity   string  "error" or "warning"
 *   code       string  the finding's code
 *   count      gint64  findings with that code;  count-text  "1,234"
 *   n-claims   gint64  claims concerned (0 for findings about budgets, allocations …)
 *   message    string  an example */

const char *les_finding_row_get_severity (LesFindingRow *self);
const char *les_finding_row_get_code     (LesFindingRow *self);
gint64      les_finding_row_get_count    (LesFindingRow *self);
const char *les_finding_row_get_count_text (LesFindingRow *self);
gint64      les_finding_row_get_n_claims (LesFindingRow *self);
const char *les_finding_row_get_message  (LesFindingRow *self);
gboolean    les_finding_row_equal        (gconstpointer  a,
                                          gconstpointer  b);

/* The findings of the last compute of @fy by code, errors first, the most
 * frequent first: a GListModel of LesFindingRow. */
GListModel *les_finding_rows_read        (LesStore      *store,
                                          int            fy,
                                          GError       **error);

G_END_DECLS
