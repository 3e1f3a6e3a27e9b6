/* test-year-status.c: a year's month end — the month it is worked to, and figures that say they are out of date. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-claims-edit.h"
#include "les-compute.h"
#include "les-error.h"
#include "les-runs.h"
#include "les-service-draft.h"
#include "les-year-status.h"
#include "test-helpers.h"

#define FY 2024

typedef struct {
  char     *dir;
  LesStore *store;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->store = test_store_new_two_practices (&f->dir, FALSE);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  test_store_clear (&f->store, &f->dir);
}

static void
get_status (Fixture *f, LesYearStatus *status)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (les_year_status_get (f->store, FY, status, &error));
  g_assert_no_error (error);
}

static LesStaleness
staleness (Fixture *f)
{
  LesStaleness why = 0;
  gboolean stale = les_results_is_stale (f->store, FY, &why);

  g_assert_cmpint (stale, ==, why != 0);
  return why;
}

/* The default: the latest month with claims, or the month after the latest run; April to March */
static void
test_default (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  gboolean is_default = FALSE;
  LesRun run = { 0 };

  /* no claims, no runs: April */
  g_assert_cmpint (les_year_default_to_period (f->store, FY, &error), ==, 202404);
  g_assert_cmpint (les_year_get_to_period (f->store, FY, &is_default, &error), ==, 202404);
  g_assert_true (is_default);
  g_assert_no_error (error);

  test_import_ok (f->store, f->dir, LES_KIND_CLAIMS, test_two_practices_claims);
  g_assert_cmpint (les_year_default_to_period (f->store, FY, NULL), ==, 202405);

  /* a run of July: August comes next, later than the claims */
  test_compute (f->store, FY, 202407);
  test_set_status (f->store, LES_CLAIM_STATUS_APPROVED, NULL, "C1");
  g_assert_true (les_runs_close_month (f->store, FY, 202407, NULL, NULL, NULL, &run, &error));
  g_assert_no_error (error);
  les_run_clear (&run);
  g_assert_cmpint (les_year_default_to_period (f->store, FY, NULL), ==, 202408);

  /* a claim for March: never after March */
  test_import_ok (f->store, f->dir, LES_KIND_CLAIMS,
                  "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n"
                  "C9,A81001,INJ,JAB,2025-03,1,2025-04-01\n");
  g_assert_cmpint (les_year_default_to_period (f->store, FY, NULL), ==, 202503);
  /* another year has nothing */
  g_assert_cmpint (les_year_default_to_period (f->store, FY + 1, NULL), ==, 202504);
}

/* Chosen, kept per year, and moved by every compute */
static void
test_chosen (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *location = g_strdup (les_store_get_location (f->store));
  gboolean is_default = TRUE;

  test_import_ok (f->store, f->dir, LES_KIND_CLAIMS, test_two_practices_claims);
  g_assert_true (les_year_set_to_period (f->store, FY, 202409, &error));
  g_assert_no_error (error);
  g_assert_cmpint (les_year_get_to_period (f->store, FY, &is_default, &error), ==, 202409);
  g_assert_false (is_default);

  /* kept in the database */
  g_clear_object (&f->store);
  f->store = les_store_open (location, &error);
  g_assert_no_error (error);
  g_assert_cmpint (les_year_get_to_period (f->store, FY, NULL, NULL), ==, 202409);
  /* not another year's */
  g_assert_cmpint (les_year_get_to_period (f->store, FY + 1, &is_default, NULL), ==, 202504);
  g_assert_true (is_default);

  /* a month of another year is refused */
  g_assert_false (les_year_set_to_period (f->store, FY, 202504, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_INVALID);
  g_clear_error (&error);

  /* a compute keeps its month */
  test_compute (f->store, FY, 202406);
  g_assert_cmpint (les_year_get_to_period (f->store, FY, NULL, NULL), ==, 202406);
  test_compute (f->store, FY, 0);
  g_assert_cmpint (les_year_get_to_period (f->store, FY, NULL, NULL), ==, 202503);

  /* 0 goes back to the default */
  g_assert_true (les_year_set_to_period (f->store, FY, 0, &error));
  g_assert_cmpint (les_year_get_to_period (f->store, FY, &is_default, NULL), ==, 202405);
  g_assert_true (is_default);
}

/* Imports, edits and decisions since the compute make its figures out of date */
static void
test_stale (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LesServiceDraft) draft = NULL;
  g_autoptr(LesServiceChange) change = NULL;
  g_autofree char *text = NULL;

  test_import_ok (f->store, f->dir, LES_KIND_CLAIMS, test_two_practices_claims);
  g_assert_cmpint (staleness (f), ==, LES_STALE_NOT_COMPUTED);
  {
    g_auto(LesYearStatus) status = { 0 };

    get_status (f, &status);
    g_assert_false (status.computed);
    text = les_year_status_describe (&status);
    g_assert_cmpstr (text, ==, "2024/25 has not been computed yet: compute it to May 2024 to see its figures.");
    g_clear_pointer (&text, g_free);
  }

  test_compute (f->store, FY, 202405);
  g_assert_cmpint (staleness (f), ==, 0);
  {
    g_auto(LesYearStatus) status = { 0 };

    get_status (f, &status);
    g_assert_true (status.computed);
    g_assert_cmpint (status.computed_to, ==, 202405);
    g_assert_cmpint (status.to_period, ==, 202405);
    g_assert_false (status.to_is_default);
    g_assert_nonnull (status.computed_at);
    text = les_year_status_describe (&status);
    g_assert_cmpstr (text, ==, "");
    g_clear_pointer (&text, g_free);
  }

  /* an import of claims */
  test_import_ok (f->store, f->dir, LES_KIND_CLAIMS,
                  "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n"
                  "C4,A81002,INJ,JAB,2024-05,2,2024-06-02\n");
  g_assert_cmpint (staleness (f), ==, LES_STALE_IMPORTS);
  /* the same claims again change nothing, and say nothing */
  test_compute (f->store, FY, 202405);
  test_import_ok (f->store, f->dir, LES_KIND_CLAIMS, test_two_practices_claims);
  g_assert_cmpint (staleness (f), ==, 0);
  /* patient lines */
  test_import_ok (f->store, f->dir, LES_KIND_PATIENT_ACTIVITY,
                  "claim_ref,nhs_number,activity_date\nC4,9434765919,2024-05-03\nC4,9434765870,2024-05-04\n");
  g_assert_cmpint (staleness (f), ==, LES_STALE_IMPORTS);
  test_compute (f->store, FY, 202405);

  /* practices and list sizes: every year reads them */
  test_import_ok (f->store, f->dir, LES_KIND_LIST_SIZES,
                  "practice_code,date,registered\nA81001,2024-05-01,1250\n");
  g_assert_cmpint (staleness (f), ==, LES_STALE_IMPORTS);
  test_compute (f->store, FY, 202405);
  /* the ledger is read as it is by the reconciliation: no compute needs it */
  test_import_ok (f->store, f->dir, LES_KIND_LEDGER,
                  "service_code,period,amount,reference\nINJ,2024-04,100.00,L1\n");
  g_assert_cmpint (staleness (f), ==, 0);

  /* a service edit */
  draft = les_service_draft_load (f->store, "INJ", FY, &error);
  g_assert_no_error (error);
  les_service_draft_set (draft, "budget", "1000.00");
  change = les_service_save (f->store, draft, &error);
  g_assert_no_error (error);
  g_assert_nonnull (change);
  g_assert_cmpint (staleness (f), ==, LES_STALE_EDITS);

  /* decisions: approving changes nothing a compute reads; rejecting does */
  test_set_status (f->store, LES_CLAIM_STATUS_APPROVED, NULL, "C1");
  g_assert_cmpint (staleness (f), ==, LES_STALE_EDITS);
  test_set_status (f->store, LES_CLAIM_STATUS_REJECTED, "sent twice", "C2");
  g_assert_cmpint (staleness (f), ==, LES_STALE_EDITS | LES_STALE_DECISIONS);
  {
    g_auto(LesYearStatus) status = { 0 };

    get_status (f, &status);
    g_assert_cmpint (status.n_imports, ==, 0);
    g_assert_cmpint (status.n_edits, ==, 1);
    g_assert_cmpint (status.n_decisions, ==, 1);
    g_assert_nonnull (status.changed_at);
    text = les_year_status_describe (&status);
    g_assert_true (g_str_has_prefix (text, "The figures are out of date: 1 service edit and 1 claim decision "
                                           "since they were computed on "));
    g_clear_pointer (&text, g_free);
  }

  test_compute (f->store, FY, 202405);
  g_assert_cmpint (staleness (f), ==, 0);

  /* another month chosen than the one computed */
  g_assert_true (les_year_set_to_period (f->store, FY, 202406, &error));
  g_assert_cmpint (staleness (f), ==, LES_STALE_MONTH);
  {
    g_auto(LesYearStatus) status = { 0 };

    get_status (f, &status);
    text = les_year_status_describe (&status);
    g_assert_cmpstr (text, ==, "The figures are computed to May 2024, but 2024/25 is worked to June 2024.");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/year-status/default", Fixture, NULL, fixture_set_up, test_default, fixture_tear_down);
  g_test_add ("/year-status/chosen", Fixture, NULL, fixture_set_up, test_chosen, fixture_tear_down);
  g_test_add ("/year-status/stale", Fixture, NULL, fixture_set_up, test_stale, fixture_tear_down);
  return g_test_run ();
}
