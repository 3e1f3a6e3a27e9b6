/* test-service-draft.c: the service editor's core — drafts checked as an import's cells, saving, undo, the live example. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-error.h"
#include "les-service-example.h"
#include "test-helpers.h"

typedef struct {
  char     *dir;
  LesStore *store;
} Fixture;

static const char practices_csv[] =
  "practice_code,practice_name,pcn_code,pcn_name\n"
  "A81001,Ashford Medical Centre,U81001,Ashford PCN\n"
  "A81002,Beechwood Surgery,U81001,Ashford PCN\n";
/* a list size after 1 April does not count for the year's example */
static const char list_sizes_csv[] =
  "practice_code,date,registered\n"
  "A81001,2024-04-01,1000\n"
  "A81001,2024-04-02,5000\n"
  "A81002,2024-03-01,2000\n";
static const char services_csv[] =
  "service_code,year,name,budget,schedule,start_date,end_date\n"
  "ECG,2024/25,ECGs,9000.00,monthly,,\n"
  "ELF,2024/25,ELF,,quarterly,2024-04-01,2025-02-28\n";
static const char rules_csv[] =
  "service_code,year,rule_code,kind,description,rate,rate_per,base\n"
  "ECG,2024/25,ECG,item,12-lead ECG,36.00,,\n"
  "ELF,2024/25,PHP,capitation,Per patient,0.41,year,registered\n";
static const char claims_csv[] =
  "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n"
  "E0001,A81001,ECG,ECG,2024-04,3,2024-05-03\n";

#define FY 2024

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->store = test_store_new_with (&f->dir, (const char *[LES_N_KINDS]) {
    [LES_KIND_PRACTICES] = practices_csv, [LES_KIND_LIST_SIZES] = list_sizes_csv,
    [LES_KIND_SERVICES] = services_csv, [LES_KIND_RULES] = rules_csv, [LES_KIND_CLAIMS] = claims_csv });
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  test_store_clear (&f->store, &f->dir);
}

static LesServiceDraft *
load (Fixture *f, const char *code, int fy)
{
  g_autoptr(GError) error = NULL;
  LesServiceDraft *draft = les_service_draft_load (f->store, code, fy, &error);

  g_assert_no_error (error);
  g_assert_nonnull (draft);
  return draft;
}

static void
save (Fixture *f, const LesServiceDraft *draft)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LesServiceChange) change = les_service_save (f->store, draft, &error);

  g_assert_no_error (error);
  g_assert_nonnull (change);
}

static int
find_rule (const LesServiceDraft *draft, const char *code)
{
  for (guint i = 0; i < les_service_draft_get_n_rules (draft); i++)
    if (strcmp (les_service_draft_get_rule (draft, i, "rule_code"), code) == 0)
      return (int) i;
  return -1;
}

/* Values are stored as an import stores them, and read back as an export writes them */
static void
test_save_and_load (Fixture *f, gconstpointer data)
{
  g_autoptr(LesServiceDraft) draft = load (f, "ECG", FY);
  g_autoptr(LesServiceDraft) again = NULL;

  g_assert_false (les_service_draft_is_new (draft));
  g_assert_cmpstr (les_service_draft_get (draft, "budget"), ==, "9000.00");
  g_assert_cmpstr (les_service_draft_get (draft, "cap_mode"), ==, "none");
  les_service_draft_set (draft, "budget", " £9,500 ");
  les_service_draft_set (draft, "cap_mode", "HOLD");
  les_service_draft_set (draft, "claim_deadline_days", "\t30 ");
  save (f, draft);

  again = load (f, "ECG", FY);
  g_assert_cmpstr (les_service_draft_get (again, "budget"), ==, "9500.00");
  g_assert_cmpstr (les_service_draft_get (again, "cap_mode"), ==, "hold");
  g_assert_cmpstr (les_service_draft_get (again, "claim_deadline_days"), ==, "30");
  g_assert_cmpuint (les_service_draft_get_n_rules (again), ==, 1);
  g_assert_cmpstr (les_service_draft_get_rule (again, 0, "rate"), ==, "36.00");
}

/* A kind in another case: the columns it uses and its checks both read it as the enum */
static void
test_kind_in_any_case (Fixture *f, gconstpointer data)
{
  g_autoptr(LesServiceDraft) draft = les_service_draft_new (FY);
  g_autoptr(LesServiceDraft) saved = NULL;
  g_autoptr(GError) error = NULL;
  guint rule;

  g_assert_true (les_rule_kind_uses ("Item", "rate"));
  g_assert_true (les_rule_kind_uses (" CAPITATION ", "base"));
  g_assert_false (les_rule_kind_uses ("block", "rate"));
  g_assert_false (les_rule_kind_uses ("nonsense", "rate"));
  g_assert_true (les_rule_kind_uses ("nonsense", "description"));

  les_service_draft_set (draft, "service_code", " wound ");
  les_service_draft_set (draft, "name", "Wound care");
  rule = les_service_draft_add_rule (draft, "Item");
  les_service_draft_set_rule (draft, rule, "rate", "12.5");
  g_assert_true (les_service_draft_check (draft, NULL, NULL, &error));
  g_assert_no_error (error);
  save (f, draft);

  saved = load (f, "WOUND", FY);
  g_assert_cmpstr (les_service_draft_get (saved, "service_code"), ==, "WOUND");
  g_assert_cmpstr (les_service_draft_get (saved, "schedule"), ==, "monthly");
  g_assert_cmpstr (les_service_draft_get_rule (saved, 0, "kind"), ==, "item");
  g_assert_cmpstr (les_service_draft_get_rule (saved, 0, "rate"), ==, "12.50");
}

/* Rule codes are compared as stored (trimmed, upper-cased), as an import compares keys */
static void
test_duplicate_rule_codes (Fixture *f, gconstpointer data)
{
  g_autoptr(LesServiceDraft) draft = load (f, "ECG", FY);
  g_autoptr(GError) error = NULL;
  const char *column = NULL;
  int rule = -2;
  guint added;

  added = les_service_draft_add_rule (draft, "item");
  les_service_draft_set_rule (draft, added, "rule_code", " ecg ");
  les_service_draft_set_rule (draft, added, "rate", "1");
  g_assert_false (les_service_draft_check (draft, &rule, &column, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_INVALID);
  g_assert_cmpint (rule, ==, (int) added);
  g_assert_cmpstr (column, ==, "rule_code");
  g_assert_nonnull (strstr (error->message, "“ECG”"));
}

/* One value checked exactly as an import checks its cell */
static void
test_check_value (Fixture *f, gconstpointer data)
{
  g_autoptr(LesServiceDraft) draft = load (f, "ELF", FY);
  g_autoptr(GError) error = NULL;
  const char *column = NULL;
  int rule = -2;

  g_assert_true (les_service_check_value (FALSE, "claim_deadline_days", " 12\t", NULL));
  g_assert_true (les_service_check_value (FALSE, "claim_deadline_days", "", NULL));
  /* a line break is not trimmed by an import, so not by the editor either */
  g_assert_false (les_service_check_value (FALSE, "claim_deadline_days", "12\n", &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (les_service_check_value (FALSE, "name", " ", &error));
  g_assert_cmpstr (error->message, ==, "a value is required");
  g_clear_error (&error);
  g_assert_false (les_service_check_value (TRUE, "upper_pct", "101", &error));
  g_assert_cmpstr (error->message, ==, "“101” is out of range; expected a percentage from 0 to 100");
  g_clear_error (&error);
  g_assert_true (les_service_check_value (TRUE, "kind", "THRESHOLD", NULL));
  g_assert_false (les_service_check_value (TRUE, "kind", "bonus", NULL));

  /* across columns: the end before the start */
  les_service_draft_set (draft, "end_date", "01/03/2024");
  g_assert_false (les_service_draft_check (draft, &rule, &column, &error));
  g_assert_cmpint (rule, ==, -1);
  g_assert_cmpstr (column, ==, "end_date");
  g_assert_cmpstr (error->message, ==, "2024-03-01 is before start_date 2024-04-01");
}

/* A rule that claims name cannot go (a foreign-key failure, in words); one that none name can */
static void
test_remove_rules (Fixture *f, gconstpointer data)
{
  g_autoptr(LesServiceDraft) draft = load (f, "ECG", FY);
  g_autoptr(LesServiceDraft) with_two = NULL;
  g_autoptr(LesServiceDraft) back = NULL;
  g_autoptr(LesServiceChange) change = NULL;
  g_autoptr(GError) error = NULL;
  guint added;

  added = les_service_draft_add_rule (draft, "item");
  les_service_draft_set_rule (draft, added, "rule_code", "ecg2");
  les_service_draft_set_rule (draft, added, "rate", "2");
  save (f, draft);
  with_two = load (f, "ECG", FY);
  g_assert_cmpuint (les_service_draft_get_n_rules (with_two), ==, 2);
  g_assert_cmpint (find_rule (with_two, "ECG2"), >=, 0);

  les_service_draft_remove_rule (with_two, find_rule (with_two, "ECG"));
  change = les_service_save (f->store, with_two, &error);
  g_assert_null (change);
  g_assert_error (error, LES_ERROR, LES_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "claims name"));
  g_clear_error (&error);
  back = load (f, "ECG", FY);
  g_assert_cmpuint (les_service_draft_get_n_rules (back), ==, 2);

  les_service_draft_free (g_steal_pointer (&with_two));
  with_two = load (f, "ECG", FY);
  les_service_draft_remove_rule (with_two, find_rule (with_two, "ECG2"));
  save (f, with_two);
  les_service_draft_free (g_steal_pointer (&back));
  back = load (f, "ECG", FY);
  g_assert_cmpuint (les_service_draft_get_n_rules (back), ==, 1);
  g_assert_cmpint (find_rule (back, "ECG"), ==, 0);
}

static void
test_retire_duplicate_undo (Fixture *f, gconstpointer data)
{
  g_autoptr(LesServiceChange) retired = NULL;
  g_autoptr(LesServiceChange) copied = NULL;
  g_autoptr(LesServiceDraft) draft = NULL;
  g_autoptr(GError) error = NULL;

  retired = les_service_retire (f->store, "ECG", FY, NULL, &error);
  g_assert_no_error (error);
  draft = load (f, "ECG", FY);
  g_assert_cmpstr (les_service_draft_get (draft, "end_date"), ==, "2025-03-31");
  g_assert_true (les_service_change_undo (f->store, retired, &error));
  g_assert_no_error (error);
  les_service_draft_free (g_steal_pointer (&draft));
  draft = load (f, "ECG", FY);
  g_assert_cmpstr (les_service_draft_get (draft, "end_date"), ==, "");

  /* a year later, dates and all; undone, it is gone */
  copied = les_service_duplicate (f->store, "ELF", FY, &error);
  g_assert_no_error (error);
  g_assert_cmpint (les_service_change_get_year (copied), ==, FY + 1);
  les_service_draft_free (g_steal_pointer (&draft));
  draft = load (f, "ELF", FY + 1);
  g_assert_cmpstr (les_service_draft_get (draft, "start_date"), ==, "2025-04-01");
  g_assert_cmpstr (les_service_draft_get (draft, "end_date"), ==, "2026-02-28");
  g_assert_cmpstr (les_service_draft_get_rule (draft, 0, "rule_code"), ==, "PHP");
  g_assert_null (les_service_duplicate (f->store, "ELF", FY, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (les_service_change_undo (f->store, copied, &error));
  g_assert_no_error (error);
  g_assert_null (les_service_draft_load (f->store, "ELF", FY + 1, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_NOT_FOUND);
}

/* The typical practice: the latest list size on or before 1 April, the lower middle of two */
static void
test_example (Fixture *f, gconstpointer data)
{
  g_autoptr(LesServiceDraft) ecg = load (f, "ECG", FY);
  g_autoptr(LesServiceDraft) elf = load (f, "ELF", FY);
  LesExampleBasis basis;
  LesRuleExample example = { 0 };
  g_autoptr(GError) error = NULL;

  les_service_example_basis (f->store, "ECG", FY, "ECG", &basis);
  g_assert_cmpint (basis.registered, ==, 1000);
  g_assert_cmpint (basis.weighted, ==, -1);
  g_assert_cmpint (basis.cohort, ==, -1);
  g_assert_cmpint (basis.units_per_year, ==, 3);
  /* 3 units a year round to none a month: at least one, × £36 */
  g_assert_true (les_rule_example (ecg, 0, &basis, &example, &error));
  g_assert_no_error (error);
  g_assert_true (example.has_month);
  g_assert_cmpint (example.month, ==, 3600);
  g_assert_cmpint (example.year, ==, 43200);
  les_rule_example_clear (&example);

  /* quarterly capitation: 1000 × £0.41 a year, a quarter a time */
  les_service_example_basis (f->store, "ELF", FY, "PHP", &basis);
  g_assert_cmpint (basis.units_per_year, ==, -1);
  g_assert_true (les_rule_example (elf, 0, &basis, &example, &error));
  g_assert_false (example.has_month);
  g_assert_cmpint (example.quarter, ==, 10250);
  g_assert_cmpint (example.year, ==, 41000);
  g_assert_cmpstr (example.explanation, ==, "1000 registered patients × £0.41 a year: £410.00 a year");
  les_rule_example_clear (&example);

  /* the kind, base and rate period in another case are the same choices */
  les_service_draft_set_rule (elf, 0, "kind", "Capitation");
  les_service_draft_set_rule (elf, 0, "rate_per", "QUARTER");
  les_service_draft_set_rule (elf, 0, "base", "Registered");
  les_service_draft_set (elf, "schedule", "Quarterly");
  g_assert_true (les_rule_example (elf, 0, &basis, &example, &error));
  g_assert_cmpint (example.quarter, ==, 41000);
  g_assert_cmpstr (example.explanation, ==, "1000 registered patients × £0.41 a quarter: £1,640.00 a year");
  les_rule_example_clear (&example);

  les_service_draft_set_rule (elf, 0, "kind", "bonus");
  g_assert_false (les_rule_example (elf, 0, &basis, &example, &error));
  g_assert_error (error, LES_ERROR, LES_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "“bonus” is not a rule kind");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("/service-draft/save-and-load", test_save_and_load);
  ADD ("/service-draft/kind-in-any-case", test_kind_in_any_case);
  ADD ("/service-draft/duplicate-rule-codes", test_duplicate_rule_codes);
  ADD ("/service-draft/check-value", test_check_value);
  ADD ("/service-draft/remove-rules", test_remove_rules);
  ADD ("/service-draft/retire-duplicate-undo", test_retire_duplicate_undo);
  ADD ("/service-example/typical-practice", test_example);
#undef ADD

  return g_test_run ();
}
