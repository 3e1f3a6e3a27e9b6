/* les-queries.h: the read-only tables the desktop application shows (services, practices, drill-downs). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "les-row.h"
#include "les-store.h"

G_BEGIN_DECLS

typedef enum {
  LES_CELL_TEXT,
  LES_CELL_COUNT,     /* a whole number, shown with thousands separators */
  LES_CELL_MONEY,     /* pence, shown as £1,234.50 and exported as 1234.50 */
  LES_CELL_CENTI,     /* hundredths, shown with two decimals */
} LesCellType;

typedef struct {
  const char  *id;      /* CSV header */
  const char  *title;   /* for people, translated with _() by the caller */
  LesCellType  type;
} LesColumnSpec;

/* A table: its columns and a GListModel of LesRow whose cells follow them. */
typedef struct {
  const LesColumnSpec *columns;
  guint                n_columns;
  GListModel          *rows;     /* owned */
  LesRow              *totals;   /* (nullable) owned: "Total" and the sums of its amounts, for a
                                    row under the table (the payments tables have one) */
} LesTable;

void      les_table_free                (LesTable      *table);
/* Writes the table as CSV (FORMATS.md conventions: plain amounts, LF). */
gboolean  les_table_write_csv           (const LesColumnSpec *columns,
                                         guint          n_columns,
                                         GListModel    *rows,
                                         GOutputStream *out,
                                         GCancellable  *cancellable,
                                         GError       **error);

/* Services of a year: code, name, cap mode, budget, schedule, claim frequency,
 * rules, practices signed up, claims. */
LesTable *les_queries_services          (LesStore      *store,
                                         int            fy,
                                         GError       **error);
/* Practices: code, name, PCN code, PCN name, registered list, weighted list,
 * services signed up for in @fy. */
LesTable *les_queries_practices         (LesStore      *store,
                                         int            fy,
                                         GError       **error);

typedef enum {
  LES_PRACTICE_LIST_SIZES,
  LES_PRACTICE_SIGNUPS,
  LES_PRACTICE_COHORTS,
  LES_PRACTICE_ALLOCATIONS,
  LES_PRACTICE_CLAIMS,
  LES_PRACTICE_PAYMENTS,
} LesPracticeTable;

LesTable *les_queries_practice_table    (LesStore      *store,
                                         LesPracticeTable which,
                                         const char    *practice_code,
                                         int            fy,
                                         GError       **error);

/* Findings of the last compute of @fy, counted by code: severity, code,
 * count, claims concerned, an example message. */
LesTable *les_queries_findings_summary  (LesStore      *store,
                                         int            fy,
                                         GError       **error);

/* The payments drill-down. @service_code and @pcn_code narrow each level:
 * by service (no codes), by PCN (service), by practice (service, PCN),
 * the lines of one practice (service, practice).  By service: budget,
 * payable, paid by runs, outstanding (payable not yet paid), held,
 * ledger, forecast, variance.  The lines: each with the payment run that
 * paid it (blank when unpaid).  Each table has its totals. */
LesTable *les_queries_payments_by_service  (LesStore   *store,
                                            int         fy,
                                            GError    **error);
LesTable *les_queries_payments_by_pcn      (LesStore   *store,
                                            int         fy,
                                            const char *service_code,
                                            GError    **error);
LesTable *les_queries_payments_by_practice (LesStore   *store,
                                            int         fy,
                                            const char *service_code,
                                            const char *pcn_code,
                                            GError    **error);
LesTable *les_queries_payment_lines        (LesStore   *store,
                                            int         fy,
                                            const char *service_code,
                                            const char *practice_code,
                                            GError    **error);

/* When @fy was last computed: the ISO 8601 time and the last period (YYYY-MM);
 * FALSE when never. */
gboolean  les_queries_last_compute      (LesStore      *store,
                                         int            fy,
                                         char         **computed_at,
                                         char         **to_period);

/* Distinct values for the claims filters: service codes of @fy, PCN codes,
 * item codes of @fy, periods of @fy, finding codes of @fy. */
GStrv     les_queries_service_codes     (LesStore      *store,
                                         int            fy);
GStrv     les_queries_pcn_codes         (LesStore      *store);
GStrv     les_queries_finding_codes     (LesStore      *store,
                                         int            fy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesTable, les_table_free)

G_END_DECLS
