/* test-import.c: imports of every kind — bad input, all-or-nothing, idempotence, NHS numbers. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-error.h"
#include "les-store-private.h"
#include "test-helpers.h"

typedef struct {
  char     *dir;
  LesStore *store;
} Fixture;

static const char practices_csv[] =
  "practice_code,practice_name,pcn_code,pcn_name,open_date,close_date\n"
  "A81001,Ashford Medical Centre,U81001,Ashford PCN,,\n"
  "A81002,Beechwood Surgery,U81001,Ashford PCN,1998-04-01,\n";
static const char services_csv[] =
  "service_code,year,name,cap_mode,budget,schedule,claim_frequency,claim_deadline_days,start_date,end_date,description\n"
  "ECG,2024/25,ECGs,none,9000.00,monthly,monthly,,,,ECGs\n"
  "ELF,2024/25,ELF,none,,quarterly,monthly,,,,\n";
static const char rules_csv[] =
  "service_code,year,rule_code,kind,description,rate,rate_per,base,max_units_per_practice,max_per_patient,"
  "fixed_amount,upfront_pct,lower_pct,upper_pct,settlement\n"
  "ECG,2024/25,ECG,item,12-lead ECG,36.00,,,,,,,,,\n"
  "ELF,2024/25,PHP,capitation,Per patient,0.41,year,registered,,,,,,,\n";
static const char claims_csv[] =
  "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n"
  "E0001,A81001,ECG,ECG,2024-04,3,2024-05-03\n";

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->store = test_store_new (&f->dir);
  test_import_ok (f->store, f->dir, LES_KIND_PRACTICES, practices_csv);
  test_import_ok (f->store, f->dir, LES_KIND_SERVICES, services_csv);
  test_import_ok (f->store, f->dir, LES_KIND_RULES, rules_csv);
  test_import_ok (f->store, f->dir, LES_KIND_CLAIMS, claims_csv);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  test_remove_dir (f->dir);
  g_free (f->dir);
}

typedef struct {
  const char *path;
  LesKind     kind;
  const char *contents;
  gssize      len;
  const char *messages[4];
} BadCase;

#define CLAIMS_HEADER "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n"

static const BadCase bad_cases[] = {
  { "/import/bad/missing-column", LES_KIND_CLAIMS,
    "claim_ref,practice_code,service_code,item_code,period,submitted_date\n"
    "E0100,A81001,ECG,ECG,2024-05,2024-06-03\n", -1,
    { "bad.csv:1: count: required column is missing from the header" } },
  { "/import/bad/date", LES_KIND_CLAIMS,
    CLAIMS_HEADER "E0100,A81001,ECG,ECG,2024-05,2,31/02/2024\n", -1,
    { "bad.csv:2: submitted_date: expected a date such as 2024-04-01 or 01/04/2024, got “31/02/2024”" } },
  { "/import/bad/period", LES_KIND_CLAIMS,
    CLAIMS_HEADER "E0100,A81001,ECG,ECG,May 2024,2,2024-06-03\n", -1,
    { "bad.csv:2: period: expected a month such as 2024-04, got “May 2024”" } },
  { "/import/bad/amount", LES_KIND_LEDGER,
    "service_code,period,amount,reference\nECG,2024-04,12.3.4,INV-1\n", -1,
    { "bad.csv:2: amount: expected an amount such as 1234.56, got “12.3.4”" } },
  { "/import/bad/negative-count", LES_KIND_CLAIMS,
    CLAIMS_HEADER "E0100,A81001,ECG,ECG,2024-05,-3,2024-06-03\n", -1,
    { "bad.csv:2: count: “-3” is negative; expected a whole number of 0 or more" } },
  { "/import/bad/unknown-practice", LES_KIND_CLAIMS,
    CLAIMS_HEADER "E0100,Z99999,ECG,ECG,2024-05,2,2024-06-03\n", -1,
    { "bad.csv:2: practice_code: no practice “Z99999”; import practices first" } },
  { "/import/bad/not-a-practice-code", LES_KIND_SIGNUPS,
    "practice_code,service_code,year,from_date\n12345,ECG,2024/25,2024-04-01\n", -1,
    { "bad.csv:2: practice_code: “12345” is not a practice code (one letter and five digits, such as M83001)" } },
  { "/import/bad/unknown-service", LES_KIND_CLAIMS,
    CLAIMS_HEADER "E0100,A81001,NOPE,ECG,2024-05,2,2024-06-03\n", -1,
    { "bad.csv:2: service_code: no service “NOPE” in 2024/25; import services first" } },
  { "/import/bad/service-in-another-year", LES_KIND_LEDGER,
    "service_code,period,amount,reference\nECG,2025-04,10.00,INV-1\n", -1,
    { "bad.csv:2: service_code: no service “ECG” in 2025/26; import services first" } },
  { "/import/bad/unknown-rule", LES_KIND_CLAIMS,
    CLAIMS_HEADER "E0100,A81001,ECG,XYZ,2024-05,2,2024-06-03\n", -1,
    { "bad.csv:2: item_code: service ECG has no rule “XYZ” in 2024/25" } },
  { "/import/bad/claim-on-scheduled-rule", LES_KIND_CLAIMS,
    CLAIMS_HEADER "E0100,A81001,ELF,PHP,2024-05,2,2024-06-03\n", -1,
    { "bad.csv:2: item_code: rule “PHP” of service ELF is a capitation rule; claims name item rules" } },
  { "/import/bad/duplicate-key", LES_KIND_PRACTICES,
    "practice_code,practice_name,pcn_code\nA81003,One,U81001\nA81004,Two,U81001\nA81003,Three,U81001\n", -1,
    { "bad.csv:4: practice_code: duplicate key A81003: the same as line 2" } },
  /* issue #12, 4: a COLUMN wherever one applies; a key of several columns names them all */
  { "/import/bad/duplicate-key-columns", LES_KIND_LIST_SIZES,
    "practice_code,date,registered\nA81001,2024-04-01,10\nA81001,2024-10-01,11\nA81001,01/04/2024,12\n", -1,
    { "bad.csv:4: practice_code,date: duplicate key A81001/2024-04-01: the same as line 2" } },
  { "/import/bad/duplicate-column", LES_KIND_CLAIMS,
    "claim_ref,practice_code,service_code,item_code,period,count,submitted_date,COUNT\n"
    "E0100,A81001,ECG,ECG,2024-05,2,2024-06-03,200\n", -1,
    { "bad.csv:1: count: the header names this column twice (columns 6 and 8); keep one" } },
  { "/import/bad/too-many-values", LES_KIND_CLAIMS,
    CLAIMS_HEADER "E0100,A81001,ECG,ECG,2024-05,2,2024-06-03,1\n", -1,
    { "bad.csv:2: 8 values, but the header names 7 columns; is a comma inside a value not quoted?" } },
  { "/import/bad/duplicate-claim-in-file", LES_KIND_CLAIMS,
    CLAIMS_HEADER "E0100,A81001,ECG,ECG,2024-05,2,2024-06-03\nE0100,A81001,ECG,ECG,2024-05,2,2024-06-03\n", -1,
    { "bad.csv:3: claim_ref: claim E0100 appears more than once in this file" } },
  { "/import/bad/claim-changed", LES_KIND_CLAIMS,
    CLAIMS_HEADER "E0001,A81001,ECG,ECG,2024-04,5,2024-05-03\n", -1,
    { "bad.csv:2: claim_ref: claim E0001 already exists with different values (count 3, not 5); "
      "withdraw it and send a new claim" } },
  { "/import/bad/unterminated-quote", LES_KIND_CLAIMS,
    CLAIMS_HEADER "E0100,\"A81001,ECG,ECG,2024-05,2,2024-06-03\nE0101,A81001,ECG,ECG,2024-05,2,2024-06-03\n", -1,
    { "bad.csv:2: practice_code: a quoted field is not closed before the end of the file" } },
  { "/import/bad/text-after-quote", LES_KIND_CLAIMS,
    CLAIMS_HEADER "E0100,\"A81001\"x,ECG,ECG,2024-05,2,2024-06-03\n", -1,
    { "bad.csv:2: practice_code: malformed CSV: error parsing data while strict checking enabled "
      "(a quote inside an unquoted field, or text after a closing quote)" } },
  { "/import/bad/empty-file", LES_KIND_CLAIMS, "", 0,
    { "bad.csv:1: the file is empty; expected a header row naming the claims columns" } },
  { "/import/bad/invalid-utf8", LES_KIND_PRACTICES,
    "practice_code,practice_name,pcn_code\nA81003,Caf\xe9 Surgery,U81001\n", -1,
    { "bad.csv:2: practice_name: is not valid UTF-8 text" } },
  { "/import/bad/rule-needs-rate", LES_KIND_RULES,
    "service_code,year,rule_code,kind\nECG,2024/25,ECG2,item\n", -1,
    { "bad.csv:2: rate: a rule of kind “item” needs a value here" } },
  { "/import/bad/threshold-needs-thresholds", LES_KIND_RULES,
    "service_code,year,rule_code,kind,upfront_pct,lower_pct,upper_pct\nECG,2024/25,T,threshold,120,,50\n", -1,
    { "bad.csv:2: upfront_pct: “120” is out of range; expected a percentage from 0 to 100",
      "bad.csv:2: lower_pct: a rule of kind “threshold” needs a value here" } },
  { "/import/bad/choice", LES_KIND_SERVICES,
    "service_code,year,name,cap_mode\nWOUND,2024/25,Wound care,sometimes\n", -1,
    { "bad.csv:2: cap_mode: “sometimes” is not one of none, hold, prorata" } },
  { "/import/bad/year", LES_KIND_SERVICES,
    "service_code,year,name\nWOUND,2024/26,Wound care\n", -1,
    { "bad.csv:2: year: expected a financial year such as 2024/25, got “2024/26”" } },
  { "/import/bad/required-value", LES_KIND_PRACTICES,
    "practice_code,practice_name,pcn_code\nA81003,,U81001\n", -1,
    { "bad.csv:2: practice_name: a value is required" } },
  { "/import/bad/dates-out-of-order", LES_KIND_SIGNUPS,
    "practice_code,service_code,year,from_date,to_date\nA81001,ECG,2024/25,2024-06-01,2024-05-31\n", -1,
    { "bad.csv:2: to_date: 2024-05-31 is before from_date 2024-06-01" } },
  { "/import/bad/code-characters", LES_KIND_SERVICES,
    "service_code,year,name\nRULE:ACH,2024/25,Colon\n", -1,
    { "bad.csv:2: service_code: “RULE:ACH” may hold only letters, digits, “-” and “_”" } },
  { "/import/bad/patient-line-unknown-claim", LES_KIND_PATIENT_ACTIVITY,
    "claim_ref,nhs_number,activity_date\nE9999,9434765919,2024-04-03\n", -1,
    { "bad.csv:2: claim_ref: no claim “E9999”; import the claims first" } },
  /* line numbers count blank lines, CRLF ends and rows that span lines */
  { "/import/bad/line-numbers", LES_KIND_CLAIMS,
    "\xEF\xBB\xBF" "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\r\n"
    "\r\n"
    "E0100,A81001,ECG,ECG,2024-05,2,2024-06-03\r\n"
    "E0101,A81001,ECG,\"EC\nG\",2024-05,2,2024-06-03\r\n"
    "E0102,A81001,ECG,ECG,2024-05,x,2024-06-03\r\n", -1,
    { "bad.csv:4: item_code: “EC\\nG” may hold only letters, digits, “-” and “_”",
      "bad.csv:6: count: expected a whole number, got “x”" } },
  /* issue #12, 4: lines were counted on LF only, so a CR-only file said line 1 */
  { "/import/bad/cr-line-numbers", LES_KIND_CLAIMS,
    "claim_ref,practice_code,service_code,item_code,period,count,submitted_date\r"
    "E0100,A81001,ECG,ECG,2024-05,2,2024-06-03\r"
    "\r"
    "E0101,A81001,ECG,ECG,2024-05,x,2024-06-03\r"
    "E0102,A81001,ECG,\"EC\rG\",2024-05,2,2024-06-03\r"
    "E0103,A81001,ECG,ECG,2024-05,y,2024-06-03", -1,
    { "bad.csv:4: count: expected a whole number, got “x”",
      "bad.csv:5: item_code: “EC\\rG” may hold only letters, digits, “-” and “_”",
      "bad.csv:7: count: expected a whole number, got “y”" } },
  /* echoed values can neither forge a line of output nor reach the terminal, and are shortened */
  { "/import/bad/value-forging-a-line", LES_KIND_CLAIMS,
    CLAIMS_HEADER "E0100,A81001,ECG,ECG,2024-05,\"2\nclaims bad.csv: 1 rows, 1 new\",2024-06-03\n", -1,
    { "bad.csv:2: count: expected a whole number, got “2\\nclaims bad.csv: 1 rows, 1 new”" } },
  { "/import/bad/value-escape-sequence", LES_KIND_SERVICES,
    "service_code,year,name,cap_mode\nWOUND,2024/25,Wound care,\x1b[2J\x1b]0;owned\x07\t\xc2\x9b\xe2\x80\xae\n", -1,
    { "bad.csv:2: cap_mode: “\\x1B[2J\\x1B]0;owned\\x07\\t\\u009B\\u202E” is not one of none, hold, prorata" } },
  { "/import/bad/value-shortened", LES_KIND_CLAIMS,
    CLAIMS_HEADER "E0100,A81001,ECG,ECG,2024-05,"
    "12345678901234567890123456789012345678901234567890123456789012345678901234567890,2024-06-03\n", -1,
    { "bad.csv:2: count: expected a whole number, got “123456789012345678901234567890123456789012345678901234567890…”" } },
};

static void
test_bad_input (Fixture *f, gconstpointer data)
{
  const BadCase *c = data;
  g_autofree char *before = test_snapshot (f->store, 2024);
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  gint64 audit_rows = les_store_count_rows (f->store, "audit");
  gboolean ok;
  guint expected = 0;

  messages = test_import_text (f->store, f->dir, c->kind, "bad.csv", c->contents, c->len, &ok, &error);
  for (guint i = 0; i < messages->len; i++)
    g_test_message ("got: %s", (char *) messages->pdata[i]);
  g_assert_false (ok);
  g_assert_error (error, LES_ERROR, LES_ERROR_BAD_INPUT);
  g_assert_true (g_str_has_suffix (error->message, "nothing was imported"));

  for (; expected < G_N_ELEMENTS (c->messages) && c->messages[expected] != NULL; expected++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < messages->len && !found; i++)
        found = strcmp (messages->pdata[i], c->messages[expected]) == 0;
      if (!found)
        g_error ("expected message not reported: %s", c->messages[expected]);
    }
  g_assert_cmpuint (messages->len, ==, expected);

  after = test_snapshot (f->store, 2024);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (les_store_count_rows (f->store, "audit"), ==, audit_rows);
}

static void
test_huge_field (Fixture *f, gconstpointer data)
{
  gsize size = 10 * 1024 * 1024;
  GString *csv = g_string_new ("practice_code,practice_name,pcn_code\nA81003,\"");
  g_autofree char *before = test_snapshot (f->store, 2024);
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  for (gsize i = 0; i < size; i++)
    g_string_append_c (csv, 'a' + i % 26);
  g_string_append (csv, "\",U81001\n");
  messages = test_import_text (f->store, f->dir, LES_KIND_PRACTICES, "bad.csv", csv->str, csv->len, &ok, &error);
  g_string_free (csv, TRUE);
  g_assert_false (ok);
  g_assert_error (error, LES_ERROR, LES_ERROR_BAD_INPUT);
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_cmpstr (messages->pdata[0], ==,
                   "bad.csv:2: a row longer than 1048576 bytes; is this a CSV file, with its quotes closed?");
  after = test_snapshot (f->store, 2024);
  g_assert_cmpstr (before, ==, after);
}

static void
test_header_only (Fixture *f, gconstpointer data)
{
  g_autofree char *before = test_snapshot (f->store, 2024);
  g_autofree char *after = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  messages = test_import_text (f->store, f->dir, LES_KIND_CLAIMS, "empty.csv", CLAIMS_HEADER, -1, &ok, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_cmpstr (messages->pdata[0], ==, "empty.csv: no rows to import after the header");
  after = test_snapshot (f->store, 2024);
  g_assert_cmpstr (before, ==, after);
}

static void
test_all_errors_reported (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  messages = test_import_text (f->store, f->dir, LES_KIND_CLAIMS, "bad.csv",
                               CLAIMS_HEADER
                               "E0100,A81001,ECG,ECG,2024-05,2,2024-06-03\n"
                               "E0101,Z00000,ECG,ECG,2024-05,2,2024-06-03\n"
                               "E0102,A81001,ECG,ECG,2024-05,2,2024-06-03\n"
                               "E0103,A81001,ECG,ECG,2024-15,-2,2024-06-03\n", -1, &ok, &error);
  g_assert_false (ok);
  g_assert_cmpuint (messages->len, ==, 3);
  g_assert_true (g_str_has_prefix (messages->pdata[0], "bad.csv:3: practice_code:"));
  g_assert_true (g_str_has_prefix (messages->pdata[1], "bad.csv:5: period:"));
  g_assert_true (g_str_has_prefix (messages->pdata[2], "bad.csv:5: count:"));
  g_assert_cmpstr (error->message, ==, "bad.csv: 2 bad rows; nothing was imported");
  /* the good rows did not land either */
  g_assert_cmpint (les_store_count_rows (f->store, "claims"), ==, 1);
}

/* A row the database itself refuses (here a trigger) fails the import with
 * that row's message.  On PostgreSQL that failure spoils the transaction, so
 * the import stops there rather than reporting every later row as failing
 * too; SQLite goes on, and the later rows are good. */
static void
test_database_refuses_a_row (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (test_backend_is_pg ())
    g_assert_true (les_store_exec (f->store,
                                   "CREATE FUNCTION refuse () RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                                   "IF NEW.practice_code = 'A81005' THEN RAISE EXCEPTION 'refused'; END IF; "
                                   "RETURN NEW; END $$; "
                                   "CREATE TRIGGER refuse BEFORE INSERT ON practices FOR EACH ROW "
                                   "EXECUTE FUNCTION refuse ()", NULL));
  else
    g_assert_true (les_store_exec (f->store,
                                   "CREATE TRIGGER refuse BEFORE INSERT ON practices "
                                   "WHEN NEW.practice_code = 'A81005' BEGIN SELECT RAISE (ABORT, 'refused'); END",
                                   NULL));
  messages = test_import_text (f->store, f->dir, LES_KIND_PRACTICES, "p.csv",
                               "practice_code,practice_name,pcn_code\n"
                               "A81004,Four,U81001\n"
                               "A81005,Five,U81001\n"
                               "A81006,Six,U81001\n"
                               "A81007,Seven,U81001\n", -1, &ok, &error);
  g_assert_false (ok);
  g_assert_error (error, LES_ERROR, LES_ERROR_BAD_INPUT);
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_true (g_str_has_prefix (messages->pdata[0], "p.csv:3: cannot be stored: "));
  g_assert_nonnull (strstr (messages->pdata[0], "refused"));
  g_assert_cmpint (les_store_count_rows (f->store, "practices"), ==, 2);
}

/* Claims past one batch of a server's import (les-import.c loads 10,000 at
 * a time): E1nnnnn from line 2 on, with @bad changing some lines */
#define MANY_CLAIMS 25000

static char *
many_claims (const char *(*bad) (guint line))
{
  GString *csv = g_string_new (CLAIMS_HEADER);

  for (guint i = 0; i < MANY_CLAIMS; i++)
    {
      guint line = i + 2;
      const char *row = bad != NULL ? bad (line) : NULL;

      if (row != NULL)
        g_string_append (csv, row);
      else
        g_string_append_printf (csv, "E%07u,A81001,ECG,ECG,2024-0%u,1,2024-09-30\n", 1000000 + i, 4 + i % 5);
    }
  return g_string_free (csv, FALSE);
}

static const char *
bad_rows (guint line)
{
  switch (line)
    {
    case 5000:   /* within its batch, the claim of line 4000 again */
      return "E1003998,A81001,ECG,ECG,2024-07,1,2024-09-30\n";
    case 12002:  /* a later batch: the claim of line 3, held since the batch before */
      return "E1000001,A81001,ECG,ECG,2024-05,1,2024-09-30\n";
    case 15000:  /* a claim held before the import, its count changed */
      return "E0001,A81001,ECG,ECG,2024-04,5,2024-05-03\n";
    case 15001:  /* and again as it is held: not a message */
      return "E0001,A81001,ECG,ECG,2024-04,3,2024-05-03\n";
    case 15002:  /* a bad cell after them */
      return "E9000001,A81001,ECG,ECG,2024-04,x,2024-05-03\n";
    case 24999:  /* the last, short batch: the claim of line 20,000 again */
      return "E1019998,A81001,ECG,ECG,2024-04,1,2024-09-30\n";
    default:
      return NULL;
    }
}

/* Messages name the same lines in the same order, in one batch and across
 * several, and a good file of many claims lands whole */
static void
test_many_claims (Fixture *f, gconstpointer data)
{
  g_autofree char *bad = many_claims (bad_rows);
  g_autofree char *good = many_claims (NULL);
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  LesImportStats stats = { 0 };
  const char *expected[] = {
    "bad.csv:5000: claim_ref: claim E1003998 appears more than once in this file",
    "bad.csv:12002: claim_ref: claim E1000001 appears more than once in this file",
    "bad.csv:15000: claim_ref: claim E0001 already exists with different values (count 3, not 5); "
    "withdraw it and send a new claim",
    "bad.csv:15002: count: expected a whole number, got “x”",
    "bad.csv:24999: claim_ref: claim E1019998 appears more than once in this file",
  };
  gboolean ok;

  messages = test_import_text (f->store, f->dir, LES_KIND_CLAIMS, "bad.csv", bad, -1, &ok, &error);
  g_assert_false (ok);
  g_assert_cmpstr (error->message, ==, "bad.csv: 5 bad rows; nothing was imported");
  g_assert_cmpuint (messages->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpstr (messages->pdata[i], ==, expected[i]);
  g_assert_cmpint (les_store_count_rows (f->store, "claims"), ==, 1);
  g_clear_error (&error);

  path = test_write_file (f->dir, "good.csv", good, -1);
  file = g_file_new_for_path (path);
  g_assert_true (les_import_file (f->store, LES_KIND_CLAIMS, file, NULL, NULL, NULL, NULL, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stats.inserted, ==, MANY_CLAIMS);
  g_assert_cmpint (les_store_count_rows (f->store, "claims"), ==, MANY_CLAIMS + 1);
  /* again: every claim held as it is */
  g_assert_true (les_import_file (f->store, LES_KIND_CLAIMS, file, NULL, NULL, NULL, NULL, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stats.inserted, ==, 0);
  g_assert_cmpint (stats.unchanged, ==, MANY_CLAIMS);
}

static const char *
refused_row (guint line)
{
  return line == 15000 ? "E7777777,A81001,ECG,ECG,2024-04,1,2024-05-03\n" : NULL;
}

/* A claim the database itself refuses, in the middle of a batch: its line
 * and the database's reason, and nothing kept */
static void
test_many_claims_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *csv = many_claims (refused_row);
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (test_backend_is_pg ())
    g_assert_true (les_store_exec (f->store,
                                   "CREATE FUNCTION refuse () RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                                   "IF NEW.claim_ref = 'E7777777' THEN RAISE EXCEPTION 'refused'; END IF; "
                                   "RETURN NEW; END $$; "
                                   "CREATE TRIGGER refuse BEFORE INSERT ON claims FOR EACH ROW "
                                   "EXECUTE FUNCTION refuse ()", NULL));
  else
    g_assert_true (les_store_exec (f->store,
                                   "CREATE TRIGGER refuse BEFORE INSERT ON claims "
                                   "WHEN NEW.claim_ref = 'E7777777' BEGIN SELECT RAISE (ABORT, 'refused'); END",
                                   NULL));
  messages = test_import_text (f->store, f->dir, LES_KIND_CLAIMS, "c.csv", csv, -1, &ok, &error);
  g_assert_false (ok);
  g_assert_error (error, LES_ERROR, LES_ERROR_BAD_INPUT);
  g_assert_cmpstr (error->message, ==, "c.csv: 1 bad row; nothing was imported");
  g_assert_cmpuint (messages->len, ==, 1);
  g_assert_true (g_str_has_prefix (messages->pdata[0], "c.csv:15000: cannot be stored: "));
  g_assert_nonnull (strstr (messages->pdata[0], "refused"));
  g_assert_cmpint (les_store_count_rows (f->store, "claims"), ==, 1);
}

/* A ledger of 25,000 rows, line N paying £1.00 (@changed: line 15,000 £2.50;
 * @bad: line 20,001 the key of line 3 again and line 22,000 no amount) */
static char *
many_ledger_rows (gboolean changed, gboolean bad)
{
  GString *csv = g_string_new ("service_code,period,amount,reference\n");

  for (guint line = 2; line < 25002; line++)
    {
      guint ref = line - 2;

      if (bad && line == 20001)
        ref = 1;
      g_string_append_printf (csv, "ECG,2024-0%u,%s,R%07u\n", 4 + ref % 5,
                              changed && line == 15000 ? "2.50" : bad && line == 22000 ? "" : "1.00", ref);
    }
  return g_string_free (csv, FALSE);
}

/* A reference kind past one batch: rows new, the same and changed, with
 * the audit trail and messages a row at a time gives */
static void
test_many_ledger_rows (Fixture *f, gconstpointer data)
{
  g_autofree char *first = many_ledger_rows (FALSE, FALSE);
  g_autofree char *changed = many_ledger_rows (TRUE, FALSE);
  g_autofree char *bad = many_ledger_rows (TRUE, TRUE);
  g_autofree char *path = test_write_file (f->dir, "l.csv", first, -1);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  LesImportStats stats = { 0 };
  gint64 audit_rows;
  LesStmt *stmt;
  gboolean ok;

  g_assert_true (les_import_file (f->store, LES_KIND_LEDGER, file, NULL, NULL, NULL, NULL, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stats.inserted, ==, 25000);
  g_assert_cmpint (les_store_count_rows (f->store, "ledger"), ==, 25000);
  audit_rows = les_store_count_rows (f->store, "audit");

  messages = test_import_text (f->store, f->dir, LES_KIND_LEDGER, "bad.csv", bad, -1, &ok, &error);
  g_assert_false (ok);
  g_assert_cmpstr (error->message, ==, "bad.csv: 2 bad rows; nothing was imported");
  g_clear_error (&error);
  g_assert_cmpuint (messages->len, ==, 2);
  g_assert_cmpstr (messages->pdata[0], ==,
                   "bad.csv:20001: service_code,period,reference: duplicate key ECG/2024-05/R0000001: "
                   "the same as line 3");
  g_assert_true (g_str_has_prefix (messages->pdata[1], "bad.csv:22000: amount: "));
  g_assert_cmpint (les_store_count_rows (f->store, "audit"), ==, audit_rows);

  g_object_unref (file);
  g_free (path);
  path = test_write_file (f->dir, "l.csv", changed, -1);
  file = g_file_new_for_path (path);
  g_assert_true (les_import_file (f->store, LES_KIND_LEDGER, file, NULL, NULL, NULL, NULL, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stats.inserted, ==, 0);
  g_assert_cmpint (stats.replaced, ==, 1);
  g_assert_cmpint (stats.unchanged, ==, 24999);
  /* the row replaced, and the import */
  g_assert_cmpint (les_store_count_rows (f->store, "audit"), ==, audit_rows + 2);
  stmt = les_store_prepare (f->store, "SELECT row_key, before, after FROM audit WHERE table_name = 'ledger' "
                                      "AND row_key IS NOT NULL", NULL);
  g_assert_cmpint (les_stmt_step (stmt, NULL), ==, LES_STEP_ROW);
  g_assert_cmpstr (les_stmt_text (stmt, 0), ==, "ECG/2024-07/R0014998");
  g_assert_cmpstr (les_stmt_text (stmt, 1), ==, "amount=100");
  g_assert_cmpstr (les_stmt_text (stmt, 2), ==, "amount=250");
  g_assert_cmpint (les_stmt_step (stmt, NULL), ==, LES_STEP_DONE);
  les_stmt_reset (stmt);
}

static void
test_reimport (Fixture *f, gconstpointer data)
{
  g_autofree char *before = test_snapshot (f->store, 2024);
  g_autofree char *after = NULL;
  g_autofree char *path = test_write_file (f->dir, "p.csv", practices_csv, -1);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  LesImportStats stats;

  g_assert_true (les_import_file (f->store, LES_KIND_PRACTICES, file, NULL, NULL, NULL, NULL, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stats.rows, ==, 2);
  g_assert_cmpint (stats.unchanged, ==, 2);
  g_assert_cmpint (stats.inserted, ==, 0);

  g_clear_object (&file);
  g_free (path);
  path = test_write_file (f->dir, "c.csv", claims_csv, -1);
  file = g_file_new_for_path (path);
  g_assert_true (les_import_file (f->store, LES_KIND_CLAIMS, file, NULL, NULL, NULL, NULL, NULL, &stats, &error));
  g_assert_cmpint (stats.unchanged, ==, 1);
  after = test_snapshot (f->store, 2024);
  g_assert_cmpstr (before, ==, after);
}

static void
test_replace_by_key_is_audited (Fixture *f, gconstpointer data)
{
  LesStmt *stmt;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = test_write_file (f->dir, "p.csv",
                                           "practice_code,practice_name,pcn_code,close_date\n"
                                           "a81002 ,Beechwood Surgery,U81001,31/03/2025\n", -1);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  LesImportStats stats;

  g_assert_true (les_import_file (f->store, LES_KIND_PRACTICES, file, NULL, NULL, NULL, NULL, NULL, &stats, &error));
  g_assert_cmpint (stats.replaced, ==, 1);
  stmt = les_store_prepare (f->store, "SELECT row_key, before, after FROM audit WHERE table_name = 'practices' "
                                      "AND row_key IS NOT NULL", NULL);
  g_assert_cmpint (les_stmt_step (stmt, NULL), ==, LES_STEP_ROW);
  g_assert_cmpstr (les_stmt_text (stmt, 0), ==, "A81002");
  g_assert_cmpstr (les_stmt_text (stmt, 1), ==, "open_date=1998-04-01; close_date=");
  g_assert_cmpstr (les_stmt_text (stmt, 2), ==, "open_date=; close_date=2025-03-31");
  les_stmt_reset (stmt);
}

static void
test_patient_lines (Fixture *f, gconstpointer data)
{
  LesStmt *stmt;
  g_autofree char *expected = les_store_hash_nhs_number (f->store, "9434765919", NULL);
  g_autofree char *exported = NULL;

  test_import_ok (f->store, f->dir, LES_KIND_PATIENT_ACTIVITY,
                  "claim_ref,nhs_number,activity_date\n"
                  "E0001,943 476 5919,2024-04-03\n"
                  "E0001,9434765918,2024-04-04\n"
                  "E0001,12345,03/04/2024\n");
  stmt = les_store_prepare (f->store, "SELECT line_no, nhs_hash, activity_date FROM patient_lines ORDER BY line_no",
                            NULL);
  g_assert_cmpint (les_stmt_step (stmt, NULL), ==, LES_STEP_ROW);
  g_assert_cmpstr (les_stmt_text (stmt, 1), ==, expected);
  g_assert_cmpint (les_stmt_step (stmt, NULL), ==, LES_STEP_ROW);
  g_assert_true (les_stmt_is_null (stmt, 1));
  g_assert_cmpint (les_stmt_step (stmt, NULL), ==, LES_STEP_ROW);
  g_assert_true (les_stmt_is_null (stmt, 1));
  g_assert_cmpstr (les_stmt_text (stmt, 2), ==, "2024-04-03");
  g_assert_cmpint (les_stmt_step (stmt, NULL), ==, LES_STEP_DONE);
  les_stmt_reset (stmt);

  /* the number itself is nowhere in the file */
  exported = test_snapshot (f->store, 2024);
  g_assert_null (strstr (exported, "9434765919"));

  /* re-importing the claim's lines replaces them */
  test_import_ok (f->store, f->dir, LES_KIND_PATIENT_ACTIVITY,
                  "claim_ref,nhs_number,activity_date\nE0001,9434765919,2024-04-03\n");
  g_assert_cmpint (les_store_count_rows (f->store, "patient_lines"), ==, 1);
}

static void
test_nhs_digital_list_sizes (Fixture *f, gconstpointer data)
{
  LesStmt *stmt;
  g_autofree char *path = test_write_file (f->dir, "gp-reg-pat-prac-all.csv",
    "PUBLICATION,EXTRACT_DATE,TYPE,CODE,POSTCODE,SEX,AGE,NUMBER_OF_PATIENTS\n"
    "GP_PRAC_PAT_LIST,01JUL2024,GP,A81001,TS18 1HU,ALL,ALL,8701\n"
    "GP_PRAC_PAT_LIST,01JUL2024,GP,A81001,TS18 1HU,MALE,ALL,4300\n"
    "GP_PRAC_PAT_LIST,01JUL2024,GP,A81002,TS18 2AT,ALL,ALL,4000\n"
    "GP_PRAC_PAT_LIST,01JUL2024,GP,Y99999,LS1 1AA,ALL,ALL,1234\n"
    "GP_PRAC_PAT_LIST,01JUL2024,PCN,U81001,TS18 1HU,ALL,ALL,12701\n", -1);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  LesImportStats stats;

  test_import_ok (f->store, f->dir, LES_KIND_LIST_SIZES,
                  "practice_code,date,registered,weighted\nA81001,2024-07-01,8600,8800.5\n");
  g_assert_true (les_import_file (f->store, LES_KIND_LIST_SIZES, file, NULL, NULL, NULL, NULL, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stats.inserted, ==, 2);
  g_assert_cmpint (stats.skipped, ==, 3);

  stmt = les_store_prepare (f->store, "SELECT practice_code, date, registered, weighted FROM list_sizes "
                                      "ORDER BY practice_code", NULL);
  g_assert_cmpint (les_stmt_step (stmt, NULL), ==, LES_STEP_ROW);
  g_assert_cmpstr (les_stmt_text (stmt, 1), ==, "2024-07-01");
  g_assert_cmpint (les_stmt_int (stmt, 2), ==, 8701);
  g_assert_cmpint (les_stmt_int (stmt, 3), ==, 880050);   /* weighted kept */
  g_assert_cmpint (les_stmt_step (stmt, NULL), ==, LES_STEP_ROW);
  g_assert_cmpint (les_stmt_int (stmt, 2), ==, 4000);
  g_assert_true (les_stmt_is_null (stmt, 3));
  les_stmt_reset (stmt);
}

static void
test_detect_kind (void)
{
  const char *claims[] = { "Claim_Ref", "practice_code", "service_code", "item_code", "period", "count",
                           "submitted_date", NULL };
  const char *ledger[] = { "service_code", "period", "amount", "reference", NULL };
  const char *nhs[] = { "PUBLICATION", "EXTRACT_DATE", "TYPE", "CODE", "NUMBER_OF_PATIENTS", NULL };
  const char *junk[] = { "a", "b", NULL };

  g_assert_cmpint (les_kind_detect (claims), ==, LES_KIND_CLAIMS);
  g_assert_cmpint (les_kind_detect (ledger), ==, LES_KIND_LEDGER);
  g_assert_cmpint (les_kind_detect (nhs), ==, LES_KIND_LIST_SIZES);
  g_assert_cmpint (les_kind_detect (junk), ==, LES_KIND_INVALID);
  g_assert_cmpint (les_kind_from_string ("patient-activity"), ==, LES_KIND_PATIENT_ACTIVITY);
  g_assert_cmpint (les_kind_from_string ("nonsense"), ==, LES_KIND_INVALID);
}

/* The indexes of claims, as "name:sql;…" */
static char *
claims_indexes (LesStore *store)
{
  LesStmt *stmt = les_store_prepare (store, "SELECT name, coalesce (sql, '') FROM sqlite_schema "
                                     "WHERE type = 'index' AND tbl_name = 'claims' ORDER BY name", NULL);
  GString *s = g_string_new (NULL);

  while (les_stmt_step (stmt, NULL) == LES_STEP_ROW)
    g_string_append_printf (s, "%s:%s;", les_stmt_text (stmt, 0), les_stmt_text (stmt, 1));
  les_stmt_reset (stmt);
  return g_string_free (s, FALSE);
}

/* A claims file larger than the claims held is loaded without the
 * secondary indexes, which are made again after it; a failed one leaves
 * them as they were */
static void
test_bulk_claims_indexes (Fixture *f, gconstpointer data)
{
  g_autofree char *before = NULL;
  g_autofree char *after_bad = NULL;
  g_autofree char *after = NULL;
  g_autofree char *check = NULL;
  g_autoptr(GString) csv = g_string_new (CLAIMS_HEADER);
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GError) error = NULL;
  LesStmt *stmt;
  gboolean ok;

  if (test_backend_is_pg ())
    {
      g_test_skip ("SQLite's bulk load: a server keeps its indexes");
      return;
    }
  before = claims_indexes (f->store);
  g_assert_nonnull (strstr (before, "claims_by_year_ref:CREATE INDEX"));
  for (int i = 0; i < 500; i++)
    g_string_append_printf (csv, "B%04d,A8100%d,ECG,ECG,2024-%02d,%d,2024-12-01\n", i, 1 + i % 2, 4 + i % 8, i % 7);
  g_string_append (csv, "B9999,A81001,ECG,NOPE,2024-05,1,2024-06-01\n");
  messages = test_import_text (f->store, f->dir, LES_KIND_CLAIMS, "bulk.csv", csv->str, -1, &ok, &error);
  g_assert_false (ok);
  g_assert_error (error, LES_ERROR, LES_ERROR_BAD_INPUT);
  g_clear_error (&error);
  after_bad = claims_indexes (f->store);
  g_assert_cmpstr (after_bad, ==, before);
  g_assert_cmpint (les_store_count_rows (f->store, "claims"), ==, 1);

  g_string_truncate (csv, csv->len - strlen ("B9999,A81001,ECG,NOPE,2024-05,1,2024-06-01\n"));
  test_import_ok (f->store, f->dir, LES_KIND_CLAIMS, csv->str);
  after = claims_indexes (f->store);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (les_store_count_rows (f->store, "claims"), ==, 501);
  stmt = les_store_prepare (f->store, "PRAGMA integrity_check", NULL);
  g_assert_true (les_stmt_step (stmt, NULL) == LES_STEP_ROW);
  check = g_strdup (les_stmt_text (stmt, 0));
  les_stmt_reset (stmt);
  g_assert_cmpstr (check, ==, "ok");
}

/* Issue #12, item 9: a full disk is one error in words, not an error for every row */
static void
test_disk_full (Fixture *f, gconstpointer data)
{
  g_autoptr(GString) csv = g_string_new ("practice_code,practice_name,pcn_code\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *pragma = NULL;
  LesStmt *stmt;
  gint64 pages;
  gboolean ok;

  if (test_backend_is_pg ())
    {
      g_test_skip ("SQLite's file may be made unable to grow; a server's disk may not");
      return;
    }
  for (int i = 0; i < 5000; i++)
    g_string_append_printf (csv, "B%05d,Practice number %d with a long name,U81001\n", i, i);
  /* the file may not grow: as good as a full disk, to SQLite */
  stmt = les_store_prepare (f->store, "PRAGMA page_count", NULL);
  g_assert_cmpint (les_stmt_step (stmt, NULL), ==, LES_STEP_ROW);
  pages = les_stmt_int64 (stmt, 0);
  les_stmt_reset (stmt);
  pragma = g_strdup_printf ("PRAGMA max_page_count = %" G_GINT64_FORMAT, pages);
  g_assert_true (les_store_exec (f->store, pragma, NULL));

  messages = test_import_text (f->store, f->dir, LES_KIND_PRACTICES, "many.csv", csv->str, -1, &ok, &error);
  g_assert_false (ok);
  g_assert_error (error, LES_ERROR, LES_ERROR_DISK_FULL);
  g_assert_nonnull (strstr (error->message, "is full"));
  g_assert_cmpuint (messages->len, ==, 0);
  g_assert_cmpint (les_store_count_rows (f->store, "practices"), <, 5000);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    g_test_add (bad_cases[i].path, Fixture, &bad_cases[i], fixture_setup, test_bad_input, fixture_teardown);
  g_test_add ("/import/bad/huge-field", Fixture, NULL, fixture_setup, test_huge_field, fixture_teardown);
  g_test_add ("/import/header-only", Fixture, NULL, fixture_setup, test_header_only, fixture_teardown);
  g_test_add ("/import/all-errors-reported", Fixture, NULL, fixture_setup, test_all_errors_reported,
              fixture_teardown);
  g_test_add ("/import/database-refuses-a-row", Fixture, NULL, fixture_setup, test_database_refuses_a_row,
              fixture_teardown);
  g_test_add ("/import/reimport", Fixture, NULL, fixture_setup, test_reimport, fixture_teardown);
  g_test_add ("/import/many-claims", Fixture, NULL, fixture_setup, test_many_claims, fixture_teardown);
  g_test_add ("/import/many-claims-refused", Fixture, NULL, fixture_setup, test_many_claims_refused,
              fixture_teardown);
  g_test_add ("/import/many-ledger-rows", Fixture, NULL, fixture_setup, test_many_ledger_rows, fixture_teardown);
  g_test_add ("/import/replace-by-key-is-audited", Fixture, NULL, fixture_setup, test_replace_by_key_is_audited,
              fixture_teardown);
  g_test_add ("/import/patient-lines", Fixture, NULL, fixture_setup, test_patient_lines, fixture_teardown);
  g_test_add ("/import/nhs-digital-list-sizes", Fixture, NULL, fixture_setup, test_nhs_digital_list_sizes,
              fixture_teardown);
  g_test_add ("/import/bulk-claims-indexes", Fixture, NULL, fixture_setup, test_bulk_claims_indexes,
              fixture_teardown);
  g_test_add_func ("/import/detect-kind", test_detect_kind);
  g_test_add ("/import/disk-full", Fixture, NULL, fixture_setup, test_disk_full, fixture_teardown);

  return g_test_run ();
}
