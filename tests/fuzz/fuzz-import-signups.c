/* fuzz-import-signups.c: libFuzzer target — a signups CSV through les_import_file on a fresh database. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#define FUZZ_KIND LES_KIND_SIGNUPS

#include "fuzz-import.h"
