/* fuzz-import-rules.c: libFuzzer target — a rules CSV through les_import_file on a fresh database. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#define FUZZ_KIND LES_KIND_RULES

#include "fuzz-import.h"
