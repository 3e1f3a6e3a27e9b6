/* les-csv.c: CSV writing helpers shared by every export. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-csv.h"

void
les_csv_append_field (GString *line, const char *field, gboolean first)
{
  gsize len = 0;
  gboolean quote = FALSE;

  if (!first)
    g_string_append_c (line, ',');
  if (field == NULL)
    return;
  /* one pass: the length, and whether it needs quotes (exports write millions) */
  for (; field[len] != '\0'; len++)
    if (field[len] == ',' || field[len] == '"' || field[len] == '\r' || field[len] == '\n')
      quote = TRUE;
  if (!quote)
    {
      g_string_append_len (line, field, len);
      return;
    }
  g_string_append_c (line, '"');
  for (const char *p = field; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

void
les_csv_append_row (GString *line, const char **fields, guint n)
{
  for (guint i = 0; i < n; i++)
    les_csv_append_field (line, fields[i], i == 0);
  g_string_append_c (line, '\n');
}

gboolean
les_csv_flush (GOutputStream *out,
               GString       *buffer,
               gsize          threshold,
               GCancellable  *cancellable,
               GError       **error)
{
  if (buffer->len == 0 || buffer->len < threshold)
    return TRUE;
  if (!g_output_stream_write_all (out, buffer->str, buffer->len, NULL, cancellable, error))
    return FALSE;
  g_string_truncate (buffer, 0);
  return TRUE;
}
