/* fuzz-money.c: libFuzzer target — money, rates, percentages, decimals and counts: exact or refused, never wrapped. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "les-error.h"
#include "les-value.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static gint64
max_for (guint decimals)
{
  gint64 max = 1;

  for (guint i = 0; i < LES_DECIMAL_MAX_DIGITS + decimals; i++)
    max *= 10;
  return max - 1;
}

/* A value that parsed lies within its limit and reads back the same from its own format */
static void
check_decimal (const char *text, guint decimals, gboolean currency)
{
  g_autoptr(GError) error = NULL;
  gint64 v = 0, again = 0;

  if (!les_decimal_parse (text, decimals, currency, &v, &error))
    {
      g_assert_error (error, LES_ERROR, LES_ERROR_INVALID);
      g_assert_true (g_utf8_validate (error->message, -1, NULL) || !g_utf8_validate (text, -1, NULL));
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpint (v, <=, max_for (decimals));
  g_assert_cmpint (v, >=, -max_for (decimals));
  {
    g_autofree char *plain = les_decimal_format (v, decimals, decimals);

    g_assert_true (les_decimal_parse (plain, decimals, currency, &again, NULL));
    g_assert_cmpint (again, ==, v);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);   /* stops at a NUL, as a CSV field would */
  gint64 v = 0;

  for (guint decimals = 0; decimals <= 4; decimals++)
    {
      check_decimal (text, decimals, FALSE);
      check_decimal (text, decimals, TRUE);
    }

  if (les_money_parse (text, &v, NULL))
    {
      g_autofree char *plain = les_money_format (v);
      g_autofree char *display = les_money_format_display (v);
      gint64 again = 0;

      g_assert_true (les_money_parse (plain, &again, NULL) && again == v);
      g_assert_true (les_money_parse (display + (v < 0 ? strlen ("−") : 0), &again, NULL));
      g_assert_cmpint (v < 0 ? -again : again, ==, v);
    }
  if (les_rate_parse (text, &v, NULL))
    {
      g_autofree char *plain = les_rate_format (v);
      g_autofree char *display = les_rate_format_display (v);
      gint64 again = 0;

      g_assert_true (les_rate_parse (plain, &again, NULL) && again == v);
      g_assert_true (g_utf8_validate (display, -1, NULL));
    }
  if (les_percent_parse (text, &v, NULL))
    {
      g_autofree char *plain = les_percent_format (v);
      gint64 again = 0;

      g_assert_true (les_percent_parse (plain, &again, NULL) && again == v);
    }
  if (les_count_parse (text, G_MAXINT64, &v, NULL))
    g_assert_cmpint (v, >=, 0);
  if (les_count_parse (text, G_GINT64_CONSTANT (1000000000000), &v, NULL))
    g_assert_cmpint (v, <=, G_GINT64_CONSTANT (1000000000000));
  return 0;
}
