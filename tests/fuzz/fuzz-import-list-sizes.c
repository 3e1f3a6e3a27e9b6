/* fuzz-import-list-sizes.c: libFuzzer target — a list-sizes CSV through les_import_file on a fresh database. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#define FUZZ_KIND LES_KIND_LIST_SIZES

#include "fuzz-import.h"
