/* les-doc.c: a paginated A4 document of a header, a table and extra pages, drawn with cairo and pango. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <cairo-pdf.h>
#include <glib/gi18n-lib.h>
#include <pango/pangocairo.h>

#include "les-doc.h"

#define FONT          "Sans"
#define PAD           3.0
#define INFO_LINE     12.0
#define TABLE_HEAD    24.0
#define FOOTER_SPACE  22.0

typedef struct {
  LesDocRowStyle  style;
  char          **cells;
} Row;

typedef struct {
  char           *heading;
  LesDocDrawFunc  draw;
  gpointer        user_data;
} Extra;

struct _LesDoc
{
  double     width, height, margin;
  double     text_size;  /* of table cells */
  char      *organisation;
  char      *title;
  char      *footer;
  GPtrArray *info;       /* label, value, label, value, … */
  GArray    *columns;    /* LesDocColumn, titles owned */
  GArray    *rows;       /* Row */
  GArray    *extras;     /* Extra */
  GArray    *page_ends;  /* guint: row index where each table page ends */
  gboolean   fitted;     /* the columns are wide enough for every figure */
};

/* NHS blue, and greys for rules and labels */
static const double blue[] = { 0.0, 0.369, 0.722 };
static const double grey[] = { 0.35, 0.38, 0.42 };
static const double rule[] = { 0.80, 0.82, 0.85 };
static const double shade[] = { 0.93, 0.95, 0.98 };

static void
clear_row (gpointer data)
{
  Row *row = data;

  g_strfreev (row->cells);
}

static void
clear_extra (gpointer data)
{
  Extra *extra = data;

  g_free (extra->heading);
}

static void
clear_column (gpointer data)
{
  LesDocColumn *column = data;

  g_free ((char *) column->title);
}

static double
row_height (LesDocRowStyle style)
{
  switch (style)
    {
    case LES_DOC_ROW_SECTION:
      return 22.0;
    case LES_DOC_ROW_NOTE:
      return 11.0;
    case LES_DOC_ROW_SUBTOTAL:
      return 16.0;
    case LES_DOC_ROW_TOTAL:
      return 22.0;
    case LES_DOC_ROW_NORMAL:
    default:
      return 14.0;
    }
}

LesDoc *
les_doc_new (gboolean landscape, const char *organisation, const char *title)
{
  LesDoc *doc = g_new0 (LesDoc, 1);

  doc->width = landscape ? LES_DOC_A4_LONG : LES_DOC_A4_SHORT;
  doc->height = landscape ? LES_DOC_A4_SHORT : LES_DOC_A4_LONG;
  doc->margin = landscape ? 28.0 : 40.0;
  doc->text_size = 8.0;
  doc->organisation = g_strdup (organisation);
  doc->title = g_strdup (title);
  doc->info = g_ptr_array_new_with_free_func (g_free);
  doc->columns = g_array_new (FALSE, TRUE, sizeof (LesDocColumn));
  g_array_set_clear_func (doc->columns, clear_column);
  doc->rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_array_set_clear_func (doc->rows, clear_row);
  doc->extras = g_array_new (FALSE, TRUE, sizeof (Extra));
  g_array_set_clear_func (doc->extras, clear_extra);
  return doc;
}

void
les_doc_free (LesDoc *doc)
{
  if (doc == NULL)
    return;
  g_free (doc->organisation);
  g_free (doc->title);
  g_free (doc->footer);
  g_ptr_array_unref (doc->info);
  g_array_unref (doc->columns);
  g_array_unref (doc->rows);
  g_array_unref (doc->extras);
  g_clear_pointer (&doc->page_ends, g_array_unref);
  g_free (doc);
}

double
les_doc_get_width (LesDoc *doc)
{
  return doc->width;
}

double
les_doc_get_height (LesDoc *doc)
{
  return doc->height;
}

double
les_doc_get_table_width (LesDoc *doc)
{
  return doc->width - 2 * doc->margin;
}

void
les_doc_add_info (LesDoc *doc, const char *label, const char *value)
{
  g_ptr_array_add (doc->info, g_strdup (label));
  g_ptr_array_add (doc->info, g_strdup (value ? value : ""));
}

void
les_doc_set_columns (LesDoc *doc, const LesDocColumn *columns, guint n_columns)
{
  g_array_set_size (doc->columns, 0);
  for (guint i = 0; i < n_columns; i++)
    {
      LesDocColumn c = columns[i];

      c.title = g_strdup (c.title);
      g_array_append_val (doc->columns, c);
    }
  doc->fitted = FALSE;
}

void
les_doc_add_row (LesDoc *doc, LesDocRowStyle style, const char *const *cells)
{
  Row row = { style, g_new0 (char *, doc->columns->len + 1) };

  for (guint i = 0; i < doc->columns->len; i++)
    row.cells[i] = g_strdup (cells[i] ? cells[i] : "");
  g_array_append_val (doc->rows, row);
  g_clear_pointer (&doc->page_ends, g_array_unref);
  doc->fitted = FALSE;
}

void
les_doc_set_text_size (LesDoc *doc, double points)
{
  doc->text_size = points;
  doc->fitted = FALSE;
}

void
les_doc_set_footer (LesDoc *doc, const char *text)
{
  g_free (doc->footer);
  doc->footer = g_strdup (text);
}

void
les_doc_add_page (LesDoc *doc, const char *heading, LesDocDrawFunc draw, gpointer user_data)
{
  Extra extra = { g_strdup (heading), draw, user_data };

  g_array_append_val (doc->extras, extra);
}

static double
first_header_height (LesDoc *doc)
{
  guint pairs = doc->info->len / 2;
  guint lines = doc->width > doc->height ? (pairs + 1) / 2 : pairs;

  return 52.0 + lines * INFO_LINE + 14.0;
}

static double
later_header_height (void)
{
  return 30.0;
}

static PangoFontDescription *
cell_font (double size, gboolean bold)
{
  PangoFontDescription *font = pango_font_description_from_string (FONT);

  pango_font_description_set_size (font, (int) (size * PANGO_SCALE));
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  return font;
}

/* Figures are never cut short nor set smaller: every right-aligned column
 * (the amounts) is made wide enough for its widest cell, bold totals
 * included, and what it needs is taken from the widest left-aligned
 * column, whose text is cut short instead. */
static void
fit_columns (LesDoc *doc)
{
  PangoContext *context;
  g_autoptr(PangoLayout) layout = NULL;
  PangoFontDescription *fonts[2];
  double extra = 0;
  int widest_text = -1;

  if (doc->fitted || doc->columns->len == 0)
    return;
  doc->fitted = TRUE;
  context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  layout = pango_layout_new (context);
  g_object_unref (context);
  fonts[0] = cell_font (doc->text_size, FALSE);
  fonts[1] = cell_font (doc->text_size, TRUE);
  for (guint c = 0; c < doc->columns->len; c++)
    {
      LesDocColumn *col = &g_array_index (doc->columns, LesDocColumn, c);
      double need = 0;

      if (col->align != PANGO_ALIGN_RIGHT)
        {
          if (widest_text < 0 || col->width > g_array_index (doc->columns, LesDocColumn, widest_text).width)
            widest_text = c;
          continue;
        }
      for (guint i = 0; i < doc->rows->len; i++)
        {
          const Row *row = &g_array_index (doc->rows, Row, i);
          gboolean bold = row->style == LES_DOC_ROW_SUBTOTAL || row->style == LES_DOC_ROW_TOTAL;
          int w, h;

          if (row->style == LES_DOC_ROW_SECTION || row->style == LES_DOC_ROW_NOTE || row->cells[c][0] == '\0')
            continue;
          pango_layout_set_font_description (layout, fonts[bold]);
          pango_layout_set_text (layout, row->cells[c], -1);
          pango_layout_get_size (layout, &w, &h);
          /* a point to spare: the PDF's metrics may round differently */
          need = MAX (need, (double) w / PANGO_SCALE + 2 * PAD + 1);
        }
      if (need > col->width)
        {
          extra += need - col->width;
          col->width = need;
        }
    }
  pango_font_description_free (fonts[0]);
  pango_font_description_free (fonts[1]);
  if (extra > 0 && widest_text >= 0)
    {
      LesDocColumn *text = &g_array_index (doc->columns, LesDocColumn, widest_text);

      text->width = MAX (text->width - extra, 4 * PAD);
    }
}

/* Splits the rows into pages; a section heading stays with its first row,
 * and a note with the row it belongs to. */
static void
paginate (LesDoc *doc)
{
  double bottom = doc->height - doc->margin - FOOTER_SPACE;
  double y;
  guint i = 0;

  fit_columns (doc);
  if (doc->page_ends != NULL)
    return;
  doc->page_ends = g_array_new (FALSE, FALSE, sizeof (guint));
  y = doc->margin + first_header_height (doc) + TABLE_HEAD;
  while (i < doc->rows->len)
    {
      guint j = i + 1;
      double block = row_height (g_array_index (doc->rows, Row, i).style);

      while (j < doc->rows->len
             && (g_array_index (doc->rows, Row, j).style == LES_DOC_ROW_NOTE
                 || g_array_index (doc->rows, Row, j - 1).style == LES_DOC_ROW_SECTION))
        block += row_height (g_array_index (doc->rows, Row, j++).style);
      if (y + block > bottom && y > doc->margin + later_header_height () + TABLE_HEAD + 1)
        {
          g_array_append_val (doc->page_ends, i);
          y = doc->margin + later_header_height () + TABLE_HEAD;
          continue;
        }
      y += block;
      i = j;
    }
  g_array_append_val (doc->page_ends, i);
}

int
les_doc_get_n_pages (LesDoc *doc)
{
  paginate (doc);
  return doc->page_ends->len + doc->extras->len;
}

static void
set_rgb (cairo_t *cr, const double *c)
{
  cairo_set_source_rgb (cr, c[0], c[1], c[2]);
}

/* Draws @text in a box of @width at (@x, @y); returns the height used. */
static double
text (cairo_t *cr, double x, double y, double width, const char *markup_or_text, gboolean markup, double size,
      gboolean bold, PangoAlignment align)
{
  g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string (FONT);
  int w, h;

  pango_font_description_set_size (font, (int) (size * PANGO_SCALE));
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  /* a negative width wraps instead of cutting the text short; figures
   * (right-aligned) are neither cut nor shrunk: fit_columns() made room */
  if (width > 0 && align == PANGO_ALIGN_RIGHT)
    pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  else if (width > 0)
    {
      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  else if (width < 0)
    {
      pango_layout_set_width (layout, (int) (-width * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD);
    }
  pango_layout_set_alignment (layout, align);
  if (markup)
    pango_layout_set_markup (layout, markup_or_text, -1);
  else
    pango_layout_set_text (layout, markup_or_text, -1);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
  pango_layout_get_size (layout, &w, &h);
  return (double) h / PANGO_SCALE;
}

static void
hline (cairo_t *cr, double x0, double x1, double y, double width, const double *colour)
{
  cairo_save (cr);
  set_rgb (cr, colour);
  cairo_set_line_width (cr, width);
  cairo_move_to (cr, x0, y);
  cairo_line_to (cr, x1, y);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static double
draw_header (LesDoc *doc, cairo_t *cr, gboolean first, const char *heading)
{
  double x = doc->margin, y = doc->margin, w = les_doc_get_table_width (doc);

  /* the band carries the organisation on every page */
  cairo_save (cr);
  set_rgb (cr, blue);
  cairo_rectangle (cr, x, y, w, 4);
  cairo_fill (cr);
  cairo_restore (cr);

  if (!first)
    {
      g_autofree char *line = g_strdup_printf ("%s — %s", doc->organisation, heading ? heading : doc->title);

      cairo_set_source_rgb (cr, 0, 0, 0);
      text (cr, x, y + 8, w, line, FALSE, 9, TRUE, PANGO_ALIGN_LEFT);
      return doc->margin + later_header_height ();
    }

  set_rgb (cr, blue);
  text (cr, x, y + 9, w, doc->organisation, FALSE, 10, TRUE, PANGO_ALIGN_LEFT);
  cairo_set_source_rgb (cr, 0, 0, 0);
  text (cr, x, y + 24, w, doc->title, FALSE, 16, TRUE, PANGO_ALIGN_LEFT);
  y += 52;
  {
    /* portrait: one column, as the names are long; landscape: two */
    guint pairs = doc->info->len / 2;
    guint per_column = doc->width > doc->height ? (pairs + 1) / 2 : MAX (pairs, 1);
    /* the left column carries the long names (practice, PCN) */
    double left_w = doc->width > doc->height ? w * 0.45 : w;

    for (guint i = 0; i < pairs; i++)
      {
        gboolean left = i < per_column;
        double cx = left ? x : x + left_w, cy = y + (i % per_column) * INFO_LINE;
        double col_w = left ? left_w : w - left_w;

        set_rgb (cr, grey);
        text (cr, cx, cy, 88, doc->info->pdata[2 * i], FALSE, 8, FALSE, PANGO_ALIGN_LEFT);
        cairo_set_source_rgb (cr, 0, 0, 0);
        text (cr, cx + 90, cy, col_w - 96, doc->info->pdata[2 * i + 1], FALSE, 8, TRUE, PANGO_ALIGN_LEFT);
      }
  }
  return doc->margin + first_header_height (doc);
}

static void
draw_footer (LesDoc *doc, cairo_t *cr, int page)
{
  double x = doc->margin, w = les_doc_get_table_width (doc), y = doc->height - doc->margin - 8;
  g_autofree char *number = g_strdup_printf (_("Page %d of %d"), page + 1, les_doc_get_n_pages (doc));

  hline (cr, x, x + w, y - 4, 0.5, rule);
  set_rgb (cr, grey);
  text (cr, x, y, w - 80, doc->footer ? doc->footer : "", FALSE, 7, FALSE, PANGO_ALIGN_LEFT);
  text (cr, x + w - 80, y, 80, number, FALSE, 7, FALSE, PANGO_ALIGN_RIGHT);
}

static double
draw_table_head (LesDoc *doc, cairo_t *cr, double y)
{
  double x = doc->margin;

  cairo_save (cr);
  set_rgb (cr, shade);
  cairo_rectangle (cr, x, y, les_doc_get_table_width (doc), TABLE_HEAD - 3);
  cairo_fill (cr);
  cairo_restore (cr);
  set_rgb (cr, grey);
  for (guint c = 0; c < doc->columns->len; c++)
    {
      const LesDocColumn *col = &g_array_index (doc->columns, LesDocColumn, c);

      text (cr, x + PAD, y + 2, -(col->width - 2 * PAD), col->title, FALSE, 7, TRUE, col->align);
      x += col->width;
    }
  hline (cr, doc->margin, doc->margin + les_doc_get_table_width (doc), y + TABLE_HEAD - 3, 0.8, grey);
  return y + TABLE_HEAD;
}

static void
draw_row (LesDoc *doc, cairo_t *cr, const Row *row, double y)
{
  double x = doc->margin, w = les_doc_get_table_width (doc);
  double h = row_height (row->style);
  double size = row->style == LES_DOC_ROW_NOTE ? 7 : doc->text_size;
  gboolean bold = row->style == LES_DOC_ROW_SUBTOTAL || row->style == LES_DOC_ROW_TOTAL;
  double ty = y + (h - size * 1.45) / 2;

  if (row->style == LES_DOC_ROW_SECTION)
    {
      set_rgb (cr, blue);
      text (cr, x + PAD, y + 8, w - 2 * PAD, row->cells[0], FALSE, 9, TRUE, PANGO_ALIGN_LEFT);
      return;
    }
  if (row->style == LES_DOC_ROW_NOTE)
    {
      double skip = g_array_index (doc->columns, LesDocColumn, 0).width;

      set_rgb (cr, grey);
      text (cr, x + skip + PAD, y, w - skip - 2 * PAD, row->cells[1], FALSE, size, FALSE, PANGO_ALIGN_LEFT);
      return;
    }
  if (row->style == LES_DOC_ROW_TOTAL)
    {
      cairo_save (cr);
      set_rgb (cr, shade);
      cairo_rectangle (cr, x, y + 2, w, h - 4);
      cairo_fill (cr);
      cairo_restore (cr);
      hline (cr, x, x + w, y + 2, 1.0, grey);
      ty = y + 6;
    }
  else if (row->style == LES_DOC_ROW_SUBTOTAL)
    hline (cr, x, x + w, y + 1, 0.5, grey);

  cairo_set_source_rgb (cr, 0, 0, 0);
  for (guint c = 0; c < doc->columns->len; c++)
    {
      const LesDocColumn *col = &g_array_index (doc->columns, LesDocColumn, c);

      if (row->cells[c][0] != '\0')
        text (cr, x + PAD, ty, col->width - 2 * PAD, row->cells[c], FALSE, size, bold, col->align);
      x += col->width;
    }
  if (row->style == LES_DOC_ROW_NORMAL)
    hline (cr, doc->margin, doc->margin + w, y + h - 0.5, 0.3, rule);
}

void
les_doc_draw_page (LesDoc *doc, cairo_t *cr, int page)
{
  guint n_table;

  g_return_if_fail (doc != NULL && cr != NULL);

  paginate (doc);
  n_table = doc->page_ends->len;
  cairo_save (cr);
  if ((guint) page < n_table)
    {
      guint start = page == 0 ? 0 : g_array_index (doc->page_ends, guint, page - 1);
      guint end = g_array_index (doc->page_ends, guint, page);
      double y = draw_header (doc, cr, page == 0, NULL);

      y = draw_table_head (doc, cr, y);
      for (guint i = start; i < end; i++)
        {
          const Row *row = &g_array_index (doc->rows, Row, i);

          draw_row (doc, cr, row, y);
          y += row_height (row->style);
        }
    }
  else if ((guint) page < n_table + doc->extras->len)
    {
      const Extra *extra = &g_array_index (doc->extras, Extra, page - n_table);
      double y = draw_header (doc, cr, FALSE, extra->heading);
      double bottom = doc->height - doc->margin - FOOTER_SPACE;

      cairo_save (cr);
      cairo_translate (cr, doc->margin, y);
      extra->draw (cr, les_doc_get_table_width (doc), bottom - y, extra->user_data);
      cairo_restore (cr);
    }
  draw_footer (doc, cr, page);
  cairo_restore (cr);
}

typedef struct {
  GOutputStream *out;
  GCancellable  *cancellable;
  GError        *error;
} Sink;

static cairo_status_t
write_cb (void *closure, const unsigned char *data, unsigned int length)
{
  Sink *sink = closure;

  if (sink->error != NULL)
    return CAIRO_STATUS_WRITE_ERROR;
  if (!g_output_stream_write_all (sink->out, data, length, NULL, sink->cancellable, &sink->error))
    return CAIRO_STATUS_WRITE_ERROR;
  return CAIRO_STATUS_SUCCESS;
}

/**
 * les_doc_write_pdf:
 *
 * Writes the document as PDF (fonts embedded) to @out.
 */
gboolean
les_doc_write_pdf (LesDoc *doc, GOutputStream *out, GCancellable *cancellable, GError **error)
{
  Sink sink = { out, cancellable, NULL };
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  int n_pages;

  g_return_val_if_fail (doc != NULL, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  surface = cairo_pdf_surface_create_for_stream (write_cb, &sink, doc->width, doc->height);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, doc->title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_AUTHOR, doc->organisation);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "LES Claims");
  cr = cairo_create (surface);
  n_pages = les_doc_get_n_pages (doc);
  for (int page = 0; page < n_pages; page++)
    {
      les_doc_draw_page (doc, cr, page);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (sink.error != NULL)
    {
      g_propagate_error (error, sink.error);
      return FALSE;
    }
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot draw the PDF: %s"),
                   cairo_status_to_string (status));
      return FALSE;
    }
  return TRUE;
}
