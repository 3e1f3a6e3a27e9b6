/* les-column.h: a column of FORMATS.md — its type — and the one parser of its cells, shared by imports, the service editor and the command line. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  LES_COL_TEXT,        /* free text, trimmed */
  LES_COL_CODE,        /* letters, digits, - and _; upper-cased */
  LES_COL_ODS,         /* a practice code: one letter, five digits */
  LES_COL_DATE,        /* stored YYYY-MM-DD */
  LES_COL_PERIOD,      /* stored YYYY-MM */
  LES_COL_YEAR,        /* 2024/25, stored 2024 */
  LES_COL_MONEY,       /* pence, may be negative */
  LES_COL_MONEY_POS,   /* pence, 0 or more */
  LES_COL_RATE,        /* hundredths of a penny, 0 or more */
  LES_COL_PERCENT,     /* hundredths of a percent, 0 to 100 */
  LES_COL_PERCENT_ANY, /* hundredths of a percent, 0 or more */
  LES_COL_COUNT,       /* a whole number, 0 or more */
  LES_COL_CENTI,       /* a number with up to 2 decimals, 0 or more, stored in hundredths */
  LES_COL_CHOICE,      /* one of an enum's words (les-enums.h), any case */
} LesColType;

typedef struct {
  const char         *name;        /* CSV column, also the database column unless db_name */
  LesColType          type;
  gboolean            required;
  /* a choice: the enum's words, such as les_cap_mode_words; a word's index is its enum value */
  const char * const *(*words) (void);
  const char         *db_name;
  gboolean            blank_ok;    /* a required column whose cells may be blank */
} LesColumn;

typedef enum {
  LES_VALUE_BLANK,     /* an empty cell: NULL in the database */
  LES_VALUE_INT,       /* year, money, rate, percentage, count, hundredths */
  LES_VALUE_TEXT,      /* text, code, date, period, choice */
} LesValueType;

/* A parsed cell, as it is stored.  A text points into the text given to
 * les_column_parse() (or, for a choice, to the enum's word; for a date or
 * period not written as stored, to @buf): read it with les_value_get_text(). */
typedef struct {
  LesValueType  type;
  /* the number; a date's YYYYMMDD, a period's YYYYMM; a choice's enum value */
  gint64        i;
  const char   *s;        /* NULL when the text is in @buf */
  char          buf[12];
} LesValue;

/* Parses @text (changed in place: trimmed of spaces and tabs, codes
 * upper-cased) as a cell of @col; the error message names no column. */
gboolean     les_column_parse          (const LesColumn  *col,
                                        char             *text,
                                        LesValue         *value,
                                        GError          **error);
/* A blank choice cell becomes the choice @choice (an enum value), a default. */
void         les_column_default_choice (const LesColumn  *col,
                                        LesValue         *value,
                                        int               choice);

static inline const char *
les_value_get_text (const LesValue *value)
{
  return value->s != NULL ? value->s : value->buf;
}

G_END_DECLS
