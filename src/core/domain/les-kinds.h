/* les-kinds.h: the CSV import kinds of FORMATS.md and their columns. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "les-column.h"

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
/* The index of the column named @name in @info, or -1. */
int                les_kind_column_index (const LesKindInfo *info,
                                          const char  *name);
/* Recognises a kind from a header row's column names (NULL-terminated). */
LesKind            les_kind_detect       (const char * const *header);

G_END_DECLS
