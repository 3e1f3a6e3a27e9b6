/* les-statement.h: a practice's payment statement for a run, as a printable document. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "les-doc.h"
#include "les-runs.h"

G_BEGIN_DECLS

LesDoc   *les_statement_doc_new   (LesStatement   *statement);
gboolean  les_statement_write_pdf (LesStatement   *statement,
                                   GOutputStream  *out,
                                   GCancellable   *cancellable,
                                   GError        **error);

/* "Dec 2024" for 202412 */
char     *les_doc_format_month    (gint32          period);

G_END_DECLS
