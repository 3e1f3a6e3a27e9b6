/* fuzz-import-cohorts.c: libFuzzer target — a cohorts CSV through les_import_file on a fresh database. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#define FUZZ_KIND LES_KIND_COHORTS

#include "fuzz-import.h"
