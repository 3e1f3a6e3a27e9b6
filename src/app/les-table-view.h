/* les-table-view.h: a sortable, searchable GtkColumnView over a LesTable from the core, with CSV export. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "les-queries.h"

G_BEGIN_DECLS

#define LES_TYPE_TABLE_VIEW (les_table_view_get_type ())
G_DECLARE_FINAL_TYPE (LesTableView, les_table_view, LES, TABLE_VIEW, GtkWidget)

GtkWidget  *les_table_view_new              (void);
/* Takes @table; keeps the columns when they are the same as before. */
void        les_table_view_set_table        (LesTableView *self,
                                             LesTable     *table);
guint       les_table_view_get_n_rows       (LesTableView *self);
/* Rows shown after the search. */
guint       les_table_view_get_n_visible    (LesTableView *self);
void        les_table_view_set_search       (LesTableView *self,
                                             const char   *text);
LesRow     *les_table_view_get_selected     (LesTableView *self);
LesRow     *les_table_view_get_visible_row  (LesTableView *self,
                                             guint         position);
void        les_table_view_select           (LesTableView *self,
                                             guint         position);
/* The file name offered by export, such as "services-2024-25.csv". */
void        les_table_view_set_export_name  (LesTableView *self,
                                             const char   *name);
gboolean    les_table_view_write_csv        (LesTableView *self,
                                             GFile        *file,
                                             GError      **error);
/* Asks where to save, then writes the rows shown as CSV. */
void        les_table_view_export           (LesTableView *self);
/* Activates the row at @position as a double click or Enter would. */
void        les_table_view_activate         (LesTableView *self,
                                             guint         position);

GtkWidget  *les_cell_label_new              (gboolean      numeric);

/* Replacing only the rows that changed, for tables read again */
gboolean    les_model_diff                  (GListModel   *old,
                                             GListModel   *new,
                                             GEqualFunc    equal,
                                             guint        *first,
                                             guint        *same_end);
void        les_list_store_update           (GListStore   *store,
                                             GListModel   *rows,
                                             GEqualFunc    equal);

/* Writes a table as CSV into @out. */
typedef gboolean (*LesCsvWriteFunc) (GOutputStream *out,
                                     gpointer       data,
                                     GError       **error);
gboolean    les_csv_save                    (GFile        *file,
                                             LesCsvWriteFunc write,
                                             gpointer      data,
                                             GError      **error);
void        les_csv_save_as                 (GtkWidget    *widget,
                                             const char   *name,
                                             LesCsvWriteFunc write,
                                             gpointer      data,
                                             GDestroyNotify data_free);
void        les_cell_label_show_text_on_hover (GtkWidget *label,
                                               gsize      min_length);

G_END_DECLS
