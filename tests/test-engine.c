/* test-engine.c: unit tests of the claims engine (RULES.md), with structs built here, and random invariants. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-claims-edit.h"
#include "les-compute.h"
#include "les-engine.h"
#include "les-error.h"
#include "les-results.h"
#include "les-store-private.h"
#include "les-value.h"
#include "test-helpers.h"

#define FY 2024
#define APR 202404
#define MAY 202405
#define JUN 202406
#define JUL 202407
#define AUG 202408
#define SEP 202409
#define OCT 202410
#define NOV 202411
#define DEC 202412
#define JAN 202501
#define FEB 202502
#define MAR 202503

/* Building inputs */

static LesEngineService
service (const char *code)
{
  LesEngineService s = { 0 };

  s.code = code;
  s.name = code;
  return s;
}

static void
add_service (LesEngineInput *in, const LesEngineService *s)
{
  g_assert_true (les_engine_input_add_service (in, s));
}

static LesEngineRule
item_rule (const char *svc, const char *code, gint64 rate)
{
  LesEngineRule r = { 0 };

  r.service_code = svc;
  r.code = code;
  r.kind = LES_RULE_KIND_ITEM;
  r.has_rate = TRUE;
  r.rate = rate;
  return r;
}

static LesEngineRule
capitation_rule (const char *svc, const char *code, gint64 rate, LesRatePer per, LesBase base)
{
  LesEngineRule r = item_rule (svc, code, rate);

  r.kind = LES_RULE_KIND_CAPITATION;
  r.rate_per = per;
  r.base = base;
  return r;
}

static LesEngineRule
block_rule (const char *svc, const char *code)
{
  LesEngineRule r = { 0 };

  r.service_code = svc;
  r.code = code;
  r.kind = LES_RULE_KIND_BLOCK;
  return r;
}

static LesEngineRule
threshold_rule (const char *svc, const char *code, gint64 fixed, gboolean has_rate, gint64 rate, LesBase base,
                gint64 upfront, gint64 lower, gint64 upper, LesSettlement settlement)
{
  LesEngineRule r = { 0 };

  r.service_code = svc;
  r.code = code;
  r.kind = LES_RULE_KIND_THRESHOLD;
  r.fixed_amount = fixed;
  r.has_rate = has_rate;
  r.rate = rate;
  r.base = base;
  r.upfront_pct = upfront;
  r.lower_pct = lower;
  r.upper_pct = upper;
  r.settlement = settlement;
  return r;
}

static void
add_rule (LesEngineInput *in, const LesEngineRule *r)
{
  g_assert_true (les_engine_input_add_rule (in, r));
}

static void
signup (LesEngineInput *in, const char *practice, const char *svc, gint32 from, gint32 to)
{
  g_assert_true (les_engine_input_add_signup (in, practice, svc, from, to));
}

static guint
claim (LesEngineInput *in, const char *ref, const char *practice, const char *svc, const char *item,
       gint32 period, gint64 count, gint32 submitted)
{
  guint handle = les_engine_input_add_claim (in, ref, practice, svc, item, period, count, submitted);

  g_assert_cmpuint (handle, !=, LES_ENGINE_NO_CLAIM);
  return handle;
}

/* Running and looking at the output */

static LesEngineOutput *
run (LesEngineInput *in)
{
  LesEngineOutput *out = les_engine_output_new ();

  les_engine_run (in, out);
  g_assert_no_error (out->error);
  return out;
}

/* A run that must refuse, with @message, and give no lines */
static void
run_refused (LesEngineInput *in, const char *message)
{
  g_autoptr(LesEngineOutput) out = les_engine_output_new ();
  LesEngineOutput *outputs[8] = { NULL };
  g_autoptr(GError) error = NULL;
  guint n = les_engine_input_get_n_services (in);

  les_engine_run (in, out);
  g_assert_error (out->error, LES_ERROR, LES_ERROR_OVERFLOW);
  g_assert_cmpstr (out->error->message, ==, message);
  g_assert_cmpuint (out->lines->len, ==, 0);

  /* on threads too, where the compute takes it from */
  g_assert_cmpuint (n, <=, G_N_ELEMENTS (outputs));
  for (guint i = 0; i < n; i++)
    outputs[i] = les_engine_output_new ();
  g_assert_false (les_engine_run_services (in, outputs, 2, NULL, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_OVERFLOW);
  g_assert_cmpstr (error->message, ==, message);
  for (guint i = 0; i < n; i++)
    les_engine_output_free (outputs[i]);
}

static const LesPaymentLine *
find_line (LesEngineOutput *out, const char *practice, const char *svc, const char *rule, gint32 period)
{
  for (guint i = 0; i < out->lines->len; i++)
    {
      const LesPaymentLine *l = &g_array_index (out->lines, LesPaymentLine, i);

      if (strcmp (l->practice_code, practice) == 0 && strcmp (l->service_code, svc) == 0
          && strcmp (l->rule_code, rule) == 0 && l->period == period)
        return l;
    }
  return NULL;
}

static void
assert_line (LesEngineOutput *out, const char *practice, const char *svc, const char *rule, gint32 period,
             gint64 gross, gint64 payable)
{
  const LesPaymentLine *l = find_line (out, practice, svc, rule, period);

  if (l == NULL)
    g_error ("no line %s/%s/%s/%d", practice, svc, rule, period);
  g_assert_cmpint (l->gross, ==, gross);
  g_assert_cmpint (l->payable, ==, payable);
  g_assert_cmpint (l->held, ==, gross - payable);
}

static void
assert_no_line (LesEngineOutput *out, const char *practice, const char *svc, const char *rule, gint32 period)
{
  if (find_line (out, practice, svc, rule, period) != NULL)
    g_error ("unexpected line %s/%s/%s/%d", practice, svc, rule, period);
}

static guint
count_findings (LesEngineOutput *out, const char *code)
{
  guint n = 0;

  for (guint i = 0; i < out->findings->len; i++)
    n += strcmp (g_array_index (out->findings, LesFinding, i).code, code) == 0;
  return n;
}

/* NULL arguments match a blank field; "*" matches anything. */
static const LesFinding *
find_finding (LesEngineOutput *out, const char *code, const char *practice, const char *rule, gint32 period,
              const char *claim_ref)
{
  for (guint i = 0; i < out->findings->len; i++)
    {
      const LesFinding *f = &g_array_index (out->findings, LesFinding, i);

      if (strcmp (f->code, code) != 0)
        continue;
      if (g_strcmp0 (practice, "*") != 0 && g_strcmp0 (f->practice_code, practice) != 0)
        continue;
      if (g_strcmp0 (rule, "*") != 0 && g_strcmp0 (f->rule_code, rule) != 0)
        continue;
      if (period != -1 && f->period != period)
        continue;
      if (g_strcmp0 (claim_ref, "*") != 0 && g_strcmp0 (f->claim_ref, claim_ref) != 0)
        continue;
      return f;
    }
  return NULL;
}

static void
assert_finding (LesEngineOutput *out, const char *code, const char *practice, const char *rule, gint32 period,
                const char *claim_ref)
{
  if (find_finding (out, code, practice, rule, period, claim_ref) == NULL)
    g_error ("no finding %s %s %s %d %s", code, practice, rule, period, claim_ref);
}

static gint64
sum_payable (LesEngineOutput *out, const char *svc)
{
  gint64 sum = 0;

  for (guint i = 0; i < out->lines->len; i++)
    {
      const LesPaymentLine *l = &g_array_index (out->lines, LesPaymentLine, i);

      if (svc == NULL || strcmp (l->service_code, svc) == 0)
        sum += l->payable;
    }
  return sum;
}

/* A one-service input: ECG with item rules, practices P1..P6 signed up all year. */
static LesEngineInput *
item_fixture (gint32 to)
{
  LesEngineInput *in = les_engine_input_new (FY, to);
  LesEngineService s = service ("ECG");
  LesEngineRule r1 = item_rule ("ECG", "ECG", 360000);
  LesEngineRule r2 = item_rule ("ECG", "ECG24", 525050);

  add_service (in, &s);
  add_rule (in, &r1);
  add_rule (in, &r2);
  for (int p = 1; p <= 6; p++)
    {
      g_autofree char *code = g_strdup_printf ("A8100%d", p);

      les_engine_input_add_practice (in, code, 0);
      signup (in, code, "ECG", 20240401, 0);
    }
  return in;
}

/* Rule kinds */

static void
test_item_rounding (void)
{
  g_autoptr(LesEngineInput) in = item_fixture (JUN);
  g_autoptr(LesEngineOutput) out = NULL;

  claim (in, "E1", "A81001", "ECG", "ECG24", APR, 1, 20240503);
  claim (in, "E2", "A81001", "ECG", "ECG24", MAY, 3, 20240604);
  claim (in, "E3", "A81001", "ECG", "ECG", APR, 3, 20240503);
  claim (in, "E4", "A81001", "ECG", "ECG", JUL, 6, 20240802);   /* after --to: ignored */
  out = run (in);

  assert_line (out, "A81001", "ECG", "ECG24", APR, 5251, 5251);     /* 52.505 → 52.51 */
  assert_line (out, "A81001", "ECG", "ECG24", MAY, 15752, 15752);   /* rounded once, not 3 × 52.51 */
  assert_line (out, "A81001", "ECG", "ECG", APR, 10800, 10800);
  assert_no_line (out, "A81001", "ECG", "ECG", JUL);
  g_assert_true (find_line (out, "A81001", "ECG", "ECG24", MAY)->has_units);
  g_assert_cmpint (find_line (out, "A81001", "ECG", "ECG24", MAY)->units, ==, 3);
  g_assert_cmpuint (out->findings->len, ==, 0);
  g_assert_cmpuint (out->lines->len, ==, 3);

  /* a service's lines come by practice, rule, period */
  g_assert_cmpstr (g_array_index (out->lines, LesPaymentLine, 0).rule_code, ==, "ECG");
  g_assert_cmpstr (g_array_index (out->lines, LesPaymentLine, 1).rule_code, ==, "ECG24");
  g_assert_cmpint (g_array_index (out->lines, LesPaymentLine, 1).period, ==, APR);
}

static void
test_item_later_claims_ignored (void)
{
  g_autoptr(LesEngineInput) in = item_fixture (MAY);
  g_autoptr(LesEngineOutput) out = NULL;

  /* a June claim would be the original; with --to May it is not looked at at all */
  claim (in, "X1", "A81001", "ECG", "ECG", JUN, 1, 20240601);
  claim (in, "X2", "A81001", "ECG", "ECG", JUN, 1, 20240701);
  claim (in, "X3", "A81002", "ECG", "ECG", 202403, 1, 20240401);  /* the previous year */
  out = run (in);
  g_assert_cmpuint (out->lines->len, ==, 0);
  g_assert_cmpuint (out->findings->len, ==, 0);
}

static void
test_item_zero_gross_dropped (void)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, 0);
  g_autoptr(LesEngineOutput) out = NULL;
  LesEngineService s = service ("S");
  LesEngineRule free_rule = item_rule ("S", "FREE", 0);
  LesEngineRule tiny = item_rule ("S", "TINY", 49);       /* 0.0049 a unit */
  LesEngineRule capped = item_rule ("S", "CAP", 10000);

  capped.has_max_units = TRUE;
  capped.max_units = 2;
  add_service (in, &s);
  add_rule (in, &free_rule);
  add_rule (in, &tiny);
  add_rule (in, &capped);
  signup (in, "P1", "S", 20240401, 0);
  claim (in, "F1", "P1", "S", "FREE", APR, 5, 20240501);
  claim (in, "T1", "P1", "S", "TINY", APR, 1, 20240501);   /* 0.49p → 0: dropped */
  claim (in, "T2", "P1", "S", "TINY", MAY, 2, 20240601);   /* 0.98p → 1p */
  claim (in, "Z1", "P1", "S", "CAP", APR, 0, 20240501);    /* count 0: no line, uses none of the cap */
  claim (in, "C1", "P1", "S", "CAP", MAY, 2, 20240601);
  out = run (in);

  assert_no_line (out, "P1", "S", "FREE", APR);
  assert_no_line (out, "P1", "S", "TINY", APR);
  assert_line (out, "P1", "S", "TINY", MAY, 1, 1);
  assert_no_line (out, "P1", "S", "CAP", APR);
  assert_line (out, "P1", "S", "CAP", MAY, 200, 200);
  g_assert_cmpuint (count_findings (out, "OVER_UNIT_CAP"), ==, 0);
}

static void
test_capitation (void)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, NOV);
  g_autoptr(LesEngineOutput) out = NULL;
  LesEngineService elf = service ("ELF");
  LesEngineService ehch = service ("EHCH");
  LesEngineService wq = service ("WQ");
  LesEngineRule php = capitation_rule ("ELF", "PHP", 4100, LES_RATE_PER_YEAR, LES_BASE_REGISTERED);
  LesEngineRule bed = capitation_rule ("EHCH", "BED", 1300050, LES_RATE_PER_YEAR, LES_BASE_BEDS);
  LesEngineRule wtd = capitation_rule ("WQ", "W", 1000, LES_RATE_PER_QUARTER, LES_BASE_WEIGHTED);
  LesEngineRule coh = capitation_rule ("WQ", "C", 300, LES_RATE_PER_MONTH, LES_BASE_COHORT);

  elf.schedule = LES_SCHEDULE_QUARTERLY;
  ehch.start_date = 20240615;
  add_service (in, &elf);
  add_service (in, &ehch);
  add_service (in, &wq);
  add_rule (in, &php);
  add_rule (in, &bed);
  add_rule (in, &wtd);
  add_rule (in, &coh);
  les_engine_input_add_list_size (in, "C1", 20240401, 8653, TRUE, 880000);
  les_engine_input_add_list_size (in, "C1", 20240701, 8701, TRUE, 885050);
  les_engine_input_add_list_size (in, "C2", 20240701, 4000, TRUE, 420000);
  les_engine_input_add_list_size (in, "C3", 20240401, 12000, TRUE, 1150000);
  les_engine_input_add_list_size (in, "C3", 20240501, 12100, FALSE, 0);     /* no weighted: no older row tried */
  for (int p = 1; p <= 3; p++)
    {
      g_autofree char *code = g_strdup_printf ("C%d", p);

      signup (in, code, "ELF", p == 3 ? 20240820 : 20240401, 0);
      signup (in, code, "EHCH", p == 3 ? 20240820 : 20240401, 0);
      signup (in, code, "WQ", 20240401, 0);
    }
  les_engine_input_add_cohort (in, "C1", "EHCH", 12);
  les_engine_input_add_cohort (in, "C3", "EHCH", 30);
  les_engine_input_add_cohort (in, "C1", "WQ", 7);
  les_engine_input_add_practice (in, "C2", 20240430);   /* closed: scheduled payments look only at sign-ups */
  out = run (in);

  /* quarterly: list on the first day of the quarter; --to November: no December quarter */
  assert_line (out, "C1", "ELF", "PHP", JUN, 88693, 88693);
  assert_line (out, "C1", "ELF", "PHP", SEP, 89185, 89185);
  assert_no_line (out, "C1", "ELF", "PHP", DEC);
  assert_finding (out, "NO_LIST_SIZE", "C2", "PHP", JUN, NULL);
  assert_line (out, "C2", "ELF", "PHP", SEP, 41000, 41000);
  assert_no_line (out, "C3", "ELF", "PHP", JUN);                /* not signed up in June */
  /* signed up in September: the whole quarter, on the list of 1 July (the May row) */
  assert_line (out, "C3", "ELF", "PHP", SEP, 124025, 124025);

  /* monthly beds from the service's start month; 130.005 × 12 / 12 = 130.005 → 130.01 */
  assert_no_line (out, "C1", "EHCH", "BED", MAY);
  assert_line (out, "C1", "EHCH", "BED", JUN, 13001, 13001);
  assert_line (out, "C1", "EHCH", "BED", NOV, 13001, 13001);
  assert_line (out, "C3", "EHCH", "BED", AUG, 32501, 32501);
  g_assert_cmpuint (count_findings (out, "NO_COHORT"), ==, 6 + 8 + 8);   /* C2 EHCH Jun–Nov; C2, C3 WQ/C */
  assert_finding (out, "NO_COHORT", "C2", "BED", JUN, NULL);
  assert_finding (out, "NO_COHORT", "C2", "BED", NOV, NULL);

  /* weighted per quarter, monthly: 0.10 × 8800.00 / 3 = 293.333 → 293.33 */
  assert_line (out, "C1", "WQ", "W", APR, 29333, 29333);
  assert_line (out, "C1", "WQ", "W", JUL, 29502, 29502);          /* 8850.50 × 0.10 / 3 = 295.0166 */
  assert_line (out, "C3", "WQ", "W", APR, 38333, 38333);
  assert_finding (out, "NO_LIST_SIZE", "C3", "W", MAY, NULL);     /* the May row has no weighted */
  assert_no_line (out, "C3", "WQ", "W", MAY);
  assert_finding (out, "NO_LIST_SIZE", "C2", "W", APR, NULL);
  assert_line (out, "C2", "WQ", "W", JUL, 14000, 14000);
  /* per month, cohort 7 × 0.03 = 0.21 */
  assert_line (out, "C1", "WQ", "C", APR, 21, 21);
  g_assert_cmpuint (count_findings (out, "NO_LIST_SIZE"), ==, 1 + 3 + 7);
}

static void
test_capitation_signup_gap (void)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, 0);
  g_autoptr(LesEngineOutput) out = NULL;
  LesEngineService s = service ("S");
  LesEngineRule r = capitation_rule ("S", "R", 1200, LES_RATE_PER_YEAR, LES_BASE_REGISTERED);

  s.end_date = 20250115;
  add_service (in, &s);
  add_rule (in, &r);
  les_engine_input_add_list_size (in, "P1", 20230101, 1000, FALSE, 0);
  signup (in, "P1", "S", 20240401, 20240531);
  signup (in, "P1", "S", 20240801, 20240801);    /* one day counts for the whole month */
  signup (in, "P1", "S", 20241101, 0);
  out = run (in);

  assert_line (out, "P1", "S", "R", APR, 1000, 1000);
  assert_line (out, "P1", "S", "R", MAY, 1000, 1000);
  assert_no_line (out, "P1", "S", "R", JUN);
  assert_no_line (out, "P1", "S", "R", JUL);
  assert_line (out, "P1", "S", "R", AUG, 1000, 1000);
  assert_no_line (out, "P1", "S", "R", SEP);
  assert_line (out, "P1", "S", "R", NOV, 1000, 1000);
  assert_line (out, "P1", "S", "R", JAN, 1000, 1000);    /* the service ends in January */
  assert_no_line (out, "P1", "S", "R", FEB);
  g_assert_cmpuint (out->lines->len, ==, 6);
}

static void
test_block (void)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, 0);
  g_autoptr(LesEngineOutput) out = NULL;
  LesEngineService q = service ("Q");
  LesEngineService m = service ("M");
  LesEngineRule bq = block_rule ("Q", "BLOCK");
  LesEngineRule bm = block_rule ("M", "BLOCK");

  q.schedule = LES_SCHEDULE_QUARTERLY;
  add_service (in, &q);
  add_service (in, &m);
  add_rule (in, &bq);
  add_rule (in, &bm);
  for (int p = 1; p <= 6; p++)
    {
      g_autofree char *code = g_strdup_printf ("D%d", p);

      signup (in, code, "Q", 20240401, p == 2 ? 20241031 : 0);
    }
  signup (in, "D1", "M", 20240401, 0);
  signup (in, "D2", "M", 20240401, 20250131);
  les_engine_input_add_allocation (in, "D1", "Q", TRUE, 1000003, TRUE, 600000);
  les_engine_input_add_allocation (in, "D2", "Q", TRUE, 500000, FALSE, 0);
  les_engine_input_add_allocation (in, "D3", "Q", FALSE, 0, TRUE, 400000);   /* blank block amount */
  les_engine_input_add_allocation (in, "D4", "Q", TRUE, 0, FALSE, 0);        /* 0: nothing, no finding */
  les_engine_input_add_allocation (in, "D6", "Q", TRUE, 3, FALSE, 0);        /* less than a penny a quarter */
  /* D5 has no allocation row at all */
  les_engine_input_add_allocation (in, "D1", "M", TRUE, 120011, FALSE, 0);
  les_engine_input_add_allocation (in, "D2", "M", TRUE, 120011, FALSE, 0);
  out = run (in);

  assert_line (out, "D1", "Q", "BLOCK", JUN, 250000, 250000);
  assert_line (out, "D1", "Q", "BLOCK", SEP, 250000, 250000);
  assert_line (out, "D1", "Q", "BLOCK", DEC, 250000, 100000);      /* practice cap 6000.00 crossed */
  assert_line (out, "D1", "Q", "BLOCK", MAR, 250003, 0);
  assert_finding (out, "OVER_PRACTICE_CAP", "D1", "BLOCK", DEC, NULL);
  assert_finding (out, "OVER_PRACTICE_CAP", "D1", "BLOCK", MAR, NULL);
  assert_line (out, "D2", "Q", "BLOCK", SEP, 125000, 125000);
  assert_no_line (out, "D2", "Q", "BLOCK", DEC);                   /* skipped, not redistributed */
  assert_no_line (out, "D2", "Q", "BLOCK", MAR);
  for (gint32 p = JUN; p != 0; p = p == JUN ? SEP : p == SEP ? DEC : p == DEC ? MAR : 0)
    {
      assert_finding (out, "NO_ALLOCATION", "D3", "BLOCK", p, NULL);
      assert_finding (out, "NO_ALLOCATION", "D5", "BLOCK", p, NULL);
      assert_no_line (out, "D4", "Q", "BLOCK", p);
    }
  g_assert_cmpuint (count_findings (out, "NO_ALLOCATION"), ==, 8);
  assert_no_line (out, "D6", "Q", "BLOCK", JUN);                   /* floor(3 / 4) = 0: dropped */
  assert_line (out, "D6", "Q", "BLOCK", MAR, 3, 3);

  /* monthly: 12 instalments of 100.00, March 100.11; D2's March is not paid, the remainder not moved */
  assert_line (out, "D1", "M", "BLOCK", APR, 10000, 10000);
  assert_line (out, "D1", "M", "BLOCK", MAR, 10011, 10011);
  assert_line (out, "D2", "M", "BLOCK", JAN, 10000, 10000);
  assert_no_line (out, "D2", "M", "BLOCK", FEB);
  assert_no_line (out, "D2", "M", "BLOCK", MAR);
}

static void
test_block_to_mid_year (void)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, AUG);
  g_autoptr(LesEngineOutput) out = NULL;
  LesEngineService q = service ("Q");
  LesEngineRule b = block_rule ("Q", "B");

  q.schedule = LES_SCHEDULE_QUARTERLY;
  add_service (in, &q);
  add_rule (in, &b);
  signup (in, "D1", "Q", 20240401, 0);
  les_engine_input_add_allocation (in, "D1", "Q", TRUE, 1000, FALSE, 0);
  out = run (in);
  assert_line (out, "D1", "Q", "B", JUN, 250, 250);
  g_assert_cmpuint (out->lines->len, ==, 1);
}

static LesEngineInput *
threshold_fixture (gint32 to, LesSettlement settlement, LesCapMode cap_mode, gboolean has_budget, gint64 budget)
{
  LesEngineInput *in = les_engine_input_new (FY, to);
  LesEngineService s = service ("QIF");
  LesEngineRule r = threshold_rule ("QIF", "QIF", 15000000, TRUE, 21050, LES_BASE_WEIGHTED, 8000, 6000, 9500,
                                    settlement);

  s.schedule = LES_SCHEDULE_QUARTERLY;
  s.cap_mode = cap_mode;
  s.has_budget = has_budget;
  s.budget = budget;
  add_service (in, &s);
  add_rule (in, &r);
  les_engine_input_add_list_size (in, "E1", 20240401, 8603, TRUE, 779300);
  les_engine_input_add_list_size (in, "E2", 20240401, 5100, TRUE, 500000);
  les_engine_input_add_list_size (in, "E3", 20240401, 4200, TRUE, 400000);
  les_engine_input_add_list_size (in, "E3", 20241001, 4300, TRUE, 410000);
  for (int p = 1; p <= 3; p++)
    {
      g_autofree char *code = g_strdup_printf ("E%d", p);

      signup (in, code, "QIF", 20240401, 0);
    }
  les_engine_input_add_achievement (in, "E1", "QIF", 9746);
  les_engine_input_add_achievement (in, "E2", "QIF", 6700);
  return in;
}

static void
test_threshold_recover (void)
{
  g_autoptr(LesEngineInput) in = threshold_fixture (0, LES_SETTLEMENT_RECOVER, LES_CAP_MODE_HOLD, TRUE, 3500000);
  g_autoptr(LesEngineOutput) out = run (in);

  /* award E1 = 1500 + 2.105 × 7793 = 17,904.265; U = 14,323.41 in 4 instalments */
  assert_line (out, "E1", "QIF", "QIF", JUN, 358085, 358085);
  assert_line (out, "E1", "QIF", "QIF", MAR, 358086, 358086);
  assert_line (out, "E1", "QIF", "QIF:ACH", MAR, 358086, 358086);
  /* E2: round(12,025 × 0.2) − 9,620 = −7,215.00: caps never apply */
  assert_line (out, "E2", "QIF", "QIF:ACH", MAR, -721500, -721500);
  /* the hold budget counts positive lines only: E3's March instalment crosses it */
  assert_line (out, "E3", "QIF", "QIF", MAR, 198400, 152373);
  assert_finding (out, "OVER_SERVICE_CAP", "E3", "QIF", MAR, NULL);
  g_assert_cmpuint (count_findings (out, "OVER_SERVICE_CAP"), ==, 1);
  /* no achievement: a warning with the plain rule code and a blank period */
  assert_finding (out, "NO_ACHIEVEMENT", "E3", "QIF", 0, NULL);
  assert_no_line (out, "E3", "QIF", "QIF:ACH", MAR);
  g_assert_cmpint (sum_payable (out, "QIF"), ==, 3500000 - 721500);
}

static void
test_threshold_recover_uses_gross (void)
{
  /* a practice cap holds part of the upfront; P is still the upfront gross */
  g_autoptr(LesEngineInput) in = threshold_fixture (0, LES_SETTLEMENT_RECOVER, LES_CAP_MODE_NONE, FALSE, 0);
  g_autoptr(LesEngineOutput) out = NULL;

  les_engine_input_add_allocation (in, "E1", "QIF", FALSE, 0, TRUE, 500000);
  out = run (in);
  assert_line (out, "E1", "QIF", "QIF", JUN, 358085, 358085);
  assert_line (out, "E1", "QIF", "QIF", SEP, 358085, 141915);
  assert_line (out, "E1", "QIF", "QIF", DEC, 358085, 0);
  /* 17,904.27 − 14,323.41 = 3,580.86, all held by the cap */
  assert_line (out, "E1", "QIF", "QIF:ACH", MAR, 358086, 0);
  /* a recovery line passes the practice cap untouched */
  assert_line (out, "E2", "QIF", "QIF:ACH", MAR, -721500, -721500);
  g_assert_cmpuint (count_findings (out, "OVER_BUDGET"), ==, 0);    /* no budget */
}

static void
test_threshold_remainder (void)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, 0);
  g_autoptr(LesEngineOutput) out = NULL;
  LesEngineService s = service ("FAA");
  LesEngineRule r = threshold_rule ("FAA", "TARGET", 0, TRUE, 60000, LES_BASE_REGISTERED, 7000, 5000, 9000,
                                    LES_SETTLEMENT_REMAINDER);

  s.schedule = LES_SCHEDULE_QUARTERLY;
  add_service (in, &s);
  add_rule (in, &r);
  les_engine_input_add_list_size (in, "E1", 20240401, 8603, FALSE, 0);
  les_engine_input_add_list_size (in, "E2", 20240401, 5100, FALSE, 0);
  les_engine_input_add_list_size (in, "E3", 20240301, 4200, FALSE, 0);   /* latest on or before 1 April */
  les_engine_input_add_list_size (in, "E3", 20241001, 4300, FALSE, 0);
  les_engine_input_add_list_size (in, "E4", 20240402, 1000, FALSE, 0);   /* after 1 April: none */
  signup (in, "E1", "FAA", 20240401, 0);
  signup (in, "E2", "FAA", 20240401, 0);
  signup (in, "E3", "FAA", 20241001, 0);
  signup (in, "E4", "FAA", 20240401, 0);
  les_engine_input_add_achievement (in, "E1", "FAA", 7500);
  les_engine_input_add_achievement (in, "E2", "FAA", 4500);
  les_engine_input_add_achievement (in, "E3", "FAA", 9000);
  les_engine_input_add_achievement (in, "E4", "FAA", 9000);
  out = run (in);

  assert_line (out, "E1", "FAA", "TARGET", JUN, 903315, 903315);
  assert_line (out, "E1", "FAA", "TARGET:ACH", MAR, 967838, 967838);   /* round(9,678.375) */
  assert_no_line (out, "E2", "FAA", "TARGET:ACH", MAR);                 /* s = 0: a line of 0 is not written */
  assert_no_line (out, "E3", "FAA", "TARGET", JUN);
  assert_line (out, "E3", "FAA", "TARGET", DEC, 441000, 441000);
  assert_line (out, "E3", "FAA", "TARGET", MAR, 441000, 441000);
  assert_line (out, "E3", "FAA", "TARGET:ACH", MAR, 756000, 756000);   /* base on 1 April: 4200 */
  /* E4 has no list on 1 April: each upfront period, and the achievement line as RULE:ACH */
  g_assert_cmpuint (count_findings (out, "NO_LIST_SIZE"), ==, 5);
  assert_finding (out, "NO_LIST_SIZE", "E4", "TARGET", JUN, NULL);
  assert_finding (out, "NO_LIST_SIZE", "E4", "TARGET:ACH", MAR, NULL);
  g_assert_cmpuint (count_findings (out, "NO_ACHIEVEMENT"), ==, 0);
}

static void
test_threshold_edges (void)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, 0);
  g_autoptr(LesEngineOutput) out = NULL;
  LesEngineService s = service ("T");
  /* fixed only, no upfront, no base needed */
  LesEngineRule r = threshold_rule ("T", "R", 100000000, FALSE, 0, LES_BASE_REGISTERED, 0, 5000, 9000,
                                    LES_SETTLEMENT_REMAINDER);

  add_service (in, &s);
  add_rule (in, &r);
  signup (in, "A", "T", 20250301, 0);       /* signed up for one month: the achievement is due */
  signup (in, "B", "T", 20240401, 0);
  signup (in, "C", "T", 20240401, 0);
  signup (in, "D", "T", 20240401, 0);
  signup (in, "E", "T", 20230401, 20240331);  /* not in the year */
  les_engine_input_add_achievement (in, "A", "T", 9000);    /* = upper: s = 1 */
  les_engine_input_add_achievement (in, "B", "T", 4999);    /* below lower: s = 0 */
  les_engine_input_add_achievement (in, "C", "T", 5001);    /* s = 1/4000 */
  les_engine_input_add_achievement (in, "E", "T", 9000);
  out = run (in);

  g_assert_cmpuint (count_findings (out, "NO_LIST_SIZE"), ==, 0);
  assert_no_line (out, "A", "T", "R", APR);                 /* no upfront share: no instalments */
  assert_line (out, "A", "T", "R:ACH", MAR, 1000000, 1000000);
  assert_no_line (out, "B", "T", "R:ACH", MAR);
  assert_line (out, "C", "T", "R:ACH", MAR, 250, 250);      /* 10,000.00 × 1 / 4000 = 2.50 */
  assert_finding (out, "NO_ACHIEVEMENT", "D", "R", 0, NULL);
  assert_no_line (out, "E", "T", "R:ACH", MAR);
  g_assert_null (find_finding (out, "NO_ACHIEVEMENT", "E", "*", -1, "*"));
}

static void
test_threshold_before_march (void)
{
  g_autoptr(LesEngineInput) in = threshold_fixture (FEB, LES_SETTLEMENT_RECOVER, LES_CAP_MODE_NONE, FALSE, 0);
  g_autoptr(LesEngineOutput) out = run (in);

  /* no achievement lines and no NO_ACHIEVEMENT before March; quarters up to December */
  g_assert_cmpuint (count_findings (out, "NO_ACHIEVEMENT"), ==, 0);
  assert_no_line (out, "E1", "QIF", "QIF:ACH", MAR);
  assert_line (out, "E1", "QIF", "QIF", DEC, 358085, 358085);
  assert_no_line (out, "E1", "QIF", "QIF", MAR);
  g_assert_cmpuint (out->lines->len, ==, 9);
}

/* Claim validation */

static LesEngineInput *
validation_fixture (void)
{
  LesEngineInput *in = les_engine_input_new (FY, SEP);
  LesEngineService smi = service ("SMI");
  LesEngineService q = service ("Q");
  LesEngineService a = service ("A");
  LesEngineRule check = item_rule ("SMI", "CHECK", 550000);
  LesEngineRule mon = item_rule ("Q", "MON", 700000);
  LesEngineRule yr = item_rule ("A", "YR", 100);

  smi.has_deadline = TRUE;
  smi.deadline_days = 30;
  q.claim_frequency = LES_CLAIM_FREQUENCY_QUARTERLY;
  q.end_date = 20240831;
  a.claim_frequency = LES_CLAIM_FREQUENCY_ANNUAL;
  add_service (in, &smi);
  add_service (in, &q);
  add_service (in, &a);
  add_rule (in, &check);
  add_rule (in, &mon);
  add_rule (in, &yr);
  les_engine_input_add_practice (in, "G1", 0);
  les_engine_input_add_practice (in, "G2", 0);
  les_engine_input_add_practice (in, "G3", 20240520);
  signup (in, "G1", "SMI", 20240401, 0);
  signup (in, "G2", "SMI", 20240401, 0);
  signup (in, "G3", "SMI", 20240401, 0);
  signup (in, "G1", "Q", 20240401, 0);
  signup (in, "G1", "A", 20240401, 0);
  return in;
}

static void
test_validation_errors (void)
{
  g_autoptr(LesEngineInput) in = validation_fixture ();
  g_autoptr(LesEngineOutput) out = NULL;

  claim (in, "S01", "G1", "SMI", "CHECK", APR, 1, 20240530);     /* 30 April + 30 days: on time */
  claim (in, "S02", "G1", "SMI", "CHECK", MAY, 1, 20240701);     /* 31 May + 30 = 30 June: late */
  claim (in, "S03", "G3", "SMI", "CHECK", MAY, 2, 20240601);     /* closed during May: fine */
  claim (in, "S04", "G3", "SMI", "CHECK", JUN, 2, 20240601);     /* closed before June */
  claim (in, "S05", "G4", "SMI", "CHECK", JUN, 2, 20240601);     /* not signed up (and not in practices) */
  claim (in, "Q01", "G1", "Q", "MON", JUN, 4, 20240715);
  claim (in, "Q02", "G1", "Q", "MON", MAY, 1, 20240610);         /* not a quarter end */
  claim (in, "Q03", "G1", "Q", "MON", SEP, 2, 20241002);         /* after the service's end */
  claim (in, "Q04", "G2", "Q", "MON", JUN, 1, 20240701);         /* not signed up */
  claim (in, "Q05", "G2", "Q", "MON", MAY, 1, 20240701);         /* not signed up and wrong period */
  claim (in, "A01", "G1", "A", "YR", SEP, 1, 20241001);          /* annual: March only */
  out = run (in);

  assert_line (out, "G1", "SMI", "CHECK", APR, 5500, 5500);
  g_assert_null (find_finding (out, "LATE", "G1", "*", -1, "S01"));
  assert_finding (out, "LATE", "G1", "CHECK", MAY, "S02");
  assert_line (out, "G3", "SMI", "CHECK", MAY, 11000, 11000);
  assert_finding (out, "PRACTICE_CLOSED", "G3", "CHECK", JUN, "S04");
  g_assert_null (find_finding (out, "NOT_SIGNED_UP", "G3", "*", -1, "*"));
  assert_finding (out, "NOT_SIGNED_UP", "G4", "CHECK", JUN, "S05");
  assert_line (out, "G1", "Q", "MON", JUN, 28000, 28000);
  assert_finding (out, "WRONG_PERIOD", "G1", "MON", MAY, "Q02");
  assert_finding (out, "OUTSIDE_SERVICE_DATES", "G1", "MON", SEP, "Q03");
  assert_finding (out, "NOT_SIGNED_UP", "G2", "MON", JUN, "Q04");
  /* every applicable error is reported */
  assert_finding (out, "NOT_SIGNED_UP", "G2", "MON", MAY, "Q05");
  assert_finding (out, "WRONG_PERIOD", "G2", "MON", MAY, "Q05");
  assert_finding (out, "OUTSIDE_SERVICE_DATES", "G1", "MON", SEP, "Q03");
  assert_finding (out, "WRONG_PERIOD", "G1", "YR", SEP, "A01");
  g_assert_cmpuint (out->findings->len, ==, 9);
  g_assert_cmpuint (out->lines->len, ==, 3);
  for (guint i = 0; i < out->findings->len; i++)
    g_assert_cmpint (g_array_index (out->findings, LesFinding, i).severity, ==, LES_SEVERITY_ERROR);

  /* in words, with what a person needs to act: the deadline, the close date, the months allowed */
  g_assert_cmpstr (find_finding (out, "LATE", "G1", "CHECK", MAY, "S02")->message, ==,
                   "claim S02: submitted 2024-07-01, after the deadline of 2024-06-30");
  g_assert_cmpstr (find_finding (out, "PRACTICE_CLOSED", "G3", "CHECK", JUN, "S04")->message, ==,
                   "claim S04: the practice closed on 2024-05-20, before 2024-06");
  g_assert_cmpstr (find_finding (out, "NOT_SIGNED_UP", "G4", "CHECK", JUN, "S05")->message, ==,
                   "claim S05: the practice was not signed up to SMI for 2024-06");
  g_assert_cmpstr (find_finding (out, "WRONG_PERIOD", "G1", "YR", SEP, "A01")->message, ==,
                   "claim A01: A takes claims once a year, for March, not for 2024-09");
}

static void
test_validation_duplicates (void)
{
  g_autoptr(LesEngineInput) in = validation_fixture ();
  g_autoptr(LesEngineOutput) out = NULL;

  claim (in, "S09", "G1", "SMI", "CHECK", APR, 1, 20240502);
  claim (in, "S08", "G1", "SMI", "CHECK", APR, 2, 20240503);     /* later: duplicate */
  claim (in, "S07", "G1", "SMI", "CHECK", APR, 3, 20240503);     /* same day, smaller ref than S08 */
  claim (in, "T02", "G2", "SMI", "CHECK", MAY, 1, 20240610);
  claim (in, "T01", "G2", "SMI", "CHECK", MAY, 5, 20240610);     /* same date: T01 is the original */
  /* a late original is still the original, and its duplicate is only a duplicate */
  claim (in, "U01", "G2", "SMI", "CHECK", JUN, 1, 20240901);
  claim (in, "U02", "G2", "SMI", "CHECK", JUN, 1, 20240902);
  out = run (in);

  assert_line (out, "G1", "SMI", "CHECK", APR, 5500, 5500);
  assert_finding (out, "DUPLICATE", "G1", "CHECK", APR, "S07");
  assert_finding (out, "DUPLICATE", "G1", "CHECK", APR, "S08");
  assert_line (out, "G2", "SMI", "CHECK", MAY, 5 * 5500, 5 * 5500);
  assert_finding (out, "DUPLICATE", "G2", "CHECK", MAY, "T02");
  assert_finding (out, "LATE", "G2", "CHECK", JUN, "U01");
  assert_finding (out, "LATE", "G2", "CHECK", JUN, "U02");
  assert_finding (out, "DUPLICATE", "G2", "CHECK", JUN, "U02");
  g_assert_null (find_finding (out, "DUPLICATE", "*", "*", -1, "U01"));
  assert_no_line (out, "G2", "SMI", "CHECK", JUN);
  g_assert_cmpuint (count_findings (out, "DUPLICATE"), ==, 4);
  /* a duplicate names its original, so that nobody has to hunt it down */
  g_assert_cmpstr (find_finding (out, "DUPLICATE", "G1", "CHECK", APR, "S08")->message, ==,
                   "claim S08: a duplicate of claim S09 (same practice, item and month, submitted 2024-05-02)");
  g_assert_cmpstr (find_finding (out, "DUPLICATE", "G2", "CHECK", MAY, "T02")->message, ==,
                   "claim T02: a duplicate of claim T01 (same practice, item and month, submitted 2024-06-10)");
}

static void
test_patient_lines (void)
{
  g_autoptr(LesEngineInput) in = validation_fixture ();
  g_autoptr(LesEngineOutput) out = NULL;
  guint c;

  /* 3 lines, one bad number, one outside the month: 1 unit, count 3 matches */
  c = claim (in, "P1", "G1", "SMI", "CHECK", APR, 3, 20240501);
  les_engine_input_add_patient_line (in, c, 1, "alice", 20240402);
  les_engine_input_add_patient_line (in, c, 2, NULL, 20240403);
  les_engine_input_add_patient_line (in, c, 3, "bob", 20240501);
  /* count 3 but 2 lines, one of them bad: still a mismatch (bad lines count) */
  c = claim (in, "P2", "G2", "SMI", "CHECK", APR, 3, 20240501);
  les_engine_input_add_patient_line (in, c, 1, "carol", 20240410);
  les_engine_input_add_patient_line (in, c, 2, NULL, 20240331);  /* bad and outside: two findings */
  /* line findings on a claim that also has claim errors */
  c = claim (in, "P3", "G2", "SMI", "CHECK", MAY, 1, 20240801);
  les_engine_input_add_patient_line (in, c, 1, NULL, 20240510);
  /* quarterly claims cover the quarter ending with their month; annual ones the year */
  c = claim (in, "Q1", "G1", "Q", "MON", JUN, 3, 20240701);
  les_engine_input_add_patient_line (in, c, 1, "dan", 20240401);
  les_engine_input_add_patient_line (in, c, 2, "erin", 20240630);
  les_engine_input_add_patient_line (in, c, 3, "fay", 20240331);
  out = run (in);

  assert_line (out, "G1", "SMI", "CHECK", APR, 5500, 5500);
  g_assert_cmpint (find_line (out, "G1", "SMI", "CHECK", APR)->units, ==, 1);
  assert_finding (out, "BAD_NHS_NUMBER", "G1", "CHECK", APR, "P1");
  assert_finding (out, "DATE_OUTSIDE_PERIOD", "G1", "CHECK", APR, "P1");
  g_assert_null (find_finding (out, "COUNT_MISMATCH", "*", "*", -1, "P1"));
  assert_finding (out, "COUNT_MISMATCH", "G2", "CHECK", APR, "P2");
  assert_finding (out, "BAD_NHS_NUMBER", "G2", "CHECK", APR, "P2");
  assert_finding (out, "DATE_OUTSIDE_PERIOD", "G2", "CHECK", APR, "P2");
  assert_no_line (out, "G2", "SMI", "CHECK", APR);
  assert_finding (out, "LATE", "G2", "CHECK", MAY, "P3");
  assert_finding (out, "BAD_NHS_NUMBER", "G2", "CHECK", MAY, "P3");
  assert_line (out, "G1", "Q", "MON", JUN, 2 * 7000, 2 * 7000);
  g_assert_cmpuint (count_findings (out, "DATE_OUTSIDE_PERIOD"), ==, 3);
  g_assert_cmpuint (count_findings (out, "BAD_NHS_NUMBER"), ==, 3);
  g_assert_cmpstr (find_finding (out, "BAD_NHS_NUMBER", "G1", "*", -1, "P1")->message, ==,
                   "patient line 2 of claim P1: the NHS number is not a valid one (it fails the check digit), so the "
                   "line is not paid");
}

static void
test_patient_frequency (void)
{
  g_autoptr(LesEngineInput) in = validation_fixture ();
  g_autoptr(LesEngineOutput) out = NULL;
  LesEngineService s = service ("F");
  LesEngineRule r = item_rule ("F", "R", 1000000);
  guint c;

  r.has_max_per_patient = TRUE;
  r.max_per_patient = 2;
  add_service (in, &s);
  add_rule (in, &r);
  signup (in, "G1", "F", 20240401, 0);
  signup (in, "G2", "F", 20240401, 0);

  /* X's lines across practices by (activity date, claim_ref, line order): the first 2 count */
  c = claim (in, "B", "G1", "F", "R", MAY, 2, 20240601);
  les_engine_input_add_patient_line (in, c, 1, "X", 20240505);       /* 3rd: over */
  les_engine_input_add_patient_line (in, c, 2, "Y", 20240505);
  c = claim (in, "A", "G2", "F", "R", MAY, 2, 20240601);
  les_engine_input_add_patient_line (in, c, 1, "X", 20240505);       /* same date, smaller ref: 2nd */
  les_engine_input_add_patient_line (in, c, 2, "X", 20240505);       /* same claim, later line: over */
  c = claim (in, "C", "G2", "F", "R", APR, 1, 20240501);
  les_engine_input_add_patient_line (in, c, 1, "X", 20240420);       /* 1st */
  /* lines of claims with errors, and bad lines, use none of the allowance */
  c = claim (in, "D", "G1", "F", "R", APR, 2, 20240501);
  les_engine_input_add_patient_line (in, c, 1, "Y", 20240401);
  les_engine_input_add_patient_line (in, c, 2, "Y", 20240402);
  c = claim (in, "E", "G1", "F", "R", APR, 1, 20240502);             /* duplicate of D */
  les_engine_input_add_patient_line (in, c, 1, "Y", 20240403);
  c = claim (in, "F", "G2", "F", "R", JUN, 1, 20240701);
  les_engine_input_add_patient_line (in, c, 1, "Y", 20240501);       /* outside June */
  out = run (in);

  /* C: X 1st; A: X 2nd, X 3rd over; B: X 4th over, Y — but D's two Y lines came first: Y is over too */
  assert_line (out, "G2", "F", "R", APR, 10000, 10000);
  assert_line (out, "G2", "F", "R", MAY, 10000, 10000);
  assert_line (out, "G1", "F", "R", APR, 20000, 20000);
  assert_no_line (out, "G1", "F", "R", MAY);
  assert_finding (out, "FREQUENCY_LIMIT", "G2", "R", MAY, "A");
  assert_finding (out, "FREQUENCY_LIMIT", "G1", "R", MAY, "B");
  g_assert_cmpstr (find_finding (out, "FREQUENCY_LIMIT", "G1", "R", MAY, "B")->message, ==,
                   "claim B: 2 patient lines not paid: their patients had already been claimed for 2 times this "
                   "year, the most R allows");
  g_assert_cmpuint (count_findings (out, "FREQUENCY_LIMIT"), ==, 2);
  assert_finding (out, "DUPLICATE", "G1", "R", APR, "E");
  assert_finding (out, "DATE_OUTSIDE_PERIOD", "G2", "R", JUN, "F");
}

/* Caps */

static void
test_unit_cap (void)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, 0);
  g_autoptr(LesEngineOutput) out = NULL;
  LesEngineService s = service ("W");
  LesEngineRule r = item_rule ("W", "ATTEND", 33335);   /* 3.3335 */
  LesEngineRule zero = item_rule ("W", "NONE", 10000);

  r.has_max_units = TRUE;
  r.max_units = 12;
  zero.has_max_units = TRUE;
  zero.max_units = 0;
  add_service (in, &s);
  add_rule (in, &r);
  add_rule (in, &zero);
  signup (in, "F1", "W", 20240401, 0);
  signup (in, "F2", "W", 20240401, 0);
  claim (in, "W1", "F1", "W", "ATTEND", APR, 8, 20240501);
  claim (in, "W2", "F1", "W", "ATTEND", MAY, 6, 20240601);
  claim (in, "W3", "F1", "W", "ATTEND", JUN, 1, 20240701);
  claim (in, "W4", "F2", "W", "ATTEND", MAY, 12, 20240601);
  claim (in, "N1", "F2", "W", "NONE", MAY, 1, 20240601);
  out = run (in);

  assert_line (out, "F1", "W", "ATTEND", APR, 2667, 2667);       /* 26.668 */
  assert_line (out, "F1", "W", "ATTEND", MAY, 2000, 1333);       /* 20.001 → 20.00; 4 × 3.3335 = 13.334 */
  assert_line (out, "F1", "W", "ATTEND", JUN, 333, 0);
  g_assert_cmpint (find_line (out, "F1", "W", "ATTEND", MAY)->units, ==, 6);
  assert_finding (out, "OVER_UNIT_CAP", "F1", "ATTEND", MAY, NULL);
  assert_finding (out, "OVER_UNIT_CAP", "F1", "ATTEND", JUN, NULL);
  g_assert_cmpstr (find_finding (out, "OVER_UNIT_CAP", "F1", "ATTEND", MAY, NULL)->message, ==,
                   "2 of 6 units held: over the practice's limit of 12 units a year");
  assert_line (out, "F2", "W", "ATTEND", MAY, 4000, 4000);       /* exactly at the cap */
  assert_line (out, "F2", "W", "NONE", MAY, 100, 0);             /* a cap of 0 */
  g_assert_cmpuint (count_findings (out, "OVER_UNIT_CAP"), ==, 3);
}

static void
test_practice_cap (void)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, 0);
  g_autoptr(LesEngineOutput) out = NULL;
  LesEngineService s = service ("C");
  LesEngineRule bed = capitation_rule ("C", "BED", 850000, LES_RATE_PER_YEAR, LES_BASE_BEDS);
  LesEngineRule newres = item_rule ("C", "NEWRES", 500000);

  s.schedule = LES_SCHEDULE_QUARTERLY;
  add_service (in, &s);
  add_rule (in, &bed);
  add_rule (in, &newres);
  signup (in, "D1", "C", 20240401, 0);
  signup (in, "D2", "C", 20240401, 0);
  signup (in, "D3", "C", 20240401, 0);
  les_engine_input_add_cohort (in, "D1", "C", 20);
  les_engine_input_add_cohort (in, "D2", "C", 8);
  les_engine_input_add_cohort (in, "D3", "C", 8);
  les_engine_input_add_allocation (in, "D1", "C", FALSE, 0, TRUE, 100000);
  les_engine_input_add_allocation (in, "D2", "C", FALSE, 0, FALSE, 0);    /* blank: no cap */
  les_engine_input_add_allocation (in, "D3", "C", FALSE, 0, TRUE, 0);     /* 0: a cap of zero */
  claim (in, "N1", "D1", "C", "NEWRES", APR, 2, 20240501);
  claim (in, "N2", "D1", "C", "NEWRES", JUL, 3, 20240801);
  claim (in, "N3", "D1", "C", "NEWRES", NOV, 1, 20241201);
  claim (in, "N4", "D1", "C", "NEWRES", SEP, 1, 20241001);   /* Sep: BED < NEWRES in line order */
  out = run (in);

  /* running: Apr 100 → Jun BED 425 (525) → Jul 150 (675) → Sep BED 325 of 425 (1000) → Sep NEWRES 0 */
  assert_line (out, "D1", "C", "NEWRES", APR, 10000, 10000);
  assert_line (out, "D1", "C", "BED", JUN, 42500, 42500);
  assert_line (out, "D1", "C", "NEWRES", JUL, 15000, 15000);
  assert_line (out, "D1", "C", "BED", SEP, 42500, 32500);
  assert_line (out, "D1", "C", "NEWRES", SEP, 5000, 0);
  assert_line (out, "D1", "C", "NEWRES", NOV, 5000, 0);
  assert_line (out, "D1", "C", "BED", MAR, 42500, 0);
  g_assert_cmpuint (count_findings (out, "OVER_PRACTICE_CAP"), ==, 5 + 4);
  g_assert_cmpstr (find_finding (out, "OVER_PRACTICE_CAP", "D1", "BED", SEP, NULL)->message, ==,
                   "£100.00 held: the practice's cap of £1,000.00 for the service was reached");
  assert_line (out, "D2", "C", "BED", MAR, 17000, 17000);
  assert_line (out, "D3", "C", "BED", JUN, 17000, 0);
}

static void
test_hold_cap (void)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, MAY);
  g_autoptr(LesEngineOutput) out = NULL;
  LesEngineService s = service ("W");
  LesEngineService z = service ("Z");
  LesEngineRule r = item_rule ("W", "ATTEND", 300000);
  LesEngineRule rz = item_rule ("Z", "R", 100);

  r.has_max_units = TRUE;
  r.max_units = 12;
  s.cap_mode = LES_CAP_MODE_HOLD;
  s.has_budget = TRUE;
  s.budget = 60000;
  z.cap_mode = LES_CAP_MODE_HOLD;
  z.has_budget = TRUE;
  z.budget = 0;
  add_service (in, &s);
  add_service (in, &z);
  add_rule (in, &r);
  add_rule (in, &rz);
  for (int p = 1; p <= 3; p++)
    {
      g_autofree char *code = g_strdup_printf ("F%d", p);

      signup (in, code, "W", 20240401, 0);
    }
  signup (in, "F1", "Z", 20240401, 0);
  claim (in, "W1", "F1", "W", "ATTEND", APR, 8, 20240502);
  claim (in, "W2", "F2", "W", "ATTEND", APR, 5, 20240502);
  claim (in, "W3", "F3", "W", "ATTEND", APR, 4, 20240503);
  claim (in, "W4", "F1", "W", "ATTEND", MAY, 6, 20240603);
  claim (in, "W5", "F3", "W", "ATTEND", MAY, 2, 20240603);
  claim (in, "Z1", "F1", "Z", "R", MAY, 5, 20240603);
  out = run (in);

  assert_line (out, "F1", "W", "ATTEND", MAY, 18000, 9000);
  assert_line (out, "F3", "W", "ATTEND", MAY, 6000, 0);
  g_assert_cmpstr (find_finding (out, "OVER_SERVICE_CAP", "F1", "ATTEND", MAY, NULL)->message, ==,
                   "£30.00 held: the service budget of £600.00 was reached");
  g_assert_cmpint (sum_payable (out, "W"), ==, 60000);
  assert_line (out, "F1", "Z", "R", MAY, 5, 0);            /* a budget of 0 is a real zero */
  g_assert_cmpuint (count_findings (out, "OVER_SERVICE_CAP"), ==, 3);
}

static void
test_prorata (void)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, MAY);
  g_autoptr(LesEngineOutput) out = NULL;
  LesEngineService s = service ("PHLEB");
  LesEngineRule r = item_rule ("PHLEB", "BLEED", 35000);
  const struct { const char *ref, *practice; gint32 period; gint64 count, payable; } claims[] = {
    { "P1", "F1", APR, 40, 11429 }, { "P2", "F2", APR, 33, 9429 }, { "P3", "F3", APR, 27, 7714 },
    { "P4", "F1", MAY, 45, 12857 }, { "P5", "F2", MAY, 19, 5428 }, { "P6", "F4", MAY, 11, 3143 },
  };

  s.cap_mode = LES_CAP_MODE_PRORATA;
  s.has_budget = TRUE;
  s.budget = 50000;
  add_service (in, &s);
  add_rule (in, &r);
  for (int p = 1; p <= 4; p++)
    {
      g_autofree char *code = g_strdup_printf ("F%d", p);

      signup (in, code, "PHLEB", 20240401, 0);
    }
  for (guint i = 0; i < G_N_ELEMENTS (claims); i++)
    claim (in, claims[i].ref, claims[i].practice, "PHLEB", "BLEED", claims[i].period, claims[i].count, 20240601);
  out = run (in);

  /* three pennies: the largest remainder, then a three-way tie broken in line order (L5 loses) */
  for (guint i = 0; i < G_N_ELEMENTS (claims); i++)
    assert_line (out, claims[i].practice, "PHLEB", "BLEED", claims[i].period, claims[i].count * 350,
                 claims[i].payable);
  g_assert_cmpint (sum_payable (out, NULL), ==, 50000);
  g_assert_cmpuint (count_findings (out, "OVER_SERVICE_CAP"), ==, 6);
  g_assert_cmpstr (find_finding (out, "OVER_SERVICE_CAP", "F1", "BLEED", APR, NULL)->message, ==,
                   "£25.71 held: paid pro rata, as the year's £612.50 is over the budget of £500.00");
}

static void
test_prorata_with_recovery (void)
{
  /* T counts positive lines after practice caps; the recovery line is outside T and not scaled */
  g_autoptr(LesEngineInput) in = threshold_fixture (0, LES_SETTLEMENT_RECOVER, LES_CAP_MODE_PRORATA, TRUE, 2000000);
  g_autoptr(LesEngineOutput) out = NULL;
  gint64 positive = 0;

  les_engine_input_add_allocation (in, "E1", "QIF", FALSE, 0, TRUE, 1000000);
  out = run (in);
  assert_line (out, "E2", "QIF", "QIF:ACH", MAR, -721500, -721500);
  for (guint i = 0; i < out->lines->len; i++)
    {
      const LesPaymentLine *l = &g_array_index (out->lines, LesPaymentLine, i);

      if (l->gross >= 0)
        positive += l->payable;
    }
  g_assert_cmpint (positive, ==, 2000000);
  g_assert_cmpint (count_findings (out, "OVER_SERVICE_CAP"), >, 0);
}

static void
test_prorata_under_budget (void)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, 0);
  g_autoptr(LesEngineOutput) out = NULL;
  LesEngineService s = service ("S");
  LesEngineRule r = item_rule ("S", "R", 10000);

  s.cap_mode = LES_CAP_MODE_PRORATA;
  s.has_budget = TRUE;
  s.budget = 300;
  add_service (in, &s);
  add_rule (in, &r);
  signup (in, "P1", "S", 20240401, 0);
  claim (in, "C1", "P1", "S", "R", APR, 3, 20240501);
  out = run (in);
  assert_line (out, "P1", "S", "R", APR, 300, 300);          /* T = B: nothing held */
  g_assert_cmpuint (out->findings->len, ==, 0);
}

static void
test_over_budget (void)
{
  g_autoptr(LesEngineInput) in = threshold_fixture (0, LES_SETTLEMENT_RECOVER, LES_CAP_MODE_NONE, TRUE, 2900000);
  g_autoptr(LesEngineInput) blank = threshold_fixture (0, LES_SETTLEMENT_RECOVER, LES_CAP_MODE_NONE, FALSE, 0);
  g_autoptr(LesEngineInput) zero = item_fixture (0);
  g_autoptr(LesEngineOutput) out = NULL;
  g_autoptr(LesEngineOutput) out_blank = NULL;
  g_autoptr(LesEngineOutput) out_zero = NULL;
  const LesFinding *f;

  /* positive lines 35,460.27 but net 28,245.27 with the recovery: under 29,000.00 */
  out = run (in);
  g_assert_cmpint (sum_payable (out, NULL), ==, 2824527);
  g_assert_cmpuint (count_findings (out, "OVER_BUDGET"), ==, 0);
  out_blank = run (blank);
  g_assert_cmpuint (count_findings (out_blank, "OVER_BUDGET"), ==, 0);

  /* a budget of 0 is a real zero */
  {
    LesEngineService s = service ("Z");
    LesEngineRule r = item_rule ("Z", "R", 10000);

    s.has_budget = TRUE;
    s.budget = 0;
    add_service (zero, &s);
    add_rule (zero, &r);
    signup (zero, "A81001", "Z", 20240401, 0);
    claim (zero, "Z1", "A81001", "Z", "R", APR, 1, 20240501);
  }
  out_zero = run (zero);
  f = find_finding (out_zero, "OVER_BUDGET", NULL, NULL, 0, NULL);
  g_assert_nonnull (f);
  g_assert_cmpstr (f->service_code, ==, "Z");
  g_assert_cmpint (f->severity, ==, LES_SEVERITY_WARNING);
  g_assert_cmpstr (f->message, ==, "the year's payable of £1.00 is over the budget of £0.00; nothing is held");
  assert_line (out_zero, "A81001", "Z", "R", APR, 100, 100);
}

static void
test_outlier (void)
{
  g_autoptr(LesEngineInput) in = item_fixture (JUN);
  g_autoptr(LesEngineOutput) out = NULL;
  const gint64 regs[] = { 5000, 6000, 8000, 4000, 7000, 3000 };
  const gint64 units[] = { 5, 5, 4, 4, 3, 31 };

  for (int p = 0; p < 6; p++)
    {
      g_autofree char *code = g_strdup_printf ("A8100%d", p + 1);
      g_autofree char *ref = g_strdup_printf ("E%d", p);

      les_engine_input_add_list_size (in, code, 20240401, regs[p], FALSE, 0);
      les_engine_input_add_list_size (in, code, 20240602, 1, FALSE, 0);   /* after 1 June: not used */
      claim (in, ref, code, "ECG", "ECG", MAY, units[p], 20240601);
    }
  claim (in, "X", "A81001", "ECG", "ECG24", MAY, 100, 20240601);   /* ECG24: fewer than 5 practices */
  out = run (in);

  g_assert_cmpuint (count_findings (out, "OUTLIER"), ==, 1);
  assert_finding (out, "OUTLIER", "A81006", "ECG", 0, NULL);
  g_assert_cmpstr (find_finding (out, "OUTLIER", "A81006", "ECG", 0, NULL)->message, ==,
                   "ECG: 0.0103 units per registered patient this year, more than 3 × the median of "
                   "0.0009");
}

static void
test_outlier_edges (void)
{
  g_autoptr(LesEngineInput) in = item_fixture (0);
  g_autoptr(LesEngineOutput) out = NULL;

  /* five figures of 1/1000 and one of exactly 3/1000: "more than" is strict */
  for (int p = 1; p <= 6; p++)
    {
      g_autofree char *code = g_strdup_printf ("A8100%d", p);
      g_autofree char *ref = g_strdup_printf ("E%d", p);

      les_engine_input_add_list_size (in, code, 20240301, 1000, FALSE, 0);
      claim (in, ref, code, "ECG", "ECG", APR, p == 6 ? 3 : 1, 20240501);
    }
  out = run (in);
  g_assert_cmpuint (count_findings (out, "OUTLIER"), ==, 0);

  /* 4 / 1333 is more than 3 / 1000, but practices with a list of 0 have no figure: only 4 left */
  claim (in, "M", "A81006", "ECG", "ECG", MAY, 1, 20240601);
  les_engine_input_add_list_size (in, "A81006", 20240302, 1333, FALSE, 0);
  les_engine_input_add_list_size (in, "A81005", 20240302, 0, FALSE, 0);
  les_engine_input_add_list_size (in, "A81004", 20240302, 0, FALSE, 0);
  g_clear_pointer (&out, les_engine_output_free);
  out = run (in);
  g_assert_cmpuint (count_findings (out, "OUTLIER"), ==, 0);

  les_engine_input_add_practice (in, "A81007", 0);
  signup (in, "A81007", "ECG", 20240401, 0);
  les_engine_input_add_list_size (in, "A81007", 20240101, 1000, FALSE, 0);
  claim (in, "N", "A81007", "ECG", "ECG", APR, 1, 20240501);
  g_clear_pointer (&out, les_engine_output_free);
  out = run (in);
  /* median of 1/1000 × 4 and 4/1333: 1/1000; 4/1333 = 0.0030007… > 0.003 */
  g_assert_cmpuint (count_findings (out, "OUTLIER"), ==, 1);
  assert_finding (out, "OUTLIER", "A81006", "ECG", 0, NULL);
}

static void
test_code_order (void)
{
  /* "R" < "R1" < "R:ACH" in line order: the practice cap reaches R:ACH last */
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, 0);
  g_autoptr(LesEngineOutput) out = NULL;
  LesEngineService s = service ("S");
  LesEngineRule r = threshold_rule ("S", "R", 12000000, FALSE, 0, LES_BASE_REGISTERED, 5000, 0, 10000,
                                    LES_SETTLEMENT_REMAINDER);
  LesEngineRule r1 = item_rule ("S", "R1", 100000);

  add_service (in, &s);
  add_rule (in, &r1);
  add_rule (in, &r);
  signup (in, "P", "S", 20240401, 0);
  les_engine_input_add_achievement (in, "P", "S", 10000);
  /* 12 instalments of 50.00 (60,000p), then R1 10.00, then R:ACH 600.00 against 615.00 */
  les_engine_input_add_allocation (in, "P", "S", FALSE, 0, TRUE, 61500);
  claim (in, "C", "P", "S", "R1", MAR, 1, 20250401);
  out = run (in);

  assert_line (out, "P", "S", "R", MAR, 5000, 5000);
  assert_line (out, "P", "S", "R1", MAR, 1000, 1000);
  assert_line (out, "P", "S", "R:ACH", MAR, 60000, 500);
  g_assert_cmpstr (g_array_index (out->lines, LesPaymentLine, out->lines->len - 1).rule_code, ==, "R:ACH");
}

static void
test_service_alone (void)
{
  /* one service recomputed alone gives what it gives in a whole run */
  g_autoptr(LesEngineInput) in = threshold_fixture (0, LES_SETTLEMENT_RECOVER, LES_CAP_MODE_HOLD, TRUE, 3500000);
  g_autoptr(LesEngineOutput) all = NULL;
  g_autoptr(LesEngineOutput) one = les_engine_output_new ();
  LesEngineService s = service ("AAA");
  LesEngineRule r = item_rule ("AAA", "X", 100);

  add_service (in, &s);
  add_rule (in, &r);
  signup (in, "E1", "AAA", 20240401, 0);
  claim (in, "C", "E1", "AAA", "X", APR, 1, 20240501);
  all = run (in);
  g_assert_true (les_engine_run_service (in, "QIF", one));
  g_assert_false (les_engine_run_service (in, "NOPE", one));
  g_assert_cmpuint (one->lines->len, ==, all->lines->len - 1);
  g_assert_cmpuint (one->findings->len, ==, all->findings->len);
  for (guint i = 0, j = 0; i < all->lines->len; i++)
    {
      const LesPaymentLine *a = &g_array_index (all->lines, LesPaymentLine, i);

      if (strcmp (a->service_code, "QIF") != 0)
        continue;
      g_assert_cmpint (memcmp (a, &g_array_index (one->lines, LesPaymentLine, j++), sizeof *a), ==, 0);
    }
  g_assert_cmpuint (les_engine_input_get_n_services (in), ==, 2);
  g_assert_cmpstr (les_engine_input_get_service (in, 0)->code, ==, "AAA");
}

static gboolean
text_has (GPtrArray *text, const char *needle)
{
  for (guint i = 0; i < text->len; i++)
    if (strstr (text->pdata[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_explain (void)
{
  g_autoptr(LesEngineInput) in = threshold_fixture (0, LES_SETTLEMENT_RECOVER, LES_CAP_MODE_HOLD, TRUE, 3500000);
  g_autoptr(LesEngineInput) items = validation_fixture ();
  g_autoptr(GPtrArray) text = NULL;
  g_autoptr(GError) error = NULL;
  guint c;

  text = les_engine_explain (in, "E3", "QIF", "QIF", MAR, &error);
  g_assert_no_error (error);
  g_assert_true (text_has (text, "hold"));
  g_assert_true (text_has (text, "£460.27 held"));
  g_assert_true (text_has (text, "£33,476.27"));
  g_clear_pointer (&text, g_ptr_array_unref);

  text = les_engine_explain (in, "E2", "QIF", "QIF:ACH", MAR, &error);
  g_assert_no_error (error);
  g_assert_true (text_has (text, "recovery line"));
  g_assert_true (text_has (text, "−£7,215.00"));
  g_clear_pointer (&text, g_ptr_array_unref);

  text = les_engine_explain (in, "E3", "QIF", "QIF:ACH", MAR, &error);
  g_assert_null (text);
  g_assert_error (error, LES_ERROR, LES_ERROR_NOT_FOUND);
  g_clear_error (&error);
  text = les_engine_explain (in, "E3", "NOPE", "QIF", MAR, &error);
  g_assert_null (text);
  g_assert_error (error, LES_ERROR, LES_ERROR_NOT_FOUND);
  g_clear_error (&error);

  c = claim (items, "S1", "G1", "SMI", "CHECK", APR, 2, 20240501);
  les_engine_input_add_patient_line (items, c, 1, "p", 20240401);
  les_engine_input_add_patient_line (items, c, 2, NULL, 20240402);
  claim (items, "S2", "G1", "SMI", "CHECK", APR, 2, 20240502);
  text = les_engine_explain (items, "G1", "SMI", "CHECK", APR, &error);
  g_assert_no_error (error);
  g_assert_true (text_has (text, "claim S1"));
  g_assert_true (text_has (text, "claim S2"));
  g_assert_true (text_has (text, "DUPLICATE"));
  g_assert_true (text_has (text, "NHS number fails the check"));
  g_assert_true (text_has (text, "1 × £55.00 = £55.00"));
}

/* Random scenarios: invariants that every compute keeps */

static const char *
pick (GRand *rand, const char * const *list, guint n)
{
  return list[g_rand_int_range (rand, 0, n)];
}

static gint32
random_date (GRand *rand, int fy)
{
  return les_date_add_days (fy * 10000 + 301, g_rand_int_range (rand, 0, 430));
}

static LesEngineInput *
random_input (guint32 seed)
{
  static const char * const practices[] = { "P01", "P02", "P03", "P04", "P05", "P06", "P07", "P08" };
  static const char * const patients[] = { "a", "b", "c", "d", "e" };
  GRand *rand = g_rand_new_with_seed (seed);
  gint32 to = g_rand_boolean (rand) ? 0 : les_fy_period (FY, g_rand_int_range (rand, 1, 13));
  LesEngineInput *in = les_engine_input_new (FY, to);
  int n_services = g_rand_int_range (rand, 1, 4);
  int n_claims = 0;

  for (guint p = 0; p < G_N_ELEMENTS (practices); p++)
    {
      les_engine_input_add_practice (in, practices[p], g_rand_int_range (rand, 0, 8) == 0
                                                        ? random_date (rand, FY) : 0);
      for (int k = g_rand_int_range (rand, 0, 3); k > 0; k--)
        les_engine_input_add_list_size (in, practices[p], random_date (rand, FY) - 10000,
                                        g_rand_int_range (rand, 0, 20000), g_rand_boolean (rand),
                                        g_rand_int_range (rand, 0, 2000000));
    }

  for (int s = 0; s < n_services; s++)
    {
      g_autofree char *code = g_strdup_printf ("S%d", s);
      LesEngineService svc = service (code);
      int n_rules = g_rand_int_range (rand, 1, 4);

      svc.cap_mode = (LesCapMode) g_rand_int_range (rand, 0, 3);
      svc.has_budget = g_rand_int_range (rand, 0, 4) != 0;
      svc.budget = g_rand_int_range (rand, 0, 4) == 0 ? 0 : g_rand_int_range (rand, 0, 3000000);
      svc.schedule = (LesSchedule) g_rand_int_range (rand, 0, 2);
      svc.claim_frequency = (LesClaimFrequency) (g_rand_int_range (rand, 0, 5) / 3);
      svc.has_deadline = g_rand_boolean (rand);
      svc.deadline_days = g_rand_int_range (rand, 0, 60);
      svc.start_date = g_rand_int_range (rand, 0, 4) == 0 ? random_date (rand, FY) : 0;
      svc.end_date = g_rand_int_range (rand, 0, 4) == 0 ? random_date (rand, FY) : 0;
      add_service (in, &svc);

      for (int r = 0; r < n_rules; r++)
        {
          g_autofree char *rcode = g_strdup_printf ("%s", r == 0 ? "R" : r == 1 ? "R1" : "Q");
          LesEngineRule rule = { 0 };

          rule.service_code = code;
          rule.code = rcode;
          rule.kind = (LesRuleKind) g_rand_int_range (rand, 0, 4);
          rule.has_rate = TRUE;
          rule.rate = g_rand_int_range (rand, 0, 2000000);
          rule.rate_per = (LesRatePer) g_rand_int_range (rand, 0, 3);
          rule.base = (LesBase) g_rand_int_range (rand, 0, 4);
          rule.has_max_units = g_rand_int_range (rand, 0, 3) == 0;
          rule.max_units = g_rand_int_range (rand, 0, 40);
          rule.has_max_per_patient = g_rand_boolean (rand);
          rule.max_per_patient = g_rand_int_range (rand, 0, 3);
          rule.fixed_amount = g_rand_int_range (rand, 0, 100000000);
          rule.upfront_pct = g_rand_int_range (rand, 0, 10001);
          rule.lower_pct = g_rand_int_range (rand, 0, 8000);
          rule.upper_pct = rule.lower_pct + g_rand_int_range (rand, 0, 3000);
          rule.settlement = (LesSettlement) g_rand_int_range (rand, 0, 2);
          add_rule (in, &rule);
        }

      for (guint p = 0; p < G_N_ELEMENTS (practices); p++)
        {
          if (g_rand_int_range (rand, 0, 5) != 0)
            {
              gint32 from = random_date (rand, FY);

              signup (in, practices[p], code, from, g_rand_boolean (rand) ? 0 : les_date_add_days (from, 90));
            }
          if (g_rand_boolean (rand))
            les_engine_input_add_cohort (in, practices[p], code, g_rand_int_range (rand, 0, 50));
          if (g_rand_boolean (rand))
            les_engine_input_add_allocation (in, practices[p], code, g_rand_boolean (rand),
                                             g_rand_int_range (rand, 0, 2000000), g_rand_boolean (rand),
                                             g_rand_int_range (rand, 0, 500000));
          if (g_rand_boolean (rand))
            les_engine_input_add_achievement (in, practices[p], code, g_rand_int_range (rand, 0, 10001));
        }

      for (int k = g_rand_int_range (rand, 0, 30); k > 0; k--)
        {
          g_autofree char *ref = g_strdup_printf ("C%03d", n_claims++);
          const char *item = g_rand_boolean (rand) ? "R" : "R1";
          gint32 period = les_fy_period (FY, g_rand_int_range (rand, 1, 13));
          guint handle = les_engine_input_add_claim (in, ref, pick (rand, practices, 8), code, item, period,
                                                     g_rand_int_range (rand, 0, 12),
                                                     les_date_add_days (period * 100 + 1,
                                                                        g_rand_int_range (rand, 0, 90)));

          if (handle != LES_ENGINE_NO_CLAIM && g_rand_boolean (rand))
            for (int l = g_rand_int_range (rand, 0, 4); l > 0; l--)
              les_engine_input_add_patient_line (in, handle, l,
                                                 g_rand_int_range (rand, 0, 6) == 0 ? NULL
                                                 : pick (rand, patients, 5),
                                                 les_date_add_days (period * 100 + 1,
                                                                    g_rand_int_range (rand, -20, 40)));
        }
    }
  g_rand_free (rand);
  return in;
}

/* les_engine_run's order: service by service, each by practice, rule and period */
static int
cmp_key (const LesPaymentLine *a, const LesPaymentLine *b)
{
  int c;

  if ((c = strcmp (a->service_code, b->service_code)) != 0 || (c = strcmp (a->practice_code, b->practice_code)) != 0
      || (c = strcmp (a->rule_code, b->rule_code)) != 0)
    return c;
  return (a->period > b->period) - (a->period < b->period);
}

static char *
describe (LesEngineOutput *out)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < out->lines->len; i++)
    {
      const LesPaymentLine *l = &g_array_index (out->lines, LesPaymentLine, i);

      g_string_append_printf (s, "%s %s %s %d %d %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                              " %" G_GINT64_FORMAT "\n", l->practice_code, l->service_code, l->rule_code,
                              l->period, l->has_units, l->units, l->gross, l->payable, l->held);
    }
  for (guint i = 0; i < out->findings->len; i++)
    {
      const LesFinding *f = &g_array_index (out->findings, LesFinding, i);

      g_string_append_printf (s, "%d %s %s %s %s %d %s %s\n", f->severity, f->code, f->practice_code,
                              f->service_code, f->rule_code, f->period, f->claim_ref, f->message);
    }
  return g_string_free (s, FALSE);
}

static void
check_invariants (LesEngineInput *in, LesEngineOutput *out)
{
  for (guint s = 0; s < les_engine_input_get_n_services (in); s++)
    {
      const LesEngineService *svc = les_engine_input_get_service (in, s);
      gint64 positive = 0, net = 0;
      gboolean capped = FALSE, over_budget = FALSE;

      for (guint i = 0; i < out->lines->len; i++)
        {
          const LesPaymentLine *l = &g_array_index (out->lines, LesPaymentLine, i);

          if (strcmp (l->service_code, svc->code) != 0)
            continue;
          g_assert_cmpint (l->gross, !=, 0);
          g_assert_cmpint (l->held, ==, l->gross - l->payable);
          if (l->gross < 0)
            g_assert_cmpint (l->payable, ==, l->gross);
          else
            {
              g_assert_cmpint (l->payable, >=, 0);
              g_assert_cmpint (l->payable, <=, l->gross);
              positive += l->payable;
            }
          if (l->has_units)
            g_assert_true (l->units > 0 && strchr (l->rule_code, ':') == NULL);
          net += l->payable;
        }
      for (guint i = 0; i < out->findings->len; i++)
        {
          const LesFinding *f = &g_array_index (out->findings, LesFinding, i);

          if (g_strcmp0 (f->service_code, svc->code) != 0)
            continue;
          capped |= strcmp (f->code, "OVER_SERVICE_CAP") == 0;
          over_budget |= strcmp (f->code, "OVER_BUDGET") == 0;
          g_assert_true ((f->period == 0) == (strcmp (f->code, "OUTLIER") == 0 || strcmp (f->code, "OVER_BUDGET") == 0
                                              || strcmp (f->code, "NO_ACHIEVEMENT") == 0));
        }
      if (svc->has_budget && svc->cap_mode != LES_CAP_MODE_NONE)
        g_assert_cmpint (positive, <=, svc->budget);
      if (svc->has_budget && svc->cap_mode == LES_CAP_MODE_PRORATA && capped)
        g_assert_cmpint (positive, ==, svc->budget);
      g_assert_true (over_budget == (svc->has_budget && svc->cap_mode == LES_CAP_MODE_NONE && net > svc->budget));
      if (svc->cap_mode != LES_CAP_MODE_NONE || !svc->has_budget)
        g_assert_false (over_budget);
    }
  for (guint i = 1; i < out->lines->len; i++)
    g_assert_cmpint (cmp_key (&g_array_index (out->lines, LesPaymentLine, i - 1),
                              &g_array_index (out->lines, LesPaymentLine, i)), <, 0);
}

static void
test_random_invariants (void)
{
  for (guint32 seed = 1; seed <= 300; seed++)
    {
      g_autoptr(LesEngineInput) in = random_input (seed);
      g_autoptr(LesEngineInput) again = random_input (seed);
      g_autoptr(LesEngineOutput) out = run (in);
      g_autoptr(LesEngineOutput) out2 = run (in);
      g_autoptr(LesEngineOutput) out3 = run (again);
      g_autofree char *a = describe (out);
      g_autofree char *b = describe (out2);
      g_autofree char *c = describe (out3);

      check_invariants (in, out);
      g_assert_cmpstr (a, ==, b);
      g_assert_cmpstr (a, ==, c);
    }
}

/* Through the store: compute, exports and the reconciliation agree with the lines */

static void
write_random_year (LesStore *store, const char *dir, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  g_autoptr(GString) practices = g_string_new ("practice_code,practice_name,pcn_code\n");
  g_autoptr(GString) lists = g_string_new ("practice_code,date,registered\n");
  g_autoptr(GString) services = g_string_new ("service_code,year,name,cap_mode,budget,schedule\n");
  g_autoptr(GString) rules = g_string_new ("service_code,year,rule_code,kind,rate,rate_per,base,max_units_per_practice\n");
  g_autoptr(GString) signups = g_string_new ("practice_code,service_code,year,from_date,to_date\n");
  g_autoptr(GString) allocations = g_string_new ("practice_code,service_code,year,block_amount,cap_amount\n");
  g_autoptr(GString) claims = g_string_new ("claim_ref,practice_code,service_code,item_code,period,count,"
                                            "submitted_date\n");
  g_autoptr(GString) ledger = g_string_new ("service_code,period,amount,reference\n");
  static const char * const modes[] = { "none", "hold", "prorata" };
  int n = 0;

  for (int p = 1; p <= 6; p++)
    {
      g_string_append_printf (practices, "K8100%d,Practice %d,U1\n", p, p);
      g_string_append_printf (lists, "K8100%d,2024-04-01,%d\n", p, g_rand_int_range (rand, 1000, 9000));
    }
  for (int s = 1; s <= 3; s++)
    {
      g_string_append_printf (services, "SV%d,2024/25,Service %d,%s,%s,%s\n", s, s, modes[g_rand_int_range (rand, 0, 3)],
                              g_rand_boolean (rand) ? "1500.00" : "", g_rand_boolean (rand) ? "quarterly" : "monthly");
      g_string_append_printf (rules, "SV%d,2024/25,IT,item,%d.%04d,,,%s\n", s, g_rand_int_range (rand, 1, 90),
                              g_rand_int_range (rand, 0, 10000), g_rand_boolean (rand) ? "20" : "");
      g_string_append_printf (rules, "SV%d,2024/25,BL,block,,,,\n", s);
      g_string_append_printf (ledger, "SV%d,2024-0%d,%d.50,L%d\n", s, g_rand_int_range (rand, 4, 10),
                              g_rand_int_range (rand, -100, 900), s);
      for (int p = 1; p <= 6; p++)
        {
          g_string_append_printf (signups, "K8100%d,SV%d,2024/25,2024-04-01,\n", p, s);
          g_string_append_printf (allocations, "K8100%d,SV%d,2024/25,%d.%02d,%s\n", p, s,
                                  g_rand_int_range (rand, 0, 900), g_rand_int_range (rand, 0, 100),
                                  g_rand_boolean (rand) ? "300.00" : "");
          for (int m = 4; m <= 9; m++)
            if (g_rand_boolean (rand))
              g_string_append_printf (claims, "R%05d,K8100%d,SV%d,IT,2024-%02d,%d,2024-%02d-05\n", n++, p, s, m,
                                      g_rand_int_range (rand, 0, 15), m + 1);
        }
    }
  test_import_ok (store, dir, LES_KIND_PRACTICES, practices->str);
  test_import_ok (store, dir, LES_KIND_LIST_SIZES, lists->str);
  test_import_ok (store, dir, LES_KIND_SERVICES, services->str);
  test_import_ok (store, dir, LES_KIND_RULES, rules->str);
  test_import_ok (store, dir, LES_KIND_SIGNUPS, signups->str);
  test_import_ok (store, dir, LES_KIND_ALLOCATIONS, allocations->str);
  test_import_ok (store, dir, LES_KIND_CLAIMS, claims->str);
  test_import_ok (store, dir, LES_KIND_LEDGER, ledger->str);
  g_rand_free (rand);
}

static char *
export_text (LesStore *store, const char *kind)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (les_results_write_csv (store, kind, FY, out, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (out, "", 1, NULL, NULL, NULL);
  g_output_stream_close (out, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

static void
test_store_round_trip (void)
{
  for (guint32 seed = 1; seed <= 12; seed++)
    {
      g_autofree char *dir = NULL;
      g_autoptr(LesStore) store = test_store_new (&dir);
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) rows = NULL;
      g_autofree char *payments = NULL;
      g_autofree char *findings = NULL;
      g_autofree char *again = NULL;
      g_autofree char *again_findings = NULL;
      g_auto(GStrv) lines = NULL;
      gint32 to = seed % 2 ? 202409 : 0;
      LesComputeSummary sum;
      gint64 payable = 0, held = 0;

      write_random_year (store, dir, seed);

      /* never computed: exports and the reconciliation say so */
      {
        g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

        g_assert_false (les_results_write_csv (store, "payments", FY, out, NULL, &error));
        g_assert_error (error, LES_ERROR, LES_ERROR_NOT_FOUND);
        g_clear_error (&error);
      }

      g_assert_true (les_compute_year (store, FY, to, NULL, NULL, NULL, &sum, &error));
      g_assert_no_error (error);
      payments = export_text (store, "payments");
      findings = export_text (store, "findings");

      /* the reconciliation sums the lines */
      lines = g_strsplit (payments, "\n", -1);
      for (guint i = 1; lines[i] != NULL && lines[i][0] != '\0'; i++)
        {
          g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);
          gint64 v;

          g_assert_true (les_money_parse (f[6], &v, NULL));
          payable += v;
          g_assert_true (les_money_parse (f[7], &v, NULL));
          held += v;
        }
      g_assert_cmpint (payable, ==, sum.payable);
      g_assert_cmpint (held, ==, sum.held);
      rows = les_results_reconciliation (store, FY, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (rows->len, ==, 3);
      for (guint i = 0; i < rows->len; i++)
        {
          const LesReconciliationRow *row = &g_array_index (rows, LesReconciliationRow, i);

          payable -= row->payable;
          held -= row->held;
          g_assert_cmpint (row->forecast, ==, les_round_div ((__int128) row->payable * 12, to ? 6 : 12));
          if (row->has_budget)
            g_assert_cmpint (row->variance, ==, row->budget - row->forecast);
        }
      g_assert_cmpint (payable, ==, 0);
      g_assert_cmpint (held, ==, 0);

      /* a second compute gives the same results, without rewriting unchanged lines */
      g_assert_true (les_compute_year (store, FY, to, NULL, NULL, NULL, &sum, &error));
      g_assert_no_error (error);
      g_assert_cmpint (sum.n_inserted + sum.n_updated + sum.n_deleted, ==, 0);
      again = export_text (store, "payments");
      again_findings = export_text (store, "findings");
      g_assert_cmpstr (payments, ==, again);
      g_assert_cmpstr (findings, ==, again_findings);

      test_remove_dir (dir);
    }
}

static void
test_store_recompute_and_cancel (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = test_store_new (&dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) text = NULL;
  LesComputeSummary sum;
  char *p;

  write_random_year (store, dir, 99);
  g_assert_true (les_compute_year (store, FY, 0, NULL, NULL, NULL, &sum, &error));
  g_assert_no_error (error);
  before = export_text (store, "payments");

  /* a cancelled compute leaves the previous results */
  g_cancellable_cancel (cancellable);
  g_assert_false (les_compute_year (store, FY, 202406, NULL, NULL, cancellable, &sum, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  after = export_text (store, "payments");
  g_assert_cmpstr (before, ==, after);
  g_clear_pointer (&after, g_free);

  /* --to outside the year */
  g_assert_false (les_compute_year (store, FY, 202504, NULL, NULL, NULL, &sum, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_INVALID);
  g_clear_error (&error);

  /* a shorter --to removes and changes lines; back again restores them */
  g_assert_true (les_compute_year (store, FY, 202406, NULL, NULL, NULL, &sum, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sum.n_deleted, >, 0);
  after = export_text (store, "payments");
  g_assert_cmpstr (before, !=, after);
  g_clear_pointer (&after, g_free);
  g_assert_true (les_compute_year (store, FY, 0, NULL, NULL, NULL, &sum, &error));
  after = export_text (store, "payments");
  g_assert_cmpstr (before, ==, after);

  /* explain uses the stored --to */
  p = strchr (before, '\n') + 1;
  {
    g_auto(GStrv) f = g_strsplit (p, ",", -1);
    gint32 period;

    g_assert_true (les_period_parse (f[3], &period, NULL));
    text = les_compute_explain (store, FY, f[0], f[1], f[2], period, &error);
    g_assert_no_error (error);
    g_assert_nonnull (text);
    g_assert_true (text_has (text, "computed up to 2025-03"));
  }
  g_clear_pointer (&text, g_ptr_array_unref);
  text = les_compute_explain (store, 2023, "K81001", "SV1", "IT", 202304, &error);
  g_assert_null (text);
  g_assert_error (error, LES_ERROR, LES_ERROR_NOT_FOUND);

  test_remove_dir (dir);
}

/* The stale services of the year, as "SV1,SV3" */
static char *
stale_services (LesStore *store)
{
  LesStmt *stmt = les_store_prepare (store, "SELECT service_code FROM stale_services WHERE year = 2024 "
                                     "ORDER BY service_code", NULL);
  g_autoptr(GString) s = g_string_new (NULL);

  while (les_stmt_step (stmt, NULL) == LES_STEP_ROW)
    g_string_append_printf (s, "%s%s", s->len ? "," : "", les_stmt_text (stmt, 0));
  les_stmt_reset (stmt);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static gint64
claim_id_of (LesStore *store, const char *service_code)
{
  LesStmt *stmt = les_store_prepare (store, "SELECT min(id) FROM claims WHERE service_code = ?1", NULL);
  gint64 id;

  les_stmt_bind_text (stmt, 1, service_code);
  g_assert_true (les_stmt_step (stmt, NULL) == LES_STEP_ROW);
  id = les_stmt_int64 (stmt, 0);
  les_stmt_reset (stmt);
  return id;
}

/* A compute that redoes only the services whose inputs changed gives what
 * computing the whole year gives, each way of redoing them (two seeds each) */
static void
test_store_partial_recompute (void)
{
  const LesComputePlan plans[] = { LES_COMPUTE_PLAN_AUTO, LES_COMPUTE_PLAN_BY_INDEX, LES_COMPUTE_PLAN_BY_SCAN,
                                   LES_COMPUTE_PLAN_WHOLE_YEAR };

  for (guint32 seed = 1; seed <= 8; seed++)
    {
      g_autofree char *dir = NULL;
      g_autoptr(LesStore) store = test_store_new (&dir);
      g_autoptr(GError) error = NULL;
      g_autoptr(LesClaimsChange) change = NULL;
      g_autofree char *stale = NULL;
      const char *kinds[] = { "payments", "findings", "reconciliation" };
      char *partial[G_N_ELEMENTS (kinds)];
      gint32 to = seed % 2 ? 202409 : 0;
      LesComputeSummary sum, whole;
      gint64 id;

      write_random_year (store, dir, seed);
      g_assert_true (les_compute_year (store, FY, to, NULL, NULL, NULL, &sum, &error));
      g_assert_no_error (error);
      stale = stale_services (store);
      g_assert_cmpstr (stale, ==, "");
      g_clear_pointer (&stale, g_free);

      /* nothing changed: nothing written, the same summary */
      g_assert_true (les_compute_year (store, FY, to, NULL, NULL, NULL, &whole, &error));
      g_assert_no_error (error);
      g_assert_cmpint (whole.n_inserted + whole.n_updated + whole.n_deleted, ==, 0);
      g_assert_cmpint (whole.n_lines, ==, sum.n_lines);
      g_assert_cmpint (whole.n_claims, ==, sum.n_claims);
      g_assert_cmpint (whole.n_findings, ==, sum.n_findings);
      g_assert_cmpint (whole.payable, ==, sum.payable);
      g_assert_cmpuint (whole.n_services, ==, 3);

      /* a claim rejected in SV1, new claims for SV2, an allocation of SV3 */
      id = claim_id_of (store, "SV1");
      change = les_claims_set_status (store, &id, NULL, 1, LES_CLAIM_STATUS_REJECTED, "test", &error);
      g_assert_no_error (error);
      test_import_ok (store, dir, LES_KIND_CLAIMS,
                      "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n"
                      "NEW1,K81001,SV2,IT,2024-05,40,2024-06-01\nNEW2,K81002,SV2,IT,2024-12,3,2025-01-02\n");
      if (seed % 3 == 0)
        test_import_ok (store, dir, LES_KIND_ALLOCATIONS, "practice_code,service_code,year,block_amount,cap_amount\n"
                        "K81003,SV3,2024/25,77.00,\n");
      stale = stale_services (store);
      g_assert_cmpstr (stale, ==, seed % 3 == 0 ? "SV1,SV2,SV3" : "SV1,SV2");
      g_clear_pointer (&stale, g_free);

      les_compute_set_plan (plans[seed % G_N_ELEMENTS (plans)]);
      g_assert_true (les_compute_year (store, FY, to, NULL, NULL, NULL, &sum, &error));
      les_compute_set_plan (LES_COMPUTE_PLAN_AUTO);
      g_assert_no_error (error);
      for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
        partial[k] = export_text (store, kinds[k]);

      /* the whole year again, as a change to every service asks */
      g_assert_true (les_store_exec (store, "INSERT INTO stale_services (year, service_code) VALUES (2024, '')",
                                     NULL));
      g_assert_true (les_compute_year (store, FY, to, NULL, NULL, NULL, &whole, &error));
      g_assert_no_error (error);
      g_assert_cmpint (whole.n_inserted + whole.n_updated + whole.n_deleted, ==, 0);
      for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
        {
          g_autofree char *text = export_text (store, kinds[k]);

          g_assert_cmpstr (partial[k], ==, text);
          g_free (partial[k]);
        }
      g_assert_cmpint (whole.n_lines, ==, sum.n_lines);
      g_assert_cmpint (whole.n_claims, ==, sum.n_claims);
      g_assert_cmpint (whole.n_findings, ==, sum.n_findings);
      g_assert_cmpint (whole.n_errors, ==, sum.n_errors);
      g_assert_cmpint (whole.gross, ==, sum.gross);
      g_assert_cmpint (whole.payable, ==, sum.payable);
      g_assert_cmpint (whole.held, ==, sum.held);

      /* a practice's details reach every service */
      test_import_ok (store, dir, LES_KIND_PRACTICES, "practice_code,practice_name,pcn_code,close_date\n"
                      "K81004,Practice 4,U1,2024-06-30\n");
      stale = stale_services (store);
      g_assert_cmpstr (stale, ==, "");
      g_clear_pointer (&stale, g_free);
      g_assert_true (les_compute_year (store, FY, to, NULL, NULL, NULL, &sum, &error));
      g_assert_no_error (error);

      test_remove_dir (dir);
    }
}

/* Exact or refuse (issue #12) */

/* The issue's figures: a count of 1,000,000,000,000 at £1,000,000,000,000
 * made a line of −£25,377,642,901,154,037.76 (a 128-bit product cast to 64 bits). */
static void
test_overflow_item (void)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, 0);
  LesEngineService s = service ("BIG");
  LesEngineRule r = item_rule ("BIG", "ITEM", G_GINT64_CONSTANT (10000000000000000));   /* £1,000,000,000,000 */

  add_service (in, &s);
  add_rule (in, &r);
  signup (in, "A81001", "BIG", 20240401, 0);
  claim (in, "C1", "A81001", "BIG", "ITEM", APR, G_GINT64_CONSTANT (1000000000000), 20240501);
  run_refused (in, "Cannot compute service BIG, practice A81001, rule ITEM, 2024-04 exactly: 1000000000000 units "
                   "at £1,000,000,000,000.00 each come to more than the largest amount (£99,999,999,999,999.99); "
                   "nothing was computed");
}

/* At the boundary: a gross of exactly the largest amount is a line, a penny more is refused */
static void
test_overflow_item_boundary (void)
{
  for (int extra = 0; extra <= 1; extra++)
    {
      g_autoptr(LesEngineInput) in = les_engine_input_new (FY, 0);
      LesEngineService s = service ("S");
      LesEngineRule r = item_rule ("S", "PENNY", 100);                               /* £0.01 a unit */

      add_service (in, &s);
      add_rule (in, &r);
      signup (in, "A81001", "S", 20240401, 0);
      claim (in, "C1", "A81001", "S", "PENNY", APR, LES_MONEY_MAX + extra, 20240501);
      if (extra == 0)
        {
          g_autoptr(LesEngineOutput) out = run (in);

          assert_line (out, "A81001", "S", "PENNY", APR, LES_MONEY_MAX, LES_MONEY_MAX);
        }
      else
        run_refused (in, "Cannot compute service S, practice A81001, rule PENNY, 2024-04 exactly: "
                         "10000000000000000 units at £0.01 each come to more than the largest amount "
                         "(£99,999,999,999,999.99); nothing was computed");
    }
}

/* Units of the year that add up past 64 bits, each month's line within range */
static void
test_overflow_units (void)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, 0);
  LesEngineService s = service ("S");
  LesEngineRule r = item_rule ("S", "TINY", 1);                                    /* £0.0001 a unit */

  add_service (in, &s);
  add_rule (in, &r);
  signup (in, "A81001", "S", 20240401, 0);
  for (int m = 1; m <= 12; m++)
    {
      g_autofree char *ref = g_strdup_printf ("C%d", m);
      gint32 period = les_fy_period (FY, m);

      claim (in, ref, "A81001", "S", "TINY", period, G_GINT64_CONSTANT (999999999999999900), 20250401);
    }
  run_refused (in, "Cannot compute service S, practice A81001, rule TINY, 2025-01 exactly: the units of the year add "
                   "up to more than 9223372036854775807; nothing was computed");
}

/* rate × list × months: past 128 bits before dividing */
static void
test_overflow_capitation (void)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, 0);
  LesEngineService s = service ("CAP");
  LesEngineRule r = capitation_rule ("CAP", "HEAD", G_MAXINT64, LES_RATE_PER_MONTH, LES_BASE_REGISTERED);

  s.schedule = LES_SCHEDULE_QUARTERLY;
  add_service (in, &s);
  add_rule (in, &r);
  les_engine_input_add_list_size (in, "A81001", 20240101, G_MAXINT64, FALSE, 0);
  signup (in, "A81001", "CAP", 20240401, 0);
  run_refused (in, "Cannot compute service CAP, practice A81001, rule HEAD, 2024-06 exactly: the rate times the "
                   "practice’s registered figure is more than the largest amount (£99,999,999,999,999.99); nothing "
                   "was computed");
}

/* Threshold: the award, and the achievement's product with a scale past percentages */
static void
test_overflow_threshold (void)
{
  {
    g_autoptr(LesEngineInput) in = les_engine_input_new (FY, 0);
    LesEngineService s = service ("T");
    LesEngineRule r = threshold_rule ("T", "AW", 0, TRUE, G_GINT64_CONSTANT (999999999999999999), LES_BASE_REGISTERED,
                                      5000, 0, 10000, LES_SETTLEMENT_REMAINDER);

    add_service (in, &s);
    add_rule (in, &r);
    les_engine_input_add_list_size (in, "A81001", 20240101, 2, FALSE, 0);
    signup (in, "A81001", "T", 20240401, 0);
    run_refused (in, "Cannot compute service T, practice A81001, rule AW, 2024-04 exactly: the award (fixed amount + "
                     "rate × registered figure) is more than the largest amount (£99,999,999,999,999.99); nothing "
                     "was computed");
  }
  {
    g_autoptr(LesEngineInput) in = les_engine_input_new (FY, 0);
    LesEngineService s = service ("T");
    LesEngineRule r = threshold_rule ("T", "AW", LES_MONEY_MAX * LES_RATE_SCALE, FALSE, 0, LES_BASE_REGISTERED,
                                      0, 0, G_MAXINT64, LES_SETTLEMENT_REMAINDER);

    add_service (in, &s);
    add_rule (in, &r);
    signup (in, "A81001", "T", 20240401, 0);
    les_engine_input_add_achievement (in, "A81001", "T", G_MAXINT64 - 1);
    run_refused (in, "Cannot compute service T, practice A81001, rule AW:ACH, 2025-03 exactly: the achievement payment "
                     "is more than the largest amount (£99,999,999,999,999.99); nothing was computed");
  }
}

/* A service whose lines are each within range but whose total is not */
static void
test_overflow_totals (void)
{
  g_autoptr(LesEngineInput) in = les_engine_input_new (FY, 0);
  LesEngineService s = service ("B");
  LesEngineRule r = block_rule ("B", "BLK");

  add_service (in, &s);
  add_rule (in, &r);
  for (int p = 1; p <= 2; p++)
    {
      g_autofree char *code = g_strdup_printf ("D0000%d", p);

      signup (in, code, "B", 20240401, 0);
      les_engine_input_add_allocation (in, code, "B", TRUE, LES_MONEY_MAX, FALSE, 0);
    }
  run_refused (in, "Cannot compute service B exactly: the service’s gross total is more than the largest amount "
                   "(£99,999,999,999,999.99); nothing was computed");

  /* one such block is the largest amount: paid to the penny */
  {
    g_autoptr(LesEngineInput) one = les_engine_input_new (FY, 0);
    g_autoptr(LesEngineOutput) out = NULL;

    add_service (one, &s);
    add_rule (one, &r);
    signup (one, "D00001", "B", 20240401, 0);
    les_engine_input_add_allocation (one, "D00001", "B", TRUE, LES_MONEY_MAX, FALSE, 0);
    out = run (one);
    g_assert_cmpint (sum_payable (out, "B"), ==, LES_MONEY_MAX);
  }
}

/* The issue's figures through the store: the compute fails, naming the line,
 * and the previous results stay */
static void
test_overflow_compute (void)
{
  g_autofree char *dir = NULL;
  g_autoptr(LesStore) store = test_store_new (&dir);
  g_autoptr(GError) error = NULL;

  test_import_ok (store, dir, LES_KIND_PRACTICES, "practice_code,practice_name,pcn_code\nA81001,Ashford,U81001\n");
  test_import_ok (store, dir, LES_KIND_SERVICES, "service_code,year,name\nBIG,2024/25,Big\n");
  test_import_ok (store, dir, LES_KIND_RULES, "service_code,year,rule_code,kind,rate\nBIG,2024/25,ITEM,item,1000000000000\n");
  test_import_ok (store, dir, LES_KIND_SIGNUPS, "practice_code,service_code,year,from_date\nA81001,BIG,2024/25,2024-04-01\n");
  test_import_ok (store, dir, LES_KIND_CLAIMS, "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n"
                                              "C1,A81001,BIG,ITEM,2024-04,1,2024-05-01\n");
  g_assert_true (les_compute_year (store, FY, 0, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  test_import_ok (store, dir, LES_KIND_CLAIMS, "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n"
                                              "C2,A81001,BIG,ITEM,2024-05,1000000000000,2024-06-01\n");
  g_assert_false (les_compute_year (store, FY, 0, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_OVERFLOW);
  g_assert_nonnull (strstr (error->message, "service BIG, practice A81001, rule ITEM, 2024-05"));
  g_clear_error (&error);
  {
    g_autoptr(GArray) rows = les_results_reconciliation (store, FY, &error);

    g_assert_no_error (error);
    g_assert_cmpint (g_array_index (rows, LesReconciliationRow, 0).payable, ==, G_GINT64_CONSTANT (100000000000000));   /* C1 alone */
  }
  test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/item/rounding", test_item_rounding);
  g_test_add_func ("/engine/item/later-claims-ignored", test_item_later_claims_ignored);
  g_test_add_func ("/engine/item/zero-gross-dropped", test_item_zero_gross_dropped);
  g_test_add_func ("/engine/capitation/bases-and-schedules", test_capitation);
  g_test_add_func ("/engine/capitation/signup-gaps", test_capitation_signup_gap);
  g_test_add_func ("/engine/block/instalments", test_block);
  g_test_add_func ("/engine/block/to-mid-year", test_block_to_mid_year);
  g_test_add_func ("/engine/threshold/recover", test_threshold_recover);
  g_test_add_func ("/engine/threshold/recover-uses-gross", test_threshold_recover_uses_gross);
  g_test_add_func ("/engine/threshold/remainder", test_threshold_remainder);
  g_test_add_func ("/engine/threshold/edges", test_threshold_edges);
  g_test_add_func ("/engine/threshold/before-march", test_threshold_before_march);
  g_test_add_func ("/engine/validation/errors", test_validation_errors);
  g_test_add_func ("/engine/validation/duplicates", test_validation_duplicates);
  g_test_add_func ("/engine/validation/patient-lines", test_patient_lines);
  g_test_add_func ("/engine/validation/patient-frequency", test_patient_frequency);
  g_test_add_func ("/engine/caps/unit", test_unit_cap);
  g_test_add_func ("/engine/caps/practice", test_practice_cap);
  g_test_add_func ("/engine/caps/hold", test_hold_cap);
  g_test_add_func ("/engine/caps/prorata", test_prorata);
  g_test_add_func ("/engine/caps/prorata-with-recovery", test_prorata_with_recovery);
  g_test_add_func ("/engine/caps/prorata-under-budget", test_prorata_under_budget);
  g_test_add_func ("/engine/caps/over-budget", test_over_budget);
  g_test_add_func ("/engine/outlier/median", test_outlier);
  g_test_add_func ("/engine/outlier/edges", test_outlier_edges);
  g_test_add_func ("/engine/order/codes", test_code_order);
  g_test_add_func ("/engine/service-alone", test_service_alone);
  g_test_add_func ("/engine/explain", test_explain);
  g_test_add_func ("/engine/random/invariants", test_random_invariants);
  g_test_add_func ("/engine/store/round-trip", test_store_round_trip);
  g_test_add_func ("/engine/store/recompute-and-cancel", test_store_recompute_and_cancel);
  g_test_add_func ("/engine/store/partial-recompute", test_store_partial_recompute);
  g_test_add_func ("/engine/overflow/item", test_overflow_item);
  g_test_add_func ("/engine/overflow/item-boundary", test_overflow_item_boundary);
  g_test_add_func ("/engine/overflow/units", test_overflow_units);
  g_test_add_func ("/engine/overflow/capitation", test_overflow_capitation);
  g_test_add_func ("/engine/overflow/threshold", test_overflow_threshold);
  g_test_add_func ("/engine/overflow/totals", test_overflow_totals);
  g_test_add_func ("/engine/overflow/compute", test_overflow_compute);

  return g_test_run ();
}
