/* les-column.c: the one parser of a column's cells (FORMATS.md, "Reading CSV"), for imports, the editor and the CLI. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-column.h"
#include "les-error.h"
#include "les-value.h"

/* Largest count a cell may hold: far above any real list or claim, far
 * below what products of counts and rates could overflow. */
#define LES_COUNT_MAX G_GINT64_CONSTANT (1000000000000)

/* Spaces and tabs only, as a spreadsheet pads a cell; any other character
 * (a line break inside a quoted cell) is part of the value. */
static char *
trim_in_place (char *text)
{
  char *end;

  while (*text == ' ' || *text == '\t')
    text++;
  end = text + strlen (text);
  while (end > text && (end[-1] == ' ' || end[-1] == '\t'))
    *--end = '\0';
  return text;
}

static void
set_int (LesValue *value, gint64 n)
{
  value->type = LES_VALUE_INT;
  value->i = n;
}

static void
set_text (LesValue *value, const char *text)
{
  value->type = LES_VALUE_TEXT;
  value->s = text;
}

/* A message about the cell @text: the cell quoted safely (les_text_for_message()) */
static gboolean
invalid (GError **error, const char *format, const char *text)
{
  g_autofree char *shown = les_text_for_message (text);

  g_set_error (error, LES_ERROR, LES_ERROR_INVALID, format, shown);
  return FALSE;
}

static gboolean
parse_code (const LesColumn *col, char *text, LesValue *value, GError **error)
{
  /* checked, then upper-cased where it lies: no copy for a million claims */
  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      return invalid (error, _("“%s” may hold only letters, digits, “-” and “_”"), text);
  for (char *p = text; *p; p++)
    *p = g_ascii_toupper (*p);
  if (col->type == LES_COL_ODS && !les_ods_code_valid (text))
    return invalid (error, _("“%s” is not a practice code (one letter and five digits, such as M83001)"), text);
  set_text (value, text);
  return TRUE;
}

static gboolean
parse_choice (const LesColumn *col, const char *text, LesValue *value, GError **error)
{
  const char * const *words = col->words ();
  g_autofree char *list = NULL;
  g_autofree char *shown = NULL;

  for (int i = 0; words[i] != NULL; i++)
    if (g_ascii_strcasecmp (text, words[i]) == 0)
      {
        set_text (value, words[i]);
        value->i = i;
        return TRUE;
      }
  list = g_strjoinv (", ", (char **) words);
  shown = les_text_for_message (text);
  g_set_error (error, LES_ERROR, LES_ERROR_INVALID, _("“%s” is not one of %s"), shown, list);
  return FALSE;
}

/**
 * les_column_parse:
 * @text: the cell, changed in place; @value may point into it
 *
 * Reads one cell as FORMATS.md says for @col's type: blank is fine unless
 * the column is required; codes are upper-cased; dates and periods are
 * given as stored; amounts, rates and percentages in their integer units;
 * a choice is its enum's word, in any case.
 */
gboolean
les_column_parse (const LesColumn *col, char *text, LesValue *value, GError **error)
{
  gint64 n = 0;
  gint32 ym = 0;
  int fy = 0;

  g_return_val_if_fail (col != NULL && text != NULL && value != NULL, FALSE);

  value->type = LES_VALUE_BLANK;
  value->i = 0;
  value->s = NULL;
  value->buf[0] = '\0';
  text = trim_in_place (text);
  if (text[0] == '\0')
    {
      if (col->required && !col->blank_ok)
        {
          g_set_error_literal (error, LES_ERROR, LES_ERROR_INVALID, _("a value is required"));
          return FALSE;
        }
      return TRUE;
    }

  switch (col->type)
    {
    case LES_COL_TEXT:
      set_text (value, text);
      return TRUE;

    case LES_COL_CODE:
    case LES_COL_ODS:
      return parse_code (col, text, value, error);

    case LES_COL_DATE:
      if (!les_date_parse (text, &ym, error))
        return FALSE;
      value->type = LES_VALUE_TEXT;
      value->i = ym;
      /* most cells are written as stored: no formatting for them */
      if (text[4] == '-' && strlen (text) == 10)
        value->s = text;
      else
        les_date_format (ym, value->buf);
      return TRUE;

    case LES_COL_PERIOD:
      /* only YYYY-MM is a period, which is how it is stored */
      if (!les_period_parse (text, &ym, error))
        return FALSE;
      set_text (value, text);
      value->i = ym;
      return TRUE;

    case LES_COL_YEAR:
      if (!les_year_parse (text, &fy, error))
        return FALSE;
      set_int (value, fy);
      return TRUE;

    case LES_COL_MONEY:
    case LES_COL_MONEY_POS:
      if (!les_money_parse (text, &n, error))
        return FALSE;
      if (col->type == LES_COL_MONEY_POS && n < 0)
        return invalid (error, _("“%s” is negative; expected an amount of 0 or more"), text);
      set_int (value, n);
      return TRUE;

    case LES_COL_RATE:
      if (!les_rate_parse (text, &n, error))
        return FALSE;
      if (n < 0)
        return invalid (error, _("“%s” is negative; expected a rate of 0 or more"), text);
      set_int (value, n);
      return TRUE;

    case LES_COL_PERCENT:
    case LES_COL_PERCENT_ANY:
      if (!les_percent_parse (text, &n, error))
        return FALSE;
      if (n < 0 || (col->type == LES_COL_PERCENT && n > 100 * LES_PCT_SCALE))
        return invalid (error,
                        col->type == LES_COL_PERCENT ? _("“%s” is out of range; expected a percentage from 0 to 100")
                                                     : _("“%s” is out of range; expected a percentage of 0 or more"),
                        text);
      set_int (value, n);
      return TRUE;

    case LES_COL_COUNT:
      if (!les_count_parse (text, LES_COUNT_MAX, &n, error))
        return FALSE;
      set_int (value, n);
      return TRUE;

    case LES_COL_CENTI:
      if (!les_decimal_parse (text, 2, FALSE, &n, error))
        return FALSE;
      if (n < 0)
        return invalid (error, _("“%s” is negative; expected 0 or more"), text);
      set_int (value, n);
      return TRUE;

    case LES_COL_CHOICE:
      return parse_choice (col, text, value, error);

    default:
      g_assert_not_reached ();
    }
  return FALSE;
}

void
les_column_default_choice (const LesColumn *col, LesValue *value, int choice)
{
  g_return_if_fail (col != NULL && col->type == LES_COL_CHOICE);
  g_return_if_fail (choice >= 0 && (guint) choice < g_strv_length ((char **) col->words ()));

  if (value->type != LES_VALUE_BLANK)
    return;
  set_text (value, col->words ()[choice]);
  value->i = choice;
}
