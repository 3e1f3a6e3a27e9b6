/* les-doc.h: a paginated A4 document of a header, a table and extra pages, drawn with cairo and pango. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <gio/gio.h>
#include <pango/pango.h>

G_BEGIN_DECLS

/* A4 in points */
#define LES_DOC_A4_SHORT 595.276
#define LES_DOC_A4_LONG  841.890

typedef struct _LesDoc LesDoc;

typedef enum {
  LES_DOC_ROW_NORMAL,
  LES_DOC_ROW_SECTION,    /* a heading over the rows that follow (first cell spans the table) */
  LES_DOC_ROW_NOTE,       /* a smaller line under the row above (second cell spans the rest) */
  LES_DOC_ROW_SUBTOTAL,
  LES_DOC_ROW_TOTAL,
} LesDocRowStyle;

typedef struct {
  const char     *title;
  double          width;  /* points */
  PangoAlignment  align;
} LesDocColumn;

/* Draws a whole page of its own, inside @width × @height (the margins). */
typedef void (*LesDocDrawFunc) (cairo_t *cr, double width, double height, gpointer user_data);

LesDoc   *les_doc_new            (gboolean             landscape,
                                  const char          *organisation,
                                  const char          *title);
void      les_doc_free           (LesDoc              *doc);
double    les_doc_get_table_width (LesDoc             *doc);
void      les_doc_add_info       (LesDoc              *doc,
                                  const char          *label,
                                  const char          *value);
void      les_doc_set_columns    (LesDoc              *doc,
                                  const LesDocColumn  *columns,
                                  guint                n_columns);
void      les_doc_add_row        (LesDoc              *doc,
                                  LesDocRowStyle       style,
                                  const char *const   *cells);
void      les_doc_set_text_size (LesDoc             *doc,
                                  double               points);
void      les_doc_set_footer     (LesDoc              *doc,
                                  const char          *text);
void      les_doc_add_page       (LesDoc              *doc,
                                  const char          *heading,
                                  LesDocDrawFunc       draw,
                                  gpointer             user_data);
double    les_doc_get_width      (LesDoc              *doc);
double    les_doc_get_height     (LesDoc              *doc);
int       les_doc_get_n_pages    (LesDoc              *doc);
/* Draws page @page (from 0) in points, the page's top left at the origin. */
void      les_doc_draw_page      (LesDoc              *doc,
                                  cairo_t             *cr,
                                  int                  page);
gboolean  les_doc_write_pdf      (LesDoc              *doc,
                                  GOutputStream       *out,
                                  GCancellable        *cancellable,
                                  GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesDoc, les_doc_free)

G_END_DECLS
