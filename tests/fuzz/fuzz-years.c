/* fuzz-years.c: libFuzzer target — financial years (2024/25). */
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
  int fy = 0, again = 0;

  if (!les_year_parse (text, &fy, NULL))
    return 0;
  g_assert_cmpint (fy, >=, 1900);
  g_assert_cmpint (fy, <=, 2998);
  {
    g_autofree char *formatted = les_year_format (fy);

    g_assert_true (les_year_parse (formatted, &again, NULL));
    g_assert_cmpint (again, ==, fy);
  }
  g_assert_cmpint (les_period_fy (les_fy_period (fy, 1)), ==, fy);
  return 0;
}
