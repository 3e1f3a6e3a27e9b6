/* fuzz-periods.c: libFuzzer target — periods (YYYY-MM) and month arithmetic on them. */
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
  gint32 ym = 0, again = 0;
  char buf[8];
  int fy, month;

  if (!les_period_parse (text, &ym, NULL))
    return 0;
  les_period_format (ym, buf);
  g_assert_true (les_period_parse (buf, &again, NULL));
  g_assert_cmpint (again, ==, ym);

  g_assert_cmpint (les_period_first_day (ym), <=, les_period_last_day (ym));
  g_assert_cmpint (les_period_add_months (les_period_add_months (ym, 13), -13), ==, ym);
  fy = les_period_fy (ym);
  month = les_period_month_number (ym);
  g_assert_cmpint (month, >=, 1);
  g_assert_cmpint (month, <=, 12);
  g_assert_cmpint (les_fy_period (fy, month), ==, ym);
  g_assert_true (les_period_is_quarter_end (ym) == (month % 3 == 0));
  return 0;
}
