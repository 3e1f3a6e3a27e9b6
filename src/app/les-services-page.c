/* les-services-page.c: the Services screen — the year's services and, beside them, the selected one's editor. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "les-service-draft.h"
#include "les-service-editor.h"
#include "les-service-row.h"
#include "les-date-popover.h"
#include "les-services-page.h"
#include "les-team-access.h"
#include "les-table-view.h"
#include "les-value.h"

struct _LesServicesPage
{
  LesPage        parent_instance;

  GtkSearchBar    *search_bar;
  GtkSearchEntry  *search_entry;
  GtkStack        *stack;
  GtkColumnView   *column_view;
  GtkSingleSelection *selection;
  GtkSortListModel *sorted;
  GListStore      *rows;       /* LesServiceRow, as read; the columns' sorter and the search sit on it */
  GtkLabel        *count_label;
  GtkStack        *detail_stack;
  LesServiceEditor *editor;
};

G_DEFINE_FINAL_TYPE (LesServicesPage, les_services_page, LES_TYPE_PAGE)

/* What the screen shows, read on a worker thread */
typedef struct
{
  GListModel *rows;           /* LesServiceRow */
  char     *editing;          /* the service in the editor when the load began */
  gboolean  editing_exists;   /* which is still there */
} ServicesData;

static void
services_data_free (gpointer data)
{
  ServicesData *d = data;

  g_clear_object (&d->rows);
  g_free (d->editing);
  g_free (d);
}

static gpointer
services_load (LesStore *store, int year, gpointer args, GError **error)
{
  const char *editing = args;
  ServicesData *d;
  GListModel *rows = les_service_rows_read (store, year, error);

  if (rows == NULL)
    return NULL;
  d = g_new0 (ServicesData, 1);
  d->rows = rows;
  d->editing = g_strdup (editing);
  if (editing != NULL)
    {
      g_autoptr(LesServiceDraft) still = les_service_draft_load (store, editing, year, NULL);
      d->editing_exists = still != NULL;
    }
  return d;
}

static void
services_fill (LesPage *page, gpointer result, const GError *error)
{
  LesServicesPage *self = LES_SERVICES_PAGE (page);
  ServicesData *d = result;
  g_autofree char *year = NULL;
  guint n;

  if (d == NULL)
    {
      g_warning ("Cannot list the services: %s", error->message);
      return;
    }
  les_list_store_update (self->rows, d->rows, les_service_row_equal);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  /* a new service being written keeps the editor in view */
  if (n > 0 || g_strcmp0 (gtk_stack_get_visible_child_name (self->detail_stack), "editor") != 0
      || les_service_editor_get_code (self->editor) != NULL)
    gtk_stack_set_visible_child_name (self->stack, n > 0 ? "table" : "empty");
  if (les_service_editor_get_code (self->editor) != NULL && !d->editing_exists
      && g_strcmp0 (les_service_editor_get_code (self->editor), d->editing) == 0)
    gtk_stack_set_visible_child_name (self->detail_stack, "none");

  year = les_year_format (les_page_get_year (page));
  {
    g_autofree char *text = g_strdup_printf (ngettext ("%u service in %s", "%u services in %s", n), n, year);
    gtk_label_set_text (self->count_label, text);
  }
}

static void
les_services_page_reload (LesPage *page)
{
  LesServicesPage *self = LES_SERVICES_PAGE (page);
  LesSession *session = les_session_widget_get_session (LES_SESSION_WIDGET (page));
  gboolean may = les_team_access_may (session != NULL ? les_session_get_roles (session) : 0,
                                      LES_TEAM_TASK_EDIT_SERVICES);

  /* a team role that may not change services reads them, and is offered no edit */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.new-service", may);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.duplicate-service", may);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "page.retire-service", may);
  gtk_widget_set_sensitive (GTK_WIDGET (self->editor), may);
  if (les_page_get_store (page) == NULL)
    return;
  les_page_load (page, services_load, g_strdup (les_service_editor_get_code (self->editor)), g_free,
                 services_fill, services_data_free);
}

static void
edit_service (LesServicesPage *self, const char *code)
{
  if (les_page_get_store (LES_PAGE (self)) == NULL)
    return;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->detail_stack), "editor") == 0
      && g_strcmp0 (les_service_editor_get_code (self->editor), code) == 0)
    return;
  if (les_service_editor_load (self->editor, code, les_page_get_year (LES_PAGE (self))))
    gtk_stack_set_visible_child_name (self->detail_stack, "editor");
}

static void
activated_cb (GtkColumnView *view, guint position, LesServicesPage *self)
{
  g_autoptr(LesServiceRow) row = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (row != NULL)
    edit_service (self, les_service_row_get_code (row));
}

static void
selected_cb (GtkSingleSelection *selection, GParamSpec *pspec, LesServicesPage *self)
{
  LesServiceRow *row = gtk_single_selection_get_selected_item (selection);

  if (row != NULL)
    edit_service (self, les_service_row_get_code (row));
}

/* A copy or retirement written (the session offers its Undo), or refused */
static void
edit_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LesServicesPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!les_session_edit_service_finish (LES_SESSION (object), result, NULL, NULL, &error))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.show-toast", "s", error->message);
}

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesServicesPage *self = LES_SERVICES_PAGE (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static gboolean
write_csv (GOutputStream *out, gpointer data, GError **error)
{
  return les_service_rows_write_csv (data, out, NULL, error);
}

/* The rows shown, in their order */
static void
les_services_page_export (LesPage *page)
{
  LesServicesPage *self = LES_SERVICES_PAGE (page);
  g_autofree char *year = les_year_format (les_page_get_year (page));
  g_autofree char *name = g_strdup_printf ("services-%.4s-%s.csv", year, year + 5);

  les_csv_save_as (GTK_WIDGET (self), name, write_csv, g_object_ref (self->sorted), g_object_unref);
}

static void
new_service_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  LesServicesPage *self = LES_SERVICES_PAGE (widget);

  if (les_page_get_session (LES_PAGE (self)) == NULL || les_page_get_year (LES_PAGE (self)) == 0)
    {
      gtk_widget_activate_action (widget, "win.show-toast", "s",
                                  _("Import services first: a new service belongs to a year that has services"));
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "table");
  if (les_service_editor_load (self->editor, NULL, les_page_get_year (LES_PAGE (self))))
    {
      gtk_stack_set_visible_child_name (self->detail_stack, "editor");
      gtk_widget_grab_focus (les_service_editor_get_row (self->editor, FALSE, "service_code"));
    }
}

/* Starts copying (or with @retire, ending on @end_date) the service edited; FALSE when none is edited */
static gboolean
change_service (LesServicesPage *self, gboolean retire, const char *end_date)
{
  LesSession *session = les_page_get_session (LES_PAGE (self));
  const char *code = les_service_editor_get_code (self->editor);

  if (session == NULL || code == NULL)
    return FALSE;
  if (retire)
    les_session_retire_service_async (session, code, end_date, edit_done_cb, g_object_ref (self));
  else
    les_session_duplicate_service_async (session, code, edit_done_cb, g_object_ref (self));
  return TRUE;
}

/* Starts copying the service edited to the next year; FALSE when none is edited. */
gboolean
les_services_page_duplicate (LesServicesPage *self)
{
  g_return_val_if_fail (LES_IS_SERVICES_PAGE (self), FALSE);
  return change_service (self, FALSE, NULL);
}

static void
duplicate_service_action (GtkWidget *widget, const char *action_name, GVariant *param)
{
  les_services_page_duplicate (LES_SERVICES_PAGE (widget));
}

/* Starts ending the service edited on @end_date (NULL: the end of the year); FALSE when none is edited. */
gboolean
les_services_page_retire (LesServicesPage *self, const char *end_date)
{
  g_return_val_if_fail (LES_IS_SERVICES_PAGE (self), FALSE);
  return change_service (self, TRUE, end_date);
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

  if (les_page_get_store (LES_PAGE (self)) == NULL || code == NULL)
    return;
  les_date_format ((les_page_get_year (LES_PAGE (self)) + 1) * 10000 + 331, end);
  body = g_strdup_printf (_("%s will pay nothing after the date below. Its claims, payments and history are kept; "
                            "nothing is deleted."), code);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), _("Retire Service?"), body);
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), end);
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("End date"), -1);
  {
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

    gtk_widget_set_hexpand (entry, TRUE);
    gtk_box_append (GTK_BOX (box), entry);
    gtk_box_append (GTK_BOX (box), les_date_popover_button_new (GTK_EDITABLE (entry)));
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  }
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
les_services_page_dispose (GObject *object)
{
  LesServicesPage *self = (LesServicesPage *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), LES_TYPE_SERVICES_PAGE);

  G_OBJECT_CLASS (les_services_page_parent_class)->dispose (object);
}

static void
les_services_page_class_init (LesServicesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  LesPageClass *page_class = LES_PAGE_CLASS (klass);

  object_class->dispose = les_services_page_dispose;
  page_class->reload = les_services_page_reload;
  /* services and rules, and the practices signed up and claims counted for each */
  page_class->shows = LES_CHANGE_SERVICES | LES_CHANGE_REFERENCE | LES_CHANGE_CLAIMS;
  page_class->export = les_services_page_export;

  g_type_ensure (LES_TYPE_SERVICE_ROW);
  g_type_ensure (LES_TYPE_SERVICE_EDITOR);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/lesclaims/LesClaims/les-services-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, search_bar);
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, stack);
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, selection);
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, sorted);
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, rows);
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, detail_stack);
  gtk_widget_class_bind_template_child (widget_class, LesServicesPage, editor);
  gtk_widget_class_bind_template_callback (widget_class, activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, selected_cb);

  gtk_widget_class_install_action (widget_class, "page.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "page.new-service", NULL, new_service_action);
  gtk_widget_class_install_action (widget_class, "page.duplicate-service", NULL, duplicate_service_action);
  gtk_widget_class_install_action (widget_class, "page.retire-service", NULL, retire_service_action);

}

static void
les_services_page_init (LesServicesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  /* sorted by the columns the person chose */
  gtk_sort_list_model_set_sorter (self->sorted, gtk_column_view_get_sorter (self->column_view));
}

/* The services shown (LesServiceRow), searched and sorted as on screen. */
GListModel *
les_services_page_get_rows (LesServicesPage *self)
{
  g_return_val_if_fail (LES_IS_SERVICES_PAGE (self), NULL);
  les_page_reload_if_dirty (LES_PAGE (self));
  return G_LIST_MODEL (self->sorted);
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

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->sorted)); i++)
    {
      g_autoptr(LesServiceRow) row = g_list_model_get_item (G_LIST_MODEL (self->sorted), i);

      if (g_strcmp0 (les_service_row_get_code (row), code) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          edit_service (self, code);
          return TRUE;
        }
    }
  return FALSE;
}
