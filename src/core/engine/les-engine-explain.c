/* les-engine-explain.c: how one payment line was made, told for people. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "les-engine-private.h"
#include "les-error.h"

/* Money for people: "£1,234.50", "−£0.50". */
static char *
gbp (gint64 pence)
{
  return les_money_format_display (pence);
}

static char *
gbp_rate (gint64 hundredths_of_penny)
{
  g_autofree char *plain = les_rate_format (hundredths_of_penny < 0 ? -hundredths_of_penny : hundredths_of_penny);

  return g_strdup_printf ("%s£%s", hundredths_of_penny < 0 ? "−" : "", plain);
}

/* An exact value num / den pence as pounds: all the decimals when it ends
 * within six, else six and "…". */
static char *
exact_pounds (__int128 num, __int128 den)
{
  GString *s = g_string_new (NULL);
  __int128 ip, rem;
  gboolean negative;
  char digits[48];
  int nd = 0;
  guint64 ipart;

  if (den < 0)
    {
      num = -num;
      den = -den;
    }
  negative = num < 0;
  if (negative)
    num = -num;
  den *= 100;                       /* pence → pounds */
  ip = num / den;
  rem = num % den;
  ipart = (guint64) ip;
  g_string_append_printf (s, "%s£%" G_GUINT64_FORMAT, negative ? "−" : "", ipart);
  while ((rem != 0 || nd < 2) && nd < 6)
    {
      rem *= 10;
      digits[nd++] = '0' + (char) (rem / den);
      rem %= den;
    }
  digits[nd] = '\0';
  g_string_append_printf (s, ".%s%s", digits, rem != 0 ? "…" : "");
  return g_string_free (s, FALSE);
}

G_GNUC_PRINTF (2, 3)
static void
say (GPtrArray *text, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (text, g_strdup_vprintf (format, args));
  va_end (args);
}

static char *
base_text (const Rule *r, gint64 num, gint64 den, gint32 date_used)
{
  char date[11];
  /* a whole count shown as itself: num × 100 could leave 64 bits */
  g_autofree char *value = den == 100 ? les_decimal_format (num, 2, 0) : les_decimal_format (num, 0, 0);

  if (r->pub.base == LES_BASE_COHORT || r->pub.base == LES_BASE_BEDS)
    return g_strdup_printf ("%s %s (the practice's %s figure for the service and year)",
                            value, base_word (r->pub.base), base_word (r->pub.base));
  les_date_format (date_used, date);
  return g_strdup_printf ("%s list %s (the list-size row of %s)", base_word (r->pub.base), value, date);
}

/* One claim of an item line and its patient lines, counted or not and why */
static void
say_claim (Run *run, const ClaimRun *cr, GPtrArray *text)
{
  LesEngineInput *in = run->in;
  const Claim *c = &cr->c;
  char date[11];

  les_date_format (c->submitted, date);
  if (cr->errors != 0)
    {
      g_autoptr(GString) why = g_string_new (NULL);

      for (int e = 0; e < N_CLAIM_ERRORS; e++)
        if (cr->errors & (1u << e))
          g_string_append_printf (why, "%s%s", why->len > 0 ? ", " : "", les_engine_claim_error_codes[e]);
      say (text, "  claim %s (count %" G_GINT64_FORMAT ", submitted %s): not paid — %s",
           c->ref, c->count, date, why->str);
    }
  else if (c->line_n == 0)
    say (text, "  claim %s (count %" G_GINT64_FORMAT ", submitted %s): %" G_GINT64_FORMAT " units counted",
         c->ref, c->count, date, cr->units);
  else
    say (text, "  claim %s (count %" G_GINT64_FORMAT ", submitted %s, %u patient lines): %" G_GINT64_FORMAT
         " units counted, one per good patient line", c->ref, c->count, date, c->line_n, cr->units);

  for (guint k = 0; k < c->line_n; k++)
    {
      guint8 state = run->line_state[cr->state_first + k];
      const PatientLine *pl = &g_array_index (in->patient_lines, PatientLine, c->line_first + k);
      char activity[11];
      const char *why;

      les_date_format (pl->activity, activity);
      if (state & L_BAD_NHS_NUMBER && state & L_DATE_OUTSIDE_PERIOD)
        why = "not counted — NHS number fails the check, and the date is outside the claim's period";
      else if (state & L_BAD_NHS_NUMBER)
        why = "not counted — NHS number fails the check";
      else if (state & L_DATE_OUTSIDE_PERIOD)
        why = "not counted — activity date outside the claim's period";
      else if (state & L_OVER_FREQUENCY)
        why = "not counted — the patient's earlier lines already reached the limit per patient";
      else if (cr->errors != 0)
        why = "not counted — the claim has errors";
      else
        why = "counted";
      say (text, "    patient line %u (activity %s): %s", k + 1, activity, why);
    }
}

/* @only: the one claim to tell of (an index in run->claims), or -1 for all */
static void
explain_item (Run *run, const Line *l, GPtrArray *text, gint64 only)
{
  LesEngineInput *in = run->in;
  const Rule *r = rule_at (in, l->rule);
  g_autofree char *rate = gbp_rate (r->pub.has_rate ? r->pub.rate : 0);
  g_autofree char *gross = gbp (l->gross);
  /* a line's gross is an amount, so its units × rate fits, and so does its pounds part below */
  g_autofree char *exact = exact_pounds ((__int128) l->units * r->pub.rate, LES_RATE_SCALE);
  gint64 others = 0, other_units = 0;

  say (text, "Rule %s (item): %s per unit.", r->pub.code, rate);
  say (text, only < 0 ? "Claims for this practice, rule and period:" : "This claim:");
  for (guint i = l->claim_first; i < l->claim_first + l->claim_n; i++)
    {
      const ClaimRun *cr = &run->claims[i];

      if (only < 0 || (gint64) i == only)
        say_claim (run, cr, text);
      else
        {
          others++;
          other_units += cr->errors == 0 ? cr->units : 0;
        }
    }
  if (others > 0)
    say (text, "Other claims of this practice, rule and period: %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT
         " units counted).", others, other_units);
  say (text, "Units: %" G_GINT64_FORMAT ".", l->units);
  say (text, "Gross: %" G_GINT64_FORMAT " × %s = %s, rounded once to %s.", l->units, rate, exact, gross);
  if (r->pub.has_max_units)
    {
      g_autofree char *after = gbp (l->after_unit);
      g_autofree char *held = gbp (l->gross - l->after_unit);

      say (text, "Unit cap: %" G_GINT64_FORMAT " a year; %" G_GINT64_FORMAT " units on earlier lines, so %"
           G_GINT64_FORMAT " of %" G_GINT64_FORMAT " are within the cap: payable %s, %s held.",
           r->pub.max_units, l->units_before, l->allowed_units, l->units, after, held);
    }
}

static void
explain_scheduled (Run *run, const Line *l, GPtrArray *text)
{
  LesEngineInput *in = run->in;
  const Rule *r = rule_at (in, l->rule);
  const Member *m = &g_array_index (run->svc->members, Member, l->member);
  gint32 periods[12];
  int months;
  g_autofree char *gross = gbp (l->gross);

  les_engine_scheduled_periods (run, periods, &months);
  switch (r->pub.kind)
    {
    case LES_RULE_KIND_CAPITATION:
      {
        gint32 day = period_first_day (les_period_add_months (l->period, 1 - months));
        gint64 bn = 0, bd = 1;
        gint32 used = 0;
        g_autofree char *rate = gbp_rate (r->pub.rate);
        g_autofree char *base = NULL;
        g_autofree char *exact = NULL;
        g_autofree char *value = NULL;
        char date[11];
        int per = months_per_rate (r->pub.rate_per);

        les_engine_base_value (run, r, l->practice, m, day, &bn, &bd, &used);
        base = base_text (r, bn, bd, used);
        value = bd == 100 ? les_decimal_format (bn, 2, 0) : les_decimal_format (bn, 0, 0);
        /* the compute made this line, so rate × base × months fitted 128 bits */
        exact = exact_pounds ((__int128) r->pub.rate * bn * months, (__int128) LES_RATE_SCALE * bd * per);
        les_date_format (day, date);
        say (text, "Rule %s (capitation): %s per %s per %s, base %s.", r->pub.code, rate,
             r->pub.base == LES_BASE_BEDS ? "bed" : "head",
             r->pub.rate_per == LES_RATE_PER_MONTH ? "month" : r->pub.rate_per == LES_RATE_PER_QUARTER ? "quarter" : "year",
             base_word (r->pub.base));
        say (text, "Base on %s (first day of the period): %s.", date, base);
        say (text, "Gross: %s × %s × %d / %d = %s, rounded once to %s.", rate, value, months, per, exact, gross);
      }
      break;

    case LES_RULE_KIND_BLOCK:
      {
        int n = 12 / months;
        g_autofree char *total = gbp (m->block);
        g_autofree char *each = gbp (les_floor_div (m->block, n));

        say (text, "Rule %s (block): the practice's block amount is %s, paid in %d instalments.",
             r->pub.code, total, n);
        if (l->period == run->march)
          say (text, "March instalment: %s − %d × %s = %s (the remainder).", total, n - 1, each, gross);
        else
          say (text, "Instalment: floor(%s / %d) = %s.", total, n, gross);
      }
      break;

    case LES_RULE_KIND_THRESHOLD:
      {
        __int128 num = 0;
        gint64 den = 1, bn = 0, upfront;
        gint32 used = 0;
        int n = 12 / months;
        g_autofree char *fixed = gbp_rate (r->pub.fixed_amount);
        g_autofree char *rate = gbp_rate (r->pub.has_rate ? r->pub.rate : 0);
        g_autofree char *award = NULL;
        g_autofree char *up = NULL;
        g_autofree char *pct = les_percent_format (r->pub.upfront_pct);

        les_engine_threshold_award (run, r, l->practice, m, &num, &den, &bn, &used);
        award = exact_pounds (num, (__int128) den * LES_RATE_SCALE);
        if (les_engine_rule_needs_base (r))
          {
            g_autofree char *base = base_text (r, bn, den, used);

            say (text, "Rule %s (threshold): award = %s + %s × %s = %s (base on 1 April).",
                 r->pub.code, fixed, rate, base, award);
          }
        else
          say (text, "Rule %s (threshold): award = %s.", r->pub.code, award);
        /* the award is an amount (the compute checked it), so with an upfront
         * percentage of 0–100 its share is one too */
        if (les_engine_threshold_upfront (r, num, den, &upfront))
          up = gbp (upfront);
        else
          {
            upfront = 0;
            up = g_strdup ("out of range");
          }

        if (!l->ach)
          {
            g_autofree char *each = gbp (les_floor_div (upfront, n));

            say (text, "Upfront: round(%s × %s%%) = %s, paid in %d instalments.", award, pct, up, n);
            if (l->period == run->march)
              say (text, "March instalment: %s − %d × %s = %s (the remainder).", up, n - 1, each, gross);
            else
              say (text, "Instalment: floor(%s / %d) = %s.", up, n, gross);
          }
        else
          {
            gint64 s_num, s_den;
            g_autofree char *achieved = les_percent_format (m->achieved);
            g_autofree char *lower = les_percent_format (r->pub.lower_pct);
            g_autofree char *upper = les_percent_format (r->pub.upper_pct);
            g_autofree char *scale = NULL;

            les_engine_threshold_scale (r, m->achieved, &s_num, &s_den);
            if (s_den == 1)
              scale = g_strdup_printf ("%" G_GINT64_FORMAT, s_num);
            else
              scale = g_strdup_printf ("(%s − %s) / (%s − %s)", achieved, lower, upper, lower);
            say (text, "Achievement %s%% against %s%% – %s%%: s = %s.", achieved, lower, upper, scale);
            if (r->pub.settlement == LES_SETTLEMENT_RECOVER)
              {
                /* checked when the compute made this line */
                gint64 earned = les_round_div (num * s_num, (__int128) den * LES_RATE_SCALE * s_den);
                g_autofree char *earned_text = gbp (earned);
                g_autofree char *paid = gbp (earned - l->gross);

                say (text, "Settlement recover: round(%s × s) = %s, less the upfront gross paid this year %s "
                     "= %s.", award, earned_text, paid, gross);
                if (l->gross < 0)
                  say (text, "This is a recovery line: no cap applies to it and it takes no part in any cap's "
                       "running total.");
              }
            else
              say (text, "Settlement remainder: round(%s × (1 − %s%%) × s) = %s.", award, pct, gross);
          }
      }
      break;

    case LES_RULE_KIND_ITEM:
    default:
      break;
    }
}

static void
explain_caps (Run *run, const Line *l, GPtrArray *text)
{
  const LesEngineService *svc = &run->svc->pub;
  const Member *m = l->member != G_MAXUINT ? &g_array_index (run->svc->members, Member, l->member) : NULL;

  if (l->gross < 0)
    return;

  if (m != NULL && m->has_cap)
    {
      g_autofree char *cap = gbp (m->cap);
      g_autofree char *before = gbp (l->practice_before);
      g_autofree char *held = gbp (l->after_unit - l->after_practice);
      g_autofree char *after = gbp (l->practice_before + l->after_practice);

      say (text, "Practice cap %s across every rule of the service: %s paid on earlier lines of the year; "
           "%s held here; running total after this line %s.", cap, before, held, after);
    }
  else
    say (text, "Practice cap: none.");

  if (!svc->has_budget)
    {
      say (text, "Service budget: none.");
      return;
    }
  {
    g_autofree char *budget = gbp (svc->budget);

    switch (svc->cap_mode)
      {
      case LES_CAP_MODE_HOLD:
        {
          g_autofree char *before = gbp (l->service_before);
          g_autofree char *held = gbp (l->after_practice - l->payable);

          say (text, "Service budget %s (hold): %s paid on earlier lines of the service; %s held here.",
               budget, before, held);
        }
        break;
      case LES_CAP_MODE_PRORATA:
        {
          g_autofree char *total = gbp (run->prorata_total);

          if (!run->prorata_applied)
            say (text, "Service budget %s (pro rata): the service's total %s is within it; nothing held.",
                 budget, total);
          else
            {
              g_autofree char *held = gbp (l->after_practice - l->payable);

              say (text, "Service budget %s (pro rata): the total T = %s exceeds it, so each line becomes "
                   "floor(p × B / T): floor(%" G_GINT64_FORMAT " × %" G_GINT64_FORMAT " / %" G_GINT64_FORMAT
                   ") = %" G_GINT64_FORMAT "p, remainder %" G_GINT64_FORMAT ".", budget, total,
                   l->after_practice, svc->budget, run->prorata_total, l->prorata_floor, l->prorata_rem);
              say (text, "%" G_GINT64_FORMAT " penn%s left over went to the largest remainders (ties in line "
                   "order); this line %s; %s held.", run->prorata_left, run->prorata_left == 1 ? "y" : "ies",
                   l->prorata_penny ? "got one" : "got none", held);
            }
        }
        break;
      case LES_CAP_MODE_NONE:
      default:
        {
          g_autofree char *net = gbp (run->net_payable);

          say (text, "Service budget %s (none): nothing held; the service's payable is %s%s.", budget, net,
               run->net_payable > svc->budget ? ", over the budget (OVER_BUDGET)" : "");
        }
        break;
      }
  }
}

/* Computes @service_code of @in, which the explanations then read: FALSE,
 * with @error, when @in has no such service.  Clear with run_clear(). */
static gboolean
run_service (LesEngineInput *in,
             const char     *service_code,
             GArray        **findings,
             Run            *run,
             Scratch        *scratch,
             GError        **error)
{
  Service *svc;

  les_engine_input_prepare (in);
  svc = les_engine_input_lookup_service (in, service_code);
  if (svc == NULL)
    {
      g_autofree char *year = les_year_format (in->fy);

      g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND, "There is no service %s in %s", service_code, year);
      return FALSE;
    }

  *findings = g_array_new (FALSE, FALSE, sizeof (LesFinding));
  g_array_set_clear_func (*findings, les_engine_finding_clear);
  les_engine_scratch_init (scratch);
  les_engine_run_init (run, in, svc, *findings, scratch);
  les_engine_run_compute (run);
  return TRUE;
}

static void
run_clear (Run *run, Scratch *scratch)
{
  les_engine_run_clear (run);
  les_engine_scratch_clear (scratch);
}

/**
 * les_engine_explain:
 *
 * Recomputes @service_code and tells, for people, how the payment line
 * (@practice_code, @rule_code, @period) was made: the claims and patient
 * lines, the base and rate, the formula, and each cap.
 *
 * Returns: (transfer full) (element-type utf8): lines of text, or NULL with
 * @error set when there is no such line.
 */
GPtrArray *
les_engine_explain (LesEngineInput *in,
                    const char     *practice_code,
                    const char     *service_code,
                    const char     *rule_code,
                    gint32          period,
                    GError        **error)
{
  g_autoptr(GPtrArray) text = NULL;
  g_autoptr(GArray) findings = NULL;
  const Line *line = NULL;
  Run run;
  Scratch scratch;
  char p_text[8];

  g_return_val_if_fail (in != NULL, NULL);
  g_return_val_if_fail (practice_code != NULL && service_code != NULL && rule_code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  les_period_format (period, p_text);
  if (!run_service (in, service_code, &findings, &run, &scratch, error))
    return NULL;
  if (run.error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&run.error));
      run_clear (&run, &scratch);
      return NULL;
    }

  for (guint i = 0; i < run.lines->len && line == NULL; i++)
    {
      const Line *l = &g_array_index (run.lines, Line, i);

      if (l->period == period && strcmp (practice_at (in, l->practice)->code, practice_code) == 0
          && strcmp (line_rule_code (&run, l), rule_code) == 0)
        line = l;
    }
  if (line == NULL)
    {
      g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND,
                   "There is no payment line for %s / %s / %s / %s: nothing is paid for it up to the last "
                   "compute (see its findings)", practice_code, service_code, rule_code, p_text);
      run_clear (&run, &scratch);
      return NULL;
    }

  text = g_ptr_array_new_with_free_func (g_free);
  {
    g_autofree char *year = les_year_format (in->fy);
    char to_text[8];

    les_period_format (run.to, to_text);
    say (text, "Payment line %s / %s / %s / %s (%s, computed up to %s).", practice_code, service_code, rule_code,
         p_text, year, to_text);
  }
  if (rule_at (in, line->rule)->pub.kind == LES_RULE_KIND_ITEM)
    explain_item (&run, line, text, -1);
  else
    explain_scheduled (&run, line, text);
  explain_caps (&run, line, text);
  {
    g_autofree char *gross = gbp (line->gross);
    g_autofree char *payable = gbp (line->payable);
    g_autofree char *held = gbp (line->gross - line->payable);

    say (text, "Result: gross %s, payable %s, held %s.", gross, payable, held);
  }

  run_clear (&run, &scratch);
  return g_steal_pointer (&text);
}

/**
 * les_engine_explain_claim:
 * @trace: (out caller-allocates) (optional): what the claim counts for
 *
 * Recomputes @service_code and tells, for people, how the claim
 * @claim_ref was judged: its patient lines, its units, and, when it makes
 * up a payment line, how that line was made (the other claims of the
 * line summed up, not listed).
 *
 * Returns: (transfer full) (element-type utf8): lines of text, or NULL
 * with @error set (LES_ERROR_NOT_FOUND) when the compute does not look at
 * the claim (not an item rule, or a month outside the year up to --to).
 */
GPtrArray *
les_engine_explain_claim (LesEngineInput      *in,
                          const char          *service_code,
                          const char          *claim_ref,
                          LesEngineClaimTrace *trace,
                          GError             **error)
{
  g_autoptr(GPtrArray) text = NULL;
  g_autoptr(GArray) findings = NULL;
  const Line *line = NULL;
  const ClaimRun *cr = NULL;
  gint64 index = -1;
  Run run;
  Scratch scratch;

  g_return_val_if_fail (in != NULL, NULL);
  g_return_val_if_fail (service_code != NULL && claim_ref != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (trace != NULL)
    memset (trace, 0, sizeof *trace);
  if (!run_service (in, service_code, &findings, &run, &scratch, error))
    return NULL;

  for (guint i = 0; i < run.n_claims && cr == NULL; i++)
    if (strcmp (run.claims[i].c.ref, claim_ref) == 0)
      {
        cr = &run.claims[i];
        index = i;
      }
  if (cr == NULL)
    {
      char to_text[8];

      les_period_format (run.to, to_text);
      g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND,
                   "Claim %s is not looked at by a compute up to %s: it is for a later month, or not for a rule "
                   "paid per item", claim_ref, to_text);
      run_clear (&run, &scratch);
      return NULL;
    }
  for (guint i = 0; i < run.lines->len && line == NULL; i++)
    {
      const Line *l = &g_array_index (run.lines, Line, i);

      if (l->claim_n > 0 && (guint) index >= l->claim_first && (guint) index < l->claim_first + l->claim_n)
        line = l;
    }

  text = g_ptr_array_new_with_free_func (g_free);
  {
    g_autofree char *year = les_year_format (in->fy);
    const char *practice = practice_at (in, cr->c.practice)->code;
    const char *rule = rule_at (in, cr->c.rule)->pub.code;
    char p_text[8], to_text[8];

    les_period_format (cr->c.period, p_text);
    les_period_format (run.to, to_text);
    say (text, "Claim %s: %s / %s / %s / %s (%s, computed up to %s).", claim_ref, practice, service_code, rule,
         p_text, year, to_text);
  }
  if (trace != NULL)
    {
      trace->counted = cr->errors == 0;
      trace->units = cr->errors == 0 ? cr->units : 0;
      trace->lost = cr->lost;
      trace->has_line = line != NULL;
      if (line != NULL)
        {
          trace->line_units = line->units;
          trace->line_gross = line->gross;
          trace->line_payable = line->payable;
        }
    }
  if (line == NULL || cr->errors != 0)
    {
      say_claim (&run, cr, text);
      if (cr->errors != 0)
        say (text, "The claim has errors: it counts for nothing, and is not part of any payment line.");
      else
        say (text, "The claim counts for no units: it makes no payment line.");
    }
  else
    {
      explain_item (&run, line, text, index);
      explain_caps (&run, line, text);
      {
        g_autofree char *gross = gbp (line->gross);
        g_autofree char *payable = gbp (line->payable);
        g_autofree char *held = gbp (line->gross - line->payable);

        say (text, "Its payment line: gross %s, payable %s, held %s.", gross, payable, held);
      }
    }

  run_clear (&run, &scratch);
  return g_steal_pointer (&text);
}
