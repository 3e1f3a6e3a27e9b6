/* fuzz-import-practices.c: libFuzzer target — a practices CSV through les_import_file on a fresh database. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#define FUZZ_KIND LES_KIND_PRACTICES

#include "fuzz-import.h"
