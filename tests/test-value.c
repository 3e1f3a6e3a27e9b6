/* test-value.c: unit tests of the core value types (money, rates, dates, periods, codes). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-error.h"
#include "les-value.h"

static void
test_money_parse (void)
{
  struct { const char *text; gint64 pence; } good[] = {
    { "1234.56", 123456 }, { "£1,234.56", 123456 }, { "1,234.5", 123450 }, { "0.41", 41 },
    { "  12 ", 1200 }, { "-0.50", -50 }, { "-£3.10", -310 }, { "£-3.10", -310 },
    { "1,000,000.00", 100000000 }, { "7.", 700 }, { "2.500", 250 },
  };
  const char *bad[] = { "", "abc", "1.234", "12,34", "1,2345.00", ",123", "£", "1.2.3", "--1", "1e3",
                        "99999999999999999999" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 pence = -1;

      g_assert_true (les_money_parse (good[i].text, &pence, &error));
      g_assert_no_error (error);
      g_assert_cmpint (pence, ==, good[i].pence);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 pence;

      g_assert_false (les_money_parse (bad[i], &pence, &error));
      g_assert_error (error, LES_ERROR, LES_ERROR_INVALID);
    }
}

static void
test_rate_and_percent (void)
{
  g_autoptr(GError) error = NULL;
  gint64 v;

  g_assert_true (les_rate_parse ("52.5050", &v, NULL));
  g_assert_cmpint (v, ==, 525050);
  g_assert_true (les_rate_parse ("0.41", &v, NULL));
  g_assert_cmpint (v, ==, 4100);
  g_assert_true (les_rate_parse ("£130.005", &v, NULL));
  g_assert_cmpint (v, ==, 1300050);
  g_assert_false (les_rate_parse ("1.00001", &v, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_INVALID);
  g_assert_true (les_percent_parse ("80", &v, NULL));
  g_assert_cmpint (v, ==, 8000);
  g_assert_true (les_percent_parse ("97.46%", &v, NULL));
  g_assert_cmpint (v, ==, 9746);
  g_assert_false (les_percent_parse ("eighty", &v, NULL));
}

static void
test_count (void)
{
  g_autoptr(GError) error = NULL;
  gint64 v;

  g_assert_true (les_count_parse ("12", 1000, &v, NULL));
  g_assert_cmpint (v, ==, 12);
  g_assert_false (les_count_parse ("-3", 1000, &v, &error));
  g_assert_nonnull (strstr (error->message, "negative"));
  g_assert_false (les_count_parse ("1.5", 1000, &v, NULL));
  g_assert_false (les_count_parse ("1001", 1000, &v, NULL));
}

/* Parses @text with @parse and expects @want, or (want_error non-NULL) that message */
typedef gboolean (*ParseFunc) (const char *text, gint64 *out, GError **error);

static void
check_parse (ParseFunc parse, const char *text, gint64 want, const char *want_error)
{
  g_autoptr(GError) error = NULL;
  gint64 v = -1;
  gboolean ok = parse (text, &v, &error);

  if (want_error == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpint (v, ==, want);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, LES_ERROR, LES_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, want_error);
      g_assert_cmpint (v, ==, -1);
    }
}

static gboolean
centi_parse (const char *text, gint64 *out, GError **error)
{
  return les_decimal_parse (text, 2, FALSE, out, error);
}

/* Issue #12: the integer part was checked before the decimals were scaled in,
 * so 184467440737095517 imported as £0.84. Each kind at its boundary: the
 * largest accepted, one more refused. */
static void
test_limits (void)
{
  /* money: 14 digits before the point */
  check_parse (les_money_parse, "99999999999999.99", LES_MONEY_MAX, NULL);
  check_parse (les_money_parse, "£99,999,999,999,999.99", LES_MONEY_MAX, NULL);
  check_parse (les_money_parse, "99999999999999.990", LES_MONEY_MAX, NULL);
  check_parse (les_money_parse, "-99999999999999.99", -LES_MONEY_MAX, NULL);
  check_parse (les_money_parse, "100000000000000",
               0, "“100000000000000” is too large (at most 99,999,999,999,999.99)");
  check_parse (les_money_parse, "100,000,000,000,000.00",
               0, "“100,000,000,000,000.00” is too large (at most 99,999,999,999,999.99)");
  check_parse (les_money_parse, "-100000000000000",
               0, "“-100000000000000” is too small (at least -99,999,999,999,999.99)");
  check_parse (les_money_parse, "184467440737095517",
               0, "“184467440737095517” is too large (at most 99,999,999,999,999.99)");
  check_parse (les_money_parse, "100000000000000000",
               0, "“100000000000000000” is too large (at most 99,999,999,999,999.99)");
  check_parse (les_money_parse, "99999999999999999999999999999999.00",
               0, "“99999999999999999999999999999999.00” is too large (at most 99,999,999,999,999.99)");
  check_parse (les_money_parse, "00000000000000000000099999999999999.99", LES_MONEY_MAX, NULL);

  /* rates: four decimals, the same digits before the point */
  check_parse (les_rate_parse, "99999999999999.9999", G_GINT64_CONSTANT (999999999999999999), NULL);
  check_parse (les_rate_parse, "1000000000000", G_GINT64_CONSTANT (10000000000000000), NULL);
  check_parse (les_rate_parse, "100000000000000",
               0, "“100000000000000” is too large (at most 99,999,999,999,999.9999)");
  check_parse (les_rate_parse, "922337203685477.5807",
               0, "“922337203685477.5807” is too large (at most 99,999,999,999,999.9999)");

  /* percentages and weighted lists: two decimals */
  check_parse (les_percent_parse, "99999999999999.99%", LES_MONEY_MAX, NULL);
  check_parse (les_percent_parse, "100000000000000%",
               0, "“100000000000000%” is too large (at most 99,999,999,999,999.99)");
  check_parse (les_percent_parse, "97.123", 0, "expected a percentage such as 80 or 97.5%, got “97.123”");
  check_parse (centi_parse, "99999999999999.99", LES_MONEY_MAX, NULL);
  check_parse (centi_parse, "100000000000000.5",
               0, "“100000000000000.5” is too large (at most 99,999,999,999,999.99)");
}

static void
test_count_limits (void)
{
  g_autoptr(GError) error = NULL;
  gint64 v = 0;

  g_assert_true (les_count_parse ("1000000000000", G_GINT64_CONSTANT (1000000000000), &v, NULL));
  g_assert_cmpint (v, ==, G_GINT64_CONSTANT (1000000000000));
  g_assert_false (les_count_parse ("1000000000001", G_GINT64_CONSTANT (1000000000000), &v, &error));
  g_assert_cmpstr (error->message, ==, "“1000000000001” is too large (at most 1000000000000)");
  g_clear_error (&error);
  /* up to the end of 64 bits, with nothing formed past it */
  g_assert_true (les_count_parse ("9223372036854775807", G_MAXINT64, &v, NULL));
  g_assert_cmpint (v, ==, G_MAXINT64);
  g_assert_false (les_count_parse ("9223372036854775808", G_MAXINT64, &v, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (les_count_parse ("99999999999999999999", G_MAXINT64, &v, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_INVALID);
}

static void
test_exact_arithmetic (void)
{
  const __int128 max128 = (__int128) (((unsigned __int128) 1 << 127) - 1);
  __int128 p = 0;
  gint64 q = 0;

  /* quotients that fit, and the first that does not */
  g_assert_true (les_round_div_exact ((__int128) G_MAXINT64 * 2, 2, &q));
  g_assert_cmpint (q, ==, G_MAXINT64);
  g_assert_false (les_round_div_exact (((__int128) G_MAXINT64 + 1) * 2, 2, &q));
  g_assert_true (les_round_div_exact ((__int128) G_MININT64 * 2, 2, &q));
  g_assert_cmpint (q, ==, G_MININT64);
  g_assert_false (les_round_div_exact ((__int128) G_MININT64 * 2 - 1, 2, &q));   /* rounds away from zero */
  g_assert_true (les_round_div_exact (max128, max128, &q));
  g_assert_cmpint (q, ==, 1);
  g_assert_true (les_round_div_exact (max128 / 2 + 1, max128, &q));                /* one half, exactly */
  g_assert_cmpint (q, ==, 1);
  g_assert_true (les_floor_div_exact (-7, 2, &q));
  g_assert_cmpint (q, ==, -4);
  g_assert_false (les_floor_div_exact ((__int128) G_MININT64 - 1, 1, &q));
  /* the unchecked forms pin, never wrap (they used to give 1 here) */
  g_assert_cmpint (les_round_div (((__int128) 1 << 64) + 1, 1), ==, G_MAXINT64);
  g_assert_cmpint (les_floor_div (-((__int128) 1 << 64), 1), ==, G_MININT64);

  g_assert_true (les_int128_mul_exact ((__int128) G_MAXINT64, G_MAXINT64, &p));
  g_assert_true (p == (__int128) G_MAXINT64 * G_MAXINT64);
  g_assert_true (les_int128_mul_exact (-((__int128) 1 << 126), 1, &p));
  g_assert_false (les_int128_mul_exact ((__int128) 1 << 126, 2, &p));
  g_assert_false (les_int128_mul_exact ((__int128) 1 << 126, -2, &p));
  g_assert_true (les_int128_mul_exact (max128, -1, &p));
  g_assert_true (p == -max128);
  g_assert_true (les_int128_mul_exact (0, max128, &p));
  g_assert_true (p == 0);

  g_assert_true (les_int64_add_exact (G_MAXINT64 - 1, 1, &q));
  g_assert_cmpint (q, ==, G_MAXINT64);
  g_assert_false (les_int64_add_exact (G_MAXINT64, 1, &q));
  g_assert_false (les_int64_add_exact (G_MININT64, -1, &q));
}

static void
test_far_dates (void)
{
  g_autofree char *display = les_money_format_display (G_MININT64);

  /* a deadline of more days than lie between any two valid dates is past all of them */
  g_assert_cmpint (les_date_add_days (20250331, G_MAXINT), >, 29991231);
  g_assert_cmpint (les_date_add_days (19000101, G_MININT), <, 19000101);
  g_assert_cmpint (les_date_add_days (20250331, 401767), ==, les_date_add_days (20250331, 401767));
  g_assert_cmpstr (display, ==, "−£92,233,720,368,547,758.08");
}

static void
test_money_format (void)
{
  struct { gint64 pence; const char *plain; const char *display; } cases[] = {
    { 123450, "1234.50", "£1,234.50" }, { -50, "-0.50", "−£0.50" }, { 0, "0.00", "£0.00" },
    { 5, "0.05", "£0.05" }, { 100000000, "1000000.00", "£1,000,000.00" }, { -721500, "-7215.00", "−£7,215.00" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *plain = les_money_format (cases[i].pence);
      g_autofree char *display = les_money_format_display (cases[i].pence);

      g_assert_cmpstr (plain, ==, cases[i].plain);
      g_assert_cmpstr (display, ==, cases[i].display);
    }
  {
    g_autofree char *r1 = les_rate_format (525050);
    g_autofree char *r2 = les_rate_format (360000);
    g_autofree char *p1 = les_percent_format (8000);
    g_autofree char *p2 = les_percent_format (9746);

    g_assert_cmpstr (r1, ==, "52.505");
    g_assert_cmpstr (r2, ==, "36.00");
    g_assert_cmpstr (p1, ==, "80");
    g_assert_cmpstr (p2, ==, "97.46");
  }
}

static void
test_rounding (void)
{
  /* 52.505 pounds = 525050 hundredths of a penny: 5250.5p rounds to 5251p */
  g_assert_cmpint (les_round_div (525050, 100), ==, 5251);
  g_assert_cmpint (les_round_div (-525050, 100), ==, -5251);
  g_assert_cmpint (les_round_div (-25, 10), ==, -3);          /* -2.5p → -3p */
  g_assert_cmpint (les_round_div (24, 10), ==, 2);
  g_assert_cmpint (les_round_div (-24, 10), ==, -2);
  g_assert_cmpint (les_round_div (3 * 525050, 100), ==, 15752);  /* 157.515 → 157.52 */
  g_assert_cmpint (les_round_div (7, -2), ==, -4);
  /* 0.41 × 8653 × 3 / 12 = 886.9325 → 886.93 */
  g_assert_cmpint (les_round_div ((__int128) 4100 * 8653 * 3, 12 * 100), ==, 88693);
  g_assert_cmpint (les_floor_div (-7, 2), ==, -4);
  g_assert_cmpint (les_floor_div (7, 2), ==, 3);
  /* products past 64 bits stay exact */
  g_assert_cmpint (les_round_div ((__int128) G_MAXINT64 * 4, 8), ==, G_MAXINT64 / 2 + 1);
}

static void
test_dates (void)
{
  g_autoptr(GError) error = NULL;
  char buf[11];
  gint32 d;

  g_assert_true (les_date_parse ("2024-04-01", &d, NULL));
  g_assert_cmpint (d, ==, 20240401);
  g_assert_true (les_date_parse ("01/07/2024", &d, NULL));
  g_assert_cmpint (d, ==, 20240701);
  g_assert_true (les_date_parse ("01JUL2024", &d, NULL));
  g_assert_cmpint (d, ==, 20240701);
  g_assert_true (les_date_parse ("29feb2024", &d, NULL));
  g_assert_false (les_date_parse ("29/02/2023", &d, NULL));
  g_assert_false (les_date_parse ("2024-13-01", &d, NULL));
  g_assert_false (les_date_parse ("2024-4-1", &d, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_INVALID);
  les_date_format (20250331, buf);
  g_assert_cmpstr (buf, ==, "2025-03-31");
  g_assert_cmpint (les_date_add_days (20240531, 30), ==, 20240630);
  g_assert_cmpint (les_date_add_days (20250301, -1), ==, 20250228);
}

static void
test_periods (void)
{
  char buf[8];
  gint32 ym;
  int fy;

  g_assert_true (les_period_parse ("2024-04", &ym, NULL));
  g_assert_cmpint (ym, ==, 202404);
  g_assert_false (les_period_parse ("2024-4", &ym, NULL));
  g_assert_false (les_period_parse ("2024-00", &ym, NULL));
  g_assert_cmpint (les_period_fy (202404), ==, 2024);
  g_assert_cmpint (les_period_fy (202503), ==, 2024);
  g_assert_cmpint (les_period_month_number (202404), ==, 1);
  g_assert_cmpint (les_period_month_number (202412), ==, 9);
  g_assert_cmpint (les_period_month_number (202503), ==, 12);
  g_assert_cmpint (les_fy_period (2024, 12), ==, 202503);
  g_assert_cmpint (les_period_add_months (202412, 3), ==, 202503);
  g_assert_cmpint (les_period_add_months (202401, -1), ==, 202312);
  g_assert_cmpint (les_period_last_day (202402), ==, 20240229);
  g_assert_true (les_period_is_quarter_end (202406));
  g_assert_false (les_period_is_quarter_end (202405));
  les_period_format (202503, buf);
  g_assert_cmpstr (buf, ==, "2025-03");

  g_assert_true (les_year_parse ("2024/25", &fy, NULL));
  g_assert_cmpint (fy, ==, 2024);
  g_assert_true (les_year_parse ("1999/00", &fy, NULL));
  g_assert_false (les_year_parse ("2024/26", &fy, NULL));
  g_assert_false (les_year_parse ("2024", &fy, NULL));
  {
    g_autofree char *s = les_year_format (2024);
    g_assert_cmpstr (s, ==, "2024/25");
  }
}

static void
test_codes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = les_code_normalise ("  m83001 ", NULL);
  g_autofree char *bad = NULL;
  char digits[11];

  g_assert_cmpstr (code, ==, "M83001");
  g_assert_true (les_ods_code_valid (code));
  g_assert_false (les_ods_code_valid ("M8300"));
  g_assert_false (les_ods_code_valid ("883001"));
  bad = les_code_normalise ("RULE:ACH", &error);
  g_assert_null (bad);
  g_assert_error (error, LES_ERROR, LES_ERROR_INVALID);

  g_assert_true (les_nhs_number_normalise ("943 476 5919", digits));
  g_assert_cmpstr (digits, ==, "9434765919");
  g_assert_true (les_nhs_number_valid ("9434765919"));
  g_assert_false (les_nhs_number_valid ("9434765918"));   /* check digit 9, not 8 */
  g_assert_false (les_nhs_number_normalise ("943476591", digits));
  g_assert_false (les_nhs_number_normalise ("94347659190", digits));
  g_assert_false (les_nhs_number_normalise ("94347A5919", digits));
  /* a check digit of 10 is never valid */
  g_assert_false (les_nhs_number_valid ("0000000060"));
}

/* Issue #12, 4: values quoted in messages were raw */
static void
test_text_for_message (void)
{
  struct { const char *text; const char *shown; } cases[] = {
    { NULL, "" },
    { "", "" },
    { "Ashford Medical Centre", "Ashford Medical Centre" },
    { "£1,234.56 – Café", "£1,234.56 – Café" },
    { "2\nclaims x.csv: 1 rows", "2\\nclaims x.csv: 1 rows" },
    { "a\r\nb\tc", "a\\r\\nb\\tc" },
    { "\x1b[31mred\x1b[0m\x07\x7f", "\\x1B[31mred\\x1B[0m\\x07\\x7F" },
    { "\xc2\x9b" "2J", "\\u009B2J" },                              /* the one-byte CSI */
    { "abc\xe2\x80\xae" "fdp.exe", "abc\\u202Efdp.exe" },          /* right-to-left override */
    { "Caf\xe9", "Caf\\xE9" },                                     /* not UTF-8 */
    { "\\n", "\\n" },                                             /* a backslash is itself */
  };
  g_autoptr(GString) long_text = g_string_new (NULL);
  g_autofree char *shown = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = les_text_for_message (cases[i].text);

      g_assert_cmpstr (got, ==, cases[i].shown);
    }

  /* LES_MESSAGE_VALUE_MAX characters, not bytes, then an ellipsis */
  for (guint i = 0; i < LES_MESSAGE_VALUE_MAX; i++)
    g_string_append (long_text, "é");
  shown = les_text_for_message (long_text->str);
  g_assert_cmpstr (shown, ==, long_text->str);
  g_clear_pointer (&shown, g_free);
  g_string_append (long_text, "x");
  shown = les_text_for_message (long_text->str);
  g_assert_cmpuint (g_utf8_strlen (shown, -1), ==, LES_MESSAGE_VALUE_MAX + 1);
  g_assert_true (g_str_has_suffix (shown, "é…"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/value/money/parse", test_money_parse);
  g_test_add_func ("/value/money/format", test_money_format);
  g_test_add_func ("/value/rate-and-percent", test_rate_and_percent);
  g_test_add_func ("/value/count", test_count);
  g_test_add_func ("/value/rounding", test_rounding);
  g_test_add_func ("/value/limits", test_limits);
  g_test_add_func ("/value/limits/count", test_count_limits);
  g_test_add_func ("/value/exact-arithmetic", test_exact_arithmetic);
  g_test_add_func ("/value/far-dates", test_far_dates);
  g_test_add_func ("/value/dates", test_dates);
  g_test_add_func ("/value/periods", test_periods);
  g_test_add_func ("/value/codes", test_codes);
  g_test_add_func ("/value/text-for-message", test_text_for_message);

  return g_test_run ();
}
