/* les-report.c: the reconciliation report for finance, with its chart, as a printable document. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <pango/pangocairo.h>

#include "les-report.h"
#include "les-statement.h"
#include "les-value.h"

static char *
money_or_dash (gboolean present, gint64 pence)
{
  return present ? les_money_format_display (pence) : g_strdup ("—");
}

static void
add_row (LesDoc *doc, LesDocRowStyle style, const LesReportRow *r, gboolean total)
{
  g_autofree char *name = total ? g_strdup (r->service_name)
                                : g_strdup_printf ("%s — %s", r->service_code, r->service_name);
  g_autofree char *budget = money_or_dash (r->has_budget, r->budget);
  g_autofree char *paid = les_money_format_display (r->paid);
  g_autofree char *unpaid = les_money_format_display (r->unpaid);
  g_autofree char *held = les_money_format_display (r->held);
  g_autofree char *ledger = les_money_format_display (r->ledger);
  g_autofree char *ledger_variance = les_money_format_display (r->ledger_variance);
  g_autofree char *forecast = les_money_format_display (r->forecast);
  g_autofree char *variance = money_or_dash (r->has_budget, r->variance);
  const char *cells[] = { name, budget, paid, unpaid, held, ledger, ledger_variance, forecast, variance };

  les_doc_add_row (doc, style, cells);
}

static void
label (cairo_t *cr, double x, double y, double width, const char *text, double size, PangoAlignment align,
       gboolean bold)
{
  g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string ("Sans");

  pango_font_description_set_size (font, (int) (size * PANGO_SCALE));
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_alignment (layout, align);
  pango_layout_set_text (layout, text, -1);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

/* A round step for the axis: 1, 2 or 5 × a power of ten pence */
static gint64
axis_step (gint64 max)
{
  gint64 step = 1;

  while (step * 10 < max)
    step *= 10;
  if (max / step < 2)
    step /= 5;
  else if (max / step < 5)
    step /= 2;
  return MAX (step, 1);
}

static char *
short_money (gint64 pence)
{
  if (pence >= 100000000)
    return g_strdup_printf ("£%.1fm", pence / 100000000.0);
  if (pence >= 100000)
    return g_strdup_printf ("£%.0fk", pence / 100000.0);
  return g_strdup_printf ("£%.0f", pence / 100.0);
}

/* Horizontal bars per service: budget, forecast outturn, paid so far. */
static void
draw_chart (cairo_t *cr, double width, double height, gpointer user_data)
{
  static const double c_budget[] = { 0.78, 0.80, 0.83 };
  static const double c_forecast[] = { 0.55, 0.72, 0.90 };
  static const double c_paid[] = { 0.0, 0.369, 0.722 };
  static const double c_over[] = { 0.85, 0.18, 0.15 };
  LesReport *report = user_data;
  guint n = report->rows->len;
  double label_w = 190, value_w = 84, x0 = label_w + 8, bars_w = width - x0 - value_w - 6;
  double top = 28, axis_h = 16, row_h;
  gint64 max = 1, step;

  for (guint i = 0; i < n; i++)
    {
      const LesReportRow *r = &g_array_index (report->rows, LesReportRow, i);

      max = MAX (max, MAX (r->has_budget ? r->budget : 0, MAX (r->forecast, r->paid)));
    }
  step = axis_step (max);
  max = (max + step - 1) / step * step;
  row_h = n > 0 ? MIN (24.0, (height - top - axis_h) / n) : 24.0;

  /* legend */
  {
    const double *colours[] = { c_budget, c_forecast, c_paid, c_over };
    const char *names[] = { _("Budget"), _("Forecast outturn"), _("Paid by payment runs"),
                            _("Forecast over budget") };
    double lx = x0;

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        cairo_set_source_rgb (cr, colours[i][0], colours[i][1], colours[i][2]);
        cairo_rectangle (cr, lx, 6, 10, 8);
        cairo_fill (cr);
        cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
        label (cr, lx + 14, 4, 130, names[i], 7.5, PANGO_ALIGN_LEFT, FALSE);
        lx += 150;
      }
  }

  /* grid and axis */
  for (gint64 v = 0; v <= max; v += step)
    {
      double x = x0 + bars_w * v / max;
      g_autofree char *text = short_money (v);

      cairo_set_source_rgb (cr, 0.88, 0.89, 0.91);
      cairo_set_line_width (cr, 0.4);
      cairo_move_to (cr, x, top);
      cairo_line_to (cr, x, top + n * row_h);
      cairo_stroke (cr);
      cairo_set_source_rgb (cr, 0.35, 0.38, 0.42);
      label (cr, x - 30, top + n * row_h + 3, 60, text, 6.5, PANGO_ALIGN_CENTER, FALSE);
    }

  for (guint i = 0; i < n; i++)
    {
      const LesReportRow *r = &g_array_index (report->rows, LesReportRow, i);
      g_autofree char *name = g_strdup_printf ("%s — %s", r->service_code, r->service_name);
      g_autofree char *forecast = les_money_format_display (r->forecast);
      double y = top + i * row_h, bar = (row_h - 4) / 3;
      gboolean over = r->has_budget && r->forecast > r->budget;

      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      label (cr, 0, y + row_h / 2 - 5, label_w, name, 7.5, PANGO_ALIGN_LEFT, FALSE);
      if (r->has_budget)
        {
          cairo_set_source_rgb (cr, c_budget[0], c_budget[1], c_budget[2]);
          cairo_rectangle (cr, x0, y + 2, bars_w * r->budget / max, bar);
          cairo_fill (cr);
        }
      cairo_set_source_rgb (cr, over ? c_over[0] : c_forecast[0], over ? c_over[1] : c_forecast[1],
                            over ? c_over[2] : c_forecast[2]);
      cairo_rectangle (cr, x0, y + 2 + bar, bars_w * MAX (r->forecast, 0) / max, bar);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, c_paid[0], c_paid[1], c_paid[2]);
      cairo_rectangle (cr, x0, y + 2 + 2 * bar, bars_w * MAX (r->paid, 0) / max, bar);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
      label (cr, width - value_w, y + row_h / 2 - 5, value_w, forecast, 7.5, PANGO_ALIGN_RIGHT, over);
    }
  cairo_set_source_rgb (cr, 0.35, 0.38, 0.42);
  cairo_set_line_width (cr, 0.8);
  cairo_move_to (cr, x0, top);
  cairo_line_to (cr, x0, top + n * row_h);
  cairo_stroke (cr);
  label (cr, width - value_w - 20, 16, value_w + 20, _("Forecast"), 7, PANGO_ALIGN_RIGHT, TRUE);
}

/**
 * les_report_doc_new:
 *
 * A4 landscape: per service budget, paid, payable not yet paid, held,
 * ledger, paid − ledger, forecast outturn and budget − forecast, with
 * totals; then a chart of budget, forecast and paid per service.
 */
LesDoc *
les_report_doc_new (LesReport *report)
{
  /* every amount column alike (les-doc widens one that a figure does not
   * fit, from the service column; titles wrap) */
  static const LesDocColumn columns[] = {
    { N_("Service"), 153, PANGO_ALIGN_LEFT },
    { N_("Budget"), 79, PANGO_ALIGN_RIGHT },
    { N_("Paid by runs"), 79, PANGO_ALIGN_RIGHT },
    { N_("Payable, not yet paid"), 79, PANGO_ALIGN_RIGHT },
    { N_("Held"), 79, PANGO_ALIGN_RIGHT },
    { N_("Ledger actuals"), 79, PANGO_ALIGN_RIGHT },
    { N_("Paid − ledger"), 79, PANGO_ALIGN_RIGHT },
    { N_("Forecast outturn"), 79, PANGO_ALIGN_RIGHT },
    { N_("Budget − forecast"), 79, PANGO_ALIGN_RIGHT },
  };
  LesDocColumn translated[G_N_ELEMENTS (columns)];
  g_autoptr(LesDoc) doc = NULL;
  g_autofree char *year = les_year_format (report->year);
  g_autofree char *title = g_strdup_printf (_("Reconciliation report %s"), year);
  g_autofree char *to = les_doc_format_month (report->to_period);
  g_autofree char *runs = NULL;
  g_autofree char *footer = NULL;
  g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (report->generated_at, NULL);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;
  g_autofree char *when = local ? g_date_time_format (local, "%-d %B %Y, %H:%M") : g_strdup ("");
  g_autofree char *month_number = g_strdup_printf (_("%s (month %d of 12)"), to,
                                                   les_period_month_number (report->to_period));

  g_return_val_if_fail (report != NULL, NULL);

  doc = les_doc_new (TRUE, report->organisation, title);
  les_doc_set_text_size (doc, 7.5);
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      translated[i] = columns[i];
      translated[i].title = _(columns[i].title);
    }
  les_doc_set_columns (doc, translated, G_N_ELEMENTS (translated));

  if (report->n_runs > 0)
    {
      g_autofree char *last = les_doc_format_month (report->last_run_month);

      runs = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " run, the latest closing %s",
                                           "%" G_GINT64_FORMAT " runs, the latest closing %s", report->n_runs),
                              report->n_runs, last);
    }
  else
    runs = g_strdup (_("None yet"));
  les_doc_add_info (doc, _("Financial year"), year);
  les_doc_add_info (doc, _("Computed to"), month_number);
  les_doc_add_info (doc, _("Payment runs"), runs);
  les_doc_add_info (doc, _("Produced"), when);
  les_doc_add_info (doc, _("Ledger"), _("actuals posted up to the computed month"));
  les_doc_add_info (doc, _("Forecast"), _("payable to date × 12 ÷ months computed"));
  les_doc_add_info (doc, _("Figures"), report->stale != 0 ? _("OUT OF DATE — see below the table")
                                                           : _("up to date with the data"));

  for (guint i = 0; i < report->rows->len; i++)
    add_row (doc, LES_DOC_ROW_NORMAL, &g_array_index (report->rows, LesReportRow, i), FALSE);
  add_row (doc, LES_DOC_ROW_TOTAL, &report->totals, TRUE);
  {
    const char *notes[] = {
      _("Paid by runs + payable, not yet paid = payable to date. Held amounts are not payable while a cap applies."),
      _("Paid − ledger: paid by runs but not yet in the ledger (negative: in the ledger but not paid by a run)."),
      _("Budget − forecast: negative when the service is forecast to overspend its budget."),
    };

    for (guint i = 0; i < G_N_ELEMENTS (notes); i++)
      {
        const char *cells[] = { "", notes[i], "", "", "", "", "", "", "" };

        les_doc_add_row (doc, LES_DOC_ROW_NOTE, cells);
      }
    if (report->stale != 0 && report->stale_text != NULL)
      {
        const char *cells[] = { "", report->stale_text, "", "", "", "", "", "", "" };

        les_doc_add_row (doc, LES_DOC_ROW_NOTE, cells);
      }
  }
  les_doc_add_page (doc, _("Budget, forecast outturn and paid, by service"), draw_chart, report);
  footer = g_strdup_printf (_("%s · reconciliation %s · computed to %s"), report->organisation, year, to);
  les_doc_set_footer (doc, footer);
  return g_steal_pointer (&doc);
}

gboolean
les_report_write_pdf (LesReport *report, GOutputStream *out, GCancellable *cancellable, GError **error)
{
  g_autoptr(LesDoc) doc = les_report_doc_new (report);

  return les_doc_write_pdf (doc, out, cancellable, error);
}
