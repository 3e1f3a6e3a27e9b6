/* test-column.c: unit tests of the one cell parser (les-column.h) that imports, the service editor and the CLI share. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-column.h"
#include "les-enums.h"
#include "les-error.h"
#include "les-kinds.h"

static const LesColumn text_col = { "name", LES_COL_TEXT, FALSE };
static const LesColumn required_col = { "name", LES_COL_TEXT, TRUE };
static const LesColumn blank_ok_col = { "nhs_number", LES_COL_TEXT, TRUE, NULL, NULL, TRUE };
static const LesColumn code_col = { "service_code", LES_COL_CODE, TRUE };
static const LesColumn ods_col = { "practice_code", LES_COL_ODS, TRUE };
static const LesColumn date_col = { "start_date", LES_COL_DATE, FALSE };
static const LesColumn period_col = { "period", LES_COL_PERIOD, TRUE };
static const LesColumn year_col = { "year", LES_COL_YEAR, TRUE };
static const LesColumn money_col = { "amount", LES_COL_MONEY, TRUE };
static const LesColumn money_pos_col = { "budget", LES_COL_MONEY_POS, FALSE };
static const LesColumn rate_col = { "rate", LES_COL_RATE, FALSE };
static const LesColumn pct_col = { "upper_pct", LES_COL_PERCENT, FALSE };
static const LesColumn pct_any_col = { "achieved_pct", LES_COL_PERCENT_ANY, TRUE };
static const LesColumn count_col = { "count", LES_COL_COUNT, TRUE };
static const LesColumn centi_col = { "weighted", LES_COL_CENTI, FALSE };
static const LesColumn cap_mode_col = { "cap_mode", LES_COL_CHOICE, FALSE, les_cap_mode_words };
static const LesColumn schedule_col = { "schedule", LES_COL_CHOICE, FALSE, les_schedule_words };

/* Parses a copy of @text; @buf keeps what @value points into */
static gboolean
parse (const LesColumn *col, const char *text, char buf[64], LesValue *value, GError **error)
{
  g_assert_cmpuint (strlen (text), <, 64);
  strcpy (buf, text);
  return les_column_parse (col, buf, value, error);
}

static void
assert_int (const LesColumn *col, const char *text, gint64 want)
{
  g_autoptr(GError) error = NULL;
  char buf[64];
  LesValue value;

  g_test_message ("%s: “%s”", col->name, text);
  g_assert_true (parse (col, text, buf, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (value.type, ==, LES_VALUE_INT);
  g_assert_cmpint (value.i, ==, want);
}

static void
assert_text (const LesColumn *col, const char *text, const char *want)
{
  g_autoptr(GError) error = NULL;
  char buf[64];
  LesValue value;

  g_test_message ("%s: “%s”", col->name, text);
  g_assert_true (parse (col, text, buf, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (value.type, ==, LES_VALUE_TEXT);
  g_assert_cmpstr (les_value_get_text (&value), ==, want);
}

/* Fails with a message containing @part; the value is left blank */
static void
assert_bad (const LesColumn *col, const char *text, const char *part)
{
  g_autoptr(GError) error = NULL;
  char buf[64];
  LesValue value;

  g_test_message ("%s: “%s”", col->name, text);
  g_assert_false (parse (col, text, buf, &value, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, part));
  g_assert_cmpint (value.type, ==, LES_VALUE_BLANK);
}

static void
assert_blank (const LesColumn *col, const char *text)
{
  g_autoptr(GError) error = NULL;
  char buf[64];
  LesValue value;

  g_assert_true (parse (col, text, buf, &value, &error));
  g_assert_no_error (error);
  g_assert_cmpint (value.type, ==, LES_VALUE_BLANK);
}

static void
test_blank (void)
{
  assert_blank (&text_col, "");
  assert_blank (&text_col, " \t ");
  assert_blank (&money_pos_col, "  ");
  assert_bad (&required_col, "", "a value is required");
  assert_bad (&required_col, "\t", "a value is required");
  assert_bad (&count_col, " ", "a value is required");
  /* a blank NHS number is an invalid line, kept to be reported */
  assert_blank (&blank_ok_col, "");
}

/* Import trimmed spaces and tabs, the editor every kind of white space: now
 * both trim spaces and tabs, and a line break is part of the value. */
static void
test_trimming (void)
{
  assert_text (&text_col, "  Ashford Medical Centre\t", "Ashford Medical Centre");
  assert_text (&text_col, "two\tparts ", "two\tparts");
  assert_text (&text_col, "line\n", "line\n");
  assert_int (&count_col, " 12\t", 12);
  assert_bad (&count_col, "12\n", "a whole number");
  assert_bad (&count_col, "\r12", "a whole number");
  assert_int (&money_col, "\t£1,234.56 ", 123456);
}

static void
test_codes (void)
{
  g_autoptr(GError) error = NULL;
  char buf[64];
  LesValue value;

  assert_text (&code_col, " ecg-2_b ", "ECG-2_B");
  assert_bad (&code_col, "BAD CODE", "“BAD CODE” may hold only letters, digits, “-” and “_”");
  assert_bad (&code_col, "RULE:ACH", "may hold only");
  assert_bad (&code_col, "é1", "may hold only");
  /* practice codes are ODS codes; the editor's parser never checked them */
  assert_text (&ods_col, "m83001", "M83001");
  assert_bad (&ods_col, "M8300", "is not a practice code");
  assert_bad (&ods_col, "MM3001", "is not a practice code");
  assert_bad (&ods_col, "m8300x", "“M8300X” is not a practice code");

  /* parsed in place, with no copy */
  g_assert_true (parse (&code_col, " abc", buf, &value, &error));
  g_assert_true (value.s == buf + 1);
  g_assert_cmpstr (buf + 1, ==, "ABC");
}

static void
test_dates (void)
{
  g_autoptr(GError) error = NULL;
  char buf[64];
  LesValue value, copy;

  assert_text (&date_col, "2024-04-01", "2024-04-01");
  assert_text (&date_col, "01/04/2024", "2024-04-01");
  assert_text (&date_col, " 29/02/2024 ", "2024-02-29");
  assert_text (&date_col, "01JUL2024", "2024-07-01");
  assert_text (&date_col, "01jul2024", "2024-07-01");
  assert_bad (&date_col, "2024-02-30", "expected a date such as 2024-04-01 or 01/04/2024");
  assert_bad (&date_col, "1/4/2024", "expected a date");
  assert_bad (&date_col, "2024-4-1", "expected a date");

  /* written as stored: the value is the text itself; otherwise its own copy, which survives copying */
  g_assert_true (parse (&date_col, "2024-04-01", buf, &value, &error));
  g_assert_true (value.s == buf);
  g_assert_cmpint (value.i, ==, 20240401);
  g_assert_true (parse (&date_col, "31/12/2024", buf, &value, &error));
  g_assert_null (value.s);
  copy = value;
  memset (&value, 0, sizeof value);
  g_assert_cmpstr (les_value_get_text (&copy), ==, "2024-12-31");
  g_assert_cmpint (copy.i, ==, 20241231);
}

/* Periods and hundredths: the editor's parser stopped the program on them */
static void
test_periods_and_years (void)
{
  g_autoptr(GError) error = NULL;
  char buf[64];
  LesValue value;

  assert_text (&period_col, " 2024-05 ", "2024-05");
  g_assert_true (parse (&period_col, "2025-03", buf, &value, &error));
  g_assert_cmpint (value.i, ==, 202503);
  assert_bad (&period_col, "2024-4", "expected a month such as 2024-04");
  assert_bad (&period_col, "2024-13", "expected a month");
  assert_bad (&period_col, "04/2024", "expected a month");

  assert_int (&year_col, "2024/25", 2024);
  assert_int (&year_col, " 1999/00 ", 1999);
  assert_bad (&year_col, "2024/26", "expected a financial year such as 2024/25");
  assert_bad (&year_col, "2024", "expected a financial year");
}

static void
test_amounts (void)
{
  assert_int (&money_col, "1234.56", 123456);
  assert_int (&money_col, "£1,234.56", 123456);
  assert_int (&money_col, "1,234.5", 123450);
  assert_int (&money_col, "-12.50", -1250);
  assert_int (&money_col, "2.500", 250);
  assert_bad (&money_col, "1.234", "has more than 2 decimal places");
  assert_bad (&money_col, "12,34", "expected an amount such as 1234.56");
  assert_int (&money_pos_col, "0", 0);
  assert_bad (&money_pos_col, "-1", "“-1” is negative; expected an amount of 0 or more");

  assert_int (&rate_col, "0.41", 4100);
  assert_int (&rate_col, "£130.005", 1300050);
  assert_int (&rate_col, "52.5050", 525050);
  assert_bad (&rate_col, "1.00001", "has more than 4 decimal places");
  assert_bad (&rate_col, "-0.01", "“-0.01” is negative; expected a rate of 0 or more");

  assert_int (&centi_col, "1,000.5", 100050);
  assert_int (&centi_col, "12.3", 1230);
  assert_bad (&centi_col, "12.345", "has more than 2 decimal places");
  assert_bad (&centi_col, "-3", "“-3” is negative; expected 0 or more");
  assert_bad (&centi_col, "£3", "expected a number such as 12.5");
}

static void
test_percentages_and_counts (void)
{
  assert_int (&pct_col, "80", 8000);
  assert_int (&pct_col, "97.5%", 9750);
  assert_int (&pct_col, " 100 ", 10000);
  assert_int (&pct_col, "0%", 0);
  assert_bad (&pct_col, "100.01", "“100.01” is out of range; expected a percentage from 0 to 100");
  assert_bad (&pct_col, "150%", "expected a percentage from 0 to 100");
  assert_bad (&pct_col, "-1", "out of range");
  assert_bad (&pct_col, "eighty", "expected a percentage such as 80 or 97.5%");
  assert_int (&pct_any_col, "120%", 12000);
  assert_bad (&pct_any_col, "-1", "“-1” is out of range; expected a percentage of 0 or more");

  assert_int (&count_col, "0", 0);
  assert_int (&count_col, "1000000000000", G_GINT64_CONSTANT (1000000000000));
  assert_bad (&count_col, "1000000000001", "is too large");
  assert_bad (&count_col, "-3", "“-3” is negative; expected a whole number of 0 or more");
  assert_bad (&count_col, "1.5", "expected a whole number");
  assert_bad (&count_col, "1,000", "expected a whole number");
}

static void
test_choices (void)
{
  g_autoptr(GError) error = NULL;
  char buf[64];
  LesValue value;

  /* the enum's own word, whatever the case; the value is the enum's */
  g_assert_true (parse (&cap_mode_col, " HOLD ", buf, &value, &error));
  g_assert_cmpint (value.type, ==, LES_VALUE_TEXT);
  g_assert_true (value.s == les_cap_mode_words ()[LES_CAP_MODE_HOLD]);
  g_assert_cmpint (value.i, ==, LES_CAP_MODE_HOLD);
  g_assert_true (parse (&schedule_col, "Quarterly", buf, &value, &error));
  g_assert_cmpint (value.i, ==, LES_SCHEDULE_QUARTERLY);
  assert_text (&schedule_col, "monthly", "monthly");
  assert_bad (&schedule_col, "weekly", "“weekly” is not one of monthly, quarterly");
  assert_bad (&cap_mode_col, "pro rata", "“pro rata” is not one of none, hold, prorata");

  /* a default fills a blank, and only a blank */
  g_assert_true (parse (&cap_mode_col, "", buf, &value, &error));
  les_column_default_choice (&cap_mode_col, &value, LES_CAP_MODE_NONE);
  g_assert_cmpint (value.type, ==, LES_VALUE_TEXT);
  g_assert_cmpstr (les_value_get_text (&value), ==, "none");
  g_assert_cmpint (value.i, ==, LES_CAP_MODE_NONE);
  g_assert_true (parse (&cap_mode_col, "prorata", buf, &value, &error));
  les_column_default_choice (&cap_mode_col, &value, LES_CAP_MODE_NONE);
  g_assert_cmpint (value.i, ==, LES_CAP_MODE_PRORATA);
}

/* Every choice column of the import kinds takes its words from an enum of les-enums.h */
static void
test_kinds_use_enum_words (void)
{
  struct { const char *column; const char * const *words; } expected[] = {
    { "cap_mode", les_cap_mode_words () }, { "schedule", les_schedule_words () },
    { "claim_frequency", les_claim_frequency_words () }, { "kind", les_rule_kind_words () },
    { "rate_per", les_rate_per_words () }, { "base", les_base_words () },
    { "settlement", les_settlement_words () },
  };
  guint n_choices = 0;

  for (int k = 0; k < LES_N_KINDS; k++)
    {
      const LesKindInfo *info = les_kind_get_info ((LesKind) k);

      for (guint c = 0; c < info->n_columns; c++)
        {
          const LesColumn *col = &info->columns[c];
          gboolean found = FALSE;

          if (col->type != LES_COL_CHOICE)
            {
              g_assert_null (col->words);
              continue;
            }
          n_choices++;
          for (guint e = 0; e < G_N_ELEMENTS (expected); e++)
            if (strcmp (expected[e].column, col->name) == 0)
              {
                g_assert_true (col->words () == expected[e].words);
                found = TRUE;
              }
          g_assert_true (found);
        }
      g_assert_cmpint (les_kind_column_index (info, info->columns[0].name), ==, 0);
      g_assert_cmpint (les_kind_column_index (info, "no_such_column"), ==, -1);
    }
  g_assert_cmpuint (n_choices, ==, G_N_ELEMENTS (expected));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/column/blank", test_blank);
  g_test_add_func ("/column/trimming", test_trimming);
  g_test_add_func ("/column/codes", test_codes);
  g_test_add_func ("/column/dates", test_dates);
  g_test_add_func ("/column/periods-and-years", test_periods_and_years);
  g_test_add_func ("/column/amounts", test_amounts);
  g_test_add_func ("/column/percentages-and-counts", test_percentages_and_counts);
  g_test_add_func ("/column/choices", test_choices);
  g_test_add_func ("/column/kinds-use-enum-words", test_kinds_use_enum_words);

  return g_test_run ();
}
