/* fuzz-import-patient-activity.c: libFuzzer target — a patient-activity CSV through les_import_file on a fresh database. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#define FUZZ_KIND LES_KIND_PATIENT_ACTIVITY

#include "fuzz-import.h"
