/* fuzz-import-nhs-digital.c: libFuzzer target — rows of NHS Digital's gp-reg-pat-prac-all.csv through the list-sizes import. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <glib.h>

/* The input's first byte picks one of the file's headers, so that every
 * mutation is spent on the rows; the list-sizes target mutates headers. */
static const char *
fuzz_prefix (const unsigned char *data, gsize size, gsize *skip)
{
  static const char *headers[] = {
    "PUBLICATION,EXTRACT_DATE,TYPE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS\n",
    "PUBLICATION,EXTRACT_DATE,ORG_TYPE,ORG_CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS\n",
    "PUBLICATION,EXTRACT_DATE,TYPE,CODE,POSTCODE,NUMBER_OF_PATIENTS\n",
    "\xEF\xBB\xBFPUBLICATION,EXTRACT_DATE,ORG_TYPE,ORG_CODE,NUMBER_OF_PATIENTS\r\n",
  };

  if (size == 0)
    {
      *skip = 0;
      return headers[0];
    }
  *skip = 1;
  return headers[data[0] % G_N_ELEMENTS (headers)];
}

#define FUZZ_KIND LES_KIND_LIST_SIZES
#define FUZZ_PREFIX

#include "fuzz-import.h"
