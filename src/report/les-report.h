/* les-report.h: the reconciliation report for finance, with its chart, as a printable document. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "les-doc.h"
#include "les-runs.h"

G_BEGIN_DECLS

/* The document keeps a pointer to @report: free it after the document. */
LesDoc   *les_report_doc_new   (LesReport      *report);
gboolean  les_report_write_pdf (LesReport      *report,
                                GOutputStream  *out,
                                GCancellable   *cancellable,
                                GError        **error);

G_END_DECLS
