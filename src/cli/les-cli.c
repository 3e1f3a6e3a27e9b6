/* les-cli.c: the commands of les-claims-cli (FORMATS.md, "The command line"). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include "les-claims-edit.h"
#include "les-cli.h"
#include "les-column.h"
#include "les-compute.h"
#include "les-enums.h"
#include "les-error.h"
#include "les-export.h"
#include "les-import.h"
#include "les-key-file.h"
#include "les-keyring.h"
#include "les-kinds.h"
#include "les-report.h"
#include "les-results.h"
#include "les-runs.h"
#include "les-statement.h"
#include "les-store.h"
#include "les-team.h"
#include "les-value.h"
#include "les-year-status.h"

typedef struct {
  char      *db;
  char      *year;
  char      *to;
  char      *output;
  char      *reason;
  char      *month;
  char      *run;
  char      *key_file;
  gboolean   all;
  gboolean   dry_run;
  GPtrArray *args;
} Options;

typedef struct {
  gint64      start;
  gboolean    shown;
  const char *what;
} Progress;

static void
options_clear (Options *o)
{
  g_free (o->db);
  g_free (o->year);
  g_free (o->to);
  g_free (o->output);
  g_free (o->reason);
  g_free (o->month);
  g_free (o->run);
  g_free (o->key_file);
  g_clear_pointer (&o->args, g_ptr_array_unref);
}

static const char usage_text[] =
  "Usage:\n"
  "  les-claims-cli [--db DB] init\n"
  "  les-claims-cli [--db DB] import KIND FILE\n"
  "  les-claims-cli [--db DB] compute --year 2024/25 [--to YYYY-MM]\n"
  "  les-claims-cli [--db DB] export KIND --year 2024/25 [-o FILE]\n"
  "  les-claims-cli [--db DB] explain --year 2024/25 PRACTICE SERVICE RULE PERIOD\n"
  "  les-claims-cli [--db DB] set-status STATUS [--reason TEXT] (CLAIM_REF... | --all --year 2024/25)\n"
  "  les-claims-cli [--db DB] status --year 2024/25 [--to YYYY-MM]\n"
  "  les-claims-cli [--db DB] run --year 2024/25 [--month YYYY-MM] [--dry-run]\n"
  "  les-claims-cli [--db DB] reopen --run N --reason TEXT\n"
  "  les-claims-cli [--db DB] statement [--year 2024/25] --run N PRACTICE -o FILE.pdf|FILE.csv\n"
  "  les-claims-cli [--db DB] statement [--year 2024/25] --run N --all -o DIR\n"
  "  les-claims-cli [--db DB] report --year 2024/25 -o FILE.pdf|FILE.csv\n"
  "  les-claims-cli [--db DB] verify [--year 2024/25]\n"
  "  les-claims-cli [--db DB] key export -o FILE\n"
  "  les-claims-cli [--db DB] key import FILE\n"
  "  les-claims-cli --db SERVER_DB team setup\n"
  "  les-claims-cli --db SERVER_DB team add-user NAME ROLE\n"
  "  les-claims-cli --db SERVER_DB team remove-user NAME [ROLE]\n"
  "  les-claims-cli --db SERVER_DB team list\n"
  "  les-claims-cli --db SERVER_DB team separation-of-duties on|off\n"
  "\n"
  "Every command takes --key-file FILE (or LES_CLAIMS_KEY_FILE) to keep the\n"
  "  database's key in FILE (private, mode 600) instead of the keyring.\n"
  "Import kinds: practices, list-sizes, services, rules, signups, cohorts,\n"
  "  allocations, claims, patient-activity, achievements, ledger.\n"
  "Export kinds: the import kinds, and payments, findings, reconciliation.\n"
  "Statuses: %s (queried, rejected\n"
  "  and withdrawn need --reason); approving with --all skips claims with errors.\n"
  "status says what month the year is worked to and whether its figures are out of\n"
  "  date; with --to it keeps that month.  run closes the next open month unless\n"
  "  --month says which; --dry-run shows what it would pay and leave out.\n"
  "statement --all writes DIR/PRACTICE.pdf for every practice of the run and\n"
  "  DIR/statements-run-N.csv with every line of them all.\n"
  "DB is a database file, or a PostgreSQL database: a postgresql:// URI or a\n"
  "  \"host=… dbname=…\" connection string, with libpq's PG* environment variables\n"
  "  and ~/.pgpass (keep passwords there, never on the command line).\n"
  "Team roles (docs/team-server.md): %s.\n"
  "Without --db, the default database: %s\n"
  "Exit status: 0 success, 1 bad input, 2 usage error.\n";

static int
usage (const char *problem)
{
  g_autofree char *path = les_store_default_path ();

  if (problem != NULL)
    g_printerr ("les-claims-cli: %s\n", problem);
  g_printerr (usage_text, les_claim_status_list_words (), les_team_role_list_words (), path);
  return LES_CLI_USAGE;
}

/* Returns FALSE on a usage error, with @problem set. */
static gboolean
parse_options (int argc, char **argv, Options *o, char **problem)
{
  struct { const char *name; char **slot; } valued[] = {
    { "--db", &o->db }, { "--year", &o->year }, { "--to", &o->to },
    { "-o", &o->output }, { "--output", &o->output }, { "--reason", &o->reason },
    { "--month", &o->month }, { "--run", &o->run }, { "--key-file", &o->key_file },
  };

  o->args = g_ptr_array_new_with_free_func (g_free);
  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      gboolean matched = FALSE;

      if (strcmp (arg, "--") == 0)
        {
          for (i++; i < argc; i++)
            g_ptr_array_add (o->args, g_strdup (argv[i]));
          break;
        }
      if (strcmp (arg, "--all") == 0)
        {
          o->all = TRUE;
          continue;
        }
      if (strcmp (arg, "--dry-run") == 0)
        {
          o->dry_run = TRUE;
          continue;
        }
      if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0)
        {
          *problem = NULL;
          return FALSE;
        }
      for (guint v = 0; v < G_N_ELEMENTS (valued) && !matched; v++)
        {
          gsize len = strlen (valued[v].name);

          if (strcmp (arg, valued[v].name) == 0)
            {
              if (i + 1 >= argc)
                {
                  *problem = g_strdup_printf ("%s needs a value", arg);
                  return FALSE;
                }
              g_free (*valued[v].slot);
              *valued[v].slot = g_strdup (argv[++i]);
              matched = TRUE;
            }
          else if (strncmp (arg, valued[v].name, len) == 0 && arg[len] == '=' && valued[v].name[1] == '-')
            {
              g_free (*valued[v].slot);
              *valued[v].slot = g_strdup (arg + len + 1);
              matched = TRUE;
            }
        }
      if (matched)
        continue;
      if (arg[0] == '-' && arg[1] != '\0')
        {
          g_autofree char *shown = les_text_for_message (arg);

          *problem = g_strdup_printf ("unknown option %s", shown);
          return FALSE;
        }
      g_ptr_array_add (o->args, g_strdup (arg));
    }
  return TRUE;
}

static void
progress_cb (double fraction, const char *label, gpointer user_data)
{
  Progress *p = user_data;

  if (!isatty (STDERR_FILENO) || g_get_monotonic_time () - p->start < G_USEC_PER_SEC)
    return;
  g_printerr ("\r%s: %s %3d%%", p->what, label, (int) (fraction * 100));
  p->shown = TRUE;
}

static void
progress_done (Progress *p)
{
  if (p->shown)
    g_printerr ("\r\033[K");
}

static void
message_cb (const char *message, gpointer user_data)
{
  Progress *p = user_data;

  if (p->shown)
    g_printerr ("\r\033[K");
  p->shown = FALSE;
  g_printerr ("%s\n", message);
}

static void
wait_cb (LesStore *store, const char *message, gpointer user_data)
{
  g_printerr ("les-claims-cli: %s\n", message);
}

/* What this command's writes are, for another program that waits for them */
static char *
describe_activity (Options *o)
{
  const char *command = o->args->pdata[0];

  if (strcmp (command, "import") == 0 && o->args->len == 3)
    return g_strdup_printf ("import of %s", (char *) o->args->pdata[2]);
  if (strcmp (command, "compute") == 0 && o->year != NULL)
    return g_strdup_printf ("compute of %s", o->year);
  if (strcmp (command, "set-status") == 0)
    return g_strdup ("change of claim statuses");
  if (strcmp (command, "run") == 0)
    return g_strdup ("payment run");
  if (strcmp (command, "reopen") == 0 && o->run != NULL)
    return g_strdup_printf ("re-opening of run %s", o->run);
  return g_strdup_printf ("les-claims-cli %s", command);
}

static LesStore *
open_store (Options *o)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = o->db ? g_strdup (o->db) : les_store_default_path ();
  g_autofree char *activity = describe_activity (o);
  LesStore *store = les_store_open (path, &error);

  if (store == NULL)
    {
      g_printerr ("les-claims-cli: %s\n", error->message);
      return NULL;
    }
  for (const char * const *w = les_store_get_warnings (store); *w != NULL; w++)
    g_printerr ("les-claims-cli: warning: %s\n", *w);
  /* a second writer waits, and says for whom */
  les_store_set_activity (store, activity);
  les_store_set_wait_func (store, wait_cb, NULL, NULL);
  return store;
}

static int
exit_for_error (const GError *error)
{
  g_printerr ("les-claims-cli: %s\n", error->message);
  return LES_CLI_BAD_INPUT;
}

/* The values of the command line, read as an import reads a cell of such a column */
static const LesColumn year_arg = { "--year", LES_COL_YEAR, TRUE };
static const LesColumn to_arg = { "--to", LES_COL_PERIOD, TRUE };
static const LesColumn month_arg = { "--month", LES_COL_PERIOD, TRUE };
static const LesColumn period_arg = { "PERIOD", LES_COL_PERIOD, TRUE };
static const LesColumn practice_arg = { "PRACTICE", LES_COL_ODS, TRUE };
static const LesColumn service_arg = { "SERVICE", LES_COL_CODE, TRUE };
static const LesColumn rule_arg = { "RULE", LES_COL_CODE, TRUE };
static const LesColumn claim_ref_arg = { "CLAIM_REF", LES_COL_CODE, TRUE };
static const LesColumn status_arg = { "STATUS", LES_COL_CHOICE, TRUE, les_claim_status_words };

/* @text as a cell of @col (les_column_parse()); @value may point into *@copy */
static gboolean
parse_arg (const LesColumn *col, const char *text, char **copy, LesValue *value, char **problem)
{
  g_autoptr(GError) error = NULL;

  *copy = g_strdup (text);
  if (les_column_parse (col, *copy, value, &error))
    return TRUE;
  *problem = g_strdup_printf ("%s: %s", col->name, error->message);
  return FALSE;
}

/* A month (YYYY-MM) of @col */
static gboolean
parse_period (const LesColumn *col, const char *text, gint32 *period, char **problem)
{
  g_autofree char *copy = NULL;
  LesValue value;

  if (!parse_arg (col, text, &copy, &value, problem))
    return FALSE;
  *period = (gint32) value.i;
  return TRUE;
}

/* A code (trimmed, upper-cased) of @col; NULL with @problem set when it is not one */
static char *
parse_code (const LesColumn *col, const char *text, char **problem)
{
  g_autofree char *copy = NULL;
  LesValue value;

  if (!parse_arg (col, text, &copy, &value, problem))
    return NULL;
  return g_strdup (les_value_get_text (&value));
}

static gboolean
parse_year (Options *o, int *fy, char **problem)
{
  g_autofree char *copy = NULL;
  LesValue value;

  if (o->year == NULL)
    {
      *problem = g_strdup ("--year is required");
      return FALSE;
    }
  if (!parse_arg (&year_arg, o->year, &copy, &value, problem))
    return FALSE;
  *fy = (int) value.i;
  return TRUE;
}

/* Commands */

static int
cmd_init (Options *o)
{
  g_autoptr(LesStore) store = NULL;

  if (o->args->len != 1)
    return usage ("init takes no arguments");
  store = open_store (o);
  if (store == NULL)
    return LES_CLI_BAD_INPUT;
  g_print ("%s: ready (schema version %d)\n", les_store_get_location (store),
           les_store_get_schema_version (store));
  return LES_CLI_OK;
}

static int
cmd_import (Options *o)
{
  g_autoptr(LesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  LesImportStats stats;
  Progress progress = { g_get_monotonic_time (), FALSE, NULL };
  const char *path;
  LesKind kind;

  if (o->args->len != 3)
    return usage ("import takes a KIND and a FILE");
  kind = les_kind_from_string (o->args->pdata[1]);
  if (kind == LES_KIND_INVALID)
    {
      g_autofree char *shown = les_text_for_message (o->args->pdata[1]);
      g_autofree char *problem = g_strdup_printf ("unknown import kind “%s”", shown);
      return usage (problem);
    }
  path = o->args->pdata[2];
  progress.what = path;
  store = open_store (o);
  if (store == NULL)
    return LES_CLI_BAD_INPUT;

  file = g_file_new_for_commandline_arg (path);
  if (!les_import_file (store, kind, file, path, message_cb, progress_cb, &progress, NULL, &stats, &error))
    {
      progress_done (&progress);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)
          || !g_error_matches (error, LES_ERROR, LES_ERROR_BAD_INPUT))
        g_printerr ("%s: %s\n", path, error->message);
      else
        g_printerr ("%s\n", error->message);
      return LES_CLI_BAD_INPUT;
    }
  progress_done (&progress);
  {
    g_autofree char *rows = les_count_format_display (stats.rows);
    g_autofree char *inserted = les_count_format_display (stats.inserted);
    g_autofree char *replaced = les_count_format_display (stats.replaced);
    g_autofree char *unchanged = les_count_format_display (stats.unchanged);
    g_autofree char *skipped = les_count_format_display (stats.skipped);

    g_print ("%s: %s rows of %s: %s new, %s changed, %s unchanged, %s skipped\n", path, rows,
             les_kind_to_string (kind), inserted, replaced, unchanged, skipped);
  }
  return LES_CLI_OK;
}

static GOutputStream *
open_output (Options *o, GFileOutputStream **file_out, GError **error)
{
  if (o->output == NULL || strcmp (o->output, "-") == 0)
    return g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  {
    g_autoptr(GFile) file = g_file_new_for_commandline_arg (o->output);

    /* replaced atomically on close, so a failed export leaves the old file */
    *file_out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error);
    if (*file_out == NULL)
      return NULL;
    return g_object_ref (G_OUTPUT_STREAM (*file_out));
  }
}

static int
cmd_export (Options *o)
{
  static const char *results[] = { "payments", "findings", "reconciliation", NULL };
  g_autoptr(LesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileOutputStream) file_out = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autofree char *problem = NULL;
  const char *kind_name;
  LesKind kind;
  gboolean ok;
  int fy;

  if (o->args->len != 2)
    return usage ("export takes a KIND");
  kind_name = o->args->pdata[1];
  kind = les_kind_from_string (kind_name);
  if (kind == LES_KIND_INVALID && !g_strv_contains (results, kind_name))
    {
      g_autofree char *shown = les_text_for_message (kind_name);

      problem = g_strdup_printf ("unknown export kind “%s”", shown);
      return usage (problem);
    }
  if (!parse_year (o, &fy, &problem))
    return usage (problem);

  store = open_store (o);
  if (store == NULL)
    return LES_CLI_BAD_INPUT;
  out = open_output (o, &file_out, &error);
  if (out == NULL)
    return exit_for_error (error);

  if (kind != LES_KIND_INVALID)
    ok = les_export_table (store, kind, fy, out, NULL, &error);
  else
    ok = les_results_write_csv (store, kind_name, fy, out, NULL, &error);

  if (!ok)
    {
      /* an unfinished file is discarded, the previous one kept */
      if (file_out != NULL)
        {
          g_autoptr(GCancellable) cancel = g_cancellable_new ();

          g_cancellable_cancel (cancel);
          g_output_stream_close (G_OUTPUT_STREAM (file_out), cancel, NULL);
        }
      return exit_for_error (error);
    }
  if (!g_output_stream_close (out, NULL, &error))
    return exit_for_error (error);
  return LES_CLI_OK;
}

/* Commands of the claims engine: compute and explain (les-compute.h) */

static int
cmd_compute (Options *o)
{
  g_autoptr(LesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  LesComputeSummary sum;
  Progress progress = { g_get_monotonic_time (), FALSE, "compute" };
  gint32 to = 0;
  int fy;

  if (o->args->len != 1)
    return usage ("compute takes no arguments besides --year and --to");
  if (!parse_year (o, &fy, &problem))
    return usage (problem);
  if (o->to != NULL && !parse_period (&to_arg, o->to, &to, &problem))
    return usage (problem);
  store = open_store (o);
  if (store == NULL)
    return LES_CLI_BAD_INPUT;
  if (!les_compute_year (store, fy, to, progress_cb, &progress, NULL, &sum, &error))
    {
      progress_done (&progress);
      return exit_for_error (error);
    }
  progress_done (&progress);
  {
    g_autofree char *year = les_year_format (fy);
    g_autofree char *payable = les_money_format_display (sum.payable);
    g_autofree char *held = les_money_format_display (sum.held);
    g_autofree char *claims = les_count_format_display (sum.n_claims);
    g_autofree char *lines = les_count_format_display (sum.n_lines);
    g_autofree char *findings = les_count_format_display (sum.n_findings);
    g_autofree char *errors = les_count_format_display (sum.n_errors);
    g_autofree char *warnings = les_count_format_display (sum.n_warnings);
    char to_text[8];

    les_period_format (sum.to_period, to_text);
    g_print ("%s to %s: %s claims, %s payment lines, payable %s, held %s; %s findings (%s errors, %s warnings)\n",
             year, to_text, claims, lines, payable, held, findings, errors, warnings);
  }
  return LES_CLI_OK;
}

static int
cmd_explain (Options *o)
{
  g_autoptr(LesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) text = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *practice = NULL;
  g_autofree char *service = NULL;
  g_autofree char *rule = NULL;
  gint32 period = 0;
  int fy;

  if (o->args->len != 5)
    return usage ("explain takes a PRACTICE, SERVICE, RULE and PERIOD");
  if (!parse_year (o, &fy, &problem))
    return usage (problem);
  if ((practice = parse_code (&practice_arg, o->args->pdata[1], &problem)) == NULL
      || (service = parse_code (&service_arg, o->args->pdata[2], &problem)) == NULL
      || (rule = parse_code (&rule_arg, o->args->pdata[3], &problem)) == NULL
      || !parse_period (&period_arg, o->args->pdata[4], &period, &problem))
    return usage (problem);
  store = open_store (o);
  if (store == NULL)
    return LES_CLI_BAD_INPUT;
  text = les_compute_explain (store, fy, practice, service, rule, period, &error);
  if (text == NULL)
    return exit_for_error (error);
  for (guint i = 0; i < text->len; i++)
    g_print ("%s\n", (char *) text->pdata[i]);
  return LES_CLI_OK;
}

/* Commands of payment runs: set-status, run, reopen, statement, report (les-runs.h) */

/* "E0001: left as it is — it was rejected meanwhile (by alice at …: suspected fraud)" */
static void
print_refusal (const LesClaimsRefusal *r)
{
  g_autofree char *ref = les_text_for_message (r->claim_ref);
  g_autofree char *by = les_text_for_message (r->by);
  g_autofree char *at = les_text_for_message (r->at);
  g_autofree char *reason = les_text_for_message (r->reason);
  g_autofree char *who = NULL;
  const char *now = les_claim_status_to_word (r->now);

  if (r->by != NULL && r->at != NULL)
    who = g_strdup_printf (_("by %s at %s"), by, at);
  else if (r->by != NULL)
    who = g_strdup_printf (_("by %s"), by);
  if (who != NULL && r->reason != NULL)
    g_printerr (_("%s: left as it is — it was %s meanwhile (%s: %s)\n"), ref, now, who, reason);
  else if (who != NULL || r->reason != NULL)
    g_printerr (_("%s: left as it is — it was %s meanwhile (%s)\n"), ref, now, who != NULL ? who : reason);
  else
    g_printerr (_("%s: left as it is — it was %s meanwhile\n"), ref, now);
}

static int
cmd_set_status (Options *o)
{
  g_autoptr(LesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GArray) seen = NULL;
  g_autoptr(LesClaimsChange) change = NULL;
  GArray *refused;
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *problem = NULL;
  g_autofree char *status_copy = NULL;
  LesValue status_value;
  LesClaimStatus status_code;
  const char *status;
  int fy = 0;

  if (o->args->len < 2)
    return usage ("set-status takes a STATUS and CLAIM_REFs, or --all --year");
  if (!parse_arg (&status_arg, o->args->pdata[1], &status_copy, &status_value, &problem))
    {
      g_autofree char *shown = les_text_for_message (o->args->pdata[1]);

      g_free (problem);
      problem = g_strdup_printf ("“%s” is not a claim status", shown);
      return usage (problem);
    }
  status = les_value_get_text (&status_value);
  status_code = (LesClaimStatus) status_value.i;
  if (o->all != (o->args->len == 2))
    return usage ("set-status takes either CLAIM_REFs or --all --year, not both");
  if (o->all && !parse_year (o, &fy, &problem))
    return usage (problem);
  for (guint i = 2; i < o->args->len; i++)
    {
      char *ref = parse_code (&claim_ref_arg, o->args->pdata[i], &problem);

      if (ref == NULL)
        return usage (problem);
      g_ptr_array_add (refs, ref);
    }
  g_ptr_array_add (refs, NULL);
  if (les_claim_status_needs_reason (status_code) && (o->reason == NULL || g_strstrip (o->reason)[0] == '\0'))
    {
      problem = g_strdup_printf ("set-status %s needs --reason", status);
      return usage (problem);
    }
  store = open_store (o);
  if (store == NULL)
    return LES_CLI_BAD_INPUT;
  /* --all decides on what it read: a claim decided otherwise in between is left alone */
  if (o->all)
    ids = les_claims_ids_for_year (store, fy, status_code == LES_CLAIM_STATUS_APPROVED, &seen, &error);
  else
    ids = les_claims_ids_for_refs (store, (const char *const *) refs->pdata, &error);
  if (ids == NULL)
    return exit_for_error (error);
  change = les_claims_set_status (store, (const gint64 *) ids->data, seen ? (const LesClaimStatus *) seen->data : NULL,
                                  ids->len, status_code, o->reason, &error);
  if (change == NULL)
    return exit_for_error (error);
  refused = les_claims_change_get_refused (change);
  for (guint i = 0; i < refused->len; i++)
    print_refusal (&g_array_index (refused, LesClaimsRefusal, i));
  {
    g_autofree char *n_changed = les_count_format_display (les_claims_change_get_n_changed (change));
    g_autofree char *n_ids = les_count_format_display (ids->len);

    g_print ("%s: %s of %s claims changed\n", status, n_changed, n_ids);
  }
  if (refused->len > 0)
    {
      g_printerr (g_dngettext (GETTEXT_PACKAGE,
                               "les-claims-cli: %u claim was decided on meanwhile and left as it is; look at it again\n",
                               "les-claims-cli: %u claims were decided on meanwhile and left as they are; look at them again\n",
                               refused->len),
                  refused->len);
      return LES_CLI_BAD_INPUT;
    }
  return LES_CLI_OK;
}

static gboolean
parse_run (Options *o, gint64 *run_id, char **problem)
{
  char *end = NULL;

  if (o->run == NULL)
    {
      *problem = g_strdup ("--run is required");
      return FALSE;
    }
  *run_id = g_ascii_strtoll (o->run, &end, 10);
  if (end == o->run || *end != '\0' || *run_id <= 0)
    {
      g_autofree char *shown = les_text_for_message (o->run);

      *problem = g_strdup_printf ("--run: “%s” is not a run number", shown);
      return FALSE;
    }
  return TRUE;
}

/* "service name" cut to @width characters, for a table */
static char *
cell (const char *text, guint width)
{
  if (text == NULL)
    return g_strdup ("");
  if (g_utf8_strlen (text, -1) <= width)
    return g_strdup (text);
  {
    g_autofree char *cut = g_utf8_substring (text, 0, width - 1);

    return g_strconcat (cut, "…", NULL);
  }
}

/* printf's widths count bytes: pads @text to @width characters */
static void
print_padded (const char *text, guint width, gboolean right)
{
  glong n = g_utf8_strlen (text, -1);

  if (right)
    g_print ("%*s%s", (int) MAX ((glong) width - n, 0), "", text);
  else
    g_print ("%s%*s", text, (int) MAX ((glong) width - n, 0), "");
}

static void
print_preview_row (const LesRunPreviewRow *r, const char *code, const char *name)
{
  g_autofree char *c = cell (code, 8);
  g_autofree char *nm = cell (name, 26);
  g_autofree char *n_paid = les_count_format_display (r->n_paid + r->n_adjustments);
  g_autofree char *paid = les_money_format_display (r->paid + r->adjustments);
  g_autofree char *held = les_money_format_display (r->held);
  g_autofree char *n_waiting = les_count_format_display (r->n_unapproved + r->n_adjustments_waiting);
  g_autofree char *waiting = les_money_format_display (r->unapproved + r->adjustments_waiting);
  g_autofree char *n_later = les_count_format_display (r->n_not_due);
  g_autofree char *later = les_money_format_display (r->not_due);

  g_print ("  ");
  print_padded (c, 9, FALSE);
  print_padded (nm, 27, FALSE);
  print_padded (n_paid, 8, TRUE);
  print_padded (paid, 16, TRUE);
  print_padded (held, 14, TRUE);
  print_padded (n_waiting, 9, TRUE);
  print_padded (waiting, 15, TRUE);
  print_padded (n_later, 8, TRUE);
  print_padded (later, 15, TRUE);
  g_print ("\n");
}

/* What a run would pay and leave out, per service, for people */
static void
print_preview (const LesRunPreview *p)
{
  g_autofree char *year = les_year_format (p->year);
  g_autofree char *n = les_count_format_display (p->totals.n_paid + p->totals.n_adjustments);
  g_autofree char *total = les_money_format_display (p->totals.paid + p->totals.adjustments);
  char month[8], to[8];

  les_period_format (p->month, month);
  les_period_format (p->computed_to, to);
  g_print ("A run closing %s of %s would pay %s lines, %s.\n", month, year, n, total);
  if (p->computed_to != 0)
    g_print ("Figures computed to %s; lines of later months are not yet due.\n", to);
  g_print ("\n  ");
  print_padded ("Service", 36, FALSE);
  print_padded ("Lines", 8, TRUE);
  print_padded ("Paid", 16, TRUE);
  print_padded ("Held", 14, TRUE);
  print_padded ("Waiting", 9, TRUE);
  print_padded ("Waiting £", 15, TRUE);
  print_padded ("Later", 8, TRUE);
  print_padded ("Later £", 15, TRUE);
  g_print ("\n");
  for (guint i = 0; i < p->services->len; i++)
    {
      const LesRunPreviewRow *r = &g_array_index (p->services, LesRunPreviewRow, i);

      print_preview_row (r, r->service_code, r->service_name);
    }
  print_preview_row (&p->totals, "", "Total");
  g_print ("\nPaid: approved and scheduled lines due, and adjustments to earlier runs; held amounts are not "
           "paid.\nWaiting: left out until their claims are approved.  Later: lines of months after %s, left "
           "out.\n", month);
  if (p->totals.n_adjustments + p->totals.n_adjustments_waiting > 0)
    {
      g_autofree char *n_adj = les_count_format_display (p->totals.n_adjustments);
      g_autofree char *adj = les_money_format_display (p->totals.adjustments);
      g_autofree char *n_wait = les_count_format_display (p->totals.n_adjustments_waiting);
      g_autofree char *wait = les_money_format_display (p->totals.adjustments_waiting);

      g_print ("Adjustments to earlier runs: %s paid (%s), %s waiting for approval (%s).\n", n_adj, adj, n_wait,
               wait);
    }
  if (p->stale != 0)
    g_print ("The figures are out of date: the run computes the year again first, so what it pays may "
             "differ.\n");
}

static int
cmd_run (Options *o)
{
  g_autoptr(LesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *year = NULL;
  LesRun run = { 0 };
  gint32 month = 0;
  int fy;

  if (o->args->len != 1)
    return usage ("run takes no arguments besides --year, --month and --dry-run");
  if (!parse_year (o, &fy, &problem))
    return usage (problem);
  if (o->month != NULL && !parse_period (&month_arg, o->month, &month, &problem))
    return usage (problem);
  store = open_store (o);
  if (store == NULL)
    return LES_CLI_BAD_INPUT;
  year = les_year_format (fy);
  /* by default the next open month, never a later one by accident */
  if (month == 0 && (month = les_runs_default_month (store, fy)) == 0)
    {
      g_printerr ("les-claims-cli: every month of %s is closed\n", year);
      return LES_CLI_BAD_INPUT;
    }
  if (o->dry_run)
    {
      g_autoptr(LesRunPreview) preview = les_runs_preview_month (store, fy, month, NULL, &error);

      if (preview == NULL)
        return exit_for_error (error);
      print_preview (preview);
      return LES_CLI_OK;
    }
  if (!les_runs_close_month (store, fy, month, NULL, NULL, NULL, &run, &error))
    return exit_for_error (error);
  {
    g_autofree char *total = les_money_format_display (run.total);
    g_autofree char *lines = les_count_format_display (run.n_lines);
    char month_text[8];

    les_period_format (run.month, month_text);
    g_print ("run %" G_GINT64_FORMAT " closes %s of %s: %s lines, total %s\n", run.run_id, month_text, year, lines,
             total);
  }
  les_run_clear (&run);
  return LES_CLI_OK;
}

/* What month the year is worked to, its compute, and whether the figures are out of date */
static int
cmd_status (Options *o)
{
  g_autoptr(LesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *year = NULL;
  g_autofree char *why = NULL;
  g_auto(LesYearStatus) status = { 0 };
  gint32 to = 0, next;
  char text[8];
  int fy;

  if (o->args->len != 1)
    return usage ("status takes no arguments besides --year and --to");
  if (!parse_year (o, &fy, &problem))
    return usage (problem);
  if (o->to != NULL && !parse_period (&to_arg, o->to, &to, &problem))
    return usage (problem);
  store = open_store (o);
  if (store == NULL)
    return LES_CLI_BAD_INPUT;
  if (to != 0 && !les_year_set_to_period (store, fy, to, &error))
    return exit_for_error (error);
  if (!les_year_status_get (store, fy, &status, &error))
    return exit_for_error (error);

  year = les_year_format (fy);
  les_period_format (status.to_period, text);
  g_print ("%s is worked to %s%s\n", year, text,
           status.to_is_default ? " (by default: the latest month with claims, or the month after the latest run)"
                                : "");
  if (status.computed)
    {
      les_period_format (status.computed_to, text);
      g_print ("computed to %s on %s by %s\n", text, status.computed_at, status.computed_by);
    }
  why = les_year_status_describe (&status);
  g_print ("figures: %s\n", why[0] != '\0' ? why : "up to date");
  next = les_runs_default_month (store, fy);
  if (next == 0)
    g_print ("next month to close: none, March is closed\n");
  else
    {
      g_autoptr(GError) refused = NULL;

      les_period_format (next, text);
      if (les_runs_check_month (store, fy, next, NULL, &refused))
        g_print ("next month to close: %s\n", text);
      else
        g_print ("next month to close: %s, not yet: %s\n", text, refused->message);
    }
  return LES_CLI_OK;
}

static int
cmd_reopen (Options *o)
{
  g_autoptr(LesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *problem = NULL;
  gint64 run_id;

  if (o->args->len != 1)
    return usage ("reopen takes no arguments besides --run and --reason");
  if (!parse_run (o, &run_id, &problem))
    return usage (problem);
  if (o->reason == NULL || g_strstrip (o->reason)[0] == '\0')
    return usage ("reopen needs --reason");
  store = open_store (o);
  if (store == NULL)
    return LES_CLI_BAD_INPUT;
  if (!les_runs_reopen (store, run_id, o->reason, NULL, &error))
    return exit_for_error (error);
  g_print ("run %" G_GINT64_FORMAT " re-opened\n", run_id);
  return LES_CLI_OK;
}

/* -o must name a .pdf or .csv file: TRUE for PDF */
static gboolean
parse_document_output (Options *o, gboolean *pdf, char **problem)
{
  g_autofree char *lower = o->output ? g_ascii_strdown (o->output, -1) : NULL;

  if (lower == NULL || !(g_str_has_suffix (lower, ".pdf") || g_str_has_suffix (lower, ".csv")))
    {
      *problem = g_strdup ("-o FILE.pdf or -o FILE.csv is required");
      return FALSE;
    }
  *pdf = g_str_has_suffix (lower, ".pdf");
  return TRUE;
}

/* Closes @out, or on failure discards the unfinished file and reports @error */
static int
finish_output (GOutputStream *out, gboolean ok, GError *error)
{
  g_autoptr(GError) close_error = NULL;

  if (!ok)
    {
      g_autoptr(GCancellable) cancel = g_cancellable_new ();

      g_cancellable_cancel (cancel);
      g_output_stream_close (out, cancel, NULL);
      return exit_for_error (error);
    }
  if (!g_output_stream_close (out, NULL, &close_error))
    return exit_for_error (close_error);
  return LES_CLI_OK;
}

/* Writes @st's PDF, or with @all the CSV of them all, to @path: replaced whole or not at all */
static gboolean
write_statement_file (LesStatement *st, GPtrArray *all, const char *path, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error);
  gboolean ok;

  if (out == NULL)
    return FALSE;
  ok = all != NULL ? les_statements_write_csv (all, G_OUTPUT_STREAM (out), NULL, error)
                   : les_statement_write_pdf (st, G_OUTPUT_STREAM (out), NULL, error);
  if (!ok)
    {
      g_autoptr(GCancellable) cancel = g_cancellable_new ();

      g_cancellable_cancel (cancel);
      g_output_stream_close (G_OUTPUT_STREAM (out), cancel, NULL);
      return FALSE;
    }
  return g_output_stream_close (G_OUTPUT_STREAM (out), NULL, error);
}

/* statement --all: a PDF per practice and one CSV of every line, in DIR */
static int
statements_all (Options *o, LesStore *store, gint64 run_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autofree char *csv_name = g_strdup_printf ("statements-run-%" G_GINT64_FORMAT ".csv", run_id);
  g_autofree char *csv_path = g_build_filename (o->output, csv_name, NULL);
  gint64 total = 0;

  if (g_mkdir_with_parents (o->output, 0700) != 0)
    {
      g_printerr ("les-claims-cli: %s: cannot create the folder: %s\n", o->output, g_strerror (errno));
      return LES_CLI_BAD_INPUT;
    }
  all = les_runs_statements (store, run_id, NULL, &error);
  if (all == NULL)
    return exit_for_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      LesStatement *st = all->pdata[i];
      g_autofree char *name = g_strdup_printf ("%s.pdf", st->practice_code);
      g_autofree char *path = g_build_filename (o->output, name, NULL);

      if (!write_statement_file (st, NULL, path, &error))
        return exit_for_error (error);
      if (!les_runs_record_statement (store, st, "pdf", &error))
        return exit_for_error (error);
      total += st->payable;
    }
  if (!write_statement_file (NULL, all, csv_path, &error))
    return exit_for_error (error);
  for (guint i = 0; i < all->len; i++)
    if (!les_runs_record_statement (store, all->pdata[i], "csv", &error))
      return exit_for_error (error);
  {
    g_autofree char *n = les_count_format_display (all->len);
    g_autofree char *paid = les_money_format_display (total);

    g_print ("run %" G_GINT64_FORMAT ": %s statements in %s (a PDF each and %s), paid %s\n", run_id, n, o->output,
             csv_name, paid);
  }
  return LES_CLI_OK;
}

static int
cmd_statement (Options *o)
{
  g_autoptr(LesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LesStatement) st = NULL;
  g_autoptr(GFileOutputStream) file_out = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autofree char *problem = NULL;
  g_autofree char *practice = NULL;
  gboolean pdf = FALSE, ok;
  gint64 run_id;
  LesRun run = { 0 };
  int fy = 0, status;

  if (o->all ? o->args->len != 1 : o->args->len != 2)
    return usage ("statement takes a PRACTICE, or --all");
  if ((o->year != NULL && !parse_year (o, &fy, &problem)) || !parse_run (o, &run_id, &problem))
    return usage (problem);
  if (o->all && o->output == NULL)
    return usage ("statement --all needs -o DIR, the folder to write the statements in");
  if (!o->all && (!parse_document_output (o, &pdf, &problem)
                  || (practice = parse_code (&practice_arg, o->args->pdata[1], &problem)) == NULL))
    return usage (problem);
  store = open_store (o);
  if (store == NULL)
    return LES_CLI_BAD_INPUT;
  if (!les_runs_get (store, run_id, &run, &error))
    return exit_for_error (error);
  les_run_clear (&run);
  if (o->year != NULL && run.year != fy)
    {
      g_autofree char *year = les_year_format (fy);

      g_printerr ("les-claims-cli: run %" G_GINT64_FORMAT " is not a run of %s\n", run_id, year);
      return LES_CLI_BAD_INPUT;
    }
  if (o->all)
    return statements_all (o, store, run_id);

  st = les_runs_statement (store, run_id, practice, &error);
  if (st == NULL)
    return exit_for_error (error);
  out = open_output (o, &file_out, &error);
  if (out == NULL)
    return exit_for_error (error);
  ok = pdf ? les_statement_write_pdf (st, out, NULL, &error) : les_statement_write_csv (st, out, NULL, &error);
  status = finish_output (out, ok, error);
  if (status == 0 && !les_runs_record_statement (store, st, pdf ? "pdf" : "csv", &error))
    return exit_for_error (error);
  return status;
}

static int
cmd_report (Options *o)
{
  g_autoptr(LesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LesReport) report = NULL;
  g_autoptr(GFileOutputStream) file_out = NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autofree char *problem = NULL;
  gboolean pdf, ok;
  int fy, status;

  if (o->args->len != 1)
    return usage ("report takes no arguments besides --year and -o");
  if (!parse_year (o, &fy, &problem) || !parse_document_output (o, &pdf, &problem))
    return usage (problem);
  store = open_store (o);
  if (store == NULL)
    return LES_CLI_BAD_INPUT;
  report = les_runs_report (store, fy, &error);
  if (report == NULL)
    return exit_for_error (error);
  out = open_output (o, &file_out, &error);
  if (out == NULL)
    return exit_for_error (error);
  ok = pdf ? les_report_write_pdf (report, out, NULL, &error) : les_report_write_csv (report, out, NULL, &error);
  status = finish_output (out, ok, error);
  if (status == 0 && !les_runs_record_report (store, report, pdf ? "pdf" : "csv", &error))
    return exit_for_error (error);
  return status;
}

/* Tamper evidence and the database key: verify, key export, key import */

static int
cmd_verify (Options *o)
{
  g_autoptr(LesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) breaks = NULL;
  g_autofree char *problem = NULL;
  int fy = 0;

  if (o->args->len != 1)
    return usage ("verify takes no arguments besides --year");
  if (o->year != NULL && !parse_year (o, &fy, &problem))
    return usage (problem);
  store = open_store (o);
  if (store == NULL)
    return LES_CLI_BAD_INPUT;
  breaks = les_store_verify (store, fy, NULL, &error);
  if (breaks == NULL)
    return exit_for_error (error);
  for (guint i = 0; i < breaks->len; i++)
    g_print ("%s\n", (char *) breaks->pdata[i]);
  if (breaks->len > 0)
    {
      g_printerr (g_dngettext (GETTEXT_PACKAGE, "%s: %u break in the audit trail or the payment runs: "
                               "someone changed the file outside LES Claims\n",
                               "%s: %u breaks in the audit trail or the payment runs: "
                               "someone changed the file outside LES Claims\n", breaks->len),
                  les_store_get_location (store), breaks->len);
      return LES_CLI_BAD_INPUT;
    }
  g_print (_("%s: the audit trail (%" G_GINT64_FORMAT " rows) and the payment runs are intact\n"),
           les_store_get_location (store), les_store_count_rows (store, "audit"));
  return LES_CLI_OK;
}

static int
cmd_key (Options *o)
{
  g_autoptr(GError) error = NULL;
  const char *what = o->args->len >= 2 ? o->args->pdata[1] : "";

  if (strcmp (what, "export") == 0)
    {
      g_autoptr(LesStore) store = NULL;
      g_autoptr(GBytes) key = NULL;

      if (o->args->len != 2 || o->output == NULL || strcmp (o->output, "-") == 0)
        return usage ("key export takes -o FILE");
      store = open_store (o);
      if (store == NULL)
        return LES_CLI_BAD_INPUT;
      key = les_store_export_key (store, &error);
      if (key == NULL || !les_key_file_write (o->output, les_store_get_key_id (store), key, &error))
        return exit_for_error (error);
      g_print (_("%s: the key of %s, readable by you only. Keep it as you would the database: with it, NHS "
                 "numbers can be checked against the database. On another desk, “les-claims-cli key import "
                 "%s”, then delete the file.\n"), o->output, les_store_get_location (store), o->output);
      return LES_CLI_OK;
    }
  if (strcmp (what, "import") == 0)
    {
      g_autoptr(LesKeyProvider) provider = NULL;
      g_autofree char *key_id = NULL;
      g_autofree char *path = o->db ? g_strdup (o->db) : les_store_default_path ();
      g_autoptr(GBytes) key = NULL;

      if (o->args->len != 3)
        return usage ("key import takes a FILE");
      if (o->key_file != NULL)
        return usage ("key import puts a key into the keyring; a batch job names the key file with --key-file");
      if (!les_key_file_read (o->args->pdata[2], &key_id, &key, &error))
        return exit_for_error (error);
      provider = les_key_provider_get_default ();
      if (!les_key_provider_save (provider, path, key_id, key, &error))
        return exit_for_error (error);
      /* said of the database when the key is its own */
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_autoptr(LesStore) store = les_store_open (path, NULL);

          if (store != NULL && g_strcmp0 (les_store_get_key_id (store), key_id) == 0)
            {
              if (!les_store_set_key (store, key, &error))
                return exit_for_error (error);
              g_print (_("%s: its key is now in your keyring\n"), path);
              return LES_CLI_OK;
            }
        }
      g_print (_("key %s is now in your keyring\n"), key_id);
      return LES_CLI_OK;
    }
  return usage ("key takes export -o FILE, or import FILE");
}

/* A team database: its roles and policies (les-team.h) */

static int
cmd_team (Options *o)
{
  g_autoptr(LesStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *what = o->args->len >= 2 ? o->args->pdata[1] : "";
  guint n_args = o->args->len;

  if (strcmp (what, "setup") == 0 && n_args == 2)
    {
      if ((store = open_store (o)) == NULL)
        return LES_CLI_BAD_INPUT;
      if (!les_team_setup (store, &error))
        return exit_for_error (error);
      g_print (_("%s: set up for a team — roles les_viewer, les_contract_manager, les_finance and les_admin; "
                 "separation of duties on. Give people roles with “les-claims-cli team add-user NAME ROLE”.\n"),
               les_store_get_location (store));
      return LES_CLI_OK;
    }
  if (strcmp (what, "add-user") == 0 && n_args == 4)
    {
      LesTeamRoles role = les_team_role_from_word (o->args->pdata[3]);

      if (role == 0)
        {
          g_autofree char *problem = g_strdup_printf ("ROLE: “%s” is not a role (%s)", (char *) o->args->pdata[3],
                                                      les_team_role_list_words ());
          return usage (problem);
        }
      if ((store = open_store (o)) == NULL)
        return LES_CLI_BAD_INPUT;
      if (!les_team_add_user (store, o->args->pdata[2], role, &error))
        return exit_for_error (error);
      g_print (_("%s is now %s in %s\n"), (char *) o->args->pdata[2], les_team_role_to_word (role),
               les_store_get_location (store));
      return LES_CLI_OK;
    }
  if (strcmp (what, "remove-user") == 0 && (n_args == 3 || n_args == 4))
    {
      LesTeamRoles role = n_args == 4 ? les_team_role_from_word (o->args->pdata[3]) : 0;

      if (n_args == 4 && role == 0)
        {
          g_autofree char *problem = g_strdup_printf ("ROLE: “%s” is not a role (%s)", (char *) o->args->pdata[3],
                                                      les_team_role_list_words ());
          return usage (problem);
        }
      if ((store = open_store (o)) == NULL)
        return LES_CLI_BAD_INPUT;
      if (!les_team_remove_user (store, o->args->pdata[2], role, &error))
        return exit_for_error (error);
      if (role != 0)
        g_print (_("%s is no longer %s in %s\n"), (char *) o->args->pdata[2], les_team_role_to_word (role),
                 les_store_get_location (store));
      else
        g_print (_("%s has no role in %s any more\n"), (char *) o->args->pdata[2], les_store_get_location (store));
      return LES_CLI_OK;
    }
  if (strcmp (what, "list") == 0 && n_args == 2)
    {
      g_autoptr(GPtrArray) members = NULL;
      gboolean sod = TRUE;

      if ((store = open_store (o)) == NULL)
        return LES_CLI_BAD_INPUT;
      members = les_team_list (store, &error);
      if (members == NULL || !les_team_get_separation_of_duties (store, &sod, &error))
        return exit_for_error (error);
      for (guint i = 0; i < members->len; i++)
        {
          LesTeamMember *m = members->pdata[i];

          g_print ("%s\t%s\n", m->user, les_team_role_to_word (m->role));
        }
      g_print (sod ? _("Separation of duties: on\n") : _("Separation of duties: off\n"));
      return LES_CLI_OK;
    }
  if (strcmp (what, "separation-of-duties") == 0 && n_args == 3)
    {
      const char *value = o->args->pdata[2];
      gboolean on = g_ascii_strcasecmp (value, "on") == 0;

      if (!on && g_ascii_strcasecmp (value, "off") != 0)
        return usage ("team separation-of-duties takes on or off");
      if ((store = open_store (o)) == NULL)
        return LES_CLI_BAD_INPUT;
      if (!les_team_set_separation_of_duties (store, on, &error))
        return exit_for_error (error);
      g_print (on ? _("%s: separation of duties is on: whoever approved a claim cannot close the run that pays it\n")
                  : _("%s: separation of duties is off: anyone in finance can close any run\n"),
               les_store_get_location (store));
      return LES_CLI_OK;
    }
  return usage ("team takes setup, add-user NAME ROLE, remove-user NAME [ROLE], list, "
                "or separation-of-duties on|off");
}

/**
 * les_cli_run:
 *
 * Runs one command; returns the exit status.
 */
int
les_cli_run (int argc, char **argv)
{
  Options o = { 0 };
  g_autofree char *problem = NULL;
  const char *command;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  if (!parse_options (argc, argv, &o, &problem))
    {
      status = problem ? usage (problem) : (usage (NULL), LES_CLI_OK);
      options_clear (&o);
      return status;
    }
  if (o.args->len == 0)
    {
      options_clear (&o);
      return usage ("no command given");
    }

  /* where database keys are kept: the keyring, or a batch job's key file */
  {
    g_autoptr(LesKeyProvider) provider = les_keyring_choose_provider (o.key_file);

    les_key_provider_set_default (provider);
  }

  command = o.args->pdata[0];
  if (strcmp (command, "init") == 0)
    status = cmd_init (&o);
  else if (strcmp (command, "import") == 0)
    status = cmd_import (&o);
  else if (strcmp (command, "export") == 0)
    status = cmd_export (&o);
  else if (strcmp (command, "compute") == 0)
    status = cmd_compute (&o);
  else if (strcmp (command, "explain") == 0)
    status = cmd_explain (&o);
  else if (strcmp (command, "set-status") == 0)
    status = cmd_set_status (&o);
  else if (strcmp (command, "run") == 0)
    status = cmd_run (&o);
  else if (strcmp (command, "status") == 0)
    status = cmd_status (&o);
  else if (strcmp (command, "reopen") == 0)
    status = cmd_reopen (&o);
  else if (strcmp (command, "statement") == 0)
    status = cmd_statement (&o);
  else if (strcmp (command, "report") == 0)
    status = cmd_report (&o);
  else if (strcmp (command, "verify") == 0)
    status = cmd_verify (&o);
  else if (strcmp (command, "key") == 0)
    status = cmd_key (&o);
  else if (strcmp (command, "team") == 0)
    status = cmd_team (&o);
  else
    {
      g_autofree char *shown = les_text_for_message (command);

      problem = g_strdup_printf ("unknown command “%s”", shown);
      status = usage (problem);
    }
  options_clear (&o);
  return status;
}
