/* fuzz-dates.c: libFuzzer target — dates in every accepted form, and day arithmetic on them. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdint.h>

#include "les-value.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  gint32 ymd = 0, again = 0;
  char buf[11];

  if (!les_date_parse (text, &ymd, NULL))
    return 0;
  g_assert_true (les_date_valid (ymd / 10000, ymd / 100 % 100, ymd % 100));
  les_date_format (ymd, buf);
  g_assert_true (les_date_parse (buf, &again, NULL));
  g_assert_cmpint (again, ==, ymd);

  /* a day either way, and any number of days, from the date: no GDate complaint */
  {
    int days = size >= 4 ? (int) ((guint32) data[0] | (guint32) data[1] << 8 | (guint32) data[2] << 16
                                  | (guint32) data[3] << 24) : 0;
    gint32 next = les_date_add_days (ymd, 1), prev = les_date_add_days (ymd, -1);

    g_assert_cmpint (next, >, ymd);
    g_assert_cmpint (prev, <, ymd);
    g_assert_cmpint (les_date_add_days (next, -1), ==, ymd);
    if (days > 0)
      g_assert_cmpint (les_date_add_days (ymd, days), >, ymd);
    else if (days < 0)
      g_assert_cmpint (les_date_add_days (ymd, days), <, ymd);
  }
  return 0;
}
