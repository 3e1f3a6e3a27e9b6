/* test-claim-detail.c: one claim examined — its value and how it was worked out, patient lines, findings, original, history. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "les-claim-detail.h"
#include "les-claims-edit.h"
#include "les-compute.h"
#include "les-error.h"
#include "les-runs.h"
#include "test-helpers.h"

#define FY 2024

typedef struct {
  char     *dir;
  LesStore *store;
} Fixture;

static const char practices[] =
  "practice_code,practice_name,pcn_code,pcn_name\n"
  "A81001,Ashford Surgery,U81001,North PCN\n"
  "A81002,Beech House,U81001,North PCN\n";
static const char list_sizes[] =
  "practice_code,date,registered\nA81001,2024-04-01,1200\nA81002,2024-04-01,2400\n";
static const char services[] =
  "service_code,year,name,claim_deadline_days\nINJ,2024/25,Injections,30\n";
static const char rules[] =
  "service_code,year,rule_code,kind,description,rate,max_units_per_practice\n"
  "INJ,2024/25,JAB,item,B12 injection,10.00,8\n";
static const char signups[] =
  "practice_code,service_code,year,from_date\n"
  "A81001,INJ,2024/25,2024-04-01\nA81002,INJ,2024/25,2024-04-01\n";
static const char claims[] =
  "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n"
  "C1,A81001,INJ,JAB,2024-04,5,2024-05-01\n"
  "C2,A81001,INJ,JAB,2024-04,2,2024-05-03\n"
  "C3,A81002,INJ,JAB,2024-05,2,2024-06-02\n"
  "C4,A81001,INJ,JAB,2024-05,6,2024-06-03\n"
  "C5,A81001,INJ,JAB,2024-07,1,2024-08-01\n";
static const char patient_activity[] =
  "claim_ref,nhs_number,activity_date\nC3,943 476 5919,2024-05-10\nC3,123,2024-06-01\n";

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->store = test_store_new_with (&f->dir, (const char *[LES_N_KINDS]) {
    [LES_KIND_PRACTICES] = practices, [LES_KIND_LIST_SIZES] = list_sizes, [LES_KIND_SERVICES] = services,
    [LES_KIND_RULES] = rules, [LES_KIND_SIGNUPS] = signups, [LES_KIND_CLAIMS] = claims,
    [LES_KIND_PATIENT_ACTIVITY] = patient_activity });
  test_compute (f->store, FY, 202406);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  test_store_clear (&f->store, &f->dir);
}

static LesClaimDetail *
detail (Fixture *f, const char *ref)
{
  g_autoptr(GError) error = NULL;
  LesClaimDetail *d = les_claim_detail_get (f->store, test_claim_id (f->store, ref), &error);

  g_assert_no_error (error);
  g_assert_nonnull (d);
  g_assert_cmpstr (d->claim_ref, ==, ref);
  return d;
}

static const LesClaimFinding *
find (const LesClaimDetail *d, LesFindingCode code)
{
  for (guint i = 0; i < d->findings->len; i++)
    if (g_array_index (d->findings, LesClaimFinding, i).code == code)
      return &g_array_index (d->findings, LesClaimFinding, i);
  g_test_message ("no %s on %s", les_finding_to_word (code), d->claim_ref);
  g_test_fail ();
  abort ();
}

static gboolean
explained (const LesClaimDetail *d, const char *line)
{
  for (guint i = 0; i < d->explanation->len; i++)
    if (strcmp (d->explanation->pdata[i], line) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
explanation_mentions (const LesClaimDetail *d, const char *text)
{
  for (guint i = 0; i < d->explanation->len; i++)
    if (strstr (d->explanation->pdata[i], text) != NULL)
      return TRUE;
  return FALSE;
}

/* A counted claim: every field, its value and how its line was made */
static void
test_counted (Fixture *f, gconstpointer data)
{
  g_autoptr(LesClaimDetail) d = detail (f, "C1");

  g_assert_cmpint (d->year, ==, FY);
  g_assert_cmpstr (d->practice_code, ==, "A81001");
  g_assert_cmpstr (d->practice_name, ==, "Ashford Surgery");
  g_assert_cmpstr (d->pcn_name, ==, "North PCN");
  g_assert_cmpstr (d->service_name, ==, "Injections");
  g_assert_cmpstr (d->item_code, ==, "JAB");
  g_assert_cmpstr (d->item_description, ==, "B12 injection");
  g_assert_cmpint (d->period, ==, 202404);
  g_assert_cmpint (d->count, ==, 5);
  g_assert_cmpint (d->submitted_date, ==, 20240501);
  g_assert_cmpint (d->status, ==, LES_CLAIM_STATUS_SUBMITTED);
  g_assert_true (d->has_rate);
  g_assert_cmpint (d->rate, ==, 100000);

  g_assert_true (d->checked);
  g_assert_cmpint (d->computed_to, ==, 202406);
  g_assert_true (d->counted);
  g_assert_cmpint (d->units, ==, 5);
  g_assert_cmpint (d->value, ==, 5000);
  g_assert_cmpint (d->value_payable, ==, 5000);
  g_assert_true (d->has_line);
  /* C2, a duplicate, adds nothing to the line */
  g_assert_cmpint (d->line_units, ==, 5);
  g_assert_cmpint (d->line_gross, ==, 5000);
  g_assert_cmpint (d->paid_run, ==, 0);
  g_assert_cmpstr (d->value_text, ==, "5 units × £10.00 = £50.00.");
  g_assert_false (les_claim_detail_has_errors (d));
  g_assert_null (d->original_ref);

  /* the engine's account, trimmed to the claim */
  g_assert_true (explained (d, "Claim C1: A81001 / INJ / JAB / 2024-04 (2024/25, computed up to 2024-06)."));
  g_assert_true (explained (d, "  claim C1 (count 5, submitted 2024-05-01): 5 units counted"));
  g_assert_true (explained (d, "Other claims of this practice, rule and period: 1 (0 units counted)."));
  g_assert_false (explanation_mentions (d, "claim C2"));
  g_assert_true (explained (d, "Its payment line: gross £50.00, payable £50.00, held £0.00."));
}

/* A duplicate names its original, and is worth nothing */
static void
test_duplicate (Fixture *f, gconstpointer data)
{
  g_autoptr(LesClaimDetail) d = detail (f, "C2");
  const LesClaimFinding *dup = find (d, LES_FINDING_DUPLICATE);

  g_assert_nonnull (dup);
  g_assert_cmpint (dup->severity, ==, LES_SEVERITY_ERROR);
  g_assert_false (dup->of_line);
  g_assert_cmpstr (dup->title, ==, "Duplicate of an earlier claim");
  g_assert_true (g_str_has_prefix (dup->advice, "An earlier claim is for the same practice"));
  g_assert_cmpstr (d->original_ref, ==, "C1");
  g_assert_cmpint (d->original_id, ==, test_claim_id (f->store, "C1"));
  g_assert_true (les_claim_detail_has_errors (d));
  g_assert_false (d->counted);
  g_assert_cmpint (d->value, ==, 0);
  g_assert_cmpstr (d->value_text, ==, "Nothing: the claim has errors (Duplicate of an earlier claim), so it is not "
                                      "part of any payment.");
  g_assert_true (explained (d, "  claim C2 (count 2, submitted 2024-05-03): not paid — DUPLICATE"));

  /* the original withdrawn: the duplicate is the first now (until the next compute) */
  test_set_status (f->store, LES_CLAIM_STATUS_WITHDRAWN, "sent again as C2", "C1");
  g_clear_pointer (&d, les_claim_detail_free);
  d = detail (f, "C2");
  g_assert_null (d->original_ref);
  g_assert_cmpint (d->original_id, ==, 0);
}

/* Patient lines: valid or not, in the period or not; the NHS numbers are never there */
static void
test_patient_lines (Fixture *f, gconstpointer data)
{
  g_autoptr(LesClaimDetail) d = detail (f, "C3");
  const LesClaimPatientLine *l1, *l2;

  g_assert_cmpuint (d->patient_lines->len, ==, 2);
  l1 = &g_array_index (d->patient_lines, LesClaimPatientLine, 0);
  l2 = &g_array_index (d->patient_lines, LesClaimPatientLine, 1);
  g_assert_cmpint (l1->line_no, ==, 1);
  g_assert_true (l1->valid_nhs_number);
  g_assert_cmpint (l1->activity_date, ==, 20240510);
  g_assert_true (l1->in_period);
  g_assert_cmpint (l2->line_no, ==, 2);
  g_assert_false (l2->valid_nhs_number);
  g_assert_false (l2->in_period);
  g_assert_cmpint (d->cover_first, ==, 20240501);
  g_assert_cmpint (d->cover_last, ==, 20240531);
  g_assert_nonnull (find (d, LES_FINDING_BAD_NHS_NUMBER));
  g_assert_nonnull (find (d, LES_FINDING_DATE_OUTSIDE_PERIOD));
  /* patient-line errors leave the claim counted, for its good lines */
  g_assert_true (d->counted);
  g_assert_cmpint (d->units, ==, 1);
  g_assert_cmpint (d->value, ==, 1000);
  g_assert_true (explained (d, "    patient line 2 (activity 2024-06-01): not counted — NHS number fails the "
                               "check, and the date is outside the claim's period"));
}

/* A claim whose line is held: its share of what is payable, and why */
static void
test_held (Fixture *f, gconstpointer data)
{
  g_autoptr(LesClaimDetail) d = detail (f, "C4");
  const LesClaimFinding *cap = find (d, LES_FINDING_OVER_UNIT_CAP);

  g_assert_nonnull (cap);
  g_assert_true (cap->of_line);
  g_assert_cmpint (d->units, ==, 6);
  g_assert_cmpint (d->value, ==, 6000);
  g_assert_cmpint (d->line_payable, ==, 3000);
  g_assert_cmpint (d->line_held, ==, 3000);
  g_assert_cmpint (d->value_payable, ==, 3000);
  g_assert_cmpstr (d->held_reason, ==, "Over the unit cap");
  g_assert_cmpstr (d->value_text, ==, "6 units × £10.00 = £60.00. Its payment line of £60.00 has £30.00 held (Over "
                                      "the unit cap): its share of what is payable is £30.00.");
  g_assert_true (explanation_mentions (d, "Unit cap: 8 a year; 5 units on earlier lines"));
}

/* History newest first, the run that paid its line, and a claim not yet computed */
static void
test_history (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LesClaimDetail) d = NULL;
  const LesClaimEvent *e;

  test_set_status (f->store, LES_CLAIM_STATUS_QUERIED, "how many patients?", "C1");
  test_set_status (f->store, LES_CLAIM_STATUS_APPROVED, NULL, "C1");
  g_assert_true (les_runs_close_month (f->store, FY, 202404, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  d = detail (f, "C1");
  g_assert_cmpint (d->status, ==, LES_CLAIM_STATUS_APPROVED);
  g_assert_cmpuint (d->history->len, ==, 2);
  e = &g_array_index (d->history, LesClaimEvent, 0);
  g_assert_cmpstr (e->action, ==, "set-status");
  g_assert_cmpstr (e->before, ==, "status=queried; reason=how many patients?");
  g_assert_cmpstr (e->after, ==, "status=approved");
  g_assert_nonnull (e->at);
  g_assert_cmpstr (e->user, ==, g_get_user_name ());
  e = &g_array_index (d->history, LesClaimEvent, 1);
  g_assert_cmpstr (e->after, ==, "status=queried; reason=how many patients?");
  g_assert_cmpint (d->paid_run, ==, 1);
  g_assert_true (g_str_has_suffix (d->value_text, " Its payment line was paid by run 1."));

  g_clear_pointer (&d, les_claim_detail_free);
  d = detail (f, "C5");
  g_assert_false (d->checked);
  g_assert_cmpuint (d->explanation->len, ==, 0);
  g_assert_cmpstr (d->value_text, ==, "Not worked out yet: the year is computed to June 2024, before the claim’s "
                                      "month.");

  g_assert_null (les_claim_detail_get (f->store, 9999, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_NOT_FOUND);
}

/* A selection sorted into clean claims, claims with errors and claims not yet checked */
static void
test_check (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) clean = NULL;
  g_autoptr(GArray) with_errors = NULL;
  g_autoptr(GArray) unchecked = NULL;
  gint64 ids[] = { test_claim_id (f->store, "C1"), test_claim_id (f->store, "C2"), test_claim_id (f->store, "C3"), test_claim_id (f->store, "C4"), test_claim_id (f->store, "C5") };

  g_assert_true (les_claims_sort_by_check (f->store, ids, G_N_ELEMENTS (ids), &clean, &with_errors, &unchecked,
                                           &error));
  g_assert_no_error (error);
  g_assert_cmpuint (clean->len, ==, 2);
  g_assert_cmpint (g_array_index (clean, gint64, 0), ==, ids[0]);
  g_assert_cmpint (g_array_index (clean, gint64, 1), ==, ids[3]);
  g_assert_cmpuint (with_errors->len, ==, 2);
  g_assert_cmpint (g_array_index (with_errors, gint64, 0), ==, ids[1]);
  g_assert_cmpint (g_array_index (with_errors, gint64, 1), ==, ids[2]);
  g_assert_cmpuint (unchecked->len, ==, 1);
  g_assert_cmpint (g_array_index (unchecked, gint64, 0), ==, ids[4]);
  g_assert_cmpint (les_claims_count_with_errors (f->store, ids, G_N_ELEMENTS (ids), &error), ==, 2);
  g_assert_cmpint (les_claims_count_with_errors (f->store, ids, 1, &error), ==, 0);

  /* a rejected claim is not checked by a compute */
  test_set_status (f->store, LES_CLAIM_STATUS_REJECTED, "not ours", "C1");
  g_clear_pointer (&unchecked, g_array_unref);
  g_assert_true (les_claims_sort_by_check (f->store, ids, 1, NULL, NULL, &unchecked, &error));
  g_assert_cmpuint (unchecked->len, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/claim-detail/counted", Fixture, NULL, fixture_set_up, test_counted, fixture_tear_down);
  g_test_add ("/claim-detail/duplicate", Fixture, NULL, fixture_set_up, test_duplicate, fixture_tear_down);
  g_test_add ("/claim-detail/patient-lines", Fixture, NULL, fixture_set_up, test_patient_lines, fixture_tear_down);
  g_test_add ("/claim-detail/held", Fixture, NULL, fixture_set_up, test_held, fixture_tear_down);
  g_test_add ("/claim-detail/history", Fixture, NULL, fixture_set_up, test_history, fixture_tear_down);
  g_test_add ("/claim-detail/check", Fixture, NULL, fixture_set_up, test_check, fixture_tear_down);
  return g_test_run ();
}
