/* les-engine-claims.c: item claims — validation, patient lines, per-patient limits — and their lines. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-engine-private.h"

const char *const les_engine_claim_error_codes[N_CLAIM_ERRORS] = {
  "NOT_SIGNED_UP", "PRACTICE_CLOSED", "OUTSIDE_SERVICE_DATES", "WRONG_PERIOD",
  "LATE", "DUPLICATE", "COUNT_MISMATCH",
};

static const char *
frequency_word (LesClaimFrequency frequency)
{
  return frequency == LES_CLAIM_FREQUENCY_QUARTERLY ? "quarterly, for the months June, September, December and March"
         : frequency == LES_CLAIM_FREQUENCY_ANNUAL ? "once a year, for March" : "monthly";
}

/* A claim error in words for people (English, as the codes: engine.md 16),
 * with what it needs to be acted on: the date, the deadline, the original */
static char *
claim_error_text (Run *run, const ClaimRun *cr, int e, const ClaimRun *original, gint32 deadline)
{
  const Claim *c = &cr->c;
  const Practice *p = practice_at (run->in, c->practice);
  char period[8], date[11], other[11];

  les_period_format (c->period, period);
  switch (1u << e)
    {
    case E_NOT_SIGNED_UP:
      return g_strdup_printf ("claim %s: the practice was not signed up to %s for %s", c->ref, run->svc->pub.code,
                              period);
    case E_PRACTICE_CLOSED:
      les_date_format (p->close_date, date);
      return g_strdup_printf ("claim %s: the practice closed on %s, before %s", c->ref, date, period);
    case E_OUTSIDE_SERVICE_DATES:
      return g_strdup_printf ("claim %s: %s does not run in %s", c->ref, run->svc->pub.code, period);
    case E_WRONG_PERIOD:
      return g_strdup_printf ("claim %s: %s takes claims %s, not for %s", c->ref, run->svc->pub.code,
                              frequency_word (run->svc->pub.claim_frequency), period);
    case E_LATE:
      les_date_format (c->submitted, date);
      les_date_format (deadline, other);
      return g_strdup_printf ("claim %s: submitted %s, after the deadline of %s", c->ref, date, other);
    case E_DUPLICATE:
      les_date_format (original->c.submitted, other);
      return g_strdup_printf ("claim %s: a duplicate of claim %s (same practice, item and month, submitted %s)",
                              c->ref, original->c.ref, other);
    case E_COUNT_MISMATCH:
    default:
      return g_strdup_printf ("claim %s: a count of %" G_GINT64_FORMAT " but %u patient lines", c->ref, c->count,
                              c->line_n);
    }
}

/* Claims of one (rule, practice, period) by submitted date, then claim_ref. */
static gboolean
claim_before (const ClaimRun *x, const ClaimRun *y)
{
  if (x->submitted != y->submitted)
    return x->submitted < y->submitted;
  return strcmp (x->c.ref, y->c.ref) < 0;
}

/* Claims in the order (rule, practice, period, submitted date, claim_ref). */
static void
sort_claims (Run *run)
{
  guint64 n_practices = MAX (run->in->practices->len, 1);
  guint64 max_key = (guint64) MAX (run->svc->rules->len, 1) * n_practices * 12;
  SortKey *keys = buffer_get (&run->scratch->keys, sizeof (SortKey) * MAX (run->n_claims, 1));
  SortKey *tmp = buffer_get (&run->scratch->tmp, sizeof (SortKey) * MAX (run->n_claims, 1));
  ClaimRun *sorted;
  Buffer swap;

  for (guint i = 0; i < run->n_claims; i++)
    {
      const ClaimRun *cr = &run->claims[i];

      keys[i].key = ((guint64) cr->rule_pos * n_practices + cr->practice_rank) * 12
                    + (guint64) (les_period_month_number (cr->period) - 1);
      keys[i].index = i;
    }
  les_engine_radix_sort (keys, tmp, run->n_claims, max_key);
  sorted = buffer_get (&run->scratch->sorted, sizeof (ClaimRun) * MAX (run->n_claims, 1));
  for (guint i = 0; i < run->n_claims; i++)
    sorted[i] = run->claims[keys[i].index];

  /* claims with the same key (duplicates): insertion sort, the runs are short */
  for (guint i = 1; i < run->n_claims; i++)
    if (keys[i].key == keys[i - 1].key)
      {
        ClaimRun moving = sorted[i];
        guint j = i;

        while (j > 0 && keys[j - 1].key == keys[i].key && claim_before (&moving, &sorted[j - 1]))
          {
            sorted[j] = sorted[j - 1];
            j--;
          }
        sorted[j] = moving;
      }
  swap = run->scratch->claims;
  run->scratch->claims = run->scratch->sorted;
  run->scratch->sorted = swap;
  run->claims = sorted;
}

static gboolean
same_group (const ClaimRun *x, const ClaimRun *y)
{
  return x->rule_pos == y->rule_pos && x->practice_rank == y->practice_rank && x->period == y->period;
}

/* The days a patient line's activity may fall in, for a claim naming @period. */
static void
claim_cover (Run *run, gint32 period, gint32 *first, gint32 *last)
{
  switch (run->svc->pub.claim_frequency)
    {
    case LES_CLAIM_FREQUENCY_QUARTERLY:
      *first = period_first_day (les_period_add_months (period, -2));
      *last = period_last_day (period);
      break;
    case LES_CLAIM_FREQUENCY_ANNUAL:
      *first = run->in->fy * 10000 + 401;
      *last = (run->in->fy + 1) * 10000 + 331;
      break;
    case LES_CLAIM_FREQUENCY_MONTHLY:
    default:
      *first = period_first_day (period);
      *last = period_last_day (period);
      break;
    }
}

static char *
cover_text (Run *run, gint32 period)
{
  char a[8], b[8];

  switch (run->svc->pub.claim_frequency)
    {
    case LES_CLAIM_FREQUENCY_QUARTERLY:
      les_period_format (les_period_add_months (period, -2), a);
      les_period_format (period, b);
      return g_strdup_printf ("%s to %s", a, b);
    case LES_CLAIM_FREQUENCY_ANNUAL:
      return les_year_format (run->in->fy);
    case LES_CLAIM_FREQUENCY_MONTHLY:
    default:
      les_period_format (period, a);
      return g_strdup (a);
    }
}

static gboolean
frequency_allows (const LesEngineService *svc, gint32 period)
{
  switch (svc->claim_frequency)
    {
    case LES_CLAIM_FREQUENCY_QUARTERLY:
      return les_period_is_quarter_end (period);
    case LES_CLAIM_FREQUENCY_ANNUAL:
      return period % 100 == 3;
    case LES_CLAIM_FREQUENCY_MONTHLY:
    default:
      return TRUE;
    }
}

void
les_engine_validate_claims (Run *run)
{
  LesEngineInput *in = run->in;
  const LesEngineService *svc = &run->svc->pub;
  gint32 deadline[13] = { 0 };
  guint n = 0, n_states = 0;

  /* the claims this compute looks at: item rules, periods of the year up to --to */
  run->claims = buffer_get (&run->scratch->claims, sizeof (ClaimRun) * MAX (run->svc->claims->len, 1));
  memset (run->claims, 0, sizeof (ClaimRun) * run->svc->claims->len);
  for (guint i = 0; i < run->svc->claims->len; i++)
    {
      guint ci = g_array_index (run->svc->claims, guint, i);
      const Claim *c = claim_at (in, ci);
      const Rule *r = rule_at (in, c->rule);
      ClaimRun *cr;

      if (r->pub.kind != LES_RULE_KIND_ITEM || c->period < run->first_period || c->period > run->to)
        continue;
      cr = &run->claims[n++];
      cr->c = *c;
      cr->rule_pos = r->pos;
      cr->practice_rank = practice_at (in, c->practice)->rank;
      cr->period = c->period;
      cr->submitted = c->submitted;
      cr->state_first = n_states;
      n_states += c->line_n;
    }
  run->n_claims = n;
  run->line_state = g_new0 (guint8, MAX (n_states, 1));
  run->n_line_states = n_states;
  sort_claims (run);

  /* the state offsets follow the sorted order */
  n_states = 0;
  for (guint i = 0; i < n; i++)
    {
      run->claims[i].state_first = n_states;
      n_states += run->claims[i].c.line_n;
    }

  if (svc->has_deadline)
    for (int m = 1; m <= 12; m++)
      deadline[m] = les_date_add_days (period_last_day (les_fy_period (in->fy, m)), svc->deadline_days);

  for (guint i = 0, group = 0; i < n; i++)
    {
      ClaimRun *cr = &run->claims[i];
      const Claim *c = &cr->c;
      const Practice *p = practice_at (in, c->practice);
      const Rule *r = rule_at (in, c->rule);
      guint mi = run->member_of[c->practice];
      const Member *m = mi != G_MAXUINT ? &g_array_index (run->svc->members, Member, mi) : NULL;
      gint32 cover_first, cover_last;
      gint64 good = 0;

      if (!member_signed_up (run, m, c->period))
        cr->errors |= E_NOT_SIGNED_UP;
      if (p->close_date != 0 && p->close_date < period_first_day (c->period))
        cr->errors |= E_PRACTICE_CLOSED;
      if (!service_open_in (svc, c->period))
        cr->errors |= E_OUTSIDE_SERVICE_DATES;
      if (!frequency_allows (svc, c->period))
        cr->errors |= E_WRONG_PERIOD;
      if (svc->has_deadline && c->submitted > deadline[les_period_month_number (c->period)])
        cr->errors |= E_LATE;
      if (i > 0 && same_group (&run->claims[i - 1], cr))
        cr->errors |= E_DUPLICATE;
      else
        group = i;                  /* the original: the first of its group */
      if (c->line_n > 0 && c->count != (gint64) c->line_n)
        cr->errors |= E_COUNT_MISMATCH;

      for (int e = 0; e < N_CLAIM_ERRORS; e++)
        if (cr->errors & (1u << e))
          {
            g_autofree char *text = claim_error_text (run, cr, e, &run->claims[group],
                                                      deadline[les_period_month_number (c->period)]);

            les_engine_add_finding (run, LES_SEVERITY_ERROR, les_engine_claim_error_codes[e], p->code, r->pub.code,
                                    c->period, c->ref, "%s", text);
          }

      claim_cover (run, c->period, &cover_first, &cover_last);
      for (guint k = 0; k < c->line_n; k++)
        {
          const PatientLine *pl = &g_array_index (in->patient_lines, PatientLine, c->line_first + k);
          guint8 *state = &run->line_state[cr->state_first + k];

          if (pl->patient == 0)
            {
              *state |= L_BAD_NHS_NUMBER;
              les_engine_add_finding (run, LES_SEVERITY_ERROR, "BAD_NHS_NUMBER", p->code, r->pub.code, c->period,
                                      c->ref, "patient line %u of claim %s: the NHS number is not a valid one "
                                      "(it fails the check digit), so the line is not paid", k + 1, c->ref);
            }
          if (pl->activity < cover_first || pl->activity > cover_last)
            {
              char date[11];
              g_autofree char *cover = cover_text (run, c->period);

              *state |= L_DATE_OUTSIDE_PERIOD;
              les_date_format (pl->activity, date);
              les_engine_add_finding (run, LES_SEVERITY_ERROR, "DATE_OUTSIDE_PERIOD", p->code, r->pub.code, c->period,
                                      c->ref, "patient line %u of claim %s: the activity on %s is not in %s, the "
                                      "period claimed for, so the line is not paid", k + 1, c->ref, date, cover);
            }
          if (*state == 0)
            good++;
        }
      cr->units = c->line_n > 0 ? good : c->count;
    }
}

typedef struct {
  guint32 patient;
  gint32  activity;
  gint32  line_no;
  guint32 claim_run;
  guint32 k;
  const char *ref;
} Use;

static int
cmp_use (gconstpointer a, gconstpointer b)
{
  const Use *x = a, *y = b;
  int c;

  if (x->patient != y->patient)
    return x->patient < y->patient ? -1 : 1;
  if (x->activity != y->activity)
    return x->activity < y->activity ? -1 : 1;
  c = strcmp (x->ref, y->ref);
  if (c != 0)
    return c;
  return (x->line_no > y->line_no) - (x->line_no < y->line_no);
}

/* RULES.md 5.1: a patient's first k good lines (of error-free claims) in the FY count. */
void
les_engine_apply_patient_limits (Run *run)
{
  LesEngineInput *in = run->in;
  guint start = 0;

  while (start < run->n_claims)
    {
      guint end = start;
      const Rule *r = rule_at (in, run->claims[start].c.rule);
      g_autoptr(GArray) uses = NULL;

      while (end < run->n_claims && run->claims[end].rule_pos == run->claims[start].rule_pos)
        end++;
      if (!r->pub.has_max_per_patient)
        {
          start = end;
          continue;
        }

      uses = g_array_new (FALSE, FALSE, sizeof (Use));
      for (guint i = start; i < end; i++)
        {
          const ClaimRun *cr = &run->claims[i];
          const Claim *c = &cr->c;

          if (cr->errors != 0)
            continue;
          for (guint k = 0; k < c->line_n; k++)
            {
              const PatientLine *pl = &g_array_index (in->patient_lines, PatientLine, c->line_first + k);
              Use u;

              if (run->line_state[cr->state_first + k] != 0)
                continue;
              u.patient = pl->patient;
              u.activity = pl->activity;
              u.line_no = pl->line_no;
              u.claim_run = i;
              u.k = k;
              u.ref = c->ref;
              g_array_append_val (uses, u);
            }
        }
      g_array_sort (uses, cmp_use);

      for (guint i = 0; i < uses->len; )
        {
          guint j = i;
          gint64 seen = 0;

          while (j < uses->len && g_array_index (uses, Use, j).patient == g_array_index (uses, Use, i).patient)
            {
              const Use *u = &g_array_index (uses, Use, j);

              if (++seen > r->pub.max_per_patient)
                {
                  ClaimRun *cr = &run->claims[u->claim_run];

                  run->line_state[cr->state_first + u->k] |= L_OVER_FREQUENCY;
                  cr->units--;
                  cr->lost++;
                }
              j++;
            }
          i = j;
        }

      for (guint i = start; i < end; i++)
        {
          const ClaimRun *cr = &run->claims[i];
          const Claim *c = &cr->c;

          if (cr->lost > 0)
            les_engine_add_finding (run, LES_SEVERITY_WARNING, "FREQUENCY_LIMIT", practice_at (in, c->practice)->code,
                                    r->pub.code, c->period, c->ref,
                                    "claim %s: %" G_GINT64_FORMAT " patient line%s not paid: %s patient%s had already "
                                    "been claimed for %" G_GINT64_FORMAT " time%s this year, the most %s allows",
                                    c->ref, cr->lost, cr->lost == 1 ? "" : "s", cr->lost == 1 ? "its" : "their",
                                    cr->lost == 1 ? "" : "s", r->pub.max_per_patient,
                                    r->pub.max_per_patient == 1 ? "" : "s", r->pub.code);
        }
      start = end;
    }
}

/* Item lines: units per (practice, rule, period), then the unit cap. */
void
les_engine_make_item_lines (Run *run)
{
  LesEngineInput *in = run->in;
  gint64 cumulative = 0;
  guint32 last_rule = G_MAXUINT32, last_practice = G_MAXUINT32;

  for (guint i = 0; i < run->n_claims; )
    {
      guint j = i;
      gint64 units = 0;
      const Claim *c = &run->claims[i].c;
      const Rule *r = rule_at (in, c->rule);
      gint64 rate = r->pub.has_rate ? r->pub.rate : 0;
      gint64 gross;
      Line *l;

      while (j < run->n_claims && same_group (&run->claims[i], &run->claims[j]))
        {
          /* a million claims of a trillion each would pass 64 bits */
          if (run->claims[j].errors == 0 && !les_int64_add_exact (units, run->claims[j].units, &units))
            {
              les_engine_refuse (run, c->practice, r->pub.code, c->period,
                                 _("the units claimed add up to more than %s"), "9223372036854775807");
              return;
            }
          j++;
        }

      if (run->claims[i].rule_pos != last_rule || run->claims[i].practice_rank != last_practice)
        {
          cumulative = 0;
          last_rule = run->claims[i].rule_pos;
          last_practice = run->claims[i].practice_rank;
        }

      /* units and rate are 64-bit, so their product fits 128 bits; the
       * line's gross must then be an amount (issue #12: it was cast to 64 bits) */
      if (!amount_of ((__int128) units * rate, LES_RATE_SCALE, &gross))
        {
          g_autofree char *units_text = g_strdup_printf ("%" G_GINT64_FORMAT, units);
          g_autofree char *rate_text = les_rate_format_display (rate);
          g_autofree char *largest = les_engine_largest_amount ();

          /* numbers as text: xgettext cannot see through G_GINT64_FORMAT */
          les_engine_refuse (run, c->practice, r->pub.code, c->period,
                             _("%s units at %s each come to more than the largest amount (%s)"),
                             units_text, rate_text, largest);
          return;
        }
      if (units > 0 && gross != 0)
        {
          l = les_engine_add_line (run, c->practice, r, FALSE, c->period, gross);
          l->has_units = TRUE;
          l->units = units;
          l->claim_first = i;
          l->claim_n = j - i;
          l->units_before = cumulative;
          l->allowed_units = units;
          if (r->pub.has_max_units)
            {
              /* counts and the cap are 0 or more, so neither side of the difference wraps */
              gint64 room = cumulative >= r->pub.max_units ? 0 : r->pub.max_units - cumulative;

              l->allowed_units = MIN (units, room);
              if (l->allowed_units < units)
                {
                  /* 0 ≤ allowed units < units: an amount no larger than the gross */
                  l->after_unit = les_round_div ((__int128) l->allowed_units * rate, LES_RATE_SCALE);
                  l->payable = l->after_unit;
                }
            }
          if (!les_int64_add_exact (cumulative, units, &cumulative))
            {
              les_engine_refuse (run, c->practice, r->pub.code, c->period,
                                 _("the units of the year add up to more than %s"), "9223372036854775807");
              return;
            }
          if (l->payable < l->gross)
            les_engine_add_finding (run, LES_SEVERITY_WARNING, "OVER_UNIT_CAP", practice_at (in, c->practice)->code,
                                    r->pub.code, c->period, NULL,
                                    "%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " units held: over the practice's "
                                    "limit of %" G_GINT64_FORMAT " units a year", units - l->allowed_units, units,
                                    r->pub.max_units);
        }
      i = j;
    }
}
