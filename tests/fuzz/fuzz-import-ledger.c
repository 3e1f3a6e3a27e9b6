/* fuzz-import-ledger.c: libFuzzer target — a ledger CSV through les_import_file on a fresh database. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#define FUZZ_KIND LES_KIND_LEDGER

#include "fuzz-import.h"
