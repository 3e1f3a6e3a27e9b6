/* fuzz-import-achievements.c: libFuzzer target — a achievements CSV through les_import_file on a fresh database. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#define FUZZ_KIND LES_KIND_ACHIEVEMENTS

#include "fuzz-import.h"
