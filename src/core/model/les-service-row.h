/* les-service-row.h: one service of a year as the Services screen lists it — typed properties for declared columns. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "les-store.h"

G_BEGIN_DECLS

#define LES_TYPE_SERVICE_ROW (les_service_row_get_type ())
G_DECLARE_FINAL_TYPE (LesServiceRow, les_service_row, LES, SERVICE_ROW, GObject)

/* Properties (read-only), for <lookup> expressions and sorters:
 *   code, name, cap-mode, schedule, claim-frequency   string
 *   budget          gint64  pence; G_MININT64 when the service has none
 *   budget-text     string  "£1,234.50", "" when none
 *   n-rules, n-practices, n-claims            gint64
 *   n-rules-text, n-practices-text, n-claims-text  string  "1,234" */

const char *les_service_row_get_code   (LesServiceRow *self);
gboolean    les_service_row_equal      (gconstpointer  a,
                                        gconstpointer  b);

/* The services of @fy, by code: a GListModel of LesServiceRow. */
GListModel *les_service_rows_read      (LesStore      *store,
                                        int            fy,
                                        GError       **error);
/* Writes @rows (LesServiceRow, in their order) as CSV, the columns named
 * as the import's and amounts plain (FORMATS.md). */
gboolean    les_service_rows_write_csv (GListModel    *rows,
                                        GOutputStream *out,
                                        GCancellable  *cancellable,
                                        GError       **error);

G_END_DECLS
