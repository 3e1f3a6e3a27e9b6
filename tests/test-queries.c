/* test-queries.c: the application's tables (les-queries.c) over the demo data, the same on SQLite and PostgreSQL. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-compute.h"
#include "les-finding-row.h"
#include "les-kinds.h"
#include "les-queries.h"
#include "les-service-row.h"
#include "test-helpers.h"

#define FY 2024

/* A store with the demo data imported and computed to December */
static LesStore *
demo_store (const char *location)
{
  g_autofree char *root = g_build_filename (g_getenv ("LES_TEST_SRCDIR"), "..", "data", "demo", NULL);
  g_autoptr(GError) error = NULL;
  LesStore *store;

  test_use_key_file ();
  store = les_store_open (location, &error);
  g_assert_no_error (error);
  for (int k = 0; k < LES_N_KINDS; k++)
    {
      g_autofree char *name = g_strdup_printf ("%s.csv", les_kind_to_string ((LesKind) k));
      g_autofree char *path = g_build_filename (root, name, NULL);
      g_autoptr(GFile) file = g_file_new_for_path (path);

      les_import_file (store, (LesKind) k, file, name, NULL, NULL, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  les_compute_year (store, FY, 202412, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return store;
}

static void
append_table (GString *out, const char *title, LesTable *table)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (table);
  les_table_write_csv (table->columns, table->n_columns, table->rows, stream, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (stream, NULL, NULL);
  g_string_append_printf (out, "== %s\n", title);
  g_string_append_len (out, g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (stream)),
                       g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream)));
  les_table_free (table);
}

static void
append_strv (GString *out, const char *title, GStrv values)
{
  g_autofree char *joined = g_strjoinv (" ", values);

  g_string_append_printf (out, "== %s\n%s\n", title, joined);
  g_strfreev (values);
}

/* Every table the screens show, for a few practices, services and PCNs */
static char *
dump (LesStore *store)
{
  static const char *practices[] = { "Y90001", "Y90002", "Y90050" };
  GString *out = g_string_new (NULL);
  GError *error = NULL;
  g_auto(GStrv) services = les_queries_service_codes (store, FY);
  g_auto(GStrv) pcns = les_queries_pcn_codes (store);
  g_autofree char *computed_at = NULL;
  g_autofree char *to_period = NULL;

  append_table (out, "services", les_queries_services (store, FY, &error));
  append_table (out, "practices", les_queries_practices (store, FY, &error));
  for (guint p = 0; p < G_N_ELEMENTS (practices); p++)
    for (int which = LES_PRACTICE_LIST_SIZES; which <= LES_PRACTICE_PAYMENTS; which++)
      {
        g_autofree char *title = g_strdup_printf ("practice %s, table %d", practices[p], which);

        append_table (out, title, les_queries_practice_table (store, (LesPracticeTable) which, practices[p], FY, &error));
      }
  append_table (out, "findings", les_queries_findings_summary (store, FY, &error));
  append_table (out, "by service", les_queries_payments_by_service (store, FY, &error));
  for (guint s = 0; services[s] != NULL; s++)
    {
      g_autofree char *title = g_strdup_printf ("by PCN, %s", services[s]);

      append_table (out, title, les_queries_payments_by_pcn (store, FY, services[s], &error));
    }
  for (guint s = 0; services[s] != NULL && s < 3; s++)
    for (guint n = 0; pcns[n] != NULL && n < 3; n++)
      {
        g_autofree char *title = g_strdup_printf ("by practice, %s, %s", services[s], pcns[n]);

        append_table (out, title, les_queries_payments_by_practice (store, FY, services[s], pcns[n], &error));
      }
  for (guint s = 0; services[s] != NULL; s++)
    {
      g_autofree char *title = g_strdup_printf ("lines, %s, %s", services[s], practices[0]);

      append_table (out, title, les_queries_payment_lines (store, FY, services[s], practices[0], &error));
    }
  g_assert_no_error (error);
  g_assert_true (les_queries_last_compute (store, FY, &computed_at, &to_period));
  g_string_append_printf (out, "== last compute\n%s\n", to_period);
  append_strv (out, "service codes", g_strdupv (services));
  append_strv (out, "PCN codes", g_strdupv (pcns));
  append_strv (out, "finding codes", les_queries_finding_codes (store, FY));
  return g_string_free (out, FALSE);
}

/* On SQLite the tables are there and full; under tests/pg/with-pg.sh, each
 * is the same, byte for byte, on PostgreSQL */
static void
test_tables (void)
{
  g_autofree char *dir = g_dir_make_tmp ("les-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "demo.db", NULL);
  g_autoptr(LesStore) sqlite = demo_store (path);
  g_autofree char *expected = dump (sqlite);

  g_assert_nonnull (strstr (expected, "== practice Y90001, table 5\n"));
  g_assert_cmpint (strlen (expected), >, 20000);
  if (test_backend_is_pg ())
    {
      g_autofree char *location = test_pg_database_new ();
      g_autoptr(LesStore) pg = demo_store (location);
      g_autofree char *got = dump (pg);

      g_assert_cmpstr (got, ==, expected);
    }
  test_remove_dir (dir);
}

static char *
dup_string (gpointer object, const char *property)
{
  char *value = NULL;

  g_object_get (object, property, &value, NULL);
  return value;
}

/* The typed rows the screens list show exactly what the text tables do,
 * and export the same CSV */
static void
test_typed_rows (void)
{
  static const char *const service_texts[] = {
    "code", "name", "cap-mode", "budget-text", "schedule", "claim-frequency", "n-rules-text", "n-practices-text",
    "n-claims-text",
  };
  static const char *const finding_texts[] = { "severity", "code", "count-text", NULL, "message" };
  g_autofree char *dir = g_dir_make_tmp ("les-test-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "demo.db", NULL);
  g_autoptr(LesStore) store = demo_store (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(LesTable) services = les_queries_services (store, FY, &error);
  g_autoptr(GListModel) service_rows = les_service_rows_read (store, FY, &error);
  g_autoptr(LesTable) findings = les_queries_findings_summary (store, FY, &error);
  g_autoptr(GListModel) finding_rows = les_finding_rows_read (store, FY, &error);
  g_autoptr(GOutputStream) a = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) b = g_memory_output_stream_new_resizable ();

  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (service_rows), ==, g_list_model_get_n_items (services->rows));
  g_assert_cmpuint (g_list_model_get_n_items (service_rows), >, 5);
  for (guint i = 0; i < g_list_model_get_n_items (service_rows); i++)
    {
      g_autoptr(LesRow) cells = g_list_model_get_item (services->rows, i);
      g_autoptr(LesServiceRow) row = g_list_model_get_item (service_rows, i);
      gint64 budget;

      for (guint c = 0; c < G_N_ELEMENTS (service_texts); c++)
        {
          g_autofree char *text = dup_string (row, service_texts[c]);

          g_assert_cmpstr (text, ==, les_row_get_text (cells, c));
        }
      g_object_get (row, "budget", &budget, NULL);
      g_assert_cmpint (budget, ==, les_row_get_number (cells, 3));
    }
  g_assert_true (les_table_write_csv (services->columns, services->n_columns, services->rows, a, NULL, NULL));
  g_assert_true (les_service_rows_write_csv (service_rows, b, NULL, NULL));
  g_output_stream_close (a, NULL, NULL);
  g_output_stream_close (b, NULL, NULL);
  g_assert_cmpmem (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (a)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (a)),
                   g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (b)),
                   g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (b)));

  g_assert_cmpuint (g_list_model_get_n_items (finding_rows), ==, g_list_model_get_n_items (findings->rows));
  g_assert_cmpuint (g_list_model_get_n_items (finding_rows), >, 0);
  for (guint i = 0; i < g_list_model_get_n_items (finding_rows); i++)
    {
      g_autoptr(LesRow) cells = g_list_model_get_item (findings->rows, i);
      g_autoptr(LesFindingRow) row = g_list_model_get_item (finding_rows, i);

      for (guint c = 0; c < G_N_ELEMENTS (finding_texts); c++)
        if (finding_texts[c] != NULL)
          {
            g_autofree char *text = dup_string (row, finding_texts[c]);

            g_assert_cmpstr (text, ==, les_row_get_text (cells, c));
          }
      g_assert_cmpint (les_finding_row_get_count (row), ==, les_row_get_number (cells, 2));
      g_assert_cmpint (les_finding_row_get_n_claims (row), ==, les_row_get_number (cells, 3));
    }
  test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/queries/tables", test_tables);
  g_test_add_func ("/queries/typed-rows", test_typed_rows);

  return g_test_run ();
}
