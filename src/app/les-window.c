/* les-window.c: the main window — one database's session, the selected year and the five screens. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "les-claims-page.h"
#include "les-error.h"
#include "les-overview-page.h"
#include "les-payments-page.h"
#include "les-practices-page.h"
#include "les-services-page.h"
#include "les-team-access.h"
#include "les-team-dialog.h"
#include "les-value.h"
#include "les-window-private.h"
#include "les-year-status.h"

G_DEFINE_FINAL_TYPE (LesWindow, les_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
select_year (LesWindow *self, int year)
{
  if (self->session != NULL)
    les_session_set_year (self->session, year);
  if (self->years != NULL)
    for (guint i = 0; i < self->years->len; i++)
      if (g_array_index (self->years, int, i) == year && gtk_drop_down_get_selected (self->year_dropdown) != i)
        {
          self->updating_years = TRUE;
          gtk_drop_down_set_selected (self->year_dropdown, i);
          self->updating_years = FALSE;
        }
  les_window_update_actions (self);
}

static void
reload_years (LesWindow *self, LesStore *store)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  int year = self->session != NULL ? les_session_get_year (self->session) : 0;
  int wanted = year > 0 ? year : g_settings_get_int (self->settings, "selected-year");
  guint selected = GTK_INVALID_LIST_POSITION;

  g_clear_pointer (&self->years, g_array_unref);
  self->years = store != NULL ? les_store_list_years (store) : g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; i < self->years->len; i++)
    {
      int y = g_array_index (self->years, int, i);
      g_autofree char *label = les_year_format (y);

      gtk_string_list_append (labels, label);
      if (y == wanted)
        selected = i;
    }
  if (selected == GTK_INVALID_LIST_POSITION && self->years->len > 0)
    selected = self->years->len - 1;

  self->updating_years = TRUE;
  gtk_drop_down_set_model (self->year_dropdown, G_LIST_MODEL (labels));
  gtk_drop_down_set_selected (self->year_dropdown, selected);
  self->updating_years = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->year_dropdown), self->years->len > 0);

  select_year (self, selected != GTK_INVALID_LIST_POSITION ? g_array_index (self->years, int, selected) : 0);
}

static void
year_selected_cb (GtkDropDown *dropdown, GParamSpec *pspec, LesWindow *self)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  if (self->updating_years || self->years == NULL || selected >= self->years->len)
    return;
  select_year (self, g_array_index (self->years, int, selected));
  g_settings_set_int (self->settings, "selected-year", g_array_index (self->years, int, selected));
}

/* The session's notices */

/**
 * les_window_update_banner:
 *
 * Shows, above every screen, why the year's figures are out of date
 * (les_year_status_describe ()), with a button that computes them to the
 * month the year is worked to.  Counters read on the main thread's
 * connection: a handful of rows, quick at any scale.
 */
void
les_window_update_banner (LesWindow *self)
{
  g_auto(LesYearStatus) status = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *month = NULL;
  g_autofree char *label = NULL;
  int year = self->session != NULL ? les_session_get_year (self->session) : 0;

  if (year == 0 || !les_year_status_get (les_session_get_store (self->session), year, &status, &error))
    {
      if (error != NULL)
        g_warning ("Cannot tell whether the figures are up to date: %s", error->message);
      gtk_revealer_set_reveal_child (self->stale_revealer, FALSE);
      return;
    }
  text = les_year_status_describe (&status);
  g_debug ("banner: stale %u: %s", status.stale, text);
  month = les_period_format_display (status.to_period);
  /* Translators: the banner's button, "Compute to December 2024" */
  label = g_strdup_printf (_("_Compute to %s"), month);
  gtk_label_set_text (self->stale_label, text);
  gtk_button_set_label (self->stale_button, label);
  /* the button follows win.compute; a role that may not compute is told why */
  {
    g_autofree char *why = les_team_access_why_not (les_session_get_roles (self->session), LES_TEAM_TASK_COMPUTE);

    gtk_widget_set_tooltip_text (GTK_WIDGET (self->stale_button), why);
  }
  gtk_revealer_set_reveal_child (self->stale_revealer, status.stale != 0);
}

static void
session_changed_cb (LesSession *session, LesChange what, LesWindow *self)
{
  /* a service of a new year brings the year */
  if (what & LES_CHANGE_SERVICES)
    reload_years (self, les_session_get_store (session));
  les_window_update_banner (self);
}

/* The month chosen is kept by a write: the banner follows once it is (its "changed") */
static void
year_changed_cb (LesSession *session, GParamSpec *pspec, LesWindow *self)
{
  les_window_update_banner (self);
}

static void
job_progress_cb (LesJob *job, GParamSpec *pspec, LesWindow *self)
{
  const char *label = les_job_get_label (job);

  gtk_progress_bar_set_fraction (self->progress_bar, les_job_get_fraction (job));
  gtk_label_set_text (self->progress_label, label != NULL ? label : les_job_get_title (job));
}

/* The progress strip shows the session's write under way, with Cancel */
static void
job_changed_cb (LesSession *session, GParamSpec *pspec, LesWindow *self)
{
  LesJob *job = les_session_get_job (session);

  if (self->job != NULL)
    g_signal_handlers_disconnect_by_func (self->job, job_progress_cb, self);
  g_set_object (&self->job, job);
  if (job != NULL)
    {
      g_signal_connect (job, "notify::fraction", G_CALLBACK (job_progress_cb), self);
      g_signal_connect (job, "notify::label", G_CALLBACK (job_progress_cb), self);
      job_progress_cb (job, NULL, self);
    }
  gtk_revealer_set_reveal_child (self->progress_revealer, job != NULL);
  les_window_update_actions (self);
}

/* A new undoable edit: a toast offers to undo it */
static void
undo_title_changed_cb (LesSession *session, GParamSpec *pspec, LesWindow *self)
{
  const char *title = les_session_get_undo_title (session);
  g_autofree char *escaped = NULL;
  AdwToast *toast;

  les_window_update_actions (self);
  /* an undo under way takes commands off (and puts back one that failed) */
  if (title == NULL || self->n_undoing > 0)
    return;
  escaped = g_markup_escape_text (title, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo");
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
busy_changed_cb (LesSession *session, GParamSpec *pspec, LesWindow *self)
{
  les_window_update_actions (self);
}

/* The team database's server lost, or back: a banner while it is lost; the
 * screens read everything again once it is back (the session's "changed") */
static void
server_problem_changed_cb (LesSession *session, GParamSpec *pspec, LesWindow *self)
{
  const char *problem = session != NULL ? les_session_get_server_problem (session) : NULL;
  gboolean was_shown = gtk_revealer_get_reveal_child (self->server_revealer);

  if (problem != NULL)
    {
      gtk_label_set_text (self->server_label,
                          _("The team database’s server cannot be reached, so what you see may be out of date "
                            "and changes cannot be saved. LES Claims keeps trying and brings the figures up to "
                            "date as soon as it is back."));
      /* the technical words, for whoever helps */
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->server_label), problem);
    }
  gtk_revealer_set_reveal_child (self->server_revealer, problem != NULL);
  if (was_shown && problem == NULL)
    les_window_add_toast (self, _("The team database is back: the figures are up to date"));
}

static void
set_session (LesWindow *self, LesSession *session)
{
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      if (les_session_get_job (self->session) != NULL)
        les_job_cancel (les_session_get_job (self->session));
    }
  g_set_object (&self->session, session);
  /* The year before the screens are given the session, so that they never
   * read a new database for an old year */
  reload_years (self, session != NULL ? les_session_get_store (session) : NULL);
  if (session != NULL)
    {
      g_signal_connect (session, "changed", G_CALLBACK (session_changed_cb), self);
      g_signal_connect (session, "notify::job", G_CALLBACK (job_changed_cb), self);
      g_signal_connect (session, "notify::undo-title", G_CALLBACK (undo_title_changed_cb), self);
      g_signal_connect (session, "notify::can-undo", G_CALLBACK (busy_changed_cb), self);
      g_signal_connect (session, "notify::busy", G_CALLBACK (busy_changed_cb), self);
      g_signal_connect (session, "notify::year", G_CALLBACK (year_changed_cb), self);
      g_signal_connect (session, "notify::server-problem", G_CALLBACK (server_problem_changed_cb), self);
    }
  gtk_revealer_set_reveal_child (self->server_revealer, FALSE);
  server_problem_changed_cb (session, NULL, self);
  job_changed_cb (session, NULL, self);
  les_window_update_banner (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

static void
update_subtitle (LesWindow *self)
{
  LesStore *store = self->session != NULL ? les_session_get_store (self->session) : NULL;
  LesTeamRoles roles = self->session != NULL ? les_session_get_roles (self->session) : 0;
  g_autofree char *name = NULL;

  if (store == NULL)
    name = NULL;
  else if (les_store_get_path (store) == NULL)
    {
      /* the URI without its password, and the role the window offers */
      g_autofree char *words = roles != 0 ? les_team_access_role_words (roles) : NULL;

      /* Translators: "postgresql://alice@db.example.nhs.uk/les_claims · viewer" */
      name = words != NULL ? g_strdup_printf (_("%s · %s"), les_store_get_location (store), words)
                           : g_strdup (les_store_get_location (store));
    }
  else
    name = g_path_get_basename (les_store_get_path (store));
  adw_view_switcher_title_set_subtitle (self->switcher_title, name);
}

/* Overrides */

static gboolean
les_window_close_request (GtkWindow *window)
{
  LesWindow *self = LES_WINDOW (window);
  int width, height;

  if (self->job != NULL)
    les_job_cancel (self->job);
  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_apply (self->settings);

  return GTK_WINDOW_CLASS (les_window_parent_class)->close_request (window);
}

static void
les_window_dispose (GObject *object)
{
  LesWindow *self = (LesWindow *) object;

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  if (self->reopening != NULL)
    g_cancellable_cancel (self->reopening);
  g_clear_object (&self->reopening);
  if (self->job != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->job, job_progress_cb, self);
      les_job_cancel (self->job);
    }
  g_clear_object (&self->job);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LES_TYPE_WINDOW);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->years, g_array_unref);

  G_OBJECT_CLASS (les_window_parent_class)->dispose (object);
}

static void
les_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LesWindow *self = LES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
les_window_class_init (LesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = les_window_dispose;
  object_class->get_property = les_window_get_property;
  window_class->close_request = les_window_close_request;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, LES_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LES_TYPE_OVERVIEW_PAGE);
  g_type_ensure (LES_TYPE_SERVICES_PAGE);
  g_type_ensure (LES_TYPE_PRACTICES_PAGE);
  g_type_ensure (LES_TYPE_CLAIMS_PAGE);
  g_type_ensure (LES_TYPE_PAYMENTS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/lesclaims/LesClaims/les-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LesWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, year_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, server_revealer);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, server_label);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, stale_revealer);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, stale_label);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, stale_button);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, connecting_page);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, open_another_button);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, open_team_button);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, LesWindow, claims_page);
  gtk_widget_class_bind_template_callback (widget_class, year_selected_cb);

  les_window_class_add_actions (widget_class);
}

static void
les_window_init (LesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new (APP_ID);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  les_window_dnd_init (self);
  if (g_strcmp0 (PACKAGE_VERSION, "") != 0 && strstr (APP_ID, "Devel") != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
  les_window_update_actions (self);
}

LesWindow *
les_window_new (LesApplication *app)
{
  return g_object_new (LES_TYPE_WINDOW, "application", app, NULL);
}

/* The error page: the way out suggested is the kind of database that failed */
static void
show_error (LesWindow *self, const char *title, const char *text, gboolean team)
{
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, text);
  if (team)
    {
      gtk_widget_remove_css_class (self->open_another_button, "suggested-action");
      gtk_widget_add_css_class (self->open_team_button, "suggested-action");
    }
  else
    {
      gtk_widget_remove_css_class (self->open_team_button, "suggested-action");
      gtk_widget_add_css_class (self->open_another_button, "suggested-action");
    }
  gtk_stack_set_visible_child_name (self->main_stack, "error");
}

/* Replaces the session with one on @store, with the user's team @roles
 * (0 for a file) set before the screens see it */
static void
open_store (LesWindow *self, LesStore *store, LesTeamRoles roles)
{
  g_autoptr(LesSession) session = les_session_new (store);

  /* another database chosen while the last one was still being connected to */
  if (self->reopening != NULL)
    g_cancellable_cancel (self->reopening);
  g_clear_object (&self->reopening);

  les_session_set_roles (session, roles);
  set_session (self, session);
  update_subtitle (self);
  gtk_stack_set_visible_child_name (self->main_stack, "content");
  les_window_update_actions (self);
}

gboolean
les_window_open_database (LesWindow *self, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LesStore) store = NULL;
  g_autofree char *default_path = les_store_default_path ();

  g_return_val_if_fail (LES_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  store = les_store_open (path, &error);
  if (store == NULL)
    {
      show_error (self, _("Cannot Open the Database"), error->message, FALSE);
      /* Keep working in the database already open, if any */
      if (self->session != NULL)
        {
          gtk_stack_set_visible_child_name (self->main_stack, "content");
          les_window_add_toast (self, error->message);
        }
      return FALSE;
    }

  open_store (self, store, 0);
  g_settings_set_string (self->settings, "last-database", g_strcmp0 (path, default_path) == 0 ? "" : path);

  /* The default database starts with the demo data set, so there is something to see */
  if (g_strcmp0 (path, default_path) == 0 && les_store_is_empty (store))
    les_window_import_demo (self);
  return TRUE;
}

/**
 * les_window_open_team_store:
 * @store: a team database opened on a server (LesTeamDialog)
 * @roles: the user's team roles there
 *
 * Opens it like a file; the actions the roles may not use are disabled, and
 * a toast says why.
 */
void
les_window_open_team_store (LesWindow *self, LesStore *store, LesTeamRoles roles)
{
  g_autofree char *why = NULL;

  g_return_if_fail (LES_IS_WINDOW (self));
  g_return_if_fail (LES_IS_STORE (store));

  open_store (self, store, roles);
  why = les_team_access_describe (roles);
  if (why != NULL)
    les_window_add_toast (self, why);
}

static void
reopen_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LesWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LesStore) store = NULL;
  g_autofree char *note = NULL;
  LesTeamRoles roles = 0;

  store = les_team_connect_finish (result, &roles, &note, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->reopening);
  if (store == NULL)
    {
      g_autofree char *text = NULL;

      /* the window as when nothing opens: it says why, and offers the
       * dialog, filled in, with the other ways out */
      if (g_error_matches (error, LES_ERROR, LES_ERROR_UNREACHABLE))
        text = g_strdup_printf ("%s\n\n%s", error->message,
                                _("Check that the server is running and that this computer is on its network, "
                                  "then open the team database again."));
      else
        text = g_strdup_printf ("%s\n\n%s", error->message,
                                _("Open the team database again, with your password if it asks for one."));
      show_error (self, _("Cannot Open the Team Database"), text, TRUE);
      return;
    }
  les_window_open_team_store (self, store, roles);
  if (note != NULL)
    les_window_add_toast (self, note);
}

/* Opens the team database of a connection string the settings kept, on a
 * worker: the window shows a spinner meanwhile, and never waits */
static void
reopen_team_database (LesWindow *self, const char *conninfo)
{
  g_autoptr(LesTeamServer) server = les_team_server_from_conninfo (conninfo);
  g_autofree char *where = NULL;

  if (server == NULL || server->database == NULL)
    {
      show_error (self, _("Cannot Open the Team Database"),
                  _("The team database opened last is not known any more: open it again."), TRUE);
      return;
    }
  /* Translators: "As alice on db.example.nhs.uk, database les_claims" */
  where = g_strdup_printf (_("As %s on %s, database %s"), server->user != NULL ? server->user : g_get_user_name (),
                           server->host != NULL ? server->host : _("this computer"), server->database);
  adw_status_page_set_description (self->connecting_page, where);
  gtk_stack_set_visible_child_name (self->main_stack, "connecting");
  if (self->reopening != NULL)
    g_cancellable_cancel (self->reopening);
  g_clear_object (&self->reopening);
  self->reopening = g_cancellable_new ();
  les_team_connect_async (server, NULL, self->reopening, reopen_done_cb, g_object_ref (self));
}

void
les_window_open_last_database (LesWindow *self)
{
  g_autofree char *last = NULL;

  g_return_if_fail (LES_IS_WINDOW (self));

  last = g_settings_get_string (self->settings, "last-database");
  if (last[0] != '\0' && les_store_is_server_location (last))
    {
      reopen_team_database (self, last);
      return;
    }
  if (last[0] == '\0' || !g_file_test (last, G_FILE_TEST_EXISTS))
    {
      g_free (last);
      last = les_store_default_path ();
    }
  les_window_open_database (self, last);
}

LesSession *
les_window_get_session (LesWindow *self)
{
  g_return_val_if_fail (LES_IS_WINDOW (self), NULL);
  return self->session;
}

GtkWidget *
les_window_get_page (LesWindow *self, const char *name)
{
  g_return_val_if_fail (LES_IS_WINDOW (self), NULL);
  return adw_view_stack_get_child_by_name (self->stack, name);
}

void
les_window_add_toast (LesWindow *self, const char *title)
{
  AdwToast *toast;
  g_autofree char *escaped = NULL;

  g_return_if_fail (LES_IS_WINDOW (self));

  escaped = g_markup_escape_text (title, -1);
  toast = adw_toast_new (escaped);
  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

const char *
les_window_get_server_text (LesWindow *self)
{
  g_return_val_if_fail (LES_IS_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->server_revealer))
    return NULL;
  return gtk_label_get_text (self->server_label);
}

const char *
les_window_get_error_text (LesWindow *self)
{
  g_return_val_if_fail (LES_IS_WINDOW (self), NULL);

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "error") != 0)
    return NULL;
  return adw_status_page_get_description (self->error_page);
}

/* The banner's words when the figures are out of date, NULL when it is hidden (for tests). */
const char *
les_window_get_stale_text (LesWindow *self)
{
  g_return_val_if_fail (LES_IS_WINDOW (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->stale_revealer))
    return NULL;
  return gtk_label_get_text (self->stale_label);
}
