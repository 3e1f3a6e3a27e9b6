/* les-team-dialog.c: opening a team database on a PostgreSQL server — host, port, database, user, password. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <libpq-fe.h>
#include <string.h>

#include "les-keyring.h"
#include "les-team-dialog.h"

struct _LesTeamDialog
{
  AdwWindow       parent_instance;

  GtkButton      *connect_button;
  GtkSpinner     *spinner;
  GtkWidget      *fields;
  AdwEntryRow    *host_row;
  AdwEntryRow    *port_row;
  AdwEntryRow    *database_row;
  AdwEntryRow    *user_row;
  AdwEntryRow    *password_row;
  AdwComboRow    *encryption_row;
  AdwActionRow   *ca_row;
  GtkLabel       *error_label;

  char           *ca_file;       /* sslrootcert for verify-full; NULL: libpq's ~/.postgresql/root.crt */
  GtkFileChooserNative *chooser;
  GCancellable   *cancellable;   /* the connection under way */
};

G_DEFINE_FINAL_TYPE (LesTeamDialog, les_team_dialog, ADW_TYPE_WINDOW)

enum {
  OPENED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The encryption row's choices, in its order */
static const char * const sslmodes[] = { "prefer", "require", "verify-full" };

/* What the worker needs: copies, since the fields may change meanwhile */
typedef struct
{
  LesTeamServer *server;
  char          *password;   /* typed; NULL to look in the keyring */
} Connect;

typedef struct
{
  LesStore     *store;
  LesTeamRoles  roles;
  char         *note;    /* the password could not be kept, and why */
} Opened;

static void
connect_free (Connect *c)
{
  les_team_server_free (c->server);
  if (c->password != NULL)
    memset (c->password, 0, strlen (c->password));
  g_free (c->password);
  g_free (c);
}

static void
opened_free (Opened *o)
{
  g_clear_object (&o->store);
  g_free (o->note);
  g_free (o);
}

static char *
field (AdwEntryRow *row)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));
}

static void
append_value (GString *conninfo, const char *keyword, const char *value)
{
  if (value == NULL || value[0] == '\0')
    return;
  if (conninfo->len > 0)
    g_string_append_c (conninfo, ' ');
  /* libpq: a value in single quotes, with \ and ' escaped by a backslash */
  g_string_append_printf (conninfo, "%s='", keyword);
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (conninfo, '\\');
      g_string_append_c (conninfo, *p);
    }
  g_string_append_c (conninfo, '\'');
}

static void
set_connecting (LesTeamDialog *self, gboolean connecting)
{
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), connecting);
  gtk_spinner_set_spinning (self->spinner, connecting);
  gtk_widget_set_sensitive (self->fields, !connecting);
  gtk_widget_set_sensitive (GTK_WIDGET (self->connect_button), !connecting);
}

/* On a worker: the keyring and the server both block */
static void
connect_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Connect *c = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LesStore) store = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *conninfo = NULL;
  const char *password = c->password;
  Opened *opened;

  if (password == NULL)
    {
      g_autoptr(GError) local = NULL;

      /* no keyring (a server desk): libpq may still find ~/.pgpass or Kerberos */
      kept = les_keyring_lookup_server_password (c->server->host, c->server->port, c->server->database,
                                                 c->server->user, cancellable, &local);
      if (local != NULL)
        g_debug ("team database: no keyring: %s", local->message);
      password = kept;
    }
  conninfo = les_team_server_to_conninfo (c->server, password);
  store = les_store_open (conninfo, &error);
  if (kept != NULL)
    memset (kept, 0, strlen (kept));
  memset (conninfo, 0, strlen (conninfo));
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  opened = g_new0 (Opened, 1);
  if (c->password != NULL)
    {
      g_autoptr(GError) local = NULL;

      /* the database is open all the same: the user is told, and asked again next time */
      if (!les_keyring_save_server_password (c->server->host, c->server->port, c->server->database,
                                             c->server->user, c->password, cancellable, &local))
        opened->note = g_strdup_printf (_("Your password could not be kept in your keyring: %s"),
                                        local != NULL ? local->message : _("it is locked"));
    }
  opened->roles = les_team_get_roles (store, &error);
  if (error != NULL)
    g_warning ("Cannot read your team roles; every action stays offered: %s", error->message);
  opened->store = g_steal_pointer (&store);
  g_task_return_pointer (task, opened, (GDestroyNotify) opened_free);
}

/**
 * les_team_connect_async:
 * @server: where, who, and how encrypted
 * @password: (nullable): typed, and kept in the keyring once it works; NULL
 *   to use the one kept there (or libpq's ~/.pgpass, Kerberos, certificates)
 *
 * Opens the team database on a worker: the keyring and the server both
 * block.  The Open Team Database… dialog and the application's start (the
 * last database) both open through this.
 */
void
les_team_connect_async (const LesTeamServer *server,
                        const char          *password,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Connect *c;

  g_return_if_fail (server != NULL);

  c = g_new0 (Connect, 1);
  c->server = les_team_server_copy (server);
  c->password = g_strdup (password);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, les_team_connect_async);
  g_task_set_task_data (task, c, (GDestroyNotify) connect_free);
  g_task_run_in_thread (task, connect_thread);
}

/**
 * les_team_connect_finish:
 * @roles: (out): the user's team roles there
 * @note: (out) (transfer full): why a typed password could not be kept, or NULL
 *
 * Returns: (transfer full) (nullable): the store, or NULL with @error set
 */
LesStore *
les_team_connect_finish (GAsyncResult *result, LesTeamRoles *roles, char **note, GError **error)
{
  Opened *opened;
  LesStore *store;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  opened = g_task_propagate_pointer (G_TASK (result), error);
  if (opened == NULL)
    return NULL;
  *roles = opened->roles;
  *note = g_steal_pointer (&opened->note);
  store = g_steal_pointer (&opened->store);
  opened_free (opened);
  return store;
}

static void
connect_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LesTeamDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LesStore) store = NULL;
  g_autofree char *note = NULL;
  LesTeamRoles roles = 0;

  store = les_team_connect_finish (result, &roles, &note, &error);
  if (store == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->cancellable == NULL)
        return;
      g_clear_object (&self->cancellable);
      set_connecting (self, FALSE);
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  g_clear_object (&self->cancellable);
  set_connecting (self, FALSE);
  g_signal_emit (self, signals[OPENED], 0, store, (guint) roles, note);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* Signal callbacks */

static void
field_changed_cb (LesTeamDialog *self)
{
  g_autofree char *host = field (self->host_row);
  g_autofree char *port = field (self->port_row);
  g_autofree char *database = field (self->database_row);
  g_autofree char *user = field (self->user_row);
  gboolean digits = port[0] != '\0' && strspn (port, "0123456789") == strlen (port);

  gtk_widget_set_sensitive (GTK_WIDGET (self->connect_button),
                            self->cancellable == NULL && host[0] != '\0' && digits
                            && database[0] != '\0' && user[0] != '\0');
  if (port[0] != '\0' && !digits)
    gtk_widget_add_css_class (GTK_WIDGET (self->port_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->port_row), "error");
}

static void
connect_clicked_cb (LesTeamDialog *self)
{
  g_autoptr(LesTeamServer) server = NULL;
  const char *typed;

  if (!gtk_widget_get_sensitive (GTK_WIDGET (self->connect_button)))
    return;
  server = les_team_dialog_get_team_server (self);
  typed = gtk_editable_get_text (GTK_EDITABLE (self->password_row));

  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  set_connecting (self, TRUE);
  self->cancellable = g_cancellable_new ();
  les_team_connect_async (server, typed[0] != '\0' ? typed : NULL, self->cancellable, connect_done_cb,
                          g_object_ref (self));
}

static void
update_ca_row (LesTeamDialog *self)
{
  gboolean verify = adw_combo_row_get_selected (self->encryption_row) == 2;

  gtk_widget_set_visible (GTK_WIDGET (self->ca_row), verify);
  if (self->ca_file != NULL)
    {
      g_autofree char *name = g_filename_display_name (self->ca_file);

      adw_action_row_set_subtitle (self->ca_row, name);
    }
  else
    adw_action_row_set_subtitle (self->ca_row, _("The one in ~/.postgresql/root.crt"));
}

static void
encryption_changed_cb (LesTeamDialog *self)
{
  update_ca_row (self);
}

static void
ca_chosen_cb (GtkNativeDialog *chooser, int response, LesTeamDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      g_free (self->ca_file);
      self->ca_file = file != NULL ? g_file_get_path (file) : NULL;
      update_ca_row (self);
    }
  gtk_native_dialog_destroy (chooser);
  g_clear_object (&self->chooser);
}

static void
choose_ca_clicked_cb (LesTeamDialog *self)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Certificate Authority"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_filter_set_name (filter, _("Certificates"));
  gtk_file_filter_add_pattern (filter, "*.crt");
  gtk_file_filter_add_pattern (filter, "*.pem");
  gtk_file_filter_add_pattern (filter, "*.cer");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_signal_connect (self->chooser, "response", G_CALLBACK (ca_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
cancel_clicked_cb (LesTeamDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

/* Overrides */

static gboolean
les_team_dialog_close_request (GtkWindow *window)
{
  LesTeamDialog *self = LES_TEAM_DIALOG (window);

  /* a connection still under way is let go: its store is dropped when it comes */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  return GTK_WINDOW_CLASS (les_team_dialog_parent_class)->close_request (window);
}

static void
les_team_dialog_dispose (GObject *object)
{
  LesTeamDialog *self = LES_TEAM_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->ca_file, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), LES_TYPE_TEAM_DIALOG);

  G_OBJECT_CLASS (les_team_dialog_parent_class)->dispose (object);
}

static void
les_team_dialog_class_init (LesTeamDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = les_team_dialog_dispose;
  window_class->close_request = les_team_dialog_close_request;

  signals[OPENED] = g_signal_new ("opened", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                  G_TYPE_NONE, 3, LES_TYPE_STORE, G_TYPE_UINT, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/lesclaims/LesClaims/les-team-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LesTeamDialog, connect_button);
  gtk_widget_class_bind_template_child (widget_class, LesTeamDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, LesTeamDialog, fields);
  gtk_widget_class_bind_template_child (widget_class, LesTeamDialog, host_row);
  gtk_widget_class_bind_template_child (widget_class, LesTeamDialog, port_row);
  gtk_widget_class_bind_template_child (widget_class, LesTeamDialog, database_row);
  gtk_widget_class_bind_template_child (widget_class, LesTeamDialog, user_row);
  gtk_widget_class_bind_template_child (widget_class, LesTeamDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, LesTeamDialog, encryption_row);
  gtk_widget_class_bind_template_child (widget_class, LesTeamDialog, ca_row);
  gtk_widget_class_bind_template_child (widget_class, LesTeamDialog, error_label);
  gtk_widget_class_bind_template_callback (widget_class, field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, connect_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, encryption_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_ca_clicked_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
les_team_dialog_init (LesTeamDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update_ca_row (self);
}

GtkWidget *
les_team_dialog_new (GtkWindow *parent)
{
  return g_object_new (LES_TYPE_TEAM_DIALOG, "transient-for", parent, NULL);
}

void
les_team_dialog_set_server (LesTeamDialog *self, const char *host, guint port, const char *database, const char *user)
{
  g_autofree char *port_text = g_strdup_printf ("%u", port != 0 ? port : 5432);

  g_return_if_fail (LES_IS_TEAM_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->host_row), host != NULL ? host : "");
  gtk_editable_set_text (GTK_EDITABLE (self->port_row), port_text);
  gtk_editable_set_text (GTK_EDITABLE (self->database_row), database != NULL ? database : "");
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), user != NULL ? user : "");
}

void
les_team_dialog_get_server (LesTeamDialog *self, char **host, guint *port, char **database, char **user)
{
  g_autofree char *port_text = NULL;

  g_return_if_fail (LES_IS_TEAM_DIALOG (self));

  port_text = field (self->port_row);
  *host = field (self->host_row);
  *port = (guint) g_ascii_strtoull (port_text, NULL, 10);
  *database = field (self->database_row);
  *user = field (self->user_row);
}

char *
les_team_dialog_get_conninfo (LesTeamDialog *self, const char *password)
{
  g_autoptr(LesTeamServer) server = NULL;

  g_return_val_if_fail (LES_IS_TEAM_DIALOG (self), NULL);

  server = les_team_dialog_get_team_server (self);
  return les_team_server_to_conninfo (server, password);
}

/**
 * les_team_dialog_set_encryption:
 * @sslmode: (nullable): "prefer" (NULL, or a mode the dialog does not
 *   offer), "require" or "verify-full"
 * @sslrootcert: (nullable): the certificate authority's file, for verify-full
 */
void
les_team_dialog_set_encryption (LesTeamDialog *self, const char *sslmode, const char *sslrootcert)
{
  guint selected = 0;

  g_return_if_fail (LES_IS_TEAM_DIALOG (self));

  for (guint i = 0; i < G_N_ELEMENTS (sslmodes); i++)
    if (g_strcmp0 (sslmode, sslmodes[i]) == 0)
      selected = i;
  g_free (self->ca_file);
  self->ca_file = sslrootcert != NULL && sslrootcert[0] != '\0' ? g_strdup (sslrootcert) : NULL;
  adw_combo_row_set_selected (self->encryption_row, selected);
  update_ca_row (self);
}

/* The fields as they stand */
LesTeamServer *
les_team_dialog_get_team_server (LesTeamDialog *self)
{
  LesTeamServer *server;
  guint selected;

  g_return_val_if_fail (LES_IS_TEAM_DIALOG (self), NULL);

  selected = MIN (adw_combo_row_get_selected (self->encryption_row), G_N_ELEMENTS (sslmodes) - 1);
  server = g_new0 (LesTeamServer, 1);
  server->host = field (self->host_row);
  server->port = field (self->port_row);
  server->database = field (self->database_row);
  server->user = field (self->user_row);
  server->sslmode = g_strdup (sslmodes[selected]);
  /* the authority is verify-full's alone */
  server->sslrootcert = selected == 2 ? g_strdup (self->ca_file) : NULL;
  return server;
}

const char *
les_team_dialog_get_error (LesTeamDialog *self)
{
  g_return_val_if_fail (LES_IS_TEAM_DIALOG (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->error_label)))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

/**
 * les_team_build_conninfo:
 *
 * Returns: (transfer full): "host='…' port='…' dbname='…' user='…'
 * password='…'", for les_store_open(); it may hold a password: never log it
 */
char *
les_team_build_conninfo (const char *host, const char *port, const char *database, const char *user,
                         const char *password)
{
  GString *conninfo = g_string_new (NULL);

  append_value (conninfo, "host", host);
  append_value (conninfo, "port", port);
  append_value (conninfo, "dbname", database);
  append_value (conninfo, "user", user);
  append_value (conninfo, "password", password);
  return g_string_free (conninfo, FALSE);
}

/* A team server */

LesTeamServer *
les_team_server_copy (const LesTeamServer *server)
{
  LesTeamServer *copy = g_new0 (LesTeamServer, 1);

  copy->host = g_strdup (server->host);
  copy->port = g_strdup (server->port);
  copy->database = g_strdup (server->database);
  copy->user = g_strdup (server->user);
  copy->sslmode = g_strdup (server->sslmode);
  copy->sslrootcert = g_strdup (server->sslrootcert);
  return copy;
}

void
les_team_server_free (LesTeamServer *server)
{
  if (server == NULL)
    return;
  g_free (server->host);
  g_free (server->port);
  g_free (server->database);
  g_free (server->user);
  g_free (server->sslmode);
  g_free (server->sslrootcert);
  g_free (server);
}

/**
 * les_team_server_to_conninfo:
 * @password: (nullable): NULL for the connection string the settings keep
 *
 * Returns: (transfer full): libpq's keyword=value form; "prefer", libpq's
 * own default, is left out, so that PGSSLMODE still applies to it
 */
char *
les_team_server_to_conninfo (const LesTeamServer *server, const char *password)
{
  GString *conninfo;
  g_autofree char *base = NULL;

  g_return_val_if_fail (server != NULL, NULL);

  base = les_team_build_conninfo (server->host, server->port, server->database, server->user, NULL);
  conninfo = g_string_new (base);
  if (g_strcmp0 (server->sslmode, "prefer") != 0)
    append_value (conninfo, "sslmode", server->sslmode);
  append_value (conninfo, "sslrootcert", server->sslrootcert);
  append_value (conninfo, "password", password);
  return g_string_free (conninfo, FALSE);
}

/**
 * les_team_server_from_conninfo:
 * @conninfo: a connection string without a password (the last database, from the settings)
 *
 * Returns: (transfer full) (nullable): its server, or NULL when libpq cannot read it
 */
LesTeamServer *
les_team_server_from_conninfo (const char *conninfo)
{
  PQconninfoOption *options = PQconninfoParse (conninfo, NULL);
  LesTeamServer *server;

  if (options == NULL)
    return NULL;
  server = g_new0 (LesTeamServer, 1);
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    {
      char **slot = NULL;

      if (o->val == NULL || o->val[0] == '\0')
        continue;
      if (strcmp (o->keyword, "host") == 0)
        slot = &server->host;
      else if (strcmp (o->keyword, "port") == 0)
        slot = &server->port;
      else if (strcmp (o->keyword, "dbname") == 0)
        slot = &server->database;
      else if (strcmp (o->keyword, "user") == 0)
        slot = &server->user;
      else if (strcmp (o->keyword, "sslmode") == 0)
        slot = &server->sslmode;
      else if (strcmp (o->keyword, "sslrootcert") == 0)
        slot = &server->sslrootcert;
      if (slot != NULL)
        {
          g_free (*slot);
          *slot = g_strdup (o->val);
        }
    }
  PQconninfoFree (options);
  if (server->sslmode == NULL)
    server->sslmode = g_strdup ("prefer");
  return server;
}
