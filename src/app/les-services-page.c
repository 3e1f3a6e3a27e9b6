/* les-services-page.c: the Services screen — the year's services and, beside them, the selected one's editor. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "les-queries.h"
#include "les-service-edit.h"
#include "les-service-editor.h"
#include "les-services-page.h"
#include "les-value.h"
#include "les-window.h"

struct _LesServicesPage
{
  GtkWidget        parent_instance;

  GtkSearchBar    *search_bar;
  GtkSearchEntry  *search_entry;
  GtkStack        *stack;
  LesTableView    *table;
  GtkLabel        *count_label;
  GtkStack        *detail_stack;
  LesServiceEditor *editor;

  LesStore        *store;
  gulong           changed_id;
  int              year;
  gboolean         dirty;
};

G_DEFINE_FINAL_TYPE (LesServicesPage, les_services_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_YEAR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
reload (LesServicesPage *self)
{
  g_autoptr(GError) error = NULL;
  LesTable *table;
  g_autofree char *year = NULL;
  g_autofree char *export_name = NULL;
  guint n;

  self->dirty = FALSE;
  if (self->store == NULL)
    return;

  table = les_queries_services (self->store, self->year, &error);
  if (table == NULL)
    {
      g_warning ("Cannot list the services: %s", error->message);
      return;
    }
  les_table_view_set_table (self->table, table);
  n = les_table_view_get_n_rows (self->table);
  /* a new service being written keeps the editor in view */
  if (n > 0 || g_strcmp0 (gtk_stack_get_visible_child_name (self->detail_stack), "editor") != 0
      || les_service_editor_get_code (self->editor) != NULL)
    gtk_stack_set_visible_child_name (self->stack, n > 0 ? "table" : "empty");
  if (les_service_editor_get_code (self->editor) != NULL)
    {
      g_autoptr(LesServiceDraft) still = les_service_draft_load (self->store, les_service_editor_get_code (self->editor),
                                                                 self->year, NULL);
      if (still == NULL)
        gtk_stack_set_visible_child_name (self->detail_stack, "none");
    }

  year = les_year_format (self->year);
  export_name = g_strdup_printf ("services-%.4s-%s.csv", year, year + 5);
  les_table_view_set_export_name (self->table, export_name);
  {
    g_autofree char *text = g_strdup_printf (ngettext ("%u service in %s", "%u services in %s", n), n, year);
    gtk_label_set_text (self->count_label, text);
  }
}

static void
queue_reload (LesServicesPage *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    reload (self);
  else
    self->dirty = TRUE;
}

static void
store_changed_cb (LesStore *store, const char *table_name, LesServicesPage *self)
{
  queue_reload (self);
}

static void
search_changed_cb (GtkSearchEntry *entry, LesServicesPage *self)
{
  les_table_view_set_search (self->table, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
edit_service (LesServicesPage *self, const char *code)
{
  if (self->store == NULL)
    return;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->detail_stack), "editor") == 0
      && g_strcmp0 (les_service_editor_get_code (self->editor), code) == 0)
    return;
  if (les_service_editor_load (self->editor, self->store, code, self->year))
    gtk_stack_set_visible_child_name (self->detail_stack, "editor");
}

static void
row_activated_cb (LesTableView *table, LesRow *row, LesServicesPage *self)
{
  edit_service (self, les_row_get_text (row, 0));
}

static void
selection_changed_cb (LesTableView *table, LesRow *row, LesServicesPage *self)
{
  if (row != NULL)
    edit_service (self, les_row_get_text (row, 0));
}

static gboolean
undo_change (LesStore *store, gpointer data, GError **error)
{
  return les_service_change_undo (store, data, error);
}

static void
push_undo (LesServicesPage *self, const char *title, LesServiceChange *change)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), LES_TYPE_WINDOW);

  if (window != NULL)
    les_window_push_undo (LES_WINDOW (window), title, undo_change, change, (GDestroyNotify) les_service_change_free);
  else
    les_service_change_free (change);
}

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesServicesPage *self = LES_SERVICES_PAGE (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  les_table_view_export (LES_SERVICES_PAGE (widget)->table);
}

static void
new_service_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesServicesPage *self = LES_SERVICES_PAGE (widget);

  if (self->store == NULL || self->year == 0)
    {
      gtk_widget_activate_action (widget, "win.show-toast", "s",
                                  _("Import services first: a new service belongs to a year that has services"));
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "table");
  if (les_service_editor_load (self->editor, self->store, NULL, self->year))
    {
      gtk_stack_set_visible_child_name (self->detail_stack, "editor");
      gtk_widget_grab_focus (les_service_editor_get_row (self->editor, FALSE, "service_code"));
    }
}

gboolean
les_services_page_duplicate (LesServicesPage *self)
{
  g_autoptr(GError) error = NULL;
  const char *code;
  LesServiceChange *change;

  g_return_val_if_fail (LES_IS_SERVICES_PAGE (self), FALSE);

  code = les_service_editor_get_code (self->editor);
  if (self->store == NULL || code == NULL)
    return FALSE;
  change = les_service_duplicate (self->store, code, self->year, &error);
  if (change == NULL)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", error->message);
      return FALSE;
    }
  {
    g_autofree char *year = les_year_format (les_service_change_get_year (change));
    /* Translators: "Copied DOAC to 2025/26" */
    g_autofree char *title = g_strdup_printf (_("Copied %s to %s"), code, year);

    push_undo (self, title, change);
  }
  return TRUE;
}

static void
duplicate_service_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  les_services_page_duplicate (LES_SERVICES_PAGE (widget));
}

gboolean
les_services_page_retire (LesServicesPage *self, const char *end_date)
{
  g_autoptr(GError) error = NULL;
  const char *code;
  LesServiceChange *change;

  g_return_val_if_fail (LES_IS_SERVICES_PAGE (self), FALSE);

  code = les_service_editor_get_code (self->editor);
  if (self->store == NULL || code == NULL)
    return FALSE;
  change = les_service_retire (self->store, code, self->year, end_date, &error);
  if (change == NULL)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", error->message);
      return FALSE;
    }
  {
    /* Translators: "Retired DOAC" */
    g_autofree char *title = g_strdup_printf (_("Retired %s"), les_service_change_get_code (change));

    push_undo (self, title, change);
  }
  return TRUE;
}

static void
retire_response_cb (AdwMessageDialog *dialog, const char *response, LesServicesPage *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");

  if (g_strcmp0 (response, "retire") == 0)
    les_services_page_retire (self, gtk_editable_get_text (entry));
}

static void
retire_date_changed_cb (GtkEditable *entry, AdwMessageDialog *dialog)
{
  gint32 ymd;
  gboolean ok = les_date_parse (gtk_editable_get_text (entry), &ymd, NULL);

  if (ok)
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  adw_message_dialog_set_response_enabled (dialog, "retire", ok);
}

static void
retire_service_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesServicesPage *self = LES_SERVICES_PAGE (widget);
  const char *code = les_service_editor_get_code (self->editor);
  GtkWidget *dialog;
  GtkWidget *entry;
  g_autofree char *body = NULL;
  char end[11];

  if (self->store == NULL || code == NULL)
    return;
  les_date_format ((self->year + 1) * 10000 + 331, end);
  body = g_strdup_printf (_("%s will pay nothing after the date below. Its claims, payments and history are kept; "
                            "nothing is deleted."), code);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), _("Retire Service?"), body);
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), end);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("End date"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "retire", _("_Retire"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "retire", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "retire");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_signal_connect (entry, "changed", G_CALLBACK (retire_date_changed_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (retire_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
les_services_page_map (GtkWidget *widget)
{
  LesServicesPage *self = LES_SERVICES_PAGE (widget);

  GTK_WIDGET_CLASS (les_services_page_parent_class)->map (widget);
  if (self->dirty)
    reload (self);
}

static void
set_store (LesServicesPage *self, LesStore *store)
{
  if (self->store == store)
    return;
  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_set_object (&self->store, store);
  if (store != NULL)
    self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (store_changed_cb), self);
  queue_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

static void
les_services_page_dispose (GObject *object)
{
  LesServicesPage *self = (LesServicesPage *) object;

  if (self->store != NULL)
    g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (self), LES_TYPE_SERVICES_PAGE);
  /* The template's top box is not bound, so it is not cleared with the bound children */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (les_services_page_parent_class)->dispose (object);
}

static void
les_services_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LesServicesPage *self = LES_SERVICES_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_YEAR:
      g_value_set_int (value, self->year);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
les_services_page_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LesServicesPage *self = LES_SERVICES_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      set_store (self, g_value_get_object (value));
      break;
    case PROP_YEAR:
      if (self->year != g_value_get_int (value))
        {
          self->year = g_value_get_int (value);
          queue_reload (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
les_services_page_class_init (LesServicesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = les_services_page_dispose;
  object_class->get_property = les_services_page_get_property;
  object_class->set_property = les_services_page_set_property;
  widget_class->map = les_services_page_map;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, LES_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_YEAR] =
    g_param_spec_int ("year", NULL, NULL, 0, 9999, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LES_TYPE_TABLE_VIEW);
  g_type_ensure (LES_TYPE_SERVICE_EDITOR);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/lesclaims/LesClaims/les-services-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, search_bar);
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, table);
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, editor);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed_cb);

  gtk_widget_class_install_action (widget_class, "page.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "page.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "page.new-service", NULL, new_service_action);
  gtk_widget_class_install_action (widget_class, "page.duplicate-service", NULL, duplicate_service_action);
  gtk_widget_class_install_action (widget_class, "page.retire-service", NULL, retire_service_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
les_services_page_init (LesServicesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
}

LesTableView *
les_services_page_get_table (LesServicesPage *self)
{
  g_return_val_if_fail (LES_IS_SERVICES_PAGE (self), NULL);
  return self->table;
}

LesServiceEditor *
les_services_page_get_editor (LesServicesPage *self)
{
  g_return_val_if_fail (LES_IS_SERVICES_PAGE (self), NULL);
  return self->editor;
}

/* Selects service @code in the table and opens it in the editor. */
gboolean
les_services_page_show_service (LesServicesPage *self, const char *code)
{
  g_return_val_if_fail (LES_IS_SERVICES_PAGE (self), FALSE);

  for (guint i = 0; i < les_table_view_get_n_visible (self->table); i++)
    if (g_strcmp0 (les_row_get_text (les_table_view_get_visible_row (self->table, i), 0), code) == 0)
      {
        les_table_view_select (self->table, i);
        edit_service (self, code);
        return TRUE;
      }
  return FALSE;
}
