/* les-statement.c: a practice's payment statement for a run, as a printable document. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "les-statement.h"
#include "les-enums.h"
#include "les-value.h"

char *
les_doc_format_month (gint32 period)
{
  g_autoptr(GDateTime) dt = NULL;

  if (period == 0)
    return g_strdup ("");
  dt = g_date_time_new_utc (period / 100, period % 100, 1, 0, 0, 0);
  return dt ? g_date_time_format (dt, "%b %Y") : g_strdup ("");
}

static char *
format_when (const char *iso)
{
  g_autoptr(GDateTime) utc = iso ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;

  return local ? g_date_time_format (local, "%-d %B %Y, %H:%M") : g_strdup (iso ? iso : "");
}

static char *
rule_label (const LesStatementLine *l, gboolean with_service)
{
  g_autofree char *what = l->rule_description && l->rule_description[0]
                          ? g_strdup_printf ("%s — %s", l->rule_code, l->rule_description)
                          : g_strdup (l->rule_code);

  if (g_strcmp0 (l->rule_kind, "achievement") == 0)
    {
      char *with = g_strdup_printf (_("%s (achievement)"), what);

      g_free (what);
      what = with;
    }
  if (with_service)
    return g_strdup_printf ("%s · %s", l->service_code, l->rule_code);
  return g_steal_pointer (&what);
}

/* Notes under a row: @text's words on as many lines as they need (a note
 * row holds one line) */
#define NOTE_CHARS 100

static void
add_note_lines (LesDoc *doc, const char *text)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  g_autoptr(GString) line = g_string_new (NULL);

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (line->len > 0 && g_utf8_strlen (line->str, -1) + 1 + g_utf8_strlen (words[i], -1) > NOTE_CHARS)
        {
          const char *cells[] = { "", line->str, "", "", "", "", "" };

          les_doc_add_row (doc, LES_DOC_ROW_NOTE, cells);
          g_string_assign (line, "    ");
        }
      if (line->len > 0 && line->str[line->len - 1] != ' ')
        g_string_append_c (line, ' ');
      g_string_append (line, words[i]);
    }
  if (line->len > 0)
    {
      const char *cells[] = { "", line->str, "", "", "", "", "" };

      les_doc_add_row (doc, LES_DOC_ROW_NOTE, cells);
    }
}

static char *
units_text (const LesStatementLine *l, gboolean adjustment)
{
  g_autofree char *n = NULL;

  if (!l->has_units)
    return g_strdup ("");
  n = les_count_format_display (l->units < 0 ? -l->units : l->units);
  if (adjustment)
    return g_strconcat (l->units < 0 ? "−" : "+", n, NULL);
  return l->units < 0 ? g_strconcat ("−", n, NULL) : g_steal_pointer (&n);
}

static void
add_line (LesDoc *doc, const LesStatementLine *l, gboolean adjustment)
{
  g_autofree char *period = les_doc_format_month (l->period);
  g_autofree char *rule = rule_label (l, adjustment);
  g_autofree char *units = units_text (l, adjustment);
  g_autofree char *rate = NULL;
  g_autofree char *gross = les_money_format_display (l->gross);
  g_autofree char *held = l->held != 0 ? les_money_format_display (l->held) : g_strdup ("");
  g_autofree char *paid = les_money_format_display (l->payable);

  if (l->has_rate && g_strcmp0 (l->rule_kind, "item") == 0)
    rate = les_rate_format_display (l->rate);
  {
    const char *cells[] = { period, rule, units, rate ? rate : "", gross, held, paid };

    les_doc_add_row (doc, LES_DOC_ROW_NORMAL, cells);
  }
  if (adjustment)
    {
      g_autofree char *before = les_money_format_display (l->previously_paid);
      g_autofree char *after = les_money_format_display (l->previously_paid + l->payable);
      g_autofree char *note = g_strdup_printf (_("Corrects %s %s paid in run %" G_GINT64_FORMAT
                                                 ": was %s, now %s"),
                                               l->rule_code, period, l->corrects_run, before, after);
      const char *cells[] = { "", note, "", "", "", "", "" };

      les_doc_add_row (doc, LES_DOC_ROW_NOTE, cells);
    }
  if (l->held != 0)
    {
      g_autofree char *why = les_runs_held_reason_text (l->held_reason);
      g_autofree char *amount = les_money_format_display (l->held);
      g_autofree char *note = why[0] ? g_strdup_printf (_("Held %s: %s"), amount, why)
                                     : g_strdup_printf (_("Held %s"), amount);
      const char *cells[] = { "", note, "", "", "", "", "" };

      les_doc_add_row (doc, LES_DOC_ROW_NOTE, cells);
    }
  if (l->claim_refs != NULL && l->claim_refs[0] != NULL)
    {
      g_autofree char *refs = g_strjoinv (", ", l->claim_refs);
      g_autofree char *note = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Claim %s", "Claims %s",
                                                            g_strv_length (l->claim_refs)), refs);

      add_note_lines (doc, note);
    }
}

/* The practice's claims rejected or queried since the previous run, and why */
static void
add_decisions (LesDoc *doc, LesStatement *st)
{
  g_autofree char *heading = st->previous_run != 0
                             ? g_strdup_printf (_("Claims rejected or queried since run %" G_GINT64_FORMAT),
                                                st->previous_run)
                             : g_strdup (_("Claims rejected or queried"));
  const char *cells[] = { heading, "", "", "", "", "", "" };

  les_doc_add_row (doc, LES_DOC_ROW_SECTION, cells);
  for (guint i = 0; i < st->decisions->len; i++)
    {
      const LesStatementDecision *d = &g_array_index (st->decisions, LesStatementDecision, i);
      g_autofree char *period = les_doc_format_month (d->period);
      g_autofree char *what = g_strdup_printf ("%s · %s · %s", d->claim_ref, d->service_code, d->item_code);
      g_autofree char *count = les_count_format_display (d->count);
      g_autofree char *note = g_strdup_printf (d->status == LES_CLAIM_STATUS_REJECTED ? _("Rejected: %s")
                                                                                      : _("Queried: %s"),
                                               d->reason != NULL ? d->reason : "");
      const char *row[] = { period, what, count, "", "", "", "" };

      les_doc_add_row (doc, LES_DOC_ROW_NORMAL, row);
      add_note_lines (doc, note);
    }
  {
    const char *note[] = { "", _("Rejected claims are not paid. Queried claims are paid once the query is "
                                 "answered and the claim approved."), "", "", "", "", "" };

    les_doc_add_row (doc, LES_DOC_ROW_NOTE, note);
  }
}

static void
add_totals (LesDoc *doc, LesDocRowStyle style, const char *label, gint64 gross, gint64 held, gint64 paid)
{
  g_autofree char *g = les_money_format_display (gross);
  g_autofree char *h = les_money_format_display (held);
  g_autofree char *p = les_money_format_display (paid);
  const char *cells[] = { "", label, "", "", g, h, p };

  les_doc_add_row (doc, style, cells);
}

/**
 * les_statement_doc_new:
 *
 * Lays the statement out on A4: the practice and the run, then per
 * service every line paid with its held amount and why, service totals,
 * the adjustments with the line each corrects, and the run's total.
 */
LesDoc *
les_statement_doc_new (LesStatement *st)
{
  static const LesDocColumn columns[] = {
    { N_("Period"), 62, PANGO_ALIGN_LEFT },
    { N_("Service line"), 163, PANGO_ALIGN_LEFT },
    { N_("Units"), 34, PANGO_ALIGN_RIGHT },
    { N_("Rate"), 50, PANGO_ALIGN_RIGHT },
    { N_("Gross"), 72, PANGO_ALIGN_RIGHT },
    { N_("Held"), 58, PANGO_ALIGN_RIGHT },
    { N_("Paid"), 76, PANGO_ALIGN_RIGHT },
  };
  LesDocColumn translated[G_N_ELEMENTS (columns)];
  g_autoptr(LesDoc) doc = NULL;
  g_autofree char *title = NULL;
  g_autofree char *practice = NULL;
  g_autofree char *pcn = NULL;
  g_autofree char *run = NULL;
  g_autofree char *when = NULL;
  g_autofree char *year = NULL;
  g_autofree char *total = NULL;
  g_autofree char *footer = NULL;
  g_autofree char *month = les_doc_format_month (st->run.month);
  const char *service = NULL;
  gint64 s_gross = 0, s_held = 0, s_paid = 0;
  gboolean any_adjustment = FALSE;

  g_return_val_if_fail (st != NULL, NULL);

  title = g_strdup_printf (_("Payment statement — %s"), month);
  doc = les_doc_new (FALSE, st->organisation, title);
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    {
      translated[i] = columns[i];
      translated[i].title = _(columns[i].title);
    }
  les_doc_set_columns (doc, translated, G_N_ELEMENTS (translated));

  practice = g_strdup_printf ("%s (%s)", st->practice_name, st->practice_code);
  pcn = st->pcn_name ? g_strdup_printf ("%s (%s)", st->pcn_name, st->pcn_code) : g_strdup (st->pcn_code);
  run = g_strdup_printf (_("Run %" G_GINT64_FORMAT ", closing %s"), st->run.run_id, month);
  when = format_when (st->run.created_at);
  year = les_year_format (st->run.year);
  total = les_money_format_display (st->payable);
  les_doc_add_info (doc, _("Practice"), practice);
  les_doc_add_info (doc, _("PCN"), pcn);
  les_doc_add_info (doc, _("Financial year"), year);
  les_doc_add_info (doc, _("Payment run"), run);
  les_doc_add_info (doc, _("Run date"), when);
  les_doc_add_info (doc, _("Total paid"), total);
  if (st->run.reopened)
    {
      g_autofree char *reopened = format_when (st->run.reopened_at);
      g_autofree char *status = g_strdup_printf (_("RE-OPENED %s: %s — not paid"), reopened, st->run.reopen_reason);

      les_doc_add_info (doc, _("Status"), status);
    }

  for (guint i = 0; i < st->lines->len; i++)
    {
      const LesStatementLine *l = &g_array_index (st->lines, LesStatementLine, i);

      if (l->corrects_id != 0)
        {
          any_adjustment = TRUE;
          break;
        }
      if (g_strcmp0 (service, l->service_code) != 0)
        {
          g_autofree char *heading = g_strdup_printf ("%s — %s", l->service_code,
                                                      l->service_name ? l->service_name : "");
          const char *cells[] = { heading, "", "", "", "", "", "" };

          if (service != NULL)
            {
              g_autofree char *label = g_strdup_printf (_("Total for %s"), service);

              add_totals (doc, LES_DOC_ROW_SUBTOTAL, label, s_gross, s_held, s_paid);
            }
          service = l->service_code;
          s_gross = s_held = s_paid = 0;
          les_doc_add_row (doc, LES_DOC_ROW_SECTION, cells);
        }
      add_line (doc, l, FALSE);
      s_gross += l->gross;
      s_held += l->held;
      s_paid += l->payable;
    }
  if (service != NULL)
    {
      g_autofree char *label = g_strdup_printf (_("Total for %s"), service);

      add_totals (doc, LES_DOC_ROW_SUBTOTAL, label, s_gross, s_held, s_paid);
    }
  if (any_adjustment)
    {
      const char *cells[] = { _("Adjustments to lines paid in earlier runs"), "", "", "", "", "", "" };
      gint64 a_gross = 0, a_held = 0;

      les_doc_add_row (doc, LES_DOC_ROW_SECTION, cells);
      for (guint i = 0; i < st->lines->len; i++)
        {
          const LesStatementLine *l = &g_array_index (st->lines, LesStatementLine, i);

          if (l->corrects_id == 0)
            continue;
          add_line (doc, l, TRUE);
          a_gross += l->gross;
          a_held += l->held;
        }
      add_totals (doc, LES_DOC_ROW_SUBTOTAL, _("Total of adjustments"), a_gross, a_held, st->adjustments);
    }
  if (st->lines->len == 0)
    {
      const char *cells[] = { "", _("Nothing was paid to this practice in this run."), "", "", "", "", "" };

      les_doc_add_row (doc, LES_DOC_ROW_NORMAL, cells);
    }
  add_totals (doc, LES_DOC_ROW_TOTAL, _("Total paid in this run"), st->gross, st->held, st->payable);
  {
    g_autofree char *note = g_strdup_printf (_("Paid = gross − held; held amounts are not paid. Quote run "
                                               "%" G_GINT64_FORMAT " and %s in any query."),
                                             st->run.run_id, st->practice_code);
    const char *cells[] = { "", note, "", "", "", "", "" };

    les_doc_add_row (doc, LES_DOC_ROW_NOTE, cells);
  }
  if (st->decisions != NULL && st->decisions->len > 0)
    add_decisions (doc, st);

  footer = g_strdup_printf (_("%s · %s · payment run %" G_GINT64_FORMAT " · %s"), st->practice_code,
                            st->practice_name, st->run.run_id, year);
  les_doc_set_footer (doc, footer);
  return g_steal_pointer (&doc);
}

gboolean
les_statement_write_pdf (LesStatement *st, GOutputStream *out, GCancellable *cancellable, GError **error)
{
  g_autoptr(LesDoc) doc = les_statement_doc_new (st);

  return les_doc_write_pdf (doc, out, cancellable, error);
}
