/* fuzz-import-services.c: libFuzzer target — a services CSV through les_import_file on a fresh database. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#define FUZZ_KIND LES_KIND_SERVICES

#include "fuzz-import.h"
