/* les-engine-schedule.c: scheduled lines — capitation, block, threshold upfront and achievement. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "les-engine-private.h"

static gboolean
member_signed_up_in_year (Run *run, const Member *m)
{
  gint32 first = run->in->fy * 10000 + 401, last = (run->in->fy + 1) * 10000 + 331;

  if (m == NULL)
    return FALSE;
  for (guint i = 0; i < m->signup_n; i++)
    {
      const Signup *s = &g_array_index (run->svc->signups, Signup, m->signup_first + i);

      if (s->from_date <= last && (s->to_date == 0 || s->to_date >= first))
        return TRUE;
    }
  return FALSE;
}

/* The base of a capitation or threshold rule on @day, as num / den patients
 * (or beds).  Returns FALSE when there is none. */
gboolean
les_engine_base_value (Run           *run,
                       const Rule    *rule,
                       guint          practice,
                       const Member  *m,
                       gint32         day,
                       gint64        *num,
                       gint64        *den,
                       gint32        *date_used)
{
  const ListSize *ls;

  *date_used = 0;
  switch (rule->pub.base)
    {
    case LES_BASE_COHORT:
    case LES_BASE_BEDS:
      if (m == NULL || !m->has_cohort)
        return FALSE;
      *num = m->cohort;
      *den = 1;
      return TRUE;
    case LES_BASE_WEIGHTED:
      ls = list_size_at (run->in, practice, day);
      if (ls == NULL || !ls->has_weighted)
        return FALSE;
      *num = ls->weighted;
      *den = 100;
      *date_used = ls->date;
      return TRUE;
    case LES_BASE_REGISTERED:
    default:
      ls = list_size_at (run->in, practice, day);
      if (ls == NULL)
        return FALSE;
      *num = ls->registered;
      *den = 1;
      *date_used = ls->date;
      return TRUE;
    }
}

gboolean
les_engine_rule_needs_base (const Rule *rule)
{
  if (rule->pub.kind == LES_RULE_KIND_THRESHOLD)
    return rule->pub.has_rate && rule->pub.rate != 0;
  return rule->pub.kind == LES_RULE_KIND_CAPITATION;
}

static const char *
missing_base_code (const Rule *rule)
{
  return rule->pub.base == LES_BASE_COHORT || rule->pub.base == LES_BASE_BEDS ? "NO_COHORT" : "NO_LIST_SIZE";
}

static void
add_missing_base (Run *run, const Rule *rule, guint practice, const char *rule_code, gint32 period, gint32 day)
{
  char date[11];

  les_date_format (day, date);
  if (rule->pub.base == LES_BASE_COHORT || rule->pub.base == LES_BASE_BEDS)
    les_engine_add_finding (run, LES_SEVERITY_ERROR, missing_base_code (rule), practice_at (run->in, practice)->code,
                            rule_code, period, NULL, "%s: no %s figure for the practice, service and year, so "
                            "nothing is paid for it", rule_code, base_word (rule->pub.base));
  else
    les_engine_add_finding (run, LES_SEVERITY_ERROR, missing_base_code (rule), practice_at (run->in, practice)->code,
                            rule_code, period, NULL, "%s: no %s list size for %s, so nothing is paid for it",
                            rule_code, base_word (rule->pub.base), date);
}

/* The scheduled periods of the year up to --to: (period, months in it). */
guint
les_engine_scheduled_periods (Run *run, gint32 periods[12], int *months)
{
  guint n = 0;
  int step = run->svc->pub.schedule == LES_SCHEDULE_QUARTERLY ? 3 : 1;

  *months = step;
  for (int m = step; m <= 12; m += step)
    {
      gint32 p = les_fy_period (run->in->fy, m);

      if (p <= run->to)
        periods[n++] = p;
    }
  return n;
}

/* An instalment of an annual amount @total: floor(A / n), March the remainder. */
static gint64
instalment (Run *run, gint64 total, int months, gint32 period)
{
  int n = 12 / months;
  gint64 each = les_floor_div (total, n);

  return period == run->march ? total - (n - 1) * each : each;
}

/* award = fixed + rate × base, as num / den hundredths of a penny */
gboolean
les_engine_threshold_award (Run *run, const Rule *r, guint practice, const Member *m,
                            __int128 *num, gint64 *den, gint64 *base_num, gint32 *date_used)
{
  gint64 bn = 0, bd = 1;

  *date_used = 0;
  if (les_engine_rule_needs_base (r)
      && !les_engine_base_value (run, r, practice, m, run->in->fy * 10000 + 401, &bn, &bd, date_used))
    return FALSE;
  /* |fixed × den| < 2^70 (den is 1 or 100) and |rate × base| ≤ 2^126: the sum fits 128 bits */
  *num = (__int128) r->pub.fixed_amount * bd + (__int128) (r->pub.has_rate ? r->pub.rate : 0) * bn;
  *den = bd;
  *base_num = bn;
  return TRUE;
}

/* The upfront share of the award; FALSE when it does not fit */
gboolean
les_engine_threshold_upfront (const Rule *r, __int128 num, gint64 den, gint64 *upfront)
{
  __int128 product;

  return les_int128_mul_exact (num, r->pub.upfront_pct, &product)
         && amount_of (product, (__int128) den * LES_RATE_SCALE * 100 * LES_PCT_SCALE, upfront);
}

/* s = num / den.  The achievement may be any percentage up to the largest
 * (LES_MONEY_MAX hundredths), the thresholds lie in 0–100 (import): the
 * differences cannot wrap. */
void
les_engine_threshold_scale (const Rule *r, gint64 achieved, gint64 *num, gint64 *den)
{
  if (achieved < r->pub.lower_pct)
    {
      *num = 0;
      *den = 1;
    }
  else if (achieved >= r->pub.upper_pct)
    {
      *num = 1;
      *den = 1;
    }
  else
    {
      *num = achieved - r->pub.lower_pct;
      *den = r->pub.upper_pct - r->pub.lower_pct;
    }
}

/* The award itself must be an amount: then every share of it is one too */
static gboolean
award_in_range (Run *run, const Rule *r, const Member *m, gint32 period, __int128 num, gint64 den)
{
  gint64 pence;

  if (amount_of (num, (__int128) den * LES_RATE_SCALE, &pence))
    return TRUE;
  {
    g_autofree char *largest = les_engine_largest_amount ();

    return les_engine_refuse (run, m->practice, r->pub.code, period,
                              _("the award (fixed amount + rate × %s figure) is more than the largest amount (%s)"),
                              base_word (r->pub.base), largest);
  }
}

/* RULES.md's achievement line: recover, round(A × s) less the upfront paid;
 * remainder, round(A × (1 − upfront%) × s).  The products are checked: the
 * scale's terms are percentages, but the engine takes what it is given. */
static gboolean
achievement_gross (const Rule *r, __int128 award_num, gint64 award_den, gint64 s_num, gint64 s_den,
                   gint64 upfront_gross, gint64 *gross)
{
  __int128 num, den;
  gint64 earned;

  if (r->pub.settlement == LES_SETTLEMENT_RECOVER)
    {
      /* earned and the upfront paid are both amounts: the difference fits 64 bits */
      if (!les_int128_mul_exact (award_num, s_num, &num)
          || !les_int128_mul_exact ((__int128) award_den * LES_RATE_SCALE, s_den, &den)
          || !amount_of (num, den, &earned))
        return FALSE;
      *gross = earned - upfront_gross;
      return amount_ok (*gross);
    }
  return les_int128_mul_exact (award_num, 100 * LES_PCT_SCALE - (__int128) r->pub.upfront_pct, &num)
         && les_int128_mul_exact (num, s_num, &num)
         && les_int128_mul_exact ((__int128) award_den * LES_RATE_SCALE * 100 * LES_PCT_SCALE, s_den, &den)
         && amount_of (num, den, gross);
}

void
les_engine_make_scheduled_lines (Run *run)
{
  LesEngineInput *in = run->in;
  const LesEngineService *svc = &run->svc->pub;
  gint32 periods[12];
  int months;
  guint n_periods = les_engine_scheduled_periods (run, periods, &months);
  gint32 fy_start = in->fy * 10000 + 401;

  for (guint ri = 0; ri < run->svc->rules->len; ri++)
    {
      const Rule *r = rule_at (in, g_array_index (run->svc->rules, guint, ri));

      if (r->pub.kind == LES_RULE_KIND_ITEM)
        continue;

      for (guint mi = 0; mi < run->svc->members->len; mi++)
        {
          const Member *m = &g_array_index (run->svc->members, Member, mi);
          const char *pcode = practice_at (in, m->practice)->code;
          gint64 upfront_gross = 0;
          gboolean have_award = FALSE, award_tried = FALSE;
          __int128 award_num = 0;
          gint64 award_den = 1, base_num = 0, upfront = 0;
          gint32 date_used = 0;

          for (guint pi = 0; pi < n_periods; pi++)
            {
              gint32 period = periods[pi];
              gint64 gross;

              if (!service_open_in (svc, period) || !member_signed_up (run, m, period))
                continue;

              switch (r->pub.kind)
                {
                case LES_RULE_KIND_CAPITATION:
                  {
                    gint32 day = period_first_day (les_period_add_months (period, 1 - months));
                    gint64 bn, bd;
                    gint32 used;

                    __int128 num;

                    if (!les_engine_base_value (run, r, m->practice, m, day, &bn, &bd, &used))
                      {
                        add_missing_base (run, r, m->practice, r->pub.code, period, day);
                        continue;
                      }
                    /* rate × base fits 128 bits (both 64-bit); three times it may not */
                    if (!les_int128_mul_exact ((__int128) (r->pub.has_rate ? r->pub.rate : 0) * bn, months, &num)
                        || !amount_of (num, (__int128) LES_RATE_SCALE * bd * months_per_rate (r->pub.rate_per),
                                       &gross))
                      {
                        g_autofree char *largest = les_engine_largest_amount ();

                        les_engine_refuse (run, m->practice, r->pub.code, period,
                                           _("the rate times the practice’s %s figure is more than the largest "
                                             "amount (%s)"), base_word (r->pub.base), largest);
                        return;
                      }
                  }
                  break;

                case LES_RULE_KIND_BLOCK:
                  if (!m->has_block)
                    {
                      les_engine_add_finding (run, LES_SEVERITY_ERROR, "NO_ALLOCATION", pcode, r->pub.code, period,
                                              NULL, "%s: the practice is signed up but has no block amount, so "
                                              "nothing is paid", r->pub.code);
                      continue;
                    }
                  gross = instalment (run, m->block, months, period);
                  break;

                case LES_RULE_KIND_THRESHOLD:
                  if (r->pub.upfront_pct == 0)
                    continue;
                  if (!award_tried)
                    {
                      award_tried = TRUE;
                      have_award = les_engine_threshold_award (run, r, m->practice, m, &award_num, &award_den,
                                                               &base_num, &date_used);
                      if (have_award && !award_in_range (run, r, m, period, award_num, award_den))
                        return;
                      if (have_award && !les_engine_threshold_upfront (r, award_num, award_den, &upfront))
                        {
                          les_engine_refuse (run, m->practice, r->pub.code, period,
                                             _("the upfront share of the award is out of range"));
                          return;
                        }
                    }
                  if (!have_award)
                    {
                      add_missing_base (run, r, m->practice, r->pub.code, period, fy_start);
                      continue;
                    }
                  gross = instalment (run, upfront, months, period);
                  upfront_gross += gross;
                  break;

                case LES_RULE_KIND_ITEM:
                default:
                  g_assert_not_reached ();
                }

              if (!amount_ok (gross))
                {
                  g_autofree char *largest = les_engine_largest_amount ();

                  les_engine_refuse (run, m->practice, r->pub.code, period,
                                     _("the payment is more than the largest amount (%s)"), largest);
                  return;
                }
              if (gross != 0)
                les_engine_add_line (run, m->practice, r, FALSE, period, gross);
            }

          /* the achievement line, in March */
          if (r->pub.kind == LES_RULE_KIND_THRESHOLD && run->to == run->march && member_signed_up_in_year (run, m))
            {
              gint64 s_num, s_den, gross;

              if (!m->has_achievement)
                {
                  les_engine_add_finding (run, LES_SEVERITY_WARNING, "NO_ACHIEVEMENT", pcode, r->pub.code, 0, NULL,
                                          "%s: no achievement recorded for the year, so no achievement payment "
                                          "is made", r->pub.code);
                  continue;
                }
              if (!award_tried)
                {
                  have_award = les_engine_threshold_award (run, r, m->practice, m, &award_num, &award_den,
                                                           &base_num, &date_used);
                  if (have_award && !award_in_range (run, r, m, run->march, award_num, award_den))
                    return;
                }
              if (!have_award)
                {
                  add_missing_base (run, r, m->practice, r->ach_code, run->march, fy_start);
                  continue;
                }
              les_engine_threshold_scale (r, m->achieved, &s_num, &s_den);
              if (!achievement_gross (r, award_num, award_den, s_num, s_den, upfront_gross, &gross))
                {
                  g_autofree char *largest = les_engine_largest_amount ();

                  les_engine_refuse (run, m->practice, r->ach_code, run->march,
                                     _("the achievement payment is more than the largest amount (%s)"), largest);
                  return;
                }
              if (gross != 0)
                les_engine_add_line (run, m->practice, r, TRUE, run->march, gross);
            }
        }
    }
}
