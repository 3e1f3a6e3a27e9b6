/* les-application.c: the application object — databases, settings, style and app-wide actions. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "les-app-resources.h"
#include "les-core-resources.h"
#include "les-application.h"
#include "les-keyring.h"
#include "les-window.h"

struct _LesApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (LesApplication, les_application, ADW_TYPE_APPLICATION)

static void
apply_color_scheme (LesApplication *self)
{
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");
  AdwStyleManager *manager = adw_style_manager_get_default ();

  if (g_strcmp0 (scheme, "dark") == 0)
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  else if (g_strcmp0 (scheme, "light") == 0)
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_LIGHT);
  else
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
}

static void
color_scheme_changed_cb (GSettings *settings, const char *key, LesApplication *self)
{
  apply_color_scheme (self);
}

static LesWindow *
new_window (LesApplication *self)
{
  return les_window_new (self);
}

static void
about_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The LES Claims developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-icon", APP_ID,
                        "application-name", _("LES Claims"),
                        "developer-name", _("The LES Claims developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Check GP practice claims for local enhanced services and pay them within budget."),
                        "website", "https://lesclaims.org",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        "copyright", "© 2026 The LES Claims developers",
                        /* Translators: your names, one a line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = user_data;
  GList *windows = gtk_application_get_windows (app);

  /* Close each window so that it saves its state */
  while (windows != NULL)
    {
      GList *next = windows->next;
      gtk_window_close (windows->data);
      windows = next;
    }
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "quit", quit_action },
};

static void
les_application_startup (GApplication *app)
{
  LesApplication *self = LES_APPLICATION (app);
  g_autoptr(GAction) scheme = NULL;
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "win.open-database", { "<Control>o", NULL } },
    { "win.new-database", { "<Control>n", NULL } },
    { "win.import", { "<Control>i", NULL } },
    { "win.export", { "<Control>e", NULL } },
    { "win.compute", { "<Control>r", NULL } },
    { "win.search", { "<Control>f", NULL } },
    { "win.undo", { "<Control>z", NULL } },
  };

  G_APPLICATION_CLASS (les_application_parent_class)->startup (app);

  /* Referenced, so that the linker keeps the resources of the static libraries */
  (void) les_app_get_resource ();
  (void) les_core_get_resource ();

  /* database keys live in the user's keyring (or a key file named in LES_CLAIMS_KEY_FILE) */
  {
    g_autoptr(LesKeyProvider) provider = les_keyring_choose_provider (NULL);

    les_key_provider_set_default (provider);
  }

  self->settings = g_settings_new (APP_ID);
  g_signal_connect (self->settings, "changed::color-scheme", G_CALLBACK (color_scheme_changed_cb), self);
  apply_color_scheme (self);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  scheme = g_settings_create_action (self->settings, "color-scheme");
  g_action_map_add_action (G_ACTION_MAP (app), scheme);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);
}

static void
les_application_activate (GApplication *app)
{
  LesApplication *self = LES_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window != NULL)
    {
      gtk_window_present (window);
      return;
    }
  window = GTK_WINDOW (new_window (self));
  les_window_open_last_database (LES_WINDOW (window));
  gtk_window_present (window);
}

static void
les_application_open (GApplication  *app,
                      GFile        **files,
                      int            n_files,
                      const char    *hint)
{
  LesApplication *self = LES_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    {
      LesWindow *window = new_window (self);
      g_autofree char *path = g_file_get_path (files[i]);

      if (path == NULL)
        continue;
      les_window_open_database (window, path);
      gtk_window_present (GTK_WINDOW (window));
    }
}

static void
les_application_dispose (GObject *object)
{
  LesApplication *self = (LesApplication *) object;

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (les_application_parent_class)->dispose (object);
}

static void
les_application_class_init (LesApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = les_application_dispose;
  app_class->startup = les_application_startup;
  app_class->activate = les_application_activate;
  app_class->open = les_application_open;
}

static void
les_application_init (LesApplication *self)
{
}

LesApplication *
les_application_new (void)
{
  return g_object_new (LES_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/org/lesclaims/LesClaims",
                       NULL);
}

GSettings *
les_application_get_settings (LesApplication *self)
{
  g_return_val_if_fail (LES_IS_APPLICATION (self), NULL);
  return self->settings;
}

char *
les_application_get_demo_dir (void)
{
  const char *env = g_getenv ("LES_DEMO_DIR");

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  return g_build_filename (PKGDATADIR, "demo", NULL);
}
