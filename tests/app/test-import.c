/* test-import.c: the import dialog — kind and preview, an import through the session, a bad file and its errors. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "app-test.h"
#include "les-import-dialog.h"

static gboolean
gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
not_running (gpointer data)
{
  return !les_import_dialog_is_running (data);
}

static void
test_import (void)
{
  LesWindow *window = app_test_window_new (FALSE);
  g_autofree char *path = g_build_filename (app_test_get_demo_dir (), "practices.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWidget *dialog = les_import_dialog_new (GTK_WINDOW (window), app_test_session (window));
  gpointer weak = dialog;

  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  gtk_window_present (GTK_WINDOW (dialog));
  les_import_dialog_set_file (LES_IMPORT_DIALOG (dialog), file);
  g_assert_cmpint (les_import_dialog_get_kind (LES_IMPORT_DIALOG (dialog)), ==, LES_KIND_PRACTICES);
  g_assert_cmpuint (les_import_dialog_get_preview_rows (LES_IMPORT_DIALOG (dialog)), >, 0);
  app_test_screenshot (dialog, "screen-import-preview.png");

  g_assert_true (les_import_dialog_start (LES_IMPORT_DIALOG (dialog)));
  g_assert_true (les_session_get_busy (app_test_session (window)));
  /* A successful import closes the dialog (and the window says so) */
  app_test_wait (gone, &weak, "the dialog to close after the import");
  g_assert_cmpint (les_store_count_rows (app_test_store (window), "practices"), >, 100);
  app_test_window_free (window);
}

static void
test_errors (void)
{
  LesWindow *window = app_test_window_new (FALSE);
  g_autofree char *path = g_build_filename (app_test_get_tmp_dir (), "bad-list-sizes.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  const char *csv = "practice_code,date,registered\nY90001,2024-04-01,abc\nNOPE,2024-04-01,100\n";
  GtkWidget *dialog;

  g_assert_true (g_file_set_contents (path, csv, -1, NULL));
  dialog = les_import_dialog_new (GTK_WINDOW (window), app_test_session (window));
  g_object_ref (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  les_import_dialog_set_file (LES_IMPORT_DIALOG (dialog), file);
  g_assert_cmpint (les_import_dialog_get_kind (LES_IMPORT_DIALOG (dialog)), ==, LES_KIND_LIST_SIZES);
  g_assert_true (les_import_dialog_start (LES_IMPORT_DIALOG (dialog)));
  app_test_wait (not_running, dialog, "the import to fail");
  /* Every bad row with its line, and nothing written */
  g_assert_cmpuint (g_list_model_get_n_items (les_import_dialog_get_messages (LES_IMPORT_DIALOG (dialog))), >=, 2);
  g_assert_cmpint (les_store_count_rows (app_test_store (window), "list_sizes"), ==, 0);
  app_test_screenshot (dialog, "screen-import-errors.png");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
  app_test_window_free (window);
}

int
main (int argc, char **argv)
{
  if (!app_test_init (&argc, &argv))
    return 0;
  g_test_add_func ("/import/dialog", test_import);
  g_test_add_func ("/import/errors", test_errors);
  return app_test_run ();
}
