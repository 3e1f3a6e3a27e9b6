/* les-table-view.c: a sortable, searchable GtkColumnView over a LesTable from the core, with CSV export. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "les-table-view.h"

struct _LesTableView
{
  GtkWidget            parent_instance;

  GtkScrolledWindow   *scroller;
  GtkColumnView       *column_view;

  LesTable            *table;
  GListStore          *rows;        /* the model the filters sit on; its contents are replaced */
  GtkCustomFilter     *filter;
  GtkFilterListModel  *filtered;
  GtkSortListModel    *sorted;
  GtkSingleSelection  *selection;
  char                *search;      /* casefolded */
  char                *export_name;
  GPtrArray           *pending;     /* rows still to append, a step a frame */
  guint                grow_id;
};

/* GTK 4.8 builds the widgets of up to 200 rows when a table fills (about
 * 1–2 ms a row): rows appended below GROW_WINDOW come GROW_STEP at a time,
 * a frame apart, so that showing a long table never holds the main loop
 * for long; the rest follow at once. */
#define GROW_WINDOW 256
#define GROW_STEP 32

G_DEFINE_FINAL_TYPE (LesTableView, les_table_view, GTK_TYPE_WIDGET)

enum {
  ROW_ACTIVATED,
  SELECTION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
numeric (LesCellType type)
{
  return type != LES_CELL_TEXT;
}

static gboolean
row_matches_cb (gpointer item, gpointer user_data)
{
  LesTableView *self = user_data;
  LesRow *row = item;

  if (self->search == NULL)
    return TRUE;
  for (guint i = 0; i < les_row_get_n_cells (row); i++)
    {
      g_autofree char *folded = g_utf8_casefold (les_row_get_text (row, i), -1);

      if (strstr (folded, self->search) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* A column of the table: which cell it shows, for its factory and sorter */
typedef struct
{
  guint    ref_count;
  guint    index;
  gboolean numeric;
} Column;

static Column *
column_ref (Column *column)
{
  column->ref_count++;
  return column;
}

static void
column_unref (gpointer data)
{
  Column *column = data;

  if (--column->ref_count == 0)
    g_free (column);
}

static void
column_closure_unref (gpointer data, GClosure *closure)
{
  column_unref (data);
}

static int
compare_cells_cb (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const Column *column = user_data;
  guint index = column->index;
  LesRow *ra = (LesRow *) a, *rb = (LesRow *) b;

  if (column->numeric)
    {
      gint64 x = les_row_get_number (ra, index), y = les_row_get_number (rb, index);
      return x < y ? -1 : x > y;
    }
  return g_utf8_collate (les_row_get_text (ra, index), les_row_get_text (rb, index));
}

/* Cells, here and in the claims table */

/**
 * les_cell_label_new:
 * @numeric: right-aligned, with tabular figures
 *
 * A table cell's label: ellipsised at the end.
 */
GtkWidget *
les_cell_label_new (gboolean numeric)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1.0 : 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  return label;
}

static gboolean
text_tooltip_cb (GtkWidget *label, int x, int y, gboolean keyboard, GtkTooltip *tooltip, gpointer data)
{
  const char *text = gtk_label_get_text (GTK_LABEL (label));

  if (strlen (text) <= GPOINTER_TO_SIZE (data))
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/**
 * les_cell_label_show_text_on_hover:
 * @min_length: texts of this many bytes or fewer get no tooltip
 *
 * The label's whole text as its tooltip, asked for on hover: setting a
 * tooltip on every cell as rows are bound costs GTK 4.8 about as much as
 * the rest of binding them.
 */
void
les_cell_label_show_text_on_hover (GtkWidget *label, gsize min_length)
{
  g_return_if_fail (GTK_IS_LABEL (label));

  gtk_widget_set_has_tooltip (label, TRUE);
  g_signal_connect (label, "query-tooltip", G_CALLBACK (text_tooltip_cb), GSIZE_TO_POINTER (min_length));
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory, GtkListItem *item, Column *column)
{
  GtkWidget *label = les_cell_label_new (column->numeric);

  /* Long text (names, messages) is ellipsised: the whole of it is a tooltip away */
  les_cell_label_show_text_on_hover (label, 24);
  gtk_list_item_set_child (item, label);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory, GtkListItem *item, Column *column)
{
  LesRow *row = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  const char *text = les_row_get_text (row, column->index);

  gtk_label_set_text (GTK_LABEL (label), text);
  if (text[0] == '-' || g_str_has_prefix (text, "−"))
    gtk_widget_add_css_class (label, "negative");
  else
    gtk_widget_remove_css_class (label, "negative");
}

static gboolean
same_columns (const LesTable *a, const LesTable *b)
{
  return a != NULL && b != NULL && a->columns == b->columns && a->n_columns == b->n_columns;
}

static void
build_columns (LesTableView *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);
  gboolean any_wide = FALSE;

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);
      gtk_column_view_remove_column (self->column_view, column);
    }

  for (guint i = 0; i < self->table->n_columns; i++)
    {
      const LesColumnSpec *spec = &self->table->columns[i];
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;
      Column *cell = g_new0 (Column, 1);
      GtkSorter *sorter;
      gboolean wide = spec->type == LES_CELL_TEXT
                      && (strstr (spec->id, "name") != NULL || strstr (spec->id, "message") != NULL);

      cell->ref_count = 1;
      cell->index = i;
      cell->numeric = numeric (spec->type);
      g_signal_connect_data (factory, "setup", G_CALLBACK (setup_cell_cb), column_ref (cell),
                             column_closure_unref, 0);
      g_signal_connect_data (factory, "bind", G_CALLBACK (bind_cell_cb), column_ref (cell),
                             column_closure_unref, 0);

      column = gtk_column_view_column_new (_(spec->title), factory);
      sorter = GTK_SORTER (gtk_custom_sorter_new (compare_cells_cb, cell, column_unref));
      gtk_column_view_column_set_sorter (column, sorter);
      g_object_unref (sorter);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, wide);
      if (!wide && numeric (spec->type))
        gtk_column_view_column_set_fixed_width (column, spec->type == LES_CELL_MONEY ? 130 : 90);
      else if (!wide && (g_str_has_suffix (spec->id, "_code") || strstr (spec->id, "date") != NULL
                         || g_str_equal (spec->id, "period")))
        gtk_column_view_column_set_fixed_width (column, 100);
      gtk_column_view_append_column (self->column_view, column);
      any_wide |= wide;
    }
  /* Without a column to take the spare width, the text columns share it */
  if (!any_wide)
    for (guint i = 0; i < self->table->n_columns; i++)
      if (self->table->columns[i].type == LES_CELL_TEXT)
        {
          g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, i);
          gtk_column_view_column_set_expand (column, TRUE);
        }
}

static void
column_view_activated_cb (GtkColumnView *view, guint position, LesTableView *self)
{
  g_autoptr(LesRow) row = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (row != NULL)
    g_signal_emit (self, signals[ROW_ACTIVATED], 0, row);
}

static void
selected_item_changed_cb (GtkSingleSelection *selection, GParamSpec *pspec, LesTableView *self)
{
  g_signal_emit (self, signals[SELECTION_CHANGED], 0, gtk_single_selection_get_selected_item (selection));
}

static void
les_table_view_dispose (GObject *object)
{
  LesTableView *self = (LesTableView *) object;

  g_clear_handle_id (&self->grow_id, g_source_remove);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_func (self->selection, selected_item_changed_cb, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), LES_TYPE_TABLE_VIEW);
  g_clear_object (&self->selection);
  g_clear_object (&self->rows);

  G_OBJECT_CLASS (les_table_view_parent_class)->dispose (object);
}

static void
les_table_view_finalize (GObject *object)
{
  LesTableView *self = (LesTableView *) object;

  g_clear_pointer (&self->table, les_table_free);
  g_free (self->search);
  g_free (self->export_name);

  G_OBJECT_CLASS (les_table_view_parent_class)->finalize (object);
}

static void
les_table_view_class_init (LesTableViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = les_table_view_dispose;
  object_class->finalize = les_table_view_finalize;

  signals[ROW_ACTIVATED] = g_signal_new ("row-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, LES_TYPE_ROW);
  /* The row selected, or NULL when none */
  signals[SELECTION_CHANGED] = g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                             0, NULL, NULL, NULL, G_TYPE_NONE, 1, LES_TYPE_ROW);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/lesclaims/LesClaims/les-table-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LesTableView, scroller);
  gtk_widget_class_bind_template_child (widget_class, LesTableView, column_view);
  gtk_widget_class_bind_template_callback (widget_class, column_view_activated_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
les_table_view_init (LesTableView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_list_store_new (LES_TYPE_ROW);
  self->filter = gtk_custom_filter_new (row_matches_cb, self, NULL);
  self->filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (self->rows)), GTK_FILTER (self->filter));
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (self->filtered),
                                          g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (self->sorted));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect (self->selection, "notify::selected-item", G_CALLBACK (selected_item_changed_cb), self);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
}

GtkWidget *
les_table_view_new (void)
{
  return g_object_new (LES_TYPE_TABLE_VIEW, NULL);
}

static gboolean grow_cb (gpointer data);

/* Appends pending rows: up to GROW_WINDOW a step at a time, then all */
static void
grow (LesTableView *self, gboolean all)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  guint take;

  if (self->pending == NULL)
    return;
  take = all || n >= GROW_WINDOW ? self->pending->len : MIN (self->pending->len, GROW_STEP);
  g_list_store_splice (self->rows, n, 0, self->pending->pdata, take);
  g_ptr_array_remove_range (self->pending, 0, take);
  if (self->pending->len == 0)
    {
      g_clear_pointer (&self->pending, g_ptr_array_unref);
      g_clear_handle_id (&self->grow_id, g_source_remove);
    }
  else if (self->grow_id == 0)
    /* after the frame that shows these rows (GDK redraws at HIGH_IDLE + 20) */
    self->grow_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE + 30, grow_cb, self, NULL);
}

static gboolean
grow_cb (gpointer data)
{
  LesTableView *self = data;

  self->grow_id = 0;
  grow (self, FALSE);
  return G_SOURCE_REMOVE;
}

/* Every row in the model now (before reading or writing them) */
static void
flush_pending (LesTableView *self)
{
  grow (self, TRUE);
}

static gboolean
items_equal_at (GListModel *a, guint i, GListModel *b, guint j, GEqualFunc equal)
{
  g_autoptr(GObject) x = g_list_model_get_item (a, i);
  g_autoptr(GObject) y = g_list_model_get_item (b, j);

  return equal (x, y);
}

/**
 * les_model_diff:
 * @first: (out): how many items at the start are the same
 * @same_end: (out): how many at the end are the same, after those
 *
 * How much of @old and @new (rows read again) is the same at either
 * end, compared with @equal: only the rows between need replacing, so
 * that the column view keeps the widgets (and the selection) of the
 * others, and a table read again unchanged costs no widgets at all.
 * Returns whether anything changed.
 */
gboolean
les_model_diff (GListModel *old, GListModel *new, GEqualFunc equal, guint *first, guint *same_end)
{
  guint n = g_list_model_get_n_items (new), n_old = g_list_model_get_n_items (old);

  *first = 0;
  *same_end = 0;
  while (*first < MIN (n, n_old) && items_equal_at (old, *first, new, *first, equal))
    (*first)++;
  while (*same_end < MIN (n, n_old) - *first
         && items_equal_at (old, n_old - 1 - *same_end, new, n - 1 - *same_end, equal))
    (*same_end)++;
  return !(*first + *same_end == n && n == n_old);
}

/* Replaces in @store only the rows of @rows that changed (les_model_diff ()) */
void
les_list_store_update (GListStore *store, GListModel *rows, GEqualFunc equal)
{
  g_autoptr(GPtrArray) items = NULL;
  guint n = g_list_model_get_n_items (rows), n_old = g_list_model_get_n_items (G_LIST_MODEL (store));
  guint first, same_end;

  if (!les_model_diff (G_LIST_MODEL (store), rows, equal, &first, &same_end))
    return;
  items = g_ptr_array_new_full (n - first - same_end, g_object_unref);
  for (guint i = first; i < n - same_end; i++)
    g_ptr_array_add (items, g_list_model_get_item (rows, i));
  g_list_store_splice (store, first, n_old - first - same_end, items->pdata, items->len);
}

void
les_table_view_set_table (LesTableView *self, LesTable *table)
{
  g_autoptr(GPtrArray) items = NULL;
  guint n, n_old, first, same_end;

  g_return_if_fail (LES_IS_TABLE_VIEW (self));
  g_return_if_fail (table != NULL);

  /* the rows of the last table not appended yet are not wanted any more */
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_handle_id (&self->grow_id, g_source_remove);
  if (!same_columns (self->table, table))
    {
      /* Old rows must not meet the new columns */
      g_list_store_remove_all (self->rows);
      g_clear_pointer (&self->table, les_table_free);
      self->table = table;
      build_columns (self);
    }
  else
    {
      g_clear_pointer (&self->table, les_table_free);
      self->table = table;
    }

  /* Only the rows that changed are replaced */
  n = g_list_model_get_n_items (table->rows);
  n_old = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  if (!les_model_diff (G_LIST_MODEL (self->rows), table->rows, (GEqualFunc) les_row_equal, &first, &same_end))
    return;
  items = g_ptr_array_new_full (n - first - same_end, g_object_unref);
  for (guint i = first; i < n - same_end; i++)
    g_ptr_array_add (items, g_list_model_get_item (table->rows, i));
  if (same_end == 0 && first < GROW_WINDOW && items->len > GROW_STEP
      && gtk_widget_get_mapped (GTK_WIDGET (self)))
    {
      /* a long tail for a table on screen: appended a step a frame */
      g_list_store_splice (self->rows, first, n_old - first, NULL, 0);
      self->pending = g_steal_pointer (&items);
      grow (self, FALSE);
      return;
    }
  g_list_store_splice (self->rows, first, n_old - first - same_end, items->pdata, items->len);
}

guint
les_table_view_get_n_rows (LesTableView *self)
{
  g_return_val_if_fail (LES_IS_TABLE_VIEW (self), 0);
  flush_pending (self);
  return g_list_model_get_n_items (G_LIST_MODEL (self->rows));
}

guint
les_table_view_get_n_visible (LesTableView *self)
{
  g_return_val_if_fail (LES_IS_TABLE_VIEW (self), 0);
  flush_pending (self);
  return g_list_model_get_n_items (G_LIST_MODEL (self->sorted));
}

void
les_table_view_set_search (LesTableView *self, const char *text)
{
  g_autofree char *folded = NULL;

  g_return_if_fail (LES_IS_TABLE_VIEW (self));

  if (text != NULL && text[0] != '\0')
    folded = g_utf8_casefold (text, -1);
  if (g_strcmp0 (folded, self->search) == 0)
    return;
  g_free (self->search);
  self->search = g_steal_pointer (&folded);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

LesRow *
les_table_view_get_selected (LesTableView *self)
{
  g_return_val_if_fail (LES_IS_TABLE_VIEW (self), NULL);
  return gtk_single_selection_get_selected_item (self->selection);
}

LesRow *
les_table_view_get_visible_row (LesTableView *self, guint position)
{
  g_autoptr(LesRow) row = NULL;

  g_return_val_if_fail (LES_IS_TABLE_VIEW (self), NULL);
  flush_pending (self);
  row = g_list_model_get_item (G_LIST_MODEL (self->sorted), position);
  return row; /* the model keeps it alive */
}

void
les_table_view_select (LesTableView *self, guint position)
{
  g_return_if_fail (LES_IS_TABLE_VIEW (self));
  flush_pending (self);
  gtk_single_selection_set_selected (self->selection, position);
}

void
les_table_view_activate (LesTableView *self, guint position)
{
  g_return_if_fail (LES_IS_TABLE_VIEW (self));
  flush_pending (self);
  gtk_single_selection_set_selected (self->selection, position);
  column_view_activated_cb (self->column_view, position, self);
}

void
les_table_view_set_export_name (LesTableView *self, const char *name)
{
  g_return_if_fail (LES_IS_TABLE_VIEW (self));
  g_free (self->export_name);
  self->export_name = g_strdup (name);
}

static gboolean
write_table_csv (GOutputStream *out, gpointer data, GError **error)
{
  LesTableView *self = data;

  flush_pending (self);
  return les_table_write_csv (self->table->columns, self->table->n_columns, G_LIST_MODEL (self->sorted),
                              out, NULL, error);
}

gboolean
les_table_view_write_csv (LesTableView *self, GFile *file, GError **error)
{
  g_return_val_if_fail (LES_IS_TABLE_VIEW (self), FALSE);

  if (self->table == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("There is nothing to export"));
      return FALSE;
    }
  return les_csv_save (file, write_table_csv, self, error);
}

/* Asks where to save, then writes the rows shown as CSV. */
void
les_table_view_export (LesTableView *self)
{
  g_return_if_fail (LES_IS_TABLE_VIEW (self));

  if (self->table == NULL)
    return;
  les_csv_save_as (GTK_WIDGET (self), self->export_name != NULL ? self->export_name : "table.csv",
                   write_table_csv, g_object_ref (self), g_object_unref);
}

/* Saving a table as CSV, here and for the tables of typed rows */

/**
 * les_csv_save:
 * @write: writes the CSV into the stream it is given
 *
 * Writes @file whole or not at all (a failed write keeps the old one).
 */
gboolean
les_csv_save (GFile *file, LesCsvWriteFunc write, gpointer data, GError **error)
{
  g_autoptr(GFileOutputStream) out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);

  if (out == NULL)
    return FALSE;
  if (!write (G_OUTPUT_STREAM (out), data, error))
    {
      /* closing a cancelled replace keeps the old file */
      g_autoptr(GCancellable) cancelled = g_cancellable_new ();

      g_cancellable_cancel (cancelled);
      g_output_stream_close (G_OUTPUT_STREAM (out), cancelled, NULL);
      return FALSE;
    }
  return g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}

typedef struct
{
  GtkWidget       *widget;
  LesCsvWriteFunc  write;
  gpointer         data;
  GDestroyNotify   data_free;
} SaveAs;

static void
save_as_response_cb (GtkNativeDialog *dialog, int response, SaveAs *save)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GError) error = NULL;

      if (!les_csv_save (file, save->write, save->data, &error))
        gtk_widget_activate_action (save->widget, "win.show-error", "s", error->message);
      else
        {
          g_autofree char *name = g_file_get_basename (file);
          g_autofree char *message = g_strdup_printf (_("Exported “%s”"), name);

          gtk_widget_activate_action (save->widget, "win.show-toast", "s", message);
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  if (save->data_free != NULL)
    save->data_free (save->data);
  g_object_unref (save->widget);
  g_free (save);
}

/**
 * les_csv_save_as:
 * @name: the file name offered, such as "services-2024-25.csv"
 * @data: (transfer full): for @write, freed with @data_free
 *
 * Asks where to save, then writes the CSV there; the window of @widget
 * says how it went.
 */
void
les_csv_save_as (GtkWidget *widget, const char *name, LesCsvWriteFunc write, gpointer data, GDestroyNotify data_free)
{
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;
  SaveAs *save = g_new0 (SaveAs, 1);

  save->widget = g_object_ref (widget);
  save->write = write;
  save->data = data;
  save->data_free = data_free;
  chooser = gtk_file_chooser_native_new (_("Export as CSV"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect (chooser, "response", G_CALLBACK (save_as_response_cb), save);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
