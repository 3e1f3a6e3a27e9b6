/* app-test.c: what the application's widget tests share — a window on a database of its own, waiting for a condition, screenshots. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "app-test.h"
#include "les-claims-page.h"
#include "les-page.h"

/* Long enough for the demo import and compute on a busy 2-core machine */
#define WAIT_TIMEOUT_S 120
#define WIDE_WIDTH 1280
#define WIDE_HEIGHT 720

static LesApplication *app;
static char *tmp_dir;
static char *demo_db;     /* the demo data set imported and computed, copied for each window */
static const char *demo_dir;
static const char *shot_dir;
static guint n_windows;

static const LesKind demo_kinds[] = {
  LES_KIND_PRACTICES, LES_KIND_LIST_SIZES, LES_KIND_SERVICES, LES_KIND_RULES,
  LES_KIND_SIGNUPS, LES_KIND_COHORTS, LES_KIND_ALLOCATIONS, LES_KIND_CLAIMS,
  LES_KIND_PATIENT_ACTIVITY, LES_KIND_ACHIEVEMENTS, LES_KIND_LEDGER,
};

gboolean
app_test_init (int *argc, char ***argv)
{
  g_autoptr(GError) error = NULL;

  /* a build without a display (the Flatpak's, a plain `meson test`) skips these */
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display to open windows on\n");
      return FALSE;
    }
  gtk_test_init (argc, argv, NULL);
  g_assert_cmpint (*argc, >=, 3);
  demo_dir = (*argv)[1];
  shot_dir = (*argv)[2];

  tmp_dir = g_dir_make_tmp ("les-app-test-XXXXXX", &error);
  g_assert_no_error (error);
  /* Never the user's own database */
  g_setenv ("XDG_DATA_HOME", tmp_dir, TRUE);
  g_setenv ("LES_DEMO_DIR", demo_dir, TRUE);

  app = les_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  return TRUE;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

int
app_test_run (void)
{
  int status = g_test_run ();

  g_object_unref (app);
  remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (demo_db);
  return status;
}

const char *
app_test_get_tmp_dir (void)
{
  return tmp_dir;
}

const char *
app_test_get_demo_dir (void)
{
  return demo_dir;
}

/* Waiting */

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
app_test_wait (AppTestCondition condition, gpointer data, const char *what)
{
  gint64 end = g_get_monotonic_time () + WAIT_TIMEOUT_S * G_USEC_PER_SEC;
  guint wake;

  if (condition (data))
    return;
  /* the loop blocks until something happens, and wakes to check the time */
  wake = g_timeout_add (10, wake_cb, NULL);
  while (!condition (data))
    {
      if (g_get_monotonic_time () > end)
        {
          g_source_remove (wake);
          g_error ("Still waiting after %d s for %s", WAIT_TIMEOUT_S, what);
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (wake);
}

static gboolean
page_loading (GtkWidget *page)
{
  if (LES_IS_CLAIMS_PAGE (page) && !les_page_get_dirty (LES_PAGE (page)))
    {
      LesClaimList *list = les_claims_page_get_list (LES_CLAIMS_PAGE (page));

      if (list != NULL && (les_claim_list_is_loading (list) || les_claim_list_is_counting (list)))
        return TRUE;
    }
  return les_page_is_loading (LES_PAGE (page));
}

static gboolean
idle_cb (gpointer data)
{
  LesWindow *window = data;
  static const char *const pages[] = { "overview", "services", "practices", "claims", "payments" };

  if (les_window_get_session (window) != NULL && les_session_get_busy (les_window_get_session (window)))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    if (page_loading (les_window_get_page (window, pages[i])))
      return FALSE;
  return TRUE;
}

void
app_test_wait_idle (LesWindow *window)
{
  GtkWidget *claims = les_window_get_page (window, "claims");

  app_test_wait (idle_cb, window, "the session and the screens to be idle");
  /* the claims list also grows at its end after it has counted */
  if (!les_page_get_dirty (LES_PAGE (claims)) && les_page_get_session (LES_PAGE (claims)) != NULL)
    {
      les_claim_list_wait (les_claims_page_get_list (LES_CLAIMS_PAGE (claims)));
      app_test_wait (idle_cb, window, "the session and the screens to be idle");
    }
}

/* Windows */

static gboolean
session_idle (gpointer data)
{
  return !les_session_get_busy (data);
}

static void
demo_import_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (les_session_import_finish (LES_SESSION (object), result, NULL, &error));
  g_assert_no_error (error);
}

static void
demo_compute_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (les_session_compute_finish (LES_SESSION (object), result, NULL, &error));
  g_assert_no_error (error);
}

/* The demo data set, imported and computed once, through a session as the window would */
static void
make_demo_db (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LesStore) store = NULL;
  g_autoptr(LesSession) session = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) years = NULL;

  demo_db = g_build_filename (tmp_dir, "demo-template.db", NULL);
  store = les_store_open (demo_db, &error);
  g_assert_no_error (error);
  session = les_session_new (store);
  for (guint i = 0; i < G_N_ELEMENTS (demo_kinds); i++)
    {
      g_autofree char *name = g_strconcat (les_kind_to_string (demo_kinds[i]), ".csv", NULL);
      g_autofree char *path = g_build_filename (demo_dir, name, NULL);

      g_ptr_array_add (files, g_file_new_for_path (path));
    }
  les_session_import_async (session, (GFile **) files->pdata, demo_kinds, files->len, demo_import_done_cb, NULL);
  les_session_wait (session);
  years = les_store_list_years (store);
  g_assert_cmpuint (years->len, >, 0);
  les_session_set_year (session, g_array_index (years, int, years->len - 1));
  les_session_compute_async (session, demo_compute_done_cb, NULL);
  les_session_wait (session);
  app_test_wait (session_idle, session, "the demo data set");
  g_clear_object (&session);
  g_assert_finalize_object (g_steal_pointer (&store));
}

static void
copy_file (const char *from, const char *to)
{
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_test (from, G_FILE_TEST_EXISTS))
    return;
  g_assert_true (g_file_get_contents (from, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (to, contents, length, NULL));
}

static gboolean
has_size (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

LesWindow *
app_test_window_new (gboolean demo)
{
  g_autofree char *name = g_strdup_printf ("test-%u.db", ++n_windows);
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  LesWindow *window;

  if (demo)
    {
      if (demo_db == NULL)
        make_demo_db ();
      copy_file (demo_db, path);
    }
  window = les_window_new (app);
  /* the test's own reference, for g_assert_finalize_object () */
  g_object_ref (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 768);
  g_assert_true (les_window_open_database (window, path));
  gtk_window_present (GTK_WINDOW (window));
  app_test_wait (has_size, window, "the window to be shown");
  app_test_wait_idle (window);
  return window;
}

static gboolean
finalized (gpointer data)
{
  return *(gpointer *) data == NULL;
}

void
app_test_window_free (LesWindow *window)
{
  g_autoptr(LesSession) session = g_object_ref (app_test_session (window));
  gpointer weak = session;

  app_test_wait_idle (window);
  gtk_window_destroy (GTK_WINDOW (window));
  /* what the screens asked for before they went */
  les_session_wait (session);
  app_test_wait (idle_cb, window, "the closed window's work");
  g_assert_finalize_object (window);
  g_object_add_weak_pointer (G_OBJECT (session), &weak);
  g_object_unref (g_steal_pointer (&session));
  app_test_wait (finalized, &weak, "the session to be finalized");
}

LesSession *
app_test_session (LesWindow *window)
{
  return les_window_get_session (window);
}

LesStore *
app_test_store (LesWindow *window)
{
  return les_session_get_store (les_window_get_session (window));
}

void
app_test_show_page (LesWindow *window, const char *name)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-page", "s", name));
  app_test_wait_idle (window);
}

/* Undoes the latest edit with the window's action (as the toast's button does) */
void
app_test_undo (LesWindow *window)
{
  g_assert_true (les_session_get_can_undo (app_test_session (window)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo", NULL));
  app_test_wait_idle (window);
}

/* Screenshots */

static void
save_png (GtkWidget *widget, const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (shot_dir, name, NULL);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  g_assert_cmpint (width, >, 0);
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

static void
painted_cb (GdkFrameClock *clock, gboolean *painted)
{
  *painted = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* Until a frame has been painted with what the widget shows now */
static void
wait_paint (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gulong id;

  if (clock == NULL)
    return;
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (painted_cb), &painted);
  gtk_widget_queue_draw (widget);
  app_test_wait (is_true, &painted, "a frame to be painted");
  g_signal_handler_disconnect (clock, id);
}

static void
shoot_at (GtkWidget *widget, int width, int height, const char *name)
{
  gtk_window_set_default_size (GTK_WINDOW (widget), width, height);
  /* laid out at that size (or its minimum, when the screen shown needs more) */
  wait_paint (widget);
  wait_paint (widget);
  g_test_message ("%s: %d×%d", name, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  if (LES_IS_WINDOW (widget))
    app_test_wait_idle (LES_WINDOW (widget));
  wait_paint (widget);
  save_png (widget, name);
}

void
app_test_screenshot (GtkWidget *widget, const char *name)
{
  app_test_wait (has_size, widget, "the widget to be shown");
  if (GTK_IS_WINDOW (widget) && !gtk_window_is_maximized (GTK_WINDOW (widget)) && LES_IS_WINDOW (widget))
    {
      g_autofree char *base = g_strndup (name, strlen (name) - strlen (".png"));
      g_autofree char *wide = g_strconcat (base, "-wide.png", NULL);

      shoot_at (widget, 1024, 768, name);
      shoot_at (widget, WIDE_WIDTH, WIDE_HEIGHT, wide);
      /* back to the size the tests run at */
      gtk_window_set_default_size (GTK_WINDOW (widget), 1024, 768);
      wait_paint (widget);
      return;
    }
  app_test_wait (has_size, widget, "the widget to be shown");
  wait_paint (widget);
  save_png (widget, name);
}

/* Finding widgets */

GtkWidget *
app_test_find_widget (GtkWidget *widget, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = app_test_find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
app_test_find_button (GtkWidget *widget, const char *label)
{
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = app_test_find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

AdwMessageDialog *
app_test_find_message_dialog (void)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}
