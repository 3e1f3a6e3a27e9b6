/* test-helpers.h: shared fixtures for the core tests (temporary databases, SQLite or PostgreSQL, and files). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <unistd.h>

#include "les-claims-edit.h"
#include "les-compute.h"
#include "les-export.h"
#include "les-import.h"
#include "les-key-file.h"
#include "les-store.h"

static char *test_key_dir;

static inline void
test_key_dir_remove (void)
{
  g_autofree char *key = g_build_filename (test_key_dir, "key", NULL);

  g_unlink (key);
  g_rmdir (test_key_dir);
}

/* Tests run without a keyring: the databases of a test program share one key
 * file (made 0600 with the first), as a batch job's would. */
static inline void
test_use_key_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(LesKeyFile) provider = NULL;

  if (test_key_dir != NULL)
    return;
  test_key_dir = g_dir_make_tmp ("les-test-key-XXXXXX", &error);
  g_assert_no_error (error);
  atexit (test_key_dir_remove);
  path = g_build_filename (test_key_dir, "key", NULL);
  provider = les_key_file_new (path);
  les_key_provider_set_default (LES_KEY_PROVIDER (provider));
}

/* Whether the tests run on PostgreSQL (under tests/pg/with-pg.sh, which sets
 * LES_TEST_BACKEND and PGHOST) rather than on SQLite files */
static inline gboolean
test_backend_is_pg (void)
{
  return g_strcmp0 (g_getenv ("LES_TEST_BACKEND"), "postgresql") == 0;
}

/* A new, empty database on the test server; returns its connection string */
static inline char *
test_pg_database_new (void)
{
  static guint counter;
  g_autofree char *name = g_strdup_printf ("les_test_%d_%u", (int) getpid (), ++counter);
  g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s", name);
  PGconn *conn = PQconnectdb ("dbname=postgres");
  PGresult *res;

  g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
  res = PQexec (conn, create);
  if (PQresultStatus (res) != PGRES_COMMAND_OK)
    g_error ("%s: %s", create, PQresultErrorMessage (res));
  PQclear (res);
  PQfinish (conn);
  return g_strdup_printf ("dbname=%s", name);
}

/* Where a fresh database is: a file in @dir, or a new database on the test server */
static inline char *
test_location_new (const char *dir)
{
  if (test_backend_is_pg ())
    return test_pg_database_new ();
  return g_build_filename (dir, "test.db", NULL);
}

/* A fresh database (and a new temporary folder, returned in @dir, for its
 * file on SQLite and the test's other files). */
static inline LesStore *
test_store_new (char **dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *location = NULL;
  LesStore *store;

  test_use_key_file ();
  *dir = g_dir_make_tmp ("les-test-XXXXXX", &error);
  g_assert_no_error (error);
  location = test_location_new (*dir);
  store = les_store_open (location, &error);
  g_assert_no_error (error);
  return store;
}

static inline char *
test_write_file (const char *dir, const char *name, const char *contents, gssize len)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return path;
}

static inline void
test_collect_message (const char *message, gpointer user_data)
{
  g_ptr_array_add (user_data, g_strdup (message));
}

/* Imports @contents as @kind from a file named @name; returns the messages. */
static inline GPtrArray *
test_import_text (LesStore *store, const char *dir, LesKind kind, const char *name,
                  const char *contents, gssize len, gboolean *ok, GError **error)
{
  g_autofree char *path = test_write_file (dir, name, contents, len);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GPtrArray *messages = g_ptr_array_new_with_free_func (g_free);

  *ok = les_import_file (store, kind, file, name, test_collect_message, NULL, messages, NULL, NULL, error);
  return messages;
}

static inline void
test_import_ok (LesStore *store, const char *dir, LesKind kind, const char *contents)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  gboolean ok;

  messages = test_import_text (store, dir, kind, "fixture.csv", contents, -1, &ok, &error);
  for (guint i = 0; i < messages->len; i++)
    g_test_message ("%s", (char *) messages->pdata[i]);
  g_assert_no_error (error);
  g_assert_true (ok);
}

/* A fresh database (see test_store_new) with @csv imported: one text a kind,
 * NULL for none, taken in the order of the kinds as a user's first imports are
 * (practices before their list sizes, services before rules and claims). */
/* Example 01's practices, services, rules, sign-ups and claims, from tests/examples */
static inline void
test_import_example (LesStore *store, const char *dir)
{
  static const struct { LesKind kind; const char *file; } files[] = {
    { LES_KIND_PRACTICES, "practices.csv" }, { LES_KIND_SERVICES, "services.csv" },
    { LES_KIND_RULES, "rules.csv" }, { LES_KIND_SIGNUPS, "signups.csv" }, { LES_KIND_CLAIMS, "claims.csv" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (g_getenv ("LES_TEST_SRCDIR"), "examples", "01-item-tariffs",
                                                files[i].file, NULL);
      g_autofree char *contents = NULL;

      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      test_import_ok (store, dir, files[i].kind, contents);
    }
}

static inline LesStore *
test_store_new_with (char **dir, const char *const csv[LES_N_KINDS])
{
  LesStore *store = test_store_new (dir);

  for (int k = 0; k < LES_N_KINDS; k++)
    if (csv[k] != NULL)
      test_import_ok (store, *dir, (LesKind) k, csv[k]);
  return store;
}

/* A small year for the runs and year-status tests: two practices of one
 * PCN, an item service (INJ, £10 a jab) both joined and a capitation
 * service (CAP) only A81001 joined, and three claims of April and May */
static const char test_two_practices_claims[] =
  "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n"
  "C1,A81001,INJ,JAB,2024-04,5,2024-05-01\n"
  "C2,A81001,INJ,JAB,2024-05,3,2024-06-01\n"
  "C3,A81002,INJ,JAB,2024-04,7,2024-05-01\n";

static inline LesStore *
test_store_new_two_practices (char **dir, gboolean with_claims)
{
  return test_store_new_with (dir, (const char *[LES_N_KINDS]) {
    [LES_KIND_PRACTICES] = "practice_code,practice_name,pcn_code,pcn_name\n"
                           "A81001,Ashford Surgery,U81001,North PCN\n"
                           "A81002,Beech House,U81001,North PCN\n",
    [LES_KIND_LIST_SIZES] = "practice_code,date,registered\nA81001,2024-04-01,1200\nA81002,2024-04-01,2400\n",
    [LES_KIND_SERVICES] = "service_code,year,name\nINJ,2024/25,Injections\nCAP,2024/25,Care homes\n",
    [LES_KIND_RULES] = "service_code,year,rule_code,kind,rate,rate_per,base\n"
                       "INJ,2024/25,JAB,item,10.00,,\n"
                       "CAP,2024/25,HEAD,capitation,1.20,year,registered\n",
    [LES_KIND_SIGNUPS] = "practice_code,service_code,year,from_date\n"
                         "A81001,INJ,2024/25,2024-04-01\nA81002,INJ,2024/25,2024-04-01\n"
                         "A81001,CAP,2024/25,2024-04-01\n",
    [LES_KIND_CLAIMS] = with_claims ? test_two_practices_claims : NULL });
}

static inline void
test_compute (LesStore *store, int fy, gint32 to)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (les_compute_year (store, fy, to, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static inline gint64
test_claim_id (LesStore *store, const char *ref)
{
  g_autoptr(GError) error = NULL;
  const char *refs[] = { ref, NULL };
  g_autoptr(GArray) ids = les_claims_ids_for_refs (store, refs, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  return g_array_index (ids, gint64, 0);
}

/* Sets the claim @ref's status, which must change it */
static inline void
test_set_status (LesStore *store, LesClaimStatus status, const char *reason, const char *ref)
{
  g_autoptr(GError) error = NULL;
  gint64 id = test_claim_id (store, ref);
  g_autoptr(LesClaimsChange) change = les_claims_set_status (store, &id, NULL, 1, status, reason, &error);

  g_assert_no_error (error);
  g_assert_nonnull (change);
  g_assert_cmpuint (les_claims_change_get_n_changed (change), ==, 1);
}

/* Every imported table of @fy, exported and joined: equal snapshots mean an unchanged database. */
static inline char *
test_snapshot (LesStore *store, int fy)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  for (int k = 0; k < LES_N_KINDS; k++)
    {
      les_export_table (store, (LesKind) k, fy, out, NULL, &error);
      g_assert_no_error (error);
    }
  g_output_stream_write_all (out, "", 1, NULL, NULL, NULL);
  g_output_stream_close (out, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

static inline void
test_remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_remove (path);
    }
  g_rmdir (dir);
}

/* Undoes test_store_new: the store finalized (nothing of the test may still
 * hold it), its folder removed */
static inline void
test_store_clear (LesStore **store, char **dir)
{
  g_assert_finalize_object (g_steal_pointer (store));
  test_remove_dir (*dir);
  g_clear_pointer (dir, g_free);
}
