/* les-value.c: parsing, formatting and exact arithmetic for the core value types. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-error.h"
#include "les-value.h"


G_DEFINE_QUARK (les-error-quark, les_error)

static const char *
skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* Copies @text without surrounding blanks into @buf; FALSE when it does not fit. */
static gboolean
trim_into (const char *text, char *buf, gsize size)
{
  const char *start = skip_space (text);
  gsize len = strlen (start);

  while (len > 0 && (start[len - 1] == ' ' || start[len - 1] == '\t'))
    len--;
  if (len >= size)
    return FALSE;
  memcpy (buf, start, len);
  buf[len] = '\0';
  return TRUE;
}

static gboolean
fail (GError **error, const char *text, const char *what)
{
  g_autofree char *shown = les_text_for_message (text);

  g_set_error (error, LES_ERROR, LES_ERROR_INVALID,
               _("expected %s, got “%s”"), what, shown);
  return FALSE;
}

/* A message about @text, quoted safely (les_text_for_message()) */
static gboolean
invalid (GError **error, const char *format, const char *text)
{
  g_autofree char *shown = les_text_for_message (text);

  g_set_error (error, LES_ERROR, LES_ERROR_INVALID, format, shown);
  return FALSE;
}

/* 10^(LES_DECIMAL_MAX_DIGITS + decimals) - 1: the largest value with @decimals places */
static gint64
decimal_max (guint decimals)
{
  gint64 max = 1;

  for (guint i = 0; i < LES_DECIMAL_MAX_DIGITS + decimals; i++)
    max *= 10;
  return max - 1;
}

/* "1234567.5" → "1,234,567.5": thousands grouped, as people write amounts */
static char *
group_thousands (const char *plain)
{
  GString *s = g_string_new (NULL);
  const char *digits = plain[0] == '-' ? plain + 1 : plain;
  const char *dot = strchr (digits, '.');
  gsize int_len = dot != NULL ? (gsize) (dot - digits) : strlen (digits);

  if (digits != plain)
    g_string_append_c (s, '-');
  for (gsize i = 0; i < int_len; i++)
    {
      if (i > 0 && (int_len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
  if (dot != NULL)
    g_string_append (s, dot);
  return g_string_free (s, FALSE);
}

static gboolean
out_of_range (GError **error, const char *text, gboolean negative, guint decimals, gboolean *range)
{
  g_autofree char *plain = les_decimal_format (decimal_max (decimals), decimals, decimals);
  g_autofree char *limit = group_thousands (plain);
  g_autofree char *shown = les_text_for_message (text);

  *range = TRUE;
  if (negative)
    g_set_error (error, LES_ERROR, LES_ERROR_INVALID, _("“%s” is too small (at least -%s)"), shown, limit);
  else
    g_set_error (error, LES_ERROR, LES_ERROR_INVALID, _("“%s” is too large (at most %s)"), shown, limit);
  return FALSE;
}

static gboolean
decimal_parse (const char  *text,
               const char  *shown,
               const char  *what,
               guint        decimals,
               gboolean     allow_currency,
               gint64      *out,
               gboolean    *range,
               GError     **error)
{
  const char *p;
  gboolean negative = FALSE;
  gboolean seen_pound = FALSE;
  gint64 value = 0;
  gint64 limit;
  guint int_digits = 0;
  guint group = 0;
  gboolean grouped = FALSE;
  guint frac = 0;
  g_autofree char *end_trimmed = NULL;
  gsize len;

  limit = decimal_max (decimals);
  end_trimmed = g_strdup (skip_space (text));
  len = strlen (end_trimmed);
  while (len > 0 && (end_trimmed[len - 1] == ' ' || end_trimmed[len - 1] == '\t'))
    end_trimmed[--len] = '\0';
  p = end_trimmed;

  if (*p == '\0')
    return fail (error, shown, what);

  for (int i = 0; i < 2; i++)
    {
      if (*p == '-' && !negative)
        {
          negative = TRUE;
          p++;
        }
      else if (allow_currency && !seen_pound && (guchar) p[0] == 0xC2 && (guchar) p[1] == 0xA3)
        {
          seen_pound = TRUE;
          p += 2;
        }
    }

  if (!g_ascii_isdigit (*p))
    return fail (error, shown, what);

  for (; *p != '\0' && *p != '.'; p++)
    {
      if (*p == ',')
        {
          /* thousands separators: groups of exactly three digits */
          if (int_digits == 0 || (grouped && group != 3) || (!grouped && group > 3))
            return fail (error, shown, what);
          grouped = TRUE;
          group = 0;
          continue;
        }
      if (!g_ascii_isdigit (*p))
        return fail (error, shown, what);
      /* value × 10 + digit ≤ limit, checked before it is formed */
      if (value > (limit - (*p - '0')) / 10)
        return out_of_range (error, shown, negative, decimals, range);
      value = value * 10 + (*p - '0');
      int_digits++;
      group++;
    }
  if (grouped && group != 3)
    return fail (error, shown, what);

  if (*p == '.')
    {
      p++;
      if (*p == '\0' && decimals == 0)
        return fail (error, shown, what);
      for (; *p != '\0'; p++)
        {
          if (!g_ascii_isdigit (*p))
            return fail (error, shown, what);
          if (frac < decimals)
            {
              if (value > (limit - (*p - '0')) / 10)
                return out_of_range (error, shown, negative, decimals, range);
              value = value * 10 + (*p - '0');
              frac++;
            }
          else if (*p != '0')
            {
              g_autofree char *quoted = les_text_for_message (shown);

              g_set_error (error, LES_ERROR, LES_ERROR_INVALID,
                           _("“%s” has more than %u decimal places"), quoted, decimals);
              return FALSE;
            }
        }
    }

  for (; frac < decimals; frac++)
    {
      if (value > limit / 10)
        return out_of_range (error, shown, negative, decimals, range);
      value *= 10;
    }

  *out = negative ? -value : value;
  return TRUE;
}

/**
 * les_decimal_parse:
 * @decimals: places kept (at most 4): the result is the value × 10^decimals
 *
 * Parses an amount or number exactly.  Values with more than
 * %LES_DECIMAL_MAX_DIGITS digits before the point are refused, never
 * wrapped: every step of the accumulation is checked against the limit
 * before it is taken.
 */
gboolean
les_decimal_parse (const char  *text,
                   guint        decimals,
                   gboolean     allow_currency,
                   gint64      *out,
                   GError     **error)
{
  gboolean range = FALSE;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (decimals <= 4, FALSE);

  return decimal_parse (text, text, allow_currency ? _("an amount such as 1234.56") : _("a number such as 12.5"),
                        decimals, allow_currency, out, &range, error);
}

gboolean
les_money_parse (const char *text, gint64 *pence, GError **error)
{
  return les_decimal_parse (text, 2, TRUE, pence, error);
}

gboolean
les_rate_parse (const char *text, gint64 *hundredths_of_penny, GError **error)
{
  return les_decimal_parse (text, 4, TRUE, hundredths_of_penny, error);
}

gboolean
les_percent_parse (const char *text, gint64 *hundredths, GError **error)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  gsize len = strlen (copy);
  const char *what = _("a percentage such as 80 or 97.5%");
  g_autoptr(GError) local = NULL;
  gboolean range = FALSE;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (hundredths != NULL, FALSE);

  if (len > 0 && copy[len - 1] == '%')
    copy[len - 1] = '\0';
  if (!decimal_parse (copy, text, what, 2, FALSE, hundredths, &range, &local))
    {
      /* too large is told as such; anything else is not a percentage */
      if (range)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      return fail (error, text, what);
    }
  return TRUE;
}

gboolean
les_count_parse (const char *text, gint64 max, gint64 *out, GError **error)
{
  char copy[32];
  gint64 value = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (max >= 9, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (!trim_into (text, copy, sizeof copy))
    return fail (error, text, _("a whole number"));
  if (copy[0] == '-' && copy[1] != '\0')
    return invalid (error, _("“%s” is negative; expected a whole number of 0 or more"), text);
  if (copy[0] == '\0')
    return fail (error, text, _("a whole number"));
  for (const char *p = copy; *p; p++)
    {
      if (!g_ascii_isdigit (*p))
        return fail (error, text, _("a whole number"));
      /* value × 10 + digit ≤ max, checked before it is formed */
      if (value > (max - (*p - '0')) / 10)
        {
          g_autofree char *shown = les_text_for_message (text);

          g_set_error (error, LES_ERROR, LES_ERROR_INVALID,
                       _("“%s” is too large (at most %" G_GINT64_FORMAT ")"), shown, max);
          return FALSE;
        }
      value = value * 10 + (*p - '0');
    }
  *out = value;
  return TRUE;
}

char *
les_decimal_format (gint64 value, guint decimals, guint min_decimals)
{
  char buf[LES_DECIMAL_BUF];
  gsize len = les_decimal_format_to (value, decimals, min_decimals, buf);

  return g_strndup (buf, len);
}

/**
 * les_decimal_format_to:
 * @buf: at least %LES_DECIMAL_BUF bytes
 *
 * les_decimal_format() into @buf, without allocating: an export formats
 * millions of amounts.
 *
 * Returns: the length written (@buf is NUL-terminated).
 */
gsize
les_decimal_format_to (gint64 value, guint decimals, guint min_decimals, char *buf)
{
  guint64 mag = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;
  char digits[24];
  guint n = 0, shown = decimals;
  gsize len = 0;

  g_return_val_if_fail (decimals <= 18, 0);

  /* the digits, least significant first, at least one before the point */
  do
    {
      digits[n++] = (char) ('0' + mag % 10);
      mag /= 10;
    }
  while (mag > 0 || n <= decimals);
  while (shown > min_decimals && digits[decimals - shown] == '0')
    shown--;

  if (value < 0)
    buf[len++] = '-';
  for (guint i = n; i > decimals; i--)
    buf[len++] = digits[i - 1];
  if (shown > 0)
    {
      buf[len++] = '.';
      for (guint i = 0; i < shown; i++)
        buf[len++] = digits[decimals - 1 - i];
    }
  buf[len] = '\0';
  return len;
}

char *
les_money_format (gint64 pence)
{
  return les_decimal_format (pence, 2, 2);
}

char *
les_money_format_display (gint64 pence)
{
  /* formatted with its sign, then the sign dropped: negating G_MININT64 would overflow */
  g_autofree char *plain = les_decimal_format (pence, 2, 2);
  g_autofree char *grouped = group_thousands (pence < 0 ? plain + 1 : plain);

  return g_strconcat (pence < 0 ? "−£" : "£", grouped, NULL);
}

/* A count for people: "11,536", "−3" */
char *
les_count_format_display (gint64 n)
{
  g_autofree char *plain = les_decimal_format (n, 0, 0);
  g_autofree char *grouped = group_thousands (n < 0 ? plain + 1 : plain);

  return g_strconcat (n < 0 ? "−" : "", grouped, NULL);
}

char *
les_rate_format (gint64 hundredths_of_penny)
{
  return les_decimal_format (hundredths_of_penny, 4, 2);
}

/* "£1,234.505", "−£0.41" */
char *
les_rate_format_display (gint64 hundredths_of_penny)
{
  g_autofree char *plain = les_rate_format (hundredths_of_penny);
  g_autofree char *grouped = group_thousands (hundredths_of_penny < 0 ? plain + 1 : plain);

  return g_strconcat (hundredths_of_penny < 0 ? "−£" : "£", grouped, NULL);
}

char *
les_percent_format (gint64 hundredths)
{
  return les_decimal_format (hundredths, 2, 0);
}

/* |a × b| ≤ the largest __int128, tested by division so that nothing overflows */
gboolean
les_int128_mul_exact (__int128 a, __int128 b, __int128 *out)
{
  const unsigned __int128 max = ((unsigned __int128) 1 << 127) - 1;
  unsigned __int128 ua = a < 0 ? -(unsigned __int128) a : (unsigned __int128) a;
  unsigned __int128 ub = b < 0 ? -(unsigned __int128) b : (unsigned __int128) b;
  unsigned __int128 product;

  g_return_val_if_fail (out != NULL, FALSE);

  /* one short of the negative limit, so that both signs share one bound */
  if (ua != 0 && ub > max / ua)
    return FALSE;
  product = ua * ub;
  *out = (a < 0) != (b < 0) ? -(__int128) product : (__int128) product;
  return TRUE;
}

gboolean
les_int64_add_exact (gint64 a, gint64 b, gint64 *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  return !__builtin_add_overflow (a, b, out);
}

gboolean
les_int64_sub_exact (gint64 a, gint64 b, gint64 *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  return !__builtin_sub_overflow (a, b, out);
}

static gboolean
fits_int64 (__int128 q)
{
  return q >= G_MININT64 && q <= G_MAXINT64;
}

/* num / den rounded half away from zero, before any narrowing */
static __int128
round_div_128 (__int128 num, __int128 den)
{
  __int128 q, r;

  if (den < 0)
    {
      num = -num;
      den = -den;
    }
  q = num / den;    /* truncates towards zero */
  r = num % den;    /* same sign as num */
  if (r < 0)
    r = -r;
  /* 2r ≥ den as r ≥ den - r: 2r itself could overflow */
  if (r >= den - r)
    q += num < 0 ? -1 : 1;
  return q;
}

static __int128
floor_div_128 (__int128 num, __int128 den)
{
  __int128 q;

  if (den < 0)
    {
      num = -num;
      den = -den;
    }
  q = num / den;
  if (num % den != 0 && num < 0)
    q -= 1;
  return q;
}

/**
 * les_round_div_exact:
 * @den: non-zero
 * @out: (out): num / den rounded half away from zero
 *
 * Returns: FALSE, leaving @out alone, when the result does not fit 64 bits.
 */
gboolean
les_round_div_exact (__int128 num, __int128 den, gint64 *out)
{
  __int128 q;

  g_return_val_if_fail (den != 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  q = round_div_128 (num, den);
  if (!fits_int64 (q))
    return FALSE;
  *out = (gint64) q;
  return TRUE;
}

gboolean
les_floor_div_exact (__int128 num, __int128 den, gint64 *out)
{
  __int128 q;

  g_return_val_if_fail (den != 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  q = floor_div_128 (num, den);
  if (!fits_int64 (q))
    return FALSE;
  *out = (gint64) q;
  return TRUE;
}

/* For quotients known to fit (the bound stands beside each call); one that
 * does not is pinned to the nearest end of the range, never wrapped. */
gint64
les_round_div (__int128 num, __int128 den)
{
  __int128 q;

  g_assert (den != 0);
  q = round_div_128 (num, den);
  return q > G_MAXINT64 ? G_MAXINT64 : q < G_MININT64 ? G_MININT64 : (gint64) q;
}

gint64
les_floor_div (__int128 num, __int128 den)
{
  __int128 q;

  g_assert (den != 0);
  q = floor_div_128 (num, den);
  return q > G_MAXINT64 ? G_MAXINT64 : q < G_MININT64 ? G_MININT64 : (gint64) q;
}

/* Dates */

gboolean
les_date_valid (int y, int m, int d)
{
  return y >= 1900 && y <= 2999 && m >= 1 && m <= 12 && d >= 1 && d <= les_days_in_month (y, m);
}

int
les_days_in_month (int y, int m)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return 29;
  return days[m - 1];
}

static gboolean
digits (const char *p, int n, int *out)
{
  int v = 0;

  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (p[i]))
        return FALSE;
      v = v * 10 + (p[i] - '0');
    }
  *out = v;
  return TRUE;
}

gboolean
les_date_parse (const char *text, gint32 *ymd, GError **error)
{
  static const char *months[] = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                  "JUL", "AUG", "SEP", "OCT", "NOV", "DEC" };
  char t[16];
  gsize len;
  int y = 0, m = 0, d = 0;
  gboolean ok = FALSE;

  if (!trim_into (text, t, sizeof t))
    return fail (error, text, _("a date such as 2024-04-01 or 01/04/2024"));
  len = strlen (t);
  if (len == 10 && t[4] == '-' && t[7] == '-')
    ok = digits (t, 4, &y) && digits (t + 5, 2, &m) && digits (t + 8, 2, &d);
  else if (len == 10 && t[2] == '/' && t[5] == '/')
    ok = digits (t, 2, &d) && digits (t + 3, 2, &m) && digits (t + 6, 4, &y);
  else if (len == 9 && digits (t, 2, &d) && digits (t + 5, 4, &y))
    {
      for (int i = 0; i < 12; i++)
        if (g_ascii_strncasecmp (t + 2, months[i], 3) == 0)
          {
            m = i + 1;
            ok = TRUE;
          }
    }

  if (!ok || !les_date_valid (y, m, d))
    return fail (error, text, _("a date such as 2024-04-01 or 01/04/2024"));
  *ymd = y * 10000 + m * 100 + d;
  return TRUE;
}

void
les_date_format (gint32 ymd, char buf[11])
{
  g_snprintf (buf, 11, "%04d-%02d-%02d", ymd / 10000, ymd / 100 % 100, ymd % 100);
}

/* Further than any valid date is from any other (1900-01-01 to 2999-12-31 is
 * 401,767 days), and near enough that GDate's years stay within 1–65535. */
#define DAYS_BEYOND_ANY_DATE 500000

gint32
les_date_add_days (gint32 ymd, int days)
{
  GDate date;

  /* a deadline of a billion days is past every valid date, as this is:
   * comparisons with valid dates come out the same */
  days = CLAMP (days, -DAYS_BEYOND_ANY_DATE, DAYS_BEYOND_ANY_DATE);
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, ymd % 100, ymd / 100 % 100, ymd / 10000);
  if (days >= 0)
    g_date_add_days (&date, days);
  else
    g_date_subtract_days (&date, -days);
  return g_date_get_year (&date) * 10000 + g_date_get_month (&date) * 100 + g_date_get_day (&date);
}

/* Periods */

gboolean
les_period_parse (const char *text, gint32 *ym, GError **error)
{
  char t[16];
  int y = 0, m = 0;

  if (!trim_into (text, t, sizeof t) || strlen (t) != 7 || t[4] != '-' || !digits (t, 4, &y) || !digits (t + 5, 2, &m)
      || !les_date_valid (y, m, 1))
    return fail (error, text, _("a month such as 2024-04"));
  *ym = y * 100 + m;
  return TRUE;
}

void
les_period_format (gint32 ym, char buf[8])
{
  g_snprintf (buf, 8, "%04d-%02d", ym / 100, ym % 100);
}

/* A month for people, in the user's language: "December 2024"; "" for 0. */
char *
les_period_format_display (gint32 ym)
{
  g_autoptr(GDateTime) dt = NULL;

  if (ym == 0)
    return g_strdup ("");
  dt = g_date_time_new_utc (ym / 100, ym % 100, 1, 0, 0, 0);
  return dt != NULL ? g_date_time_format (dt, "%B %Y") : g_strdup ("");
}

gint32
les_period_first_day (gint32 ym)
{
  return ym * 100 + 1;
}

gint32
les_period_last_day (gint32 ym)
{
  return ym * 100 + les_days_in_month (ym / 100, ym % 100);
}

gint32
les_period_add_months (gint32 ym, int months)
{
  int index = (ym / 100) * 12 + (ym % 100 - 1) + months;

  return (index / 12) * 100 + index % 12 + 1;
}

int
les_period_fy (gint32 ym)
{
  return ym % 100 >= 4 ? ym / 100 : ym / 100 - 1;
}

int
les_period_month_number (gint32 ym)
{
  return (ym % 100 + 8) % 12 + 1;
}

gint32
les_fy_period (int fy, int month_number)
{
  return les_period_add_months (fy * 100 + 4, month_number - 1);
}

gboolean
les_period_is_quarter_end (gint32 ym)
{
  return ym % 100 % 3 == 0;
}

/* Years */

gboolean
les_year_parse (const char *text, int *fy, GError **error)
{
  char t[16];
  int y = 0, next = 0;
  gsize len = trim_into (text, t, sizeof t) ? strlen (t) : 0;

  if (len == 7 && t[4] == '/' && digits (t, 4, &y) && digits (t + 5, 2, &next)
      && y >= 1900 && y <= 2998 && next == (y + 1) % 100)
    {
      *fy = y;
      return TRUE;
    }
  return fail (error, text, _("a financial year such as 2024/25"));
}

char *
les_year_format (int fy)
{
  return g_strdup_printf ("%04d/%02d", fy, (fy + 1) % 100);
}

/* Codes */

char *
les_code_normalise (const char *text, GError **error)
{
  g_autofree char *t = g_strstrip (g_strdup (text));

  if (t[0] == '\0')
    {
      g_set_error_literal (error, LES_ERROR, LES_ERROR_INVALID, _("is empty"));
      return NULL;
    }
  for (char *p = t; *p; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
        {
          invalid (error, _("“%s” may hold only letters, digits, “-” and “_”"), text);
          return NULL;
        }
      *p = g_ascii_toupper (*p);
    }
  return g_steal_pointer (&t);
}

gboolean
les_ods_code_valid (const char *code)
{
  int unused;

  return strlen (code) == 6 && g_ascii_isalpha (code[0]) && digits (code + 1, 5, &unused);
}

gboolean
les_nhs_number_normalise (const char *text, char out[11])
{
  gsize n = 0;

  for (const char *p = text; *p; p++)
    {
      if (*p == ' ' || *p == '\t')
        continue;
      if (!g_ascii_isdigit (*p) || n >= 10)
        return FALSE;
      out[n++] = *p;
    }
  out[n] = '\0';
  return n == 10;
}

gboolean
les_nhs_number_valid (const char *digits_)
{
  int sum = 0, check;

  if (strlen (digits_) != 10)
    return FALSE;
  for (int i = 0; i < 10; i++)
    if (!g_ascii_isdigit (digits_[i]))
      return FALSE;
  for (int i = 0; i < 9; i++)
    sum += (digits_[i] - '0') * (10 - i);
  check = 11 - sum % 11;
  if (check == 11)
    check = 0;
  if (check == 10)
    return FALSE;
  return check == digits_[9] - '0';
}

/* Characters a message must not carry as they are: C0 and C1 controls, and
 * the ones that reorder or break lines of text (bidirectional overrides and
 * isolates, line and paragraph separators) */
static gboolean
unsafe_in_message (gunichar c)
{
  return c < 0x20 || (c >= 0x7F && c <= 0x9F)
         || c == 0x200E || c == 0x200F || (c >= 0x2028 && c <= 0x202E)
         || (c >= 0x2066 && c <= 0x2069);
}

char *
les_text_for_message (const char *text)
{
  GString *out;
  const char *p = text;
  guint shown = 0;

  if (text == NULL)
    return g_strdup ("");
  out = g_string_sized_new (strlen (text) + 8);
  while (*p != '\0')
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (shown == LES_MESSAGE_VALUE_MAX)
        {
          g_string_append (out, "…");
          break;
        }
      shown++;
      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* not UTF-8: the byte as it is in the file */
          g_string_append_printf (out, "\\x%02X", (guchar) *p);
          p++;
          continue;
        }
      if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x80 && unsafe_in_message (c))
        g_string_append_printf (out, "\\x%02X", c);
      else if (unsafe_in_message (c))
        g_string_append_printf (out, "\\u%04X", c);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  return g_string_free (out, FALSE);
}
