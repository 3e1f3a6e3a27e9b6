/* les-chart.c: the overview's bar chart of budget, payable, held, ledger and forecast per service, drawn with cairo. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "les-chart.h"
#include "les-results.h"
#include "les-value.h"

#define ROW_HEIGHT   30
#define LEGEND_HEIGHT 34
#define AXIS_HEIGHT  24
#define LABEL_WIDTH  90

struct _LesChart
{
  GtkWidget  parent_instance;

  GArray    *rows;
};

G_DEFINE_FINAL_TYPE (LesChart, les_chart, GTK_TYPE_WIDGET)

/* Colours from the GNOME palette, readable on light and dark */
static const GdkRGBA payable_colour = { 0.208, 0.518, 0.894, 1 };   /* blue 3 */
static const GdkRGBA held_colour = { 0.898, 0.647, 0.039, 1 };      /* yellow 5 */
static const GdkRGBA ledger_colour = { 0.180, 0.761, 0.494, 1 };    /* green 4 */
static const GdkRGBA forecast_colour = { 0.753, 0.110, 0.157, 1 };  /* red 4 */

static gint64
scale_max (LesChart *self)
{
  gint64 max = 1;

  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    {
      const LesReconciliationRow *r = &g_array_index (self->rows, LesReconciliationRow, i);

      max = MAX (max, r->has_budget ? r->budget : 0);
      max = MAX (max, r->payable + r->held);
      max = MAX (max, r->ledger);
      max = MAX (max, r->forecast);
    }
  return max;
}

static char *
short_money (gint64 pence)
{
  double pounds = pence / 100.0;

  if (pounds >= 1e6)
    return g_strdup_printf ("£%.1fm", pounds / 1e6);
  if (pounds >= 1e3)
    return g_strdup_printf ("£%.0fk", pounds / 1e3);
  return g_strdup_printf ("£%.0f", pounds);
}

static void
text (cairo_t *cr, PangoLayout *layout, const char *s, double x, double y, double align, const GdkRGBA *colour)
{
  int w, h;

  pango_layout_set_text (layout, s, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  gdk_cairo_set_source_rgba (cr, colour);
  cairo_move_to (cr, x - w * align, y - h / 2.0);
  pango_cairo_show_layout (cr, layout);
}

static void
legend_item (cairo_t *cr, PangoLayout *layout, double *x, double y, const GdkRGBA *colour,
             gboolean outline, const char *label, const GdkRGBA *fg)
{
  int w, h;

  if (outline)
    {
      cairo_set_source_rgba (cr, fg->red, fg->green, fg->blue, 0.15);
      cairo_rectangle (cr, *x, y - 6, 14, 12);
      cairo_fill (cr);
    }
  else
    {
      gdk_cairo_set_source_rgba (cr, colour);
      cairo_rectangle (cr, *x, y - 6, 14, 12);
      cairo_fill (cr);
    }
  pango_layout_set_text (layout, label, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  gdk_cairo_set_source_rgba (cr, fg);
  cairo_move_to (cr, *x + 20, y - h / 2.0);
  pango_cairo_show_layout (cr, layout);
  *x += 20 + w + 18;
}

static void
les_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  LesChart *self = LES_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  GdkRGBA fg;
  cairo_t *cr;
  gint64 max = scale_max (self);
  double plot_x = LABEL_WIDTH, plot_w = MAX (width - LABEL_WIDTH - 16, 10);
  double x;
  guint n = self->rows != NULL ? self->rows->len : 0;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  /* Legend */
  x = plot_x;
  legend_item (cr, layout, &x, LEGEND_HEIGHT / 2.0, NULL, TRUE, _("Budget"), &fg);
  legend_item (cr, layout, &x, LEGEND_HEIGHT / 2.0, &payable_colour, FALSE, _("Payable"), &fg);
  legend_item (cr, layout, &x, LEGEND_HEIGHT / 2.0, &held_colour, FALSE, _("Held"), &fg);
  legend_item (cr, layout, &x, LEGEND_HEIGHT / 2.0, &ledger_colour, FALSE, _("Ledger"), &fg);
  legend_item (cr, layout, &x, LEGEND_HEIGHT / 2.0, &forecast_colour, FALSE, _("Forecast"), &fg);

  /* Grid lines at quarters of the largest figure */
  for (int q = 0; q <= 4; q++)
    {
      double gx = plot_x + plot_w * q / 4.0;
      g_autofree char *label = short_money (max * q / 4);
      GdkRGBA dim = fg;

      cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.12);
      cairo_set_line_width (cr, 1);
      cairo_move_to (cr, floor (gx) + 0.5, LEGEND_HEIGHT);
      cairo_line_to (cr, floor (gx) + 0.5, LEGEND_HEIGHT + n * ROW_HEIGHT);
      cairo_stroke (cr);
      dim.alpha = 0.6;
      text (cr, layout, label, gx, LEGEND_HEIGHT + n * ROW_HEIGHT + AXIS_HEIGHT / 2.0, q == 0 ? 0 : q == 4 ? 1 : 0.5, &dim);
    }

  for (guint i = 0; i < n; i++)
    {
      const LesReconciliationRow *r = &g_array_index (self->rows, LesReconciliationRow, i);
      double y = LEGEND_HEIGHT + i * ROW_HEIGHT;
      double bar_h = ROW_HEIGHT - 10;
      double pay_w = plot_w * (double) MAX (r->payable, 0) / max;
      double held_w = plot_w * (double) MAX (r->held, 0) / max;

      text (cr, layout, r->service_code, plot_x - 10, y + ROW_HEIGHT / 2.0, 1.0, &fg);

      if (r->has_budget)
        {
          cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.10);
          cairo_rectangle (cr, plot_x, y + 5, plot_w * (double) r->budget / max, bar_h);
          cairo_fill (cr);
        }
      gdk_cairo_set_source_rgba (cr, &payable_colour);
      cairo_rectangle (cr, plot_x, y + 8, pay_w, bar_h - 6);
      cairo_fill (cr);
      gdk_cairo_set_source_rgba (cr, &held_colour);
      cairo_rectangle (cr, plot_x + pay_w, y + 8, held_w, bar_h - 6);
      cairo_fill (cr);

      /* The ledger as a thin bar beneath, the forecast as a tick across */
      gdk_cairo_set_source_rgba (cr, &ledger_colour);
      cairo_rectangle (cr, plot_x, y + bar_h + 3, plot_w * (double) MAX (r->ledger, 0) / max, 3);
      cairo_fill (cr);
      if (r->forecast > 0)
        {
          double fx = floor (plot_x + plot_w * (double) r->forecast / max) + 0.5;
          gdk_cairo_set_source_rgba (cr, &forecast_colour);
          cairo_set_line_width (cr, 2);
          cairo_move_to (cr, fx, y + 3);
          cairo_line_to (cr, fx, y + ROW_HEIGHT - 3);
          cairo_stroke (cr);
        }
    }
  cairo_destroy (cr);
}

static void
les_chart_measure (GtkWidget      *widget,
                   GtkOrientation  orientation,
                   int             for_size,
                   int            *minimum,
                   int            *natural,
                   int            *minimum_baseline,
                   int            *natural_baseline)
{
  LesChart *self = LES_CHART (widget);
  guint n = self->rows != NULL ? self->rows->len : 0;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* a phone's width, less the Overview's margins and the card's */
      *minimum = 300;
      *natural = 720;
    }
  else
    *minimum = *natural = LEGEND_HEIGHT + n * ROW_HEIGHT + AXIS_HEIGHT;
}

static void
les_chart_finalize (GObject *object)
{
  LesChart *self = (LesChart *) object;

  g_clear_pointer (&self->rows, g_array_unref);

  G_OBJECT_CLASS (les_chart_parent_class)->finalize (object);
}

static void
les_chart_class_init (LesChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = les_chart_finalize;
  widget_class->snapshot = les_chart_snapshot;
  widget_class->measure = les_chart_measure;
  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
les_chart_init (LesChart *self)
{
}

GtkWidget *
les_chart_new (void)
{
  return g_object_new (LES_TYPE_CHART, NULL);
}

void
les_chart_set_rows (LesChart *self, GArray *rows)
{
  g_autoptr(GString) description = g_string_new (NULL);

  g_return_if_fail (LES_IS_CHART (self));

  g_clear_pointer (&self->rows, g_array_unref);
  self->rows = rows != NULL ? g_array_ref (rows) : NULL;

  /* What a screen reader says instead of the picture */
  for (guint i = 0; self->rows != NULL && i < self->rows->len; i++)
    {
      const LesReconciliationRow *r = &g_array_index (self->rows, LesReconciliationRow, i);
      g_autofree char *payable = les_money_format_display (r->payable);
      g_autofree char *budget = r->has_budget ? les_money_format_display (r->budget) : g_strdup (_("no budget"));

      /* Translators: "DOAC: £1,000.00 payable of £2,000.00 budget" */
      g_string_append_printf (description, _("%s: %s payable of %s budget. "), r->service_code, payable, budget);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description->str, -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}
