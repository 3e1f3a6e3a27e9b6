/* fuzz-import-allocations.c: libFuzzer target — a allocations CSV through les_import_file on a fresh database. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#define FUZZ_KIND LES_KIND_ALLOCATIONS

#include "fuzz-import.h"
