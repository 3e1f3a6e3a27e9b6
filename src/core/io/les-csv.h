/* les-csv.h: writing CSV as FORMATS.md says (minimal RFC 4180 quoting, LF). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Appends a field to @line, preceded by a comma unless it is the first. */
void     les_csv_append_field (GString       *line,
                               const char    *field,
                               gboolean       first);
/* Appends a row of @n fields and a LF. NULL fields are blank. */
void     les_csv_append_row   (GString       *line,
                               const char   **fields,
                               guint          n);
/* Writes and empties @buffer when it holds more than @threshold bytes (0: always). */
gboolean les_csv_flush        (GOutputStream *out,
                               GString       *buffer,
                               gsize          threshold,
                               GCancellable  *cancellable,
                               GError       **error);

G_END_DECLS
