/* test-team-dialog.c: Open Team Database… — the connection string from the fields, and a window that offers a role only what it may do. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "../test-helpers.h"
#include "app-test.h"
#include "les-team-access.h"
#include "les-team-dialog.h"

/* Values with spaces, quotes and backslashes come out quoted as libpq reads them */
static void
test_conninfo (void)
{
  LesTeamDialog *dialog = LES_TEAM_DIALOG (les_team_dialog_new (NULL));
  g_autofree char *conninfo = NULL;
  g_autofree char *without = NULL;
  g_autofree char *host = NULL;
  g_autofree char *database = NULL;
  g_autofree char *user = NULL;
  guint port = 0;

  les_team_dialog_set_server (dialog, " db host.example.nhs.uk ", 0, "les 'claims'", "o'brien\\x");
  conninfo = les_team_dialog_get_conninfo (dialog, "pa ss'w\\d");
  g_assert_cmpstr (conninfo, ==,
                   "host='db host.example.nhs.uk' port='5432' dbname='les \\'claims\\'' user='o\\'brien\\\\x' "
                   "password='pa ss\\'w\\\\d'");
  /* no password: libpq looks in ~/.pgpass, or the server needs none */
  without = les_team_dialog_get_conninfo (dialog, NULL);
  g_assert_null (strstr (without, "password"));
  les_team_dialog_get_server (dialog, &host, &port, &database, &user);
  g_assert_cmpstr (host, ==, "db host.example.nhs.uk");
  g_assert_cmpuint (port, ==, 5432);
  g_assert_cmpstr (database, ==, "les 'claims'");
  g_assert_cmpstr (user, ==, "o'brien\\x");
  /* empty fields are left out, so that libpq's defaults (PG* variables) apply */
  g_clear_pointer (&conninfo, g_free);
  conninfo = les_team_build_conninfo ("/run/postgresql", "", "les", NULL, "");
  g_assert_cmpstr (conninfo, ==, "host='/run/postgresql' dbname='les'");
  g_assert_true (les_store_is_server_location (conninfo));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* The encryption chosen goes into the connection string, and comes back
 * from it (the last database, kept in the settings without a password) */
static void
test_encryption (void)
{
  LesTeamDialog *dialog = LES_TEAM_DIALOG (les_team_dialog_new (NULL));
  g_autoptr(LesTeamServer) server = NULL;
  g_autoptr(LesTeamServer) again = NULL;
  g_autofree char *conninfo = NULL;

  les_team_dialog_set_server (dialog, "db.example.nhs.uk", 5433, "les_claims", "alice");
  /* prefer, the default, is libpq's: left out, so that PGSSLMODE applies */
  conninfo = les_team_dialog_get_conninfo (dialog, NULL);
  g_assert_cmpstr (conninfo, ==, "host='db.example.nhs.uk' port='5433' dbname='les_claims' user='alice'");
  g_clear_pointer (&conninfo, g_free);

  /* require: no authority, even one chosen for verify-full before */
  les_team_dialog_set_encryption (dialog, "require", "/etc/ssl/ca.crt");
  conninfo = les_team_dialog_get_conninfo (dialog, "pw");
  g_assert_cmpstr (conninfo, ==, "host='db.example.nhs.uk' port='5433' dbname='les_claims' user='alice' "
                                 "sslmode='require' password='pw'");
  g_clear_pointer (&conninfo, g_free);

  les_team_dialog_set_encryption (dialog, "verify-full", "/etc/ssl/ICB CA.crt");
  conninfo = les_team_dialog_get_conninfo (dialog, NULL);
  g_assert_cmpstr (conninfo, ==, "host='db.example.nhs.uk' port='5433' dbname='les_claims' user='alice' "
                                 "sslmode='verify-full' sslrootcert='/etc/ssl/ICB CA.crt'");
  g_assert_true (les_store_is_server_location (conninfo));
  server = les_team_server_from_conninfo (conninfo);
  g_assert_nonnull (server);
  g_assert_cmpstr (server->host, ==, "db.example.nhs.uk");
  g_assert_cmpstr (server->port, ==, "5433");
  g_assert_cmpstr (server->database, ==, "les_claims");
  g_assert_cmpstr (server->user, ==, "alice");
  g_assert_cmpstr (server->sslmode, ==, "verify-full");
  g_assert_cmpstr (server->sslrootcert, ==, "/etc/ssl/ICB CA.crt");

  /* what the settings kept comes back into the fields as it was */
  les_team_dialog_set_encryption (dialog, NULL, NULL);
  g_clear_pointer (&conninfo, g_free);
  conninfo = les_team_dialog_get_conninfo (dialog, NULL);
  g_assert_null (strstr (conninfo, "sslmode"));
  les_team_dialog_set_encryption (dialog, server->sslmode, server->sslrootcert);
  again = les_team_dialog_get_team_server (dialog);
  g_assert_cmpstr (again->sslmode, ==, "verify-full");
  g_assert_cmpstr (again->sslrootcert, ==, "/etc/ssl/ICB CA.crt");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gboolean
shows_error (gpointer data)
{
  return les_window_get_error_text (data) != NULL;
}

/* At start, the team database opened last is not there (no server at its
 * socket): the window says so, in words, and offers the dialog; no hang */
static void
test_reopen_unreachable (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *dir = g_build_filename (app_test_get_tmp_dir (), "no-server-here", NULL);
  g_autofree char *conninfo = les_team_build_conninfo (dir, "5432", "les_claims", "manny", NULL);
  LesWindow *window = app_test_window_new (FALSE);
  const char *text;

  g_settings_set_string (settings, "last-database", conninfo);
  les_window_open_last_database (window);
  app_test_wait (shows_error, window, "the window to say the server is not there");
  text = les_window_get_error_text (window);
  g_test_message ("%s", text);
  g_assert_true (g_str_has_prefix (text, "The team database postgresql://manny@/les_claims?host="));
  g_assert_nonnull (strstr (text, " is not reachable: "));
  g_assert_nonnull (strstr (text, "Check that the server is running"));
  g_assert_nonnull (app_test_find_button (GTK_WIDGET (window), "Open _Team Database…"));
  app_test_screenshot (GTK_WIDGET (window), "screen-team-unreachable.png");
  /* the last database is still the team's: it is tried again next time */
  g_assert_true (les_store_is_server_location (g_settings_get_string (settings, "last-database")));
  app_test_window_free (window);
}

/* Which role is offered what, as the server's grants have it */
static void
test_access (void)
{
  g_autofree char *why = NULL;
  g_autofree char *words = NULL;

  /* a file: everything */
  for (LesTeamTask t = LES_TEAM_TASK_IMPORT; t <= LES_TEAM_TASK_STATEMENTS; t++)
    g_assert_true (les_team_access_may (0, t));
  /* a viewer: nothing that writes */
  for (LesTeamTask t = LES_TEAM_TASK_IMPORT; t <= LES_TEAM_TASK_STATEMENTS; t++)
    g_assert_false (les_team_access_may (LES_TEAM_VIEWER, t));
  /* a contract manager: reference data, claims, decisions, services, compute; not the ledger or runs */
  g_assert_true (les_team_access_may (LES_TEAM_VIEWER | LES_TEAM_CONTRACT_MANAGER, LES_TEAM_TASK_IMPORT));
  g_assert_true (les_team_access_may (LES_TEAM_CONTRACT_MANAGER, LES_TEAM_TASK_IMPORT_REFERENCE));
  g_assert_true (les_team_access_may (LES_TEAM_CONTRACT_MANAGER, LES_TEAM_TASK_DECIDE_CLAIMS));
  g_assert_true (les_team_access_may (LES_TEAM_CONTRACT_MANAGER, LES_TEAM_TASK_EDIT_SERVICES));
  g_assert_true (les_team_access_may (LES_TEAM_CONTRACT_MANAGER, LES_TEAM_TASK_COMPUTE));
  g_assert_false (les_team_access_may (LES_TEAM_CONTRACT_MANAGER, LES_TEAM_TASK_IMPORT_LEDGER));
  g_assert_false (les_team_access_may (LES_TEAM_CONTRACT_MANAGER, LES_TEAM_TASK_CLOSE_MONTH));
  g_assert_false (les_team_access_may (LES_TEAM_CONTRACT_MANAGER, LES_TEAM_TASK_REOPEN));
  g_assert_false (les_team_access_may (LES_TEAM_CONTRACT_MANAGER, LES_TEAM_TASK_STATEMENTS));
  /* finance: the ledger, runs, statements, compute; not reference data or decisions */
  g_assert_true (les_team_access_may (LES_TEAM_FINANCE, LES_TEAM_TASK_IMPORT));
  g_assert_true (les_team_access_may (LES_TEAM_FINANCE, LES_TEAM_TASK_IMPORT_LEDGER));
  g_assert_true (les_team_access_may (LES_TEAM_FINANCE, LES_TEAM_TASK_CLOSE_MONTH));
  g_assert_true (les_team_access_may (LES_TEAM_FINANCE, LES_TEAM_TASK_REOPEN));
  g_assert_true (les_team_access_may (LES_TEAM_FINANCE, LES_TEAM_TASK_COMPUTE));
  g_assert_false (les_team_access_may (LES_TEAM_FINANCE, LES_TEAM_TASK_IMPORT_REFERENCE));
  g_assert_false (les_team_access_may (LES_TEAM_FINANCE, LES_TEAM_TASK_DECIDE_CLAIMS));
  g_assert_false (les_team_access_may (LES_TEAM_FINANCE, LES_TEAM_TASK_EDIT_SERVICES));
  /* an administrator alone changes no data */
  g_assert_false (les_team_access_may (LES_TEAM_VIEWER | LES_TEAM_ADMIN, LES_TEAM_TASK_IMPORT));
  /* and the words */
  g_assert_null (les_team_access_why_not (LES_TEAM_FINANCE, LES_TEAM_TASK_CLOSE_MONTH));
  why = les_team_access_why_not (LES_TEAM_VIEWER, LES_TEAM_TASK_DECIDE_CLAIMS);
  g_assert_cmpstr (why, ==, "Your role, viewer, may not decide claims");
  g_assert_null (les_team_access_describe (0));
  g_assert_null (les_team_access_describe (LES_TEAM_CONTRACT_MANAGER | LES_TEAM_FINANCE));
  g_clear_pointer (&why, g_free);
  why = les_team_access_describe (LES_TEAM_VIEWER);
  g_assert_cmpstr (why, ==, "Your role, viewer, may read and export, not change anything");
  words = les_team_access_role_words (LES_TEAM_VIEWER | LES_TEAM_CONTRACT_MANAGER | LES_TEAM_FINANCE);
  g_assert_cmpstr (words, ==, "contract-manager, finance");
}

/* ---- With a server (tests/pg/with-pg.sh) ---- */

/* A team database with the example's year, a viewer and a contract manager;
 * returns its name */
static char *
team_database_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *location = test_pg_database_new ();
  g_autoptr(LesStore) store = les_store_open (location, &error);
  g_autofree char *dir = g_dir_make_tmp ("les-test-XXXXXX", &error);

  g_assert_no_error (error);
  test_import_example (store, dir);
  test_remove_dir (dir);
  les_team_setup (store, &error);
  g_assert_no_error (error);
  les_team_add_user (store, "vera", LES_TEAM_VIEWER, &error);
  g_assert_no_error (error);
  les_team_add_user (store, "manny", LES_TEAM_CONTRACT_MANAGER, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (location, "dbname="));
  return g_strdup (location + strlen ("dbname="));
}

static LesTeamDialog *
find_team_dialog (void)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (LES_IS_TEAM_DIALOG (l->data))
      return l->data;
  return NULL;
}

typedef struct {
  LesWindow  *window;
  LesSession *before;
} Opening;

static gboolean
session_replaced (gpointer data)
{
  Opening *o = data;

  return les_window_get_session (o->window) != o->before;
}

/* Whether any widget under @widget offers @action, and whether all that do are sensitive */
static void
count_actionables (GtkWidget *widget, const char *action, guint *n, guint *n_sensitive)
{
  if (GTK_IS_ACTIONABLE (widget) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action) == 0)
    {
      (*n)++;
      if (gtk_widget_get_sensitive (widget))
        (*n_sensitive)++;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    count_actionables (child, action, n, n_sensitive);
}

static gboolean
offers (LesWindow *window, const char *action)
{
  guint n = 0, n_sensitive = 0;

  count_actionables (GTK_WIDGET (window), action, &n, &n_sensitive);
  g_assert_cmpuint (n, >, 0);
  g_assert_true (n_sensitive == 0 || n_sensitive == n);
  return n_sensitive > 0;
}

/* Opens @database as @user through Open Team Database…, as a person would */
static void
open_as (LesWindow *window, const char *database, const char *user)
{
  Opening opening = { window, les_window_get_session (window) };
  LesTeamDialog *dialog;
  GtkWidget *connect;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.open-team-database", NULL));
  dialog = find_team_dialog ();
  g_assert_nonnull (dialog);
  /* the server's socket folder as the host: no TCP, no password (trust) */
  les_team_dialog_set_server (dialog, g_getenv ("PGHOST"), 5432, database, user);
  connect = app_test_find_button (GTK_WIDGET (dialog), "C_onnect");
  g_assert_nonnull (connect);
  g_assert_true (gtk_widget_get_sensitive (connect));
  g_signal_emit_by_name (connect, "clicked");
  app_test_wait (session_replaced, &opening, "the team database to open");
  app_test_wait_idle (window);
  g_assert_null (find_team_dialog ());
}

static gboolean
connect_failed (gpointer data)
{
  return les_team_dialog_get_error (data) != NULL;
}

/* A database that is not there: the dialog stays, says why, and the window keeps its own */
static void
test_refused (void)
{
  LesWindow *window;
  LesSession *before;
  LesTeamDialog *dialog;

  if (!test_backend_is_pg ())
    {
      g_test_skip ("a server's refusal: run under tests/pg/with-pg.sh");
      return;
    }
  window = app_test_window_new (FALSE);
  before = les_window_get_session (window);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.open-team-database", NULL));
  dialog = find_team_dialog ();
  g_assert_nonnull (dialog);
  les_team_dialog_set_server (dialog, g_getenv ("PGHOST"), 5432, "no_such_database", "nobody");
  g_signal_emit_by_name (app_test_find_button (GTK_WIDGET (dialog), "C_onnect"), "clicked");
  app_test_wait (connect_failed, dialog, "the refusal to be shown");
  g_test_message ("refused: %s", les_team_dialog_get_error (dialog));
  g_assert_nonnull (strstr (les_team_dialog_get_error (dialog), "no_such_database"));
  g_assert_true (les_window_get_session (window) == before);
  gtk_window_destroy (GTK_WINDOW (dialog));
  app_test_window_free (window);
}

static void
test_roles (void)
{
  g_autofree char *database = NULL;
  LesWindow *window;
  LesSession *session;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *host = NULL;
  g_autofree char *remembered = NULL;
  g_autofree char *user = NULL;
  guint port = 0;

  if (!test_backend_is_pg ())
    {
      g_test_skip ("a team database: run under tests/pg/with-pg.sh");
      return;
    }
  database = team_database_new ();
  window = app_test_window_new (FALSE);

  /* a viewer: neither import nor compute, though the year is there to compute */
  open_as (window, database, "vera");
  session = les_window_get_session (window);
  g_assert_cmpuint (les_session_get_roles (session), ==, LES_TEAM_VIEWER);
  g_assert_cmpint (les_session_get_year (session), ==, 2024);
  g_assert_false (offers (window, "win.import"));
  g_assert_false (offers (window, "win.compute"));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.compute", NULL);
  g_assert_false (les_session_get_busy (session));
  app_test_show_page (window, "services");
  g_assert_false (offers (window, "page.new-service"));
  app_test_screenshot (GTK_WIDGET (window), "screen-team-viewer.png");

  /* the server is remembered, without its password */
  settings = g_settings_new (APP_ID);
  g_settings_get (settings, "last-team-database", "(suss)", &host, &port, &remembered, &user);
  g_assert_cmpstr (host, ==, g_getenv ("PGHOST"));
  g_assert_cmpuint (port, ==, 5432);
  g_assert_cmpstr (remembered, ==, database);
  g_assert_cmpstr (user, ==, "vera");

  /* a contract manager in the same window: both, and services to edit */
  open_as (window, database, "manny");
  session = les_window_get_session (window);
  g_assert_cmpuint (les_session_get_roles (session), ==, LES_TEAM_VIEWER | LES_TEAM_CONTRACT_MANAGER);
  g_assert_true (offers (window, "win.import"));
  g_assert_true (offers (window, "win.compute"));
  g_assert_true (offers (window, "page.new-service"));
  app_test_window_free (window);
}

static gboolean
session_opened (gpointer data)
{
  return les_window_get_session (data) != NULL;
}

/* Stops or starts again the test's server (tests/pg/pg-server.sh in PGHOST) */
static void
pg_server (const char *command)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_build_filename (g_getenv ("LES_TEST_SRCDIR"), "pg", "pg-server.sh", NULL);
  g_autofree char *err = NULL;
  const char *argv[] = { "bash", script, command, g_getenv ("PGHOST"), NULL };
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("pg-server.sh %s: %s", command, err);
}

static gboolean
shows_server_banner (gpointer data)
{
  return les_window_get_server_text (data) != NULL;
}

static gboolean
hides_server_banner (gpointer data)
{
  return les_window_get_server_text (data) == NULL;
}

/* The team database opened last opens again at start, with the password
 * from the keyring (here: none needed), and the same roles; then its server
 * restarts: a banner while it is gone, none once it is back */
static void
test_reopen_and_restart (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *database = NULL;
  g_autofree char *last = NULL;
  LesWindow *window;
  LesWindow *again;

  if (!test_backend_is_pg ())
    {
      g_test_skip ("a team database: run under tests/pg/with-pg.sh");
      return;
    }
  database = team_database_new ();
  window = app_test_window_new (FALSE);
  open_as (window, database, "manny");
  last = g_settings_get_string (settings, "last-database");
  g_assert_true (les_store_is_server_location (last));
  g_assert_null (strstr (last, "password"));
  g_assert_nonnull (strstr (last, database));
  app_test_window_free (window);

  /* the application's start */
  again = les_window_new (LES_APPLICATION (g_application_get_default ()));
  g_object_ref (again);
  gtk_window_set_default_size (GTK_WINDOW (again), 1024, 768);
  les_window_open_last_database (again);
  gtk_window_present (GTK_WINDOW (again));
  app_test_wait (session_opened, again, "the last team database to open again");
  app_test_wait_idle (again);
  g_assert_cmpuint (les_session_get_roles (les_window_get_session (again)), ==,
                    LES_TEAM_VIEWER | LES_TEAM_CONTRACT_MANAGER);
  g_assert_null (les_window_get_server_text (again));

  pg_server ("stop");
  app_test_wait (shows_server_banner, again, "the banner that the server is gone");
  g_test_message ("%s", les_window_get_server_text (again));
  g_assert_nonnull (strstr (les_window_get_server_text (again), "cannot be reached"));
  app_test_screenshot (GTK_WIDGET (again), "screen-team-server-lost.png");
  pg_server ("start");
  app_test_wait (hides_server_banner, again, "the banner to go once the server is back");
  app_test_wait_idle (again);
  app_test_screenshot (GTK_WIDGET (again), "screen-team-server-back.png");
  app_test_window_free (again);
}

int
main (int argc, char **argv)
{
  if (!app_test_init (&argc, &argv))
    return 0;
  g_test_add_func ("/team-dialog/conninfo", test_conninfo);
  g_test_add_func ("/team-dialog/access", test_access);
  g_test_add_func ("/team-dialog/encryption", test_encryption);
  g_test_add_func ("/team-dialog/reopen-unreachable", test_reopen_unreachable);
  g_test_add_func ("/team-dialog/refused", test_refused);
  g_test_add_func ("/team-dialog/roles", test_roles);
  g_test_add_func ("/team-dialog/reopen-and-restart", test_reopen_and_restart);
  return app_test_run ();
}
