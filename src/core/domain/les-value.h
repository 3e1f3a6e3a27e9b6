/* les-value.h: value types — money, rates, percentages, dates, periods, years and codes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Money is int64 pence; rates are int64 hundredths of a penny (4 decimals of
 * a pound); percentages are int64 hundredths of a percent. */
#define LES_RATE_SCALE 100    /* hundredths of a penny per penny */
#define LES_PCT_SCALE  100    /* hundredths of a percent per percent */

/* Decimal values (money, rates, percentages, weighted lists) have at most
 * this many digits before the point; more is refused, never wrapped.  With
 * four decimals the largest still fits 64 bits, and the engine's products
 * of a rate and a list size fit 128 (docs/data-and-imports.md, "Limits"). */
#define LES_DECIMAL_MAX_DIGITS 14
/* The largest amount, in pence (£99,999,999,999,999.99): nor may any
 * figure the engine computes exceed it. */
#define LES_MONEY_MAX G_GINT64_CONSTANT (9999999999999999)

gboolean les_decimal_parse        (const char  *text,
                                   guint        decimals,
                                   gboolean     allow_currency,
                                   gint64      *out,
                                   GError     **error);
gboolean les_money_parse          (const char  *text,
                                   gint64      *pence,
                                   GError     **error);
gboolean les_rate_parse           (const char  *text,
                                   gint64      *hundredths_of_penny,
                                   GError     **error);
gboolean les_percent_parse        (const char  *text,
                                   gint64      *hundredths,
                                   GError     **error);
gboolean les_count_parse          (const char  *text,
                                   gint64       max,
                                   gint64      *out,
                                   GError     **error);

char    *les_money_format         (gint64       pence);
char    *les_money_format_display (gint64       pence);
char    *les_count_format_display (gint64       n);
char    *les_rate_format          (gint64       hundredths_of_penny);
char    *les_rate_format_display  (gint64       hundredths_of_penny);
char    *les_percent_format       (gint64       hundredths);
#define LES_DECIMAL_BUF 32   /* a gint64 with its sign and point */
gsize    les_decimal_format_to    (gint64       value,
                                   guint        decimals,
                                   guint        min_decimals,
                                   char        *buf);
char    *les_decimal_format       (gint64       value,
                                   guint        decimals,
                                   guint        min_decimals);

/* Exact rational rounding, half away from zero. den must be non-zero.
 * The _exact forms return FALSE when the result does not fit 64 bits; the
 * others are for results bounded by the limits above (say why beside the
 * call) and pin one that is not to the end of the range, never wrap it. */
gboolean les_round_div_exact      (__int128     num,
                                   __int128     den,
                                   gint64      *out);
gboolean les_floor_div_exact      (__int128     num,
                                   __int128     den,
                                   gint64      *out);
gint64   les_round_div            (__int128     num,
                                   __int128     den);
gint64   les_floor_div            (__int128     num,
                                   __int128     den);

/* Checked arithmetic: FALSE, leaving @out alone, on overflow. */
gboolean les_int64_add_exact      (gint64       a,
                                   gint64       b,
                                   gint64      *out);
gboolean les_int64_sub_exact      (gint64       a,
                                   gint64       b,
                                   gint64      *out);
gboolean les_int128_mul_exact     (__int128     a,
                                   __int128     b,
                                   __int128    *out);

/* Dates are packed integers YYYYMMDD; periods are YYYYMM; a financial year
 * is the calendar year it starts in (2024 for 2024/25). */
gboolean les_date_parse           (const char  *text,
                                   gint32      *ymd,
                                   GError     **error);
void     les_date_format          (gint32       ymd,
                                   char         buf[11]);
gboolean les_date_valid           (int          y,
                                   int          m,
                                   int          d);
int      les_days_in_month        (int          y,
                                   int          m);
gint32   les_date_add_days        (gint32       ymd,
                                   int          days);

gboolean les_period_parse         (const char  *text,
                                   gint32      *ym,
                                   GError     **error);
void     les_period_format        (gint32       ym,
                                   char         buf[8]);
char    *les_period_format_display (gint32      ym);
gint32   les_period_first_day     (gint32       ym);
gint32   les_period_last_day      (gint32       ym);
gint32   les_period_add_months    (gint32       ym,
                                   int          months);
int      les_period_fy            (gint32       ym);
int      les_period_month_number  (gint32       ym);
gint32   les_fy_period            (int          fy,
                                   int          month_number);
gboolean les_period_is_quarter_end(gint32       ym);

gboolean les_year_parse           (const char  *text,
                                   int         *fy,
                                   GError     **error);
char    *les_year_format          (int          fy);

/* Codes: trimmed, upper-cased, letters, digits, '-' and '_' only. */
char    *les_code_normalise       (const char  *text,
                                   GError     **error);
gboolean les_ods_code_valid       (const char  *code);

/* NHS numbers: spaces removed, 10 digits, modulus 11. */
gboolean les_nhs_number_normalise (const char  *text,
                                   char         out[11]);
gboolean les_nhs_number_valid     (const char  *digits);

/* Messages quote at most this many characters of a value, then "…". */
#define LES_MESSAGE_VALUE_MAX 60

/* @text made safe to quote in a message: line breaks, tabs and other
 * control characters (terminal escapes among them) and bytes that are not
 * UTF-8 written as \n, \r, \t, \x1B, \u202E…, so that a value can neither
 * forge a line of output nor act on a terminal; and shortened to
 * %LES_MESSAGE_VALUE_MAX characters.  %NULL gives "". */
char    *les_text_for_message     (const char  *text);

G_END_DECLS
