/* fuzz-import.h: the body of every import fuzz target — one kind's CSV through les_import_file on a fresh database. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* A target defines FUZZ_KIND (an LesKind) and, optionally, FUZZ_PREFIX
 * (const char *fuzz_prefix (const guint8 *data, gsize size, gsize *skip))
 * to put a header of its own before the input. */

#include "config.h"

#include <glib/gstdio.h>
#include <stdint.h>
#include <string.h>

#include "les-import.h"
#include "les-key-file.h"
#include "les-store.h"

int LLVMFuzzerInitialize   (int            *argc,
                            char         ***argv);
int LLVMFuzzerTestOneInput (const uint8_t  *data,
                            size_t          size);

static char   *work_dir;
static char   *db_path;
static char   *csv_path;
static char   *template_db;       /* the reference rows every kind needs, as file bytes */
static gsize   template_len;

/* What every import kind may refer to: practices, services of every cap
 * mode, a rule of every kind, sign-ups, a cohort, an allocation and a claim
 * for patient lines to name. */
static const struct {
  LesKind     kind;
  const char *csv;
} reference_rows[] = {
  { LES_KIND_PRACTICES,
    "practice_code,practice_name,pcn_code,pcn_name,open_date,close_date\n"
    "A81001,Ashford,U81001,Ashford PCN,,\n"
    "A81002,Beechwood,U81001,Ashford PCN,2001-04-01,\n"
    "A81003,Cedar,U81002,Cedar PCN,,2024-12-31\n" },
  { LES_KIND_LIST_SIZES,
    "practice_code,date,registered,weighted\n"
    "A81001,2024-04-01,8000,8150.25\n"
    "A81002,2024-04-01,5000,\n" },
  { LES_KIND_SERVICES,
    "service_code,year,name,cap_mode,budget,schedule,claim_frequency,claim_deadline_days,start_date,end_date\n"
    "ECG,2024/25,ECGs,none,9000.00,monthly,monthly,60,,\n"
    "QOF,2024/25,Quality,hold,50000,quarterly,quarterly,,2024-04-01,2025-03-31\n"
    "PRO,2024/25,Pro rata,prorata,1000,monthly,annual,,,\n" },
  { LES_KIND_RULES,
    "service_code,year,rule_code,kind,rate,rate_per,base,max_units_per_practice,max_per_patient,fixed_amount,"
    "upfront_pct,lower_pct,upper_pct,settlement\n"
    "ECG,2024/25,ECG,item,36.00,,,100,2,,,,,\n"
    "ECG,2024/25,HEAD,capitation,1.50,year,registered,,,,,,,\n"
    "QOF,2024/25,BLK,block,,,,,,,,,,\n"
    "QOF,2024/25,ACH,threshold,2.00,year,weighted,,,1000,50,40,90,recover\n"
    "PRO,2024/25,ITEM,item,10,,,,,,,,,\n" },
  { LES_KIND_SIGNUPS,
    "practice_code,service_code,year,from_date,to_date\n"
    "A81001,ECG,2024/25,2024-04-01,\n"
    "A81001,QOF,2024/25,2024-04-01,\n"
    "A81002,PRO,2024/25,2024-04-01,2024-09-30\n" },
  { LES_KIND_COHORTS,
    "practice_code,service_code,year,size\n"
    "A81001,QOF,2024/25,30\n" },
  { LES_KIND_ALLOCATIONS,
    "practice_code,service_code,year,block_amount,cap_amount\n"
    "A81001,QOF,2024/25,12000,20000\n" },
  { LES_KIND_CLAIMS,
    "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n"
    "E0001,A81001,ECG,ECG,2024-05,2,2024-06-01\n"
    "P0001,A81002,PRO,ITEM,2025-03,5,2025-04-02\n" },
};

static void
import_reference (LesStore *store, LesKind kind, const char *csv)
{
  g_autofree char *path = g_build_filename (work_dir, "reference.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, csv, -1, &error);
  g_assert_no_error (error);
  if (!les_import_file (store, kind, file, "reference.csv", NULL, NULL, NULL, NULL, NULL, &error))
    g_error ("the fuzz fixture's %s do not import: %s", les_kind_to_string (kind), error->message);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *template_path = NULL;

  /* a critical or warning is a finding like a crash */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  work_dir = g_dir_make_tmp ("les-fuzz-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (work_dir, "fuzz.db", NULL);
  csv_path = g_build_filename (work_dir, "fuzz.csv", NULL);
  template_path = g_build_filename (work_dir, "template.db", NULL);

  /* no keyring: the databases' key in a private file, as a batch job's */
  {
    g_autofree char *key_path = g_build_filename (work_dir, "fuzz.key", NULL);
    g_autoptr(LesKeyFile) provider = les_key_file_new (key_path);

    les_key_provider_set_default (LES_KEY_PROVIDER (provider));
  }

  {
    g_autoptr(LesStore) store = les_store_open (template_path, &error);

    g_assert_no_error (error);
    for (guint i = 0; i < G_N_ELEMENTS (reference_rows); i++)
      import_reference (store, reference_rows[i].kind, reference_rows[i].csv);
  }
  /* closed, so the WAL is checkpointed into the one file copied for each input */
  g_file_get_contents (template_path, &template_db, &template_len, &error);
  g_assert_no_error (error);
  return 0;
}

static void
collect_message (const char *message, gpointer user_data)
{
  /* every message is FILE:LINE: …, in UTF-8 whatever the file held */
  g_assert_true (g_utf8_validate (message, -1, NULL));
  g_assert_true (g_str_has_prefix (message, "fuzz.csv:"));
  (*(guint *) user_data)++;
}

static void
remove_database (void)
{
  g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

  g_unlink (db_path);
  g_unlink (wal);
  g_unlink (shm);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GString) csv = g_string_new (NULL);
  LesImportStats stats = { 0 };
  guint n_messages = 0;
  gboolean ok;

#ifdef FUZZ_PREFIX
  {
    gsize skip = 0;

    g_string_append (csv, fuzz_prefix (data, size, &skip));
    data += skip;
    size -= skip;
  }
#endif
  g_string_append_len (csv, (const char *) data, size);
  g_file_set_contents (csv_path, csv->str, csv->len, &error);
  g_assert_no_error (error);
  g_file_set_contents_full (db_path, template_db, template_len, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
  file = g_file_new_for_path (csv_path);

  {
    g_autoptr(LesStore) store = les_store_open (db_path, &error);

    g_assert_no_error (error);
    ok = les_import_file (store, FUZZ_KIND, file, "fuzz.csv", collect_message, NULL, &n_messages, NULL, &stats,
                          &error);
    /* all or nothing, and said so: a failure has an error, a success no bad row */
    g_assert_true (ok == (error == NULL));
    if (ok)
      g_assert_cmpint (stats.errors, ==, 0);
    else
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
  }
  /* closed: a refused file must have left the database byte for byte as it was */
  if (!ok)
    {
      g_autofree char *after = NULL;
      gsize after_len = 0;
      g_autoptr(GError) read_error = NULL;

      g_file_get_contents (db_path, &after, &after_len, &read_error);
      g_assert_no_error (read_error);
      g_assert_true (after_len == template_len && memcmp (after, template_db, after_len) == 0);
    }
  remove_database ();
  g_clear_error (&error);

  /* the import dialog's preview reads the same bytes */
  {
    g_auto(GStrv) header = NULL;
    g_autoptr(GPtrArray) rows = NULL;

    les_import_preview (file, 5, &header, &rows, &error);
  }
  return 0;
}
