/* fuzz-import-claims.c: libFuzzer target — a claims CSV through les_import_file on a fresh database. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#define FUZZ_KIND LES_KIND_CLAIMS

#include "fuzz-import.h"
