/* les-kinds.h: the CSV import kinds of FORMATS.md and their columns. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  LES_KIND_PRACTICES,
  LES_KIND_LIST_SIZES,
  LES_KIND_SERVICES,
  LES_KIND_RULES,
  LES_KIND_SIGNUPS,
  LES_KIND_COHORTS,
  LES_KIND_ALLOCATIONS,
  LES_KIND_CLAIMS,
  LES_KIND_PATIENT_ACTIVITY,
  LES_KIND_ACHIEVEMENTS,
  LES_KIND_LEDGER,
  LES_N_KINDS,
  LES_KIND_INVALID = -1,
} LesKind;

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
  LES_COL_CHOICE,      /* one of choices, lower-cased */
} LesColType;

typedef struct {
  const char         *name;        /* CSV column, also the database column unless db_name */
  LesColType          type;
  gboolean            required;
  const char * const *choices;
  const char         *db_name;
  gboolean            blank_ok;    /* a required column whose cells may be blank */
} LesColumn;

typedef struct {
  LesKind          kind;
  const char      *name;           /* as on the command line: "list-sizes" */
  const char      *table;          /* database table */
  const LesColumn *columns;
  guint            n_columns;
  guint            key_mask;       /* bit i set: column i is part of the key */
  const char      *order_by;       /* export order */
} LesKindInfo;

const LesKindInfo *les_kind_get_info     (LesKind      kind);
LesKind            les_kind_from_string  (const char  *name);
const char        *les_kind_to_string    (LesKind      kind);
/* Recognises a kind from a header row's column names (NULL-terminated). */
LesKind            les_kind_detect       (const char * const *header);

G_END_DECLS
