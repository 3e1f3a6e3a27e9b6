/* les-import.c: streaming CSV imports through libcsv, all or nothing in one transaction. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <csv.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-column.h"
#include "les-enums.h"
#include "les-error.h"
#include "les-import.h"
#include "les-store-private.h"
#include "les-value.h"
#include "les-year-status.h"

#define CHUNK_SIZE     (64 * 1024)
#define MAX_ROW_BYTES  (1024 * 1024)
#define MAX_COLUMNS    16

typedef struct {
  LesStore             *store;
  LesDb                *db;
  LesKind               kind;
  const LesKindInfo    *info;
  const char           *name;
  LesImportMessageFunc  on_message;
  gpointer              user_data;
  LesImportStats       *stats;

  struct csv_parser     parser;
  GString              *row;           /* the current row's fields, NUL-separated */
  GArray               *offsets;       /* start of each field in row */
  GArray               *bad_utf8;      /* field indexes that are not UTF-8 */
  guint                 line;          /* physical line being fed */
  guint                 row_line;      /* line the current row started on */
  gboolean              after_cr;      /* the last byte fed was a CR: a LF now ends no line */
  gsize                 row_bytes;
  gboolean              header_done;
  gboolean              fatal;
  gboolean              row_failed;
  GError               *db_error;      /* the database as a whole failed: said once */

  GStrv                 header;
  int                   col_index[MAX_COLUMNS];

  /* NHS Digital's registered-patients file */
  gboolean              nhs_digital;
  int                   nd_date, nd_type, nd_code, nd_sex, nd_age, nd_count;

  LesValue              vals[MAX_COLUMNS];   /* the row's cells, pointing into row */
  GString              *key;                 /* a service's or rule's key, rebuilt for each row */

  GHashTable           *practices;     /* code → itself */
  GHashTable           *services;      /* "CODE/2024" → itself */
  GHashTable           *rules;         /* "CODE/2024/RULE" → its LesRuleKind + 1 */
  GHashTable           *seen;          /* key → line number, reference kinds */
  GHashTable           *claim_lines;   /* claim_ref → next line number, patient-activity */
  GHashTable           *touched;       /* "CODE/2024" of the services whose inputs this import changed,
                                          and so the years whose figures it put out of date */
  gboolean              touched_all;   /* … or every service of every year (practices, list sizes) */
  gint64                first_new_claim_id;

  /* Prepared once, before the first row: a claims file has millions */
  char                 *select_sql;
  char                 *insert_sql;
  char                 *update_sql;
  LesStmt              *select_stmt;   /* a reference row by its key */
  LesStmt              *insert_stmt;
  LesStmt              *update_stmt;   /* NULL when every column is the key */
  LesStmt              *pcn_stmt;
  LesStmt              *claim_insert;
  LesStmt              *claim_select;
  LesStmt              *claim_exists;
  LesStmt              *lines_delete;
  LesStmt              *line_insert;
  LesStmt              *list_size_upsert;

  /* A server's rows, a batch at a time (flush_claims(), flush_references()) */
  GArray               *batch;         /* BatchRow, in file order */
  GStringChunk         *batch_text;    /* their texts */
  GHashTable           *batch_first;   /* claim_ref → index + 1 of its first row in the batch */
  GString              *copy_rows;     /* the new ones, as COPY reads them */
  LesStmt              *claims_held;
  char                 *held_sql;      /* a reference kind's rows held, by their keys */
  char                 *copy_sql;
  LesStmt              *held_stmt;
  gboolean              flushing;
  gboolean              stopped;       /* a batch failed: the rows after it are not read, as
                                          when a row of its own fails */
} Import;

/* A row waiting in a batch: its line, key (reference kinds) and cells */
typedef struct {
  guint                 line;
  const char           *key;
  LesValue              vals[MAX_COLUMNS];
} BatchRow;

/* Rows a server loads in one go: a round trip per claim was nine tenths
 * of an import, the server being idle for most of it */
#define BATCH_ROWS 10000

static void flush_batch (Import *imp);

/* Years whose figures an import makes out of date (les_year_note_change()) */

/* Messages */

static void
report (Import *imp, guint line, const char *column, const char *format, ...) G_GNUC_PRINTF (4, 5);

static void
report (Import *imp, guint line, const char *column, const char *format, ...)
{
  g_autofree char *what = NULL;
  g_autofree char *message = NULL;
  va_list args;

  /* the rows waiting in a batch come before this one, and their messages
   * too; when the batch stopped the import, this row is not reached */
  if (imp->batch != NULL && imp->batch->len > 0 && !imp->flushing)
    flush_batch (imp);
  if (imp->stopped)
    return;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (column != NULL)
    message = g_strdup_printf ("%s:%u: %s: %s", imp->name, line, column, what);
  else
    message = g_strdup_printf ("%s:%u: %s", imp->name, line, what);
  imp->row_failed = TRUE;
  if (imp->on_message != NULL)
    imp->on_message (message, imp->user_data);
}

static char *
field (Import *imp, int index)
{
  static char empty[1];

  if (index < 0 || (guint) index >= imp->offsets->len)
    {
      empty[0] = '\0';
      return empty;
    }
  return imp->row->str + g_array_index (imp->offsets, gsize, index);
}

/* Reference sets */

/* "CODE/2024" in imp->key, which a rule's key extends */
static const char *
service_key (Import *imp, const char *code, gint64 year)
{
  char digits[5];

  for (int i = 3; i >= 0; i--, year /= 10)
    digits[i] = '0' + (char) (year % 10);
  digits[4] = '\0';
  g_string_assign (imp->key, code);
  g_string_append_c (imp->key, '/');
  g_string_append_len (imp->key, digits, 4);
  return imp->key->str;
}

/* Fills @set with the first column of @sql; the second, when @rule_kinds, is a rule's kind */
static gboolean
load_set (Import *imp, GHashTable *set, const char *sql, gboolean rule_kinds, GError **error)
{
  LesStmt *stmt = les_store_prepare (imp->store, sql, error);
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      int kind = rule_kinds ? les_rule_kind_from_word (les_stmt_text (stmt, 1)) : 0;

      g_hash_table_insert (set, g_strdup (les_stmt_text (stmt, 0)), GINT_TO_POINTER (kind + 1));
    }
  les_stmt_reset (stmt);
  return rc == LES_STEP_DONE;
}

static gboolean
load_references (Import *imp, GError **error)
{
  imp->practices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  imp->services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  imp->rules = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  return load_set (imp, imp->practices, les_sql_import_practice_codes, FALSE, error)
         && load_set (imp, imp->services, les_sql_import_service_keys, FALSE, error)
         && load_set (imp, imp->rules, les_sql_import_rule_kinds, TRUE, error);
}

/* Parsing one value: les_column_parse(), shared with the service editor */

static void
parse_cell (Import *imp, const LesColumn *col, char *raw, LesValue *value)
{
  g_autoptr(GError) error = NULL;

  if (!les_column_parse (col, raw, value, &error))
    report (imp, imp->row_line, col->name, "%s", error->message);
}

/* Row checks by kind */

static int
col_of (Import *imp, const char *name)
{
  int c = les_kind_column_index (imp->info, name);

  g_assert (c >= 0);
  return c;
}

static LesValue *
val_of (Import *imp, const char *name)
{
  return &imp->vals[col_of (imp, name)];
}

static void
check_practice (Import *imp)
{
  LesValue *v = val_of (imp, "practice_code");

  if (v->type == LES_VALUE_TEXT && !g_hash_table_contains (imp->practices, v->s))
    {
      g_autofree char *code = les_text_for_message (v->s);

      report (imp, imp->row_line, "practice_code", _("no practice “%s”; import practices first"), code);
    }
}

static void
check_service (Import *imp, gint64 year)
{
  LesValue *v = val_of (imp, "service_code");
  g_autofree char *fy = NULL;

  if (v->type != LES_VALUE_TEXT)
    return;
  if (!g_hash_table_contains (imp->services, service_key (imp, v->s, year)))
    {
      g_autofree char *code = les_text_for_message (v->s);

      fy = les_year_format ((int) year);
      report (imp, imp->row_line, "service_code", _("no service “%s” in %s; import services first"), code, fy);
    }
}

static void
check_dates_in_order (Import *imp, const char *from, const char *to)
{
  LesValue *a = val_of (imp, from);
  LesValue *b = val_of (imp, to);

  if (a->type == LES_VALUE_TEXT && b->type == LES_VALUE_TEXT && b->i < a->i)
    report (imp, imp->row_line, to, _("%s is before %s %s"), les_value_get_text (b), from, les_value_get_text (a));
}

/* A blank choice takes its default (an enum value) */
static void
set_default (Import *imp, const char *column, int choice)
{
  int c = col_of (imp, column);

  les_column_default_choice (&imp->info->columns[c], &imp->vals[c], choice);
}

static void
require (Import *imp, const char *column, const char *kind)
{
  if (val_of (imp, column)->type == LES_VALUE_BLANK)
    report (imp, imp->row_line, column, _("a rule of kind “%s” needs a value here"), kind);
}

static void
check_rule (Import *imp)
{
  LesValue *kind_value = val_of (imp, "kind");
  const char *kind;

  if (kind_value->type != LES_VALUE_TEXT)
    return;
  kind = les_value_get_text (kind_value);

  switch ((LesRuleKind) kind_value->i)
    {
    case LES_RULE_KIND_ITEM:
      require (imp, "rate", kind);
      break;

    case LES_RULE_KIND_CAPITATION:
      require (imp, "rate", kind);
      require (imp, "base", kind);
      set_default (imp, "rate_per", LES_RATE_PER_YEAR);
      break;

    case LES_RULE_KIND_THRESHOLD:
      {
        LesValue *lower = val_of (imp, "lower_pct");
        LesValue *upper = val_of (imp, "upper_pct");
        LesValue *rate_per = val_of (imp, "rate_per");

        require (imp, "lower_pct", kind);
        require (imp, "upper_pct", kind);
        if (lower->type == LES_VALUE_INT && upper->type == LES_VALUE_INT && upper->i < lower->i)
          report (imp, imp->row_line, "upper_pct", _("the upper threshold is below the lower threshold"));
        if (val_of (imp, "rate")->type != LES_VALUE_BLANK)
          {
            require (imp, "base", kind);
            if (rate_per->type == LES_VALUE_TEXT && rate_per->i != LES_RATE_PER_YEAR)
              report (imp, imp->row_line, "rate_per", _("a threshold rule’s rate is per year"));
            set_default (imp, "rate_per", LES_RATE_PER_YEAR);
          }
        set_default (imp, "settlement", LES_SETTLEMENT_REMAINDER);
      }
      break;

    case LES_RULE_KIND_BLOCK:
    case LES_N_RULE_KINDS:
    default:
      break;
    }
}

static void
check_claim (Import *imp)
{
  LesValue *period = val_of (imp, "period");
  LesValue *service = val_of (imp, "service_code");
  LesValue *item = val_of (imp, "item_code");
  gpointer found;
  int fy;

  check_practice (imp);
  if (period->type != LES_VALUE_TEXT || service->type != LES_VALUE_TEXT)
    return;
  fy = les_period_fy ((gint32) period->i);
  if (!g_hash_table_contains (imp->services, service_key (imp, service->s, fy)))
    {
      check_service (imp, fy);
      return;
    }
  if (item->type != LES_VALUE_TEXT)
    return;
  /* the rule's key: the service's, which imp->key holds, then the item */
  g_string_append_c (imp->key, '/');
  g_string_append (imp->key, item->s);
  found = g_hash_table_lookup (imp->rules, imp->key->str);
  if (found == NULL)
    {
      g_autofree char *year = les_year_format (fy);
      g_autofree char *service_code = les_text_for_message (service->s);
      g_autofree char *item_code = les_text_for_message (item->s);

      report (imp, imp->row_line, "item_code", _("service %s has no rule “%s” in %s"), service_code, item_code, year);
    }
  else if (GPOINTER_TO_INT (found) - 1 != LES_RULE_KIND_ITEM)
    {
      g_autofree char *service_code = les_text_for_message (service->s);
      g_autofree char *item_code = les_text_for_message (item->s);

      report (imp, imp->row_line, "item_code", _("rule “%s” of service %s is a %s rule; claims name item rules"),
              item_code, service_code, les_rule_kind_to_word ((LesRuleKind) (GPOINTER_TO_INT (found) - 1)));
    }
}

static void
check_row (Import *imp)
{
  switch (imp->kind)
    {
    case LES_KIND_PRACTICES:
      check_dates_in_order (imp, "open_date", "close_date");
      break;

    case LES_KIND_LIST_SIZES:
      check_practice (imp);
      break;

    case LES_KIND_SERVICES:
      set_default (imp, "cap_mode", LES_CAP_MODE_NONE);
      set_default (imp, "schedule", LES_SCHEDULE_MONTHLY);
      set_default (imp, "claim_frequency", LES_CLAIM_FREQUENCY_MONTHLY);
      check_dates_in_order (imp, "start_date", "end_date");
      break;

    case LES_KIND_RULES:
      if (val_of (imp, "year")->type == LES_VALUE_INT)
        check_service (imp, val_of (imp, "year")->i);
      check_rule (imp);
      break;

    case LES_KIND_SIGNUPS:
      check_dates_in_order (imp, "from_date", "to_date");
      G_GNUC_FALLTHROUGH;
    case LES_KIND_COHORTS:
    case LES_KIND_ALLOCATIONS:
    case LES_KIND_ACHIEVEMENTS:
      check_practice (imp);
      if (val_of (imp, "year")->type == LES_VALUE_INT)
        check_service (imp, val_of (imp, "year")->i);
      break;

    case LES_KIND_LEDGER:
      if (val_of (imp, "period")->type == LES_VALUE_TEXT)
        check_service (imp, les_period_fy ((gint32) val_of (imp, "period")->i));
      break;

    case LES_KIND_CLAIMS:
      check_claim (imp);
      break;

    case LES_KIND_PATIENT_ACTIVITY:
    case LES_N_KINDS:
    case LES_KIND_INVALID:
    default:
      break;
    }
}

/* Writing */

static void
bind_value (LesStmt *stmt, int index, const LesValue *v)
{
  switch (v->type)
    {
    case LES_VALUE_BLANK:
      les_stmt_bind_null (stmt, index);
      break;
    case LES_VALUE_INT:
      les_stmt_bind_int64 (stmt, index, v->i);
      break;
    case LES_VALUE_TEXT:
      /* the row buffer and imp->vals stay put until the statement is reset */
      les_stmt_bind_static (stmt, index, les_value_get_text (v), -1);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* A cell against the text a database holds for it (NULL for NULL), compared as the cell's type
 * (its column's): a statement's column, or a batch's row held on a server */
static gboolean
value_equals_text (const LesValue *v, const char *held)
{
  if (held == NULL)
    return v->type == LES_VALUE_BLANK;
  switch (v->type)
    {
    case LES_VALUE_INT:
      return v->i == g_ascii_strtoll (held, NULL, 10);
    case LES_VALUE_TEXT:
      return strcmp (les_value_get_text (v), held) == 0;
    case LES_VALUE_BLANK:
    default:
      return FALSE;
    }
}

static char *
value_to_string (const LesValue *v)
{
  if (v->type == LES_VALUE_INT)
    return g_strdup_printf ("%" G_GINT64_FORMAT, v->i);
  if (v->type == LES_VALUE_TEXT)
    return g_strdup (les_value_get_text (v));
  return g_strdup ("");
}

static void
describe_value (GString *s, const char *name, const LesValue *v)
{
  g_autofree char *text = value_to_string (v);

  if (s->len > 0)
    g_string_append (s, "; ");
  g_string_append_printf (s, "%s=%s", name, text);
}

static void
describe_column (GString *s, const char *name, LesStmt *stmt, int index)
{
  const char *text = les_stmt_text (stmt, index);

  if (s->len > 0)
    g_string_append (s, "; ");
  g_string_append_printf (s, "%s=%s", name, text ? text : "");
}

/* Whether a failure of the database is the import's, not a row's: a full
 * disk or a read-only file, say once, not once per row */
static gboolean
failure_is_fatal (LesDbFailure failure)
{
  switch (failure)
    {
    case LES_DB_FAILURE_FULL:
    case LES_DB_FAILURE_READ_ONLY:
    case LES_DB_FAILURE_BUSY:
    case LES_DB_FAILURE_CORRUPT:
    case LES_DB_FAILURE_INTERRUPTED:
    case LES_DB_FAILURE_PERMISSION:
    case LES_DB_FAILURE_UNREACHABLE:
      return TRUE;
    case LES_DB_FAILURE_OTHER:
    case LES_DB_FAILURE_CONSTRAINT:
    case LES_DB_FAILURE_FOREIGN_KEY:
    case LES_DB_FAILURE_SEPARATION:
    default:
      return FALSE;
    }
}

/* Runs a write for the current row; a failure is the row's */
static gboolean
run (Import *imp, LesStmt *stmt)
{
  g_autoptr(GError) error = NULL;

  if (les_stmt_run (stmt, &error))
    return TRUE;
  if (failure_is_fatal (les_db_last_failure (imp->db)))
    {
      if (imp->db_error == NULL)
        imp->db_error = g_steal_pointer (&error);
      imp->fatal = TRUE;
      return FALSE;
    }
  report (imp, imp->row_line, NULL, _("cannot be stored: %s"), error->message);
  return FALSE;
}

static gboolean
prepare (Import *imp, LesStmt **stmt, const char *sql, GError **error)
{
  *stmt = les_store_prepare (imp->store, sql, error);
  return *stmt != NULL;
}

/* Every statement the kind's rows need */
static gboolean
prepare_statements (Import *imp, GError **error)
{
  switch (imp->kind)
    {
    case LES_KIND_CLAIMS:
      return prepare (imp, &imp->claim_insert, les_sql_import_claim_insert, error)
             && prepare (imp, &imp->claim_select, les_sql_import_claim_select, error)
             && (imp->batch == NULL || prepare (imp, &imp->claims_held, les_sql_import_pg_claims_held, error));

    case LES_KIND_PATIENT_ACTIVITY:
      return prepare (imp, &imp->claim_exists, les_sql_import_claim_exists, error)
             && prepare (imp, &imp->lines_delete, les_sql_import_lines_delete, error)
             && prepare (imp, &imp->line_insert, les_sql_import_line_insert, error);

    case LES_KIND_PRACTICES:
    case LES_KIND_LIST_SIZES:
    case LES_KIND_SERVICES:
    case LES_KIND_RULES:
    case LES_KIND_SIGNUPS:
    case LES_KIND_COHORTS:
    case LES_KIND_ALLOCATIONS:
    case LES_KIND_ACHIEVEMENTS:
    case LES_KIND_LEDGER:
    case LES_N_KINDS:
    case LES_KIND_INVALID:
    default:
      imp->select_sql = les_sql_import_select (imp->info);
      imp->insert_sql = les_sql_import_insert (imp->info);
      imp->update_sql = les_sql_import_update (imp->info);
      if (!prepare (imp, &imp->select_stmt, imp->select_sql, error)
          || !prepare (imp, &imp->insert_stmt, imp->insert_sql, error)
          || (imp->update_sql != NULL && !prepare (imp, &imp->update_stmt, imp->update_sql, error)))
        return FALSE;
      if (imp->batch != NULL)
        {
          imp->held_sql = les_sql_import_pg_held (imp->info);
          imp->copy_sql = les_sql_import_pg_copy (imp->info);
          if (!prepare (imp, &imp->held_stmt, imp->held_sql, error))
            return FALSE;
        }
      if (imp->kind == LES_KIND_PRACTICES)
        return prepare (imp, &imp->pcn_stmt, les_sql_import_pcn_upsert, error);
      if (imp->kind == LES_KIND_LIST_SIZES)
        return prepare (imp, &imp->list_size_upsert, les_sql_import_nhs_list_size_upsert, error);
      return TRUE;
    }
}

static char *
key_of_row (Import *imp)
{
  GString *key = g_string_new (NULL);

  for (guint c = 0; c < imp->info->n_columns; c++)
    if (imp->info->key_mask & (1u << c))
      {
        if (key->len > 0)
          g_string_append_c (key, '/');
        if (imp->vals[c].type == LES_VALUE_INT)
          g_string_append_printf (key, "%" G_GINT64_FORMAT, imp->vals[c].i);
        else if (imp->vals[c].type == LES_VALUE_TEXT)
          g_string_append (key, les_value_get_text (&imp->vals[c]));
      }
  return g_string_free (key, FALSE);
}

/* "service_code,year,rule_code": the columns of the kind's key, for messages about it */
static char *
key_columns (Import *imp)
{
  GString *names = g_string_new (NULL);

  for (guint c = 0; c < imp->info->n_columns; c++)
    if (imp->info->key_mask & (1u << c))
      {
        if (names->len > 0)
          g_string_append_c (names, ',');
        g_string_append (names, imp->info->columns[c].name);
      }
  return g_string_free (names, FALSE);
}

/* Changes to what the engine reads make the stored results of the
 * services concerned out of date (les_store_mark_stale()), which the
 * import tells the store once, at its end */
static void
touch (Import *imp, int fy, const char *service_code)
{
  service_key (imp, service_code, fy);
  if (!g_hash_table_contains (imp->touched, imp->key->str))
    g_hash_table_add (imp->touched, g_strdup (imp->key->str));
}

static void
touch_row (Import *imp)
{
  switch (imp->kind)
    {
    case LES_KIND_PRACTICES:
    case LES_KIND_LIST_SIZES:
      imp->touched_all = TRUE;
      break;

    case LES_KIND_SERVICES:
    case LES_KIND_RULES:
    case LES_KIND_SIGNUPS:
    case LES_KIND_COHORTS:
    case LES_KIND_ALLOCATIONS:
    case LES_KIND_ACHIEVEMENTS:
      touch (imp, (int) val_of (imp, "year")->i, val_of (imp, "service_code")->s);
      break;

    /* the reconciliation reads the ledger as it is */
    case LES_KIND_LEDGER:
    case LES_KIND_CLAIMS:
    case LES_KIND_PATIENT_ACTIVITY:
    case LES_N_KINDS:
    case LES_KIND_INVALID:
    default:
      break;
    }
}

static void
mark_touched (Import *imp)
{
  GHashTableIter iter;
  gpointer key;

  if (imp->touched_all)
    les_store_mark_stale (imp->store, 0, NULL);
  g_hash_table_iter_init (&iter, imp->touched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      const char *slash = strrchr (key, '/');
      g_autofree char *code = g_strndup (key, slash - (const char *) key);

      les_store_mark_stale (imp->store, (int) g_ascii_strtoll (slash + 1, NULL, 10), code);
    }
}

/* Counts the import against the years of the services it touched, or
 * against every year (les-year-status.c: their figures are out of date) */
static gboolean
note_years (Import *imp, GError **error)
{
  g_autoptr(GArray) years = g_array_new (FALSE, FALSE, sizeof (int));
  GHashTableIter iter;
  gpointer key;

  if (imp->touched_all)
    return les_year_note_change (imp->store, 0, LES_YEAR_CHANGE_IMPORT, error);
  g_hash_table_iter_init (&iter, imp->touched);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      int fy = (int) g_ascii_strtoll (strrchr (key, '/') + 1, NULL, 10);
      guint i = 0;

      while (i < years->len && g_array_index (years, int, i) != fy)
        i++;
      if (i == years->len)
        g_array_append_val (years, fy);
    }
  for (guint i = 0; i < years->len; i++)
    if (!les_year_note_change (imp->store, g_array_index (years, int, i), LES_YEAR_CHANGE_IMPORT, error))
      return FALSE;
  return TRUE;
}

static void
write_pcn (Import *imp)
{
  bind_value (imp->pcn_stmt, 1, val_of (imp, "pcn_code"));
  bind_value (imp->pcn_stmt, 2, val_of (imp, "pcn_name"));
  run (imp, imp->pcn_stmt);
}

/* Binds the stored columns as ?1, ?2, … (les_sql_import_insert()); returns how many */
static int
bind_stored (Import *imp, LesStmt *stmt)
{
  int param = 0;

  for (guint c = 0; c < imp->info->n_columns; c++)
    if (les_sql_import_stores (imp->info, c))
      bind_value (stmt, ++param, &imp->vals[c]);
  return param;
}

/* Whether the row's key is new in this file (else a message, and FALSE) */
static gboolean
first_of_key (Import *imp, const char *key)
{
  gpointer first_line;

  if (g_hash_table_lookup_extended (imp->seen, key, NULL, &first_line))
    {
      g_autofree char *shown = les_text_for_message (key);
      g_autofree char *columns = key_columns (imp);

      report (imp, imp->row_line, columns, _("duplicate key %s: the same as line %u"),
              shown, GPOINTER_TO_UINT (first_line));
      return FALSE;
    }
  g_hash_table_insert (imp->seen, g_strdup (key), GUINT_TO_POINTER (imp->row_line));
  return TRUE;
}

static void store_reference_row (Import *imp);

static void
write_reference_row (Import *imp)
{
  g_autofree char *key = key_of_row (imp);

  if (first_of_key (imp, key))
    store_reference_row (imp);
}

/* A row of a reference kind whose key is new in the file: added, replaced or the same */
static void
store_reference_row (Import *imp)
{
  LesStmt *stmt = imp->select_stmt;
  g_autoptr(GError) error = NULL;
  gboolean same = TRUE;
  int param = 0;
  LesStep rc;

  if (imp->kind == LES_KIND_PRACTICES)
    write_pcn (imp);
  /* a refusal of the whole import (a role that may not write PCNs) is said once */
  if (imp->fatal)
    return;

  for (guint c = 0; c < imp->info->n_columns; c++)
    if (imp->info->key_mask & (1u << c))
      bind_value (stmt, ++param, &imp->vals[c]);
  rc = les_stmt_step (stmt, &error);
  if (rc == LES_STEP_ROW)
    {
      g_autoptr(GString) before = g_string_new (NULL);
      g_autoptr(GString) after = g_string_new (NULL);
      int index = 0;

      for (guint c = 0; c < imp->info->n_columns; c++)
        {
          if (!les_sql_import_stores (imp->info, c))
            continue;
          if (!value_equals_text (&imp->vals[c], les_stmt_text (stmt, index)))
            {
              same = FALSE;
              describe_column (before, imp->info->columns[c].name, stmt, index);
              describe_value (after, imp->info->columns[c].name, &imp->vals[c]);
            }
          index++;
        }
      les_stmt_reset (stmt);
      if (same)
        {
          imp->stats->unchanged++;
          return;
        }
      bind_stored (imp, imp->update_stmt);
      if (run (imp, imp->update_stmt))
        {
          g_autofree char *row_key = key_of_row (imp);
          g_autoptr(GError) audit_error = NULL;

          imp->stats->replaced++;
          touch_row (imp);
          /* a change the trail does not record is not made */
          if (!les_store_audit (imp->store, "import", imp->info->table, row_key, before->str, after->str,
                                &audit_error))
            {
              report (imp, imp->row_line, NULL, "%s", audit_error->message);
              imp->fatal = TRUE;
            }
        }
      return;
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    {
      report (imp, imp->row_line, NULL, _("cannot be read: %s"), error->message);
      return;
    }

  param = bind_stored (imp, imp->insert_stmt);
  if (imp->kind == LES_KIND_LEDGER)
    les_stmt_bind_int64 (imp->insert_stmt, param + 1, les_period_fy ((gint32) val_of (imp, "period")->i));
  if (run (imp, imp->insert_stmt))
    {
      imp->stats->inserted++;
      touch_row (imp);
    }

  /* later rows of the same import may refer to what this one made */
  if (imp->kind == LES_KIND_PRACTICES)
    g_hash_table_add (imp->practices, g_strdup (val_of (imp, "practice_code")->s));
}

static const char *claim_columns[] = { "practice_code", "service_code", "item_code", "period", "count",
                                       "submitted_date" };

/* A claim whose claim_ref is held already (@held: the claim_select's
 * columns as text, its id last): the same claim again, or another with
 * its reference */
static void
judge_held (Import *imp, const LesValue *vals, const char * const *held)
{
  g_autofree char *ref = les_text_for_message (les_value_get_text (&vals[0]));

  if (g_ascii_strtoll (held[G_N_ELEMENTS (claim_columns)], NULL, 10) >= imp->first_new_claim_id)
    report (imp, imp->row_line, "claim_ref", _("claim %s appears more than once in this file"), ref);
  else
    {
      g_autoptr(GString) diff = g_string_new (NULL);

      for (guint c = 0; c < G_N_ELEMENTS (claim_columns); c++)
        if (!value_equals_text (&vals[c + 1], held[c]))
          {
            g_autofree char *raw = value_to_string (&vals[c + 1]);
            g_autofree char *given = les_text_for_message (raw);
            g_autofree char *shown = les_text_for_message (held[c]);

            g_string_append_printf (diff, "%s%s %s, not %s", diff->len ? "; " : "", claim_columns[c], shown,
                                    given);
          }
      if (diff->len > 0)
        report (imp, imp->row_line, "claim_ref",
                _("claim %s already exists with different values (%s); withdraw it and send a new claim"),
                ref, diff->str);
      else
        imp->stats->unchanged++;
    }
}

static void
write_claim (Import *imp)
{
  LesStmt *stmt = imp->claim_insert;
  g_autoptr(GError) error = NULL;
  LesStep rc;

  for (guint c = 0; c < 7; c++)
    bind_value (stmt, c + 1, &imp->vals[c]);
  les_stmt_bind_int64 (stmt, 8, les_period_fy ((gint32) imp->vals[4].i));
  if (!run (imp, stmt))
    return;
  if (les_db_changes (imp->db) > 0)
    {
      imp->stats->inserted++;
      touch (imp, (int) les_period_fy ((gint32) imp->vals[4].i), imp->vals[2].s);
      return;
    }

  /* the claim_ref is held already: the same claim again, or another with its reference */
  stmt = imp->claim_select;
  bind_value (stmt, 1, &imp->vals[0]);
  rc = les_stmt_step (stmt, &error);
  if (rc == LES_STEP_ROW)
    {
      const char *held[G_N_ELEMENTS (claim_columns) + 1];

      for (guint c = 0; c < G_N_ELEMENTS (held); c++)
        held[c] = les_stmt_text (stmt, c);
      judge_held (imp, imp->vals, held);
    }
  else if (rc == LES_STEP_ERROR)
    report (imp, imp->row_line, NULL, _("cannot be read: %s"), error->message);
  les_stmt_reset (stmt);
}

/* The current row into the batch, its cells copied */
static const BatchRow *
batch_add (Import *imp, const char *key)
{
  BatchRow row = { imp->row_line, NULL, { { 0 } } };

  if (key != NULL)
    row.key = g_string_chunk_insert (imp->batch_text, key);
  /* every text in the chunk, none in a value's buf: the batch's array may move */
  for (guint c = 0; c < imp->info->n_columns; c++)
    {
      row.vals[c] = imp->vals[c];
      if (row.vals[c].type == LES_VALUE_TEXT)
        row.vals[c].s = g_string_chunk_insert (imp->batch_text, les_value_get_text (&imp->vals[c]));
    }
  g_array_append_val (imp->batch, row);
  return &g_array_index (imp->batch, BatchRow, imp->batch->len - 1);
}

/* The server refused a batch written at once (@error): a failure of the
 * import ends it; else the batch is undone and its rows written again one
 * at a time by @write_row, so that each bad row is named as it would be
 * without batches, in the file's order */
static void
batch_refused (Import *imp, GError *error, void (*write_row) (Import *imp))
{
  if (failure_is_fatal (les_db_last_failure (imp->db)))
    {
      if (imp->db_error == NULL)
        imp->db_error = g_steal_pointer (&error);
      g_clear_error (&error);
      imp->fatal = TRUE;
      imp->stopped = TRUE;
      return;
    }
  g_debug ("import: a batch of %s refused (%s); written again a row at a time", imp->info->name,
           error != NULL ? error->message : "");
  g_clear_error (&error);
  les_db_exec (imp->db, les_sql_import_batch_rollback, NULL);
  les_db_exec (imp->db, les_sql_import_batch_release, NULL);
  for (guint i = 0; i < imp->batch->len && !imp->stopped; i++)
    {
      const BatchRow *row = &g_array_index (imp->batch, BatchRow, i);

      memcpy (imp->vals, row->vals, sizeof row->vals);
      imp->row_line = row->line;
      imp->row_failed = FALSE;
      write_row (imp);
      if (imp->row_failed)
        imp->stats->errors++;
      if (imp->fatal || (imp->row_failed && les_db_transaction_failed (imp->db)))
        imp->fatal = imp->stopped = TRUE;
    }
}

/* A server's import: the claim waits in the batch, its cells copied */
static void
batch_claim (Import *imp)
{
  const BatchRow *row = batch_add (imp, NULL);
  const char *ref = row->vals[0].s;

  if (ref != NULL && !g_hash_table_contains (imp->batch_first, ref))
    g_hash_table_insert (imp->batch_first, (gpointer) ref, GUINT_TO_POINTER (imp->batch->len));
  if (imp->batch->len >= BATCH_ROWS)
    flush_batch (imp);
}

/* Reads the claims of the batch whose references are held already into
 * @held (claim_ref → the claim_select's columns and id, in @text) */
static gboolean
read_held (Import *imp, GHashTable *held, GStringChunk *text, GError **error)
{
  g_autoptr(GString) refs = g_string_new ("{");
  GHashTableIter iter;
  gpointer key;
  LesStep rc;

  /* an array literal: each reference quoted, its quotes and backslashes escaped */
  g_hash_table_iter_init (&iter, imp->batch_first);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (refs->len > 1)
        g_string_append_c (refs, ',');
      g_string_append_c (refs, '"');
      for (const char *p = key; *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (refs, '\\');
          g_string_append_c (refs, *p);
        }
      g_string_append_c (refs, '"');
    }
  g_string_append_c (refs, '}');

  les_stmt_bind_static (imp->claims_held, 1, refs->str, (gssize) refs->len);
  while ((rc = les_stmt_step (imp->claims_held, error)) == LES_STEP_ROW)
    {
      const char *values[G_N_ELEMENTS (claim_columns) + 1];

      for (guint c = 0; c < G_N_ELEMENTS (values); c++)
        {
          const char *v = les_stmt_text (imp->claims_held, (int) c + 1);

          values[c] = v != NULL ? g_string_chunk_insert (text, v) : NULL;
        }
      g_hash_table_insert (held, g_string_chunk_insert (text, les_stmt_text (imp->claims_held, 0)),
                           g_memdup2 (values, sizeof values));
    }
  les_stmt_reset (imp->claims_held);
  return rc == LES_STEP_DONE;
}

/* Appends a claim to the COPY rows: the claim_insert's columns */
static void
copy_claim (GString *rows, const LesValue *vals)
{
  char number[24];

  for (guint c = 0; c < 7; c++)
    {
      if (c > 0)
        g_string_append_c (rows, '\t');
      if (vals[c].type == LES_VALUE_INT)
        {
          g_snprintf (number, sizeof number, "%" G_GINT64_FORMAT, vals[c].i);
          g_string_append (rows, number);
        }
      else
        les_db_copy_append_text (rows, vals[c].type == LES_VALUE_TEXT ? les_value_get_text (&vals[c]) : NULL);
    }
  g_snprintf (number, sizeof number, "\t%d\n", (int) les_period_fy ((gint32) vals[4].i));
  g_string_append (rows, number);
}

typedef enum {
  CLAIM_NEW,
  CLAIM_AGAIN_IN_BATCH,     /* a claim_ref an earlier row of the batch brings */
  CLAIM_HELD,
} ClaimFate;

/* Writes the batch of claims: what the server holds of their references in
 * one query, the new claims in one COPY, then each row's message (or
 * count) in file order, the same as write_claim() gives a row at a time.
 * When the server refuses the batch (a constraint the importer does not
 * check itself), the batch is undone and written again a row at a time,
 * so that the row and the reason are the ones write_claim() would give. */
static void
flush_claims (Import *imp)
{
  g_autoptr(GHashTable) held = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GArray) fates = g_array_sized_new (FALSE, FALSE, sizeof (ClaimFate), imp->batch->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(GStringChunk) held_text = g_string_chunk_new (4096);
  gboolean written = FALSE;

  if (les_db_exec (imp->db, les_sql_import_batch_savepoint, &error) && read_held (imp, held, held_text, &error))
    {
      for (guint i = 0; i < imp->batch->len; i++)
        {
          const BatchRow *row = &g_array_index (imp->batch, BatchRow, i);
          const char *ref = les_value_get_text (&row->vals[0]);
          ClaimFate fate = CLAIM_NEW;

          if (g_hash_table_contains (held, ref))
            fate = CLAIM_HELD;
          else if (GPOINTER_TO_UINT (g_hash_table_lookup (imp->batch_first, ref)) != i + 1)
            fate = CLAIM_AGAIN_IN_BATCH;
          else
            copy_claim (imp->copy_rows, row->vals);
          g_array_append_val (fates, fate);
        }
      written = (imp->copy_rows->len == 0
                 || les_db_copy_in (imp->db, les_sql_import_pg_claims_copy, imp->copy_rows->str,
                                    imp->copy_rows->len, &error))
                && les_db_exec (imp->db, les_sql_import_batch_release, &error);
    }

  if (!written)
    {
      batch_refused (imp, g_steal_pointer (&error), write_claim);
      return;
    }

  for (guint i = 0; i < imp->batch->len; i++)
    {
      const BatchRow *row = &g_array_index (imp->batch, BatchRow, i);
      const char *ref = les_value_get_text (&row->vals[0]);

      imp->row_line = row->line;
      imp->row_failed = FALSE;
      switch (g_array_index (fates, ClaimFate, i))
        {
        case CLAIM_NEW:
          imp->stats->inserted++;
          touch (imp, (int) les_period_fy ((gint32) row->vals[4].i), les_value_get_text (&row->vals[2]));
          break;
        case CLAIM_AGAIN_IN_BATCH:
          {
            g_autofree char *shown = les_text_for_message (ref);

            report (imp, row->line, "claim_ref", _("claim %s appears more than once in this file"), shown);
          }
          break;
        case CLAIM_HELD:
        default:
          judge_held (imp, row->vals, g_hash_table_lookup (held, ref));
          break;
        }
      if (imp->row_failed)
        imp->stats->errors++;
    }
}

/* A server's import of a reference kind: a row whose key is new in the
 * file waits in the batch */
static void
batch_reference (Import *imp)
{
  g_autofree char *key = key_of_row (imp);

  if (!first_of_key (imp, key))
    return;
  batch_add (imp, key);
  if (imp->batch->len >= BATCH_ROWS)
    flush_batch (imp);
}

static void
string_free (gpointer data)
{
  g_string_free (data, TRUE);
}

/* Appends a value to an array literal of PostgreSQL's: quoted, NULL for a blank */
static void
append_array_element (GString *array, const LesValue *v)
{
  if (array->len > 1)
    g_string_append_c (array, ',');
  if (v->type == LES_VALUE_INT)
    g_string_append_printf (array, "%" G_GINT64_FORMAT, v->i);
  else if (v->type == LES_VALUE_TEXT)
    {
      g_string_append_c (array, '"');
      for (const char *p = les_value_get_text (v); *p != '\0'; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (array, '\\');
          g_string_append_c (array, *p);
        }
      g_string_append_c (array, '"');
    }
  else
    g_string_append (array, "NULL");
}

/* Reads the rows of the batch's keys held already into @held (the key as
 * key_of_row() writes it → the stored columns' texts, in @text) */
static gboolean
read_held_references (Import *imp, GHashTable *held, GStringChunk *text, GError **error)
{
  g_autoptr(GPtrArray) arrays = g_ptr_array_new_with_free_func (string_free);
  g_autoptr(GString) key = g_string_new (NULL);
  guint n_keys = 0, n_stored = 0;
  LesStep rc;

  for (guint c = 0; c < imp->info->n_columns; c++)
    {
      if (imp->info->key_mask & (1u << c))
        {
          GString *array = g_string_new ("{");

          for (guint i = 0; i < imp->batch->len; i++)
            append_array_element (array, &g_array_index (imp->batch, BatchRow, i).vals[c]);
          g_string_append_c (array, '}');
          g_ptr_array_add (arrays, array);
          n_keys++;
        }
      if (les_sql_import_stores (imp->info, c))
        n_stored++;
    }
  for (guint k = 0; k < n_keys; k++)
    {
      const GString *array = g_ptr_array_index (arrays, k);

      les_stmt_bind_static (imp->held_stmt, (int) k + 1, array->str, (gssize) array->len);
    }
  while ((rc = les_stmt_step (imp->held_stmt, error)) == LES_STEP_ROW)
    {
      const char **values = g_new0 (const char *, n_stored + 1);

      g_string_truncate (key, 0);
      for (guint k = 0; k < n_keys; k++)
        {
          const char *v = les_stmt_text (imp->held_stmt, (int) k);

          if (k > 0)
            g_string_append_c (key, '/');
          g_string_append (key, v != NULL ? v : "");
        }
      for (guint c = 0; c < n_stored; c++)
        {
          const char *v = les_stmt_text (imp->held_stmt, (int) (n_keys + c));

          values[c] = v != NULL ? g_string_chunk_insert (text, v) : NULL;
        }
      g_hash_table_insert (held, g_string_chunk_insert (text, key->str), values);
    }
  les_stmt_reset (imp->held_stmt);
  return rc == LES_STEP_DONE;
}

/* Appends the current row (imp->vals) to the COPY rows: the insert's columns */
static void
copy_reference (Import *imp)
{
  gboolean first = TRUE;

  for (guint c = 0; c < imp->info->n_columns; c++)
    {
      const LesValue *v = &imp->vals[c];

      if (!les_sql_import_stores (imp->info, c))
        continue;
      if (!first)
        g_string_append_c (imp->copy_rows, '\t');
      first = FALSE;
      if (v->type == LES_VALUE_INT)
        g_string_append_printf (imp->copy_rows, "%" G_GINT64_FORMAT, v->i);
      else
        les_db_copy_append_text (imp->copy_rows, v->type == LES_VALUE_TEXT ? les_value_get_text (v) : NULL);
    }
  if (imp->kind == LES_KIND_LEDGER)
    g_string_append_printf (imp->copy_rows, "\t%" G_GINT64_FORMAT,
                            (gint64) les_period_fy ((gint32) val_of (imp, "period")->i));
  g_string_append_c (imp->copy_rows, '\n');
}

typedef enum {
  ROW_NEW,
  ROW_SAME,
  ROW_CHANGED,
} RowFate;

/* Replaces a held row by the current one (imp->vals), and records it in
 * the audit trail as store_reference_row() does */
static gboolean
replace_reference (Import *imp, const char *key, const char * const *held, GError **error)
{
  g_autoptr(GString) before = g_string_new (NULL);
  g_autoptr(GString) after = g_string_new (NULL);
  int index = 0;

  for (guint c = 0; c < imp->info->n_columns; c++)
    {
      if (!les_sql_import_stores (imp->info, c))
        continue;
      if (!value_equals_text (&imp->vals[c], held[index]))
        {
          if (before->len > 0)
            g_string_append (before, "; ");
          g_string_append_printf (before, "%s=%s", imp->info->columns[c].name, held[index] ? held[index] : "");
          describe_value (after, imp->info->columns[c].name, &imp->vals[c]);
        }
      index++;
    }
  bind_stored (imp, imp->update_stmt);
  return les_stmt_run (imp->update_stmt, error)
         && les_store_audit (imp->store, "import", imp->info->table, key, before->str, after->str, error);
}

/* Writes the batch of a reference kind: the rows held with its keys in
 * one query, each changed row replaced (and audited) as before, the new
 * rows in one COPY; then each row's count in file order.  A batch the
 * server refuses is undone and written again a row at a time
 * (store_reference_row()), for the message a row at a time gives. */
static void
flush_references (Import *imp)
{
  g_autoptr(GHashTable) held = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GArray) fates = g_array_sized_new (FALSE, FALSE, sizeof (RowFate), imp->batch->len);
  g_autoptr(GError) error = NULL;
  g_autoptr(GStringChunk) held_text = g_string_chunk_new (4096);
  gboolean written = FALSE;

  if (les_db_exec (imp->db, les_sql_import_batch_savepoint, &error)
      && read_held_references (imp, held, held_text, &error))
    {
      written = TRUE;
      for (guint i = 0; i < imp->batch->len && written; i++)
        {
          const BatchRow *row = &g_array_index (imp->batch, BatchRow, i);
          const char * const *stored = g_hash_table_lookup (held, row->key);
          RowFate fate = ROW_NEW;

          memcpy (imp->vals, row->vals, sizeof row->vals);
          if (stored != NULL)
            {
              int index = 0;

              fate = ROW_SAME;
              for (guint c = 0; c < imp->info->n_columns && fate == ROW_SAME; c++)
                if (les_sql_import_stores (imp->info, c) && !value_equals_text (&imp->vals[c], stored[index++]))
                  fate = ROW_CHANGED;
              if (fate == ROW_CHANGED)
                written = replace_reference (imp, row->key, stored, &error);
            }
          else
            copy_reference (imp);
          g_array_append_val (fates, fate);
        }
      written = written
                && (imp->copy_rows->len == 0
                    || les_db_copy_in (imp->db, imp->copy_sql, imp->copy_rows->str, imp->copy_rows->len, &error))
                && les_db_exec (imp->db, les_sql_import_batch_release, &error);
    }

  if (!written)
    {
      batch_refused (imp, g_steal_pointer (&error), store_reference_row);
      return;
    }

  for (guint i = 0; i < imp->batch->len; i++)
    {
      const BatchRow *row = &g_array_index (imp->batch, BatchRow, i);

      memcpy (imp->vals, row->vals, sizeof row->vals);
      switch (g_array_index (fates, RowFate, i))
        {
        case ROW_SAME:
          imp->stats->unchanged++;
          break;
        case ROW_CHANGED:
          imp->stats->replaced++;
          touch_row (imp);
          break;
        case ROW_NEW:
        default:
          imp->stats->inserted++;
          touch_row (imp);
          break;
        }
    }
}

/* Writes the rows waiting in the batch (none once the import has failed),
 * and empties it.  Called from report() too, so the row being read, which
 * may be half parsed, is kept as it is around the batch's rows. */
static void
flush_batch (Import *imp)
{
  g_autofree char *key = g_strdup (imp->key->str);
  LesValue saved_vals[MAX_COLUMNS];
  guint saved_line = imp->row_line;
  gboolean saved_failed = imp->row_failed;

  memcpy (saved_vals, imp->vals, sizeof saved_vals);
  if (imp->batch->len > 0 && !imp->fatal)
    {
      imp->flushing = TRUE;
      g_string_truncate (imp->copy_rows, 0);
      if (imp->kind == LES_KIND_CLAIMS)
        flush_claims (imp);
      else
        flush_references (imp);
      imp->flushing = FALSE;
    }
  g_array_set_size (imp->batch, 0);
  g_hash_table_remove_all (imp->batch_first);
  g_string_chunk_clear (imp->batch_text);
  g_string_assign (imp->key, key);
  memcpy (imp->vals, saved_vals, sizeof saved_vals);
  imp->row_line = saved_line;
  imp->row_failed = saved_failed;
}

static void
write_patient_line (Import *imp)
{
  LesValue *claim = &imp->vals[0];
  const char *raw_number = imp->vals[1].type == LES_VALUE_TEXT ? imp->vals[1].s : "";
  LesValue *key = &imp->vals[3];
  g_autofree char *hash = NULL;
  char digits[11];
  gpointer next;
  guint line_no;

  if (claim->type != LES_VALUE_TEXT || imp->vals[2].type != LES_VALUE_TEXT)
    return;

  if (!g_hash_table_lookup_extended (imp->claim_lines, claim->s, NULL, &next))
    {
      LesStep rc;

      bind_value (imp->claim_exists, 1, claim);
      rc = les_stmt_step (imp->claim_exists, NULL);
      if (rc == LES_STEP_ROW)
        touch (imp, les_stmt_int (imp->claim_exists, 0), les_stmt_text (imp->claim_exists, 1));
      les_stmt_reset (imp->claim_exists);
      if (rc != LES_STEP_ROW)
        {
          g_autofree char *ref = les_text_for_message (claim->s);

          report (imp, imp->row_line, "claim_ref", _("no claim “%s”; import the claims first"), ref);
          return;
        }
      /* a claim's lines in this file replace the lines it had */
      bind_value (imp->lines_delete, 1, claim);
      if (!run (imp, imp->lines_delete))
        return;
      imp->stats->replaced += les_db_changes (imp->db) > 0 ? 1 : 0;
      next = GUINT_TO_POINTER (1);
    }
  line_no = GPOINTER_TO_UINT (next);
  g_hash_table_insert (imp->claim_lines, g_strdup (claim->s), GUINT_TO_POINTER (line_no + 1));

  if (les_nhs_number_normalise (raw_number, digits) && les_nhs_number_valid (digits))
    hash = les_store_hash_nhs_number (imp->store, digits, NULL);   /* the key was loaded first */
  else if (raw_number[0] == '\0' && key->type == LES_VALUE_TEXT)
    {
      /* only a key this database's key made: no one can store hashes of their choosing */
      hash = les_chain_patient_hash (imp->store, key->s);
      if (hash == NULL)
        {
          report (imp, imp->row_line, "patient_key",
                  _("not a patient key exported from this database (or one sharing its key); "
                    "import the NHS number instead"));
          return;
        }
    }

  bind_value (imp->line_insert, 1, claim);
  les_stmt_bind_int64 (imp->line_insert, 2, line_no);
  les_stmt_bind_text_or_null (imp->line_insert, 3, hash);
  bind_value (imp->line_insert, 4, &imp->vals[2]);
  if (run (imp, imp->line_insert))
    imp->stats->inserted++;
}

static void
write_nhs_digital_row (Import *imp)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *type = g_strstrip (g_strdup (field (imp, imp->nd_type)));
  g_autofree char *sex = g_strstrip (g_strdup (field (imp, imp->nd_sex)));
  g_autofree char *age = g_strstrip (g_strdup (field (imp, imp->nd_age)));
  g_autofree char *code = NULL;
  gint32 ymd;
  gint64 count;
  char buf[11];

  if (g_ascii_strcasecmp (type, "GP") != 0
      || (imp->nd_sex >= 0 && g_ascii_strcasecmp (sex, "ALL") != 0)
      || (imp->nd_age >= 0 && g_ascii_strcasecmp (age, "ALL") != 0))
    {
      imp->stats->skipped++;
      return;
    }
  if (!les_date_parse (field (imp, imp->nd_date), &ymd, &error))
    {
      report (imp, imp->row_line, "EXTRACT_DATE", "%s", error->message);
      return;
    }
  if (!les_count_parse (field (imp, imp->nd_count), G_GINT64_CONSTANT (100000000), &count, &error))
    {
      report (imp, imp->row_line, "NUMBER_OF_PATIENTS", "%s", error->message);
      return;
    }
  code = les_code_normalise (field (imp, imp->nd_code), NULL);
  if (code == NULL || !g_hash_table_contains (imp->practices, code))
    {
      imp->stats->skipped++;
      return;
    }
  les_date_format (ymd, buf);
  les_stmt_bind_static (imp->list_size_upsert, 1, code, -1);
  les_stmt_bind_static (imp->list_size_upsert, 2, buf, -1);
  les_stmt_bind_int64 (imp->list_size_upsert, 3, count);
  if (run (imp, imp->list_size_upsert))
    {
      imp->stats->inserted++;
      imp->touched_all = TRUE;
    }
}

/* Rows */

/* The header's name of field @index, as a message may show it; NULL when it has none */
static char *
column_name (Import *imp, guint index)
{
  if (imp->header != NULL && index < g_strv_length (imp->header) && imp->header[index][0] != '\0')
    return les_text_for_message (imp->header[index]);
  return NULL;
}

static int
find_header (Import *imp, const char *name)
{
  for (guint i = 0; imp->header[i] != NULL; i++)
    if (g_ascii_strcasecmp (imp->header[i], name) == 0)
      return (int) i;
  return -1;
}

static void
handle_header (Import *imp)
{
  guint n = imp->offsets->len;

  imp->header = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    imp->header[i] = g_strstrip (g_strdup (field (imp, i)));
  imp->header_done = TRUE;

  if (imp->bad_utf8->len > 0)
    {
      report (imp, imp->row_line, NULL, _("the header row is not valid UTF-8 text"));
      imp->fatal = TRUE;
      return;
    }

  if (imp->kind == LES_KIND_LIST_SIZES && find_header (imp, "NUMBER_OF_PATIENTS") >= 0)
    {
      imp->nhs_digital = TRUE;
      imp->nd_date = find_header (imp, "EXTRACT_DATE");
      imp->nd_type = find_header (imp, "TYPE") >= 0 ? find_header (imp, "TYPE") : find_header (imp, "ORG_TYPE");
      imp->nd_code = find_header (imp, "CODE") >= 0 ? find_header (imp, "CODE") : find_header (imp, "ORG_CODE");
      imp->nd_sex = find_header (imp, "SEX");
      imp->nd_age = find_header (imp, "AGE");
      imp->nd_count = find_header (imp, "NUMBER_OF_PATIENTS");
      if (imp->nd_date < 0)
        report (imp, imp->row_line, "EXTRACT_DATE", _("required column is missing"));
      if (imp->nd_type < 0)
        report (imp, imp->row_line, "TYPE", _("required column is missing (TYPE or ORG_TYPE)"));
      if (imp->nd_code < 0)
        report (imp, imp->row_line, "CODE", _("required column is missing (CODE or ORG_CODE)"));
      imp->fatal = imp->row_failed;
      return;
    }

  for (guint c = 0; c < imp->info->n_columns; c++)
    {
      imp->col_index[c] = find_header (imp, imp->info->columns[c].name);
      if (imp->col_index[c] < 0 && imp->info->columns[c].required)
        report (imp, imp->row_line, imp->info->columns[c].name,
                _("required column is missing from the header"));
      /* two columns of one name: which one holds the values is anyone's guess */
      for (guint i = imp->col_index[c] + 1; imp->col_index[c] >= 0 && i < n; i++)
        if (g_ascii_strcasecmp (imp->header[i], imp->info->columns[c].name) == 0)
          {
            report (imp, imp->row_line, imp->info->columns[c].name,
                    _("the header names this column twice (columns %d and %u); keep one"),
                    imp->col_index[c] + 1, i + 1);
            break;
          }
    }
  if (imp->row_failed)
    imp->fatal = TRUE;
}

/* Values past the header's last column belong to no column: most often a
 * comma inside an unquoted value (£1,234.56) that shifted the row */
static void
check_field_count (Import *imp)
{
  guint n_header = g_strv_length (imp->header);

  for (guint i = n_header; i < imp->offsets->len; i++)
    if (field (imp, (int) i)[0] != '\0')
      {
        report (imp, imp->row_line, NULL,
                _("%u values, but the header names %u columns; is a comma inside a value not quoted?"),
                imp->offsets->len, n_header);
        return;
      }
}

static void
handle_row (Import *imp)
{
  imp->row_failed = FALSE;

  if (!imp->header_done)
    {
      handle_header (imp);
      return;
    }

  imp->stats->rows++;
  for (guint i = 0; i < imp->bad_utf8->len; i++)
    {
      guint index = g_array_index (imp->bad_utf8, guint, i);
      g_autofree char *name = column_name (imp, index);

      if (name != NULL)
        report (imp, imp->row_line, name, _("is not valid UTF-8 text"));
      else
        report (imp, imp->row_line, NULL, _("value %u is not valid UTF-8 text"), index + 1);
    }
  check_field_count (imp);

  if (!imp->row_failed)
    {
      if (imp->nhs_digital)
        write_nhs_digital_row (imp);
      else
        {
          for (guint c = 0; c < imp->info->n_columns; c++)
            {
              if (imp->col_index[c] < 0)
                imp->vals[c].type = LES_VALUE_BLANK;
              else
                parse_cell (imp, &imp->info->columns[c], field (imp, imp->col_index[c]), &imp->vals[c]);
            }
          check_row (imp);
          /* a batch before this row stopped the import (flush_claims()) */
          if (imp->stopped)
            return;
          if (!imp->row_failed)
            {
              if (imp->kind == LES_KIND_CLAIMS && imp->batch != NULL)
                batch_claim (imp);
              else if (imp->kind == LES_KIND_CLAIMS)
                write_claim (imp);
              else if (imp->kind == LES_KIND_PATIENT_ACTIVITY)
                write_patient_line (imp);
              else if (imp->batch != NULL)
                batch_reference (imp);
              else
                write_reference_row (imp);
            }
        }
    }

  if (imp->row_failed)
    imp->stats->errors++;
  /* a server's transaction is spoilt by its first statement that fails: every
   * row after it would fail the same way, so the import stops at this one */
  if (imp->row_failed && les_db_transaction_failed (imp->db))
    imp->fatal = TRUE;
}

/* libcsv callbacks */

static void
field_cb (void *s, size_t len, void *data)
{
  Import *imp = data;
  gsize offset = imp->row->len;

  if (imp->fatal)
    return;
  if (s != NULL)
    g_string_append_len (imp->row, s, len);
  g_string_append_c (imp->row, '\0');
  g_array_append_val (imp->offsets, offset);
  if (s != NULL && !g_utf8_validate_len (s, len, NULL))
    {
      guint index = imp->offsets->len - 1;
      g_array_append_val (imp->bad_utf8, index);
    }
}

static void
row_cb (int c, void *data)
{
  Import *imp = data;

  if (!imp->fatal)
    handle_row (imp);
  g_string_truncate (imp->row, 0);
  g_array_set_size (imp->offsets, 0);
  g_array_set_size (imp->bad_utf8, 0);
  imp->row_bytes = 0;
}

/* Feeding: line by line, so that every row knows the line it started on */

/* The column of the field libcsv is in the middle of, for its errors */
static char *
reading_column (Import *imp)
{
  return imp->header_done ? column_name (imp, imp->offsets->len) : NULL;
}

static gboolean
feed (Import *imp, const char *data, gsize len)
{
  if (imp->parser.pstate == 0 /* ROW_NOT_BEGUN */)
    imp->row_line = imp->line;
  imp->row_bytes += len;
  if (imp->row_bytes > MAX_ROW_BYTES)
    {
      report (imp, imp->row_line, NULL,
              _("a row longer than %d bytes; is this a CSV file, with its quotes closed?"), MAX_ROW_BYTES);
      imp->fatal = TRUE;
      return FALSE;
    }
  if (csv_parse (&imp->parser, data, len, field_cb, row_cb, imp) != len)
    {
      g_autofree char *column = reading_column (imp);

      report (imp, imp->line, column,
              _("malformed CSV: %s (a quote inside an unquoted field, or text after a closing quote)"),
              csv_strerror (csv_error (&imp->parser)));
      imp->fatal = TRUE;
      return FALSE;
    }
  return !imp->fatal;
}

/* A line ends at LF, at CR alone (old Macintosh files) and at CRLF once, as
 * text editors count them; libcsv takes either for the end of a row */
static gboolean
feed_chunk (Import *imp, const char *data, gsize len)
{
  while (len > 0)
    {
      /* the LF of a CRLF whose CR ended the last piece ends no line */
      gsize skip = imp->after_cr && data[0] == '\n' ? 1 : 0;
      const char *lf = memchr (data + skip, '\n', len - skip);
      gsize end = lf != NULL ? (gsize) (lf - data) + 1 : len;
      const char *cr = memchr (data + skip, '\r', end - skip);
      gboolean line_end = cr != NULL || lf != NULL;
      gsize n = cr != NULL ? (gsize) (cr - data) + 1 : end;

      imp->after_cr = cr != NULL;
      if (!feed (imp, data, n))
        return FALSE;
      if (line_end)
        imp->line++;
      data += n;
      len -= n;
    }
  return TRUE;
}

static gboolean
read_all (Import *imp, GInputStream *in, goffset size, LesProgressFunc progress,
          GCancellable *cancellable, GError **error)
{
  g_autofree char *buf = g_malloc (CHUNK_SIZE);
  goffset done = 0;
  gint64 last_progress = 0;
  gboolean first = TRUE;

  for (;;)
    {
      gssize n = g_input_stream_read (in, buf, CHUNK_SIZE, cancellable, error);
      const char *p = buf;

      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      if (first && n >= 3 && memcmp (buf, "\xEF\xBB\xBF", 3) == 0)
        {
          p += 3;
          n -= 3;
        }
      first = FALSE;
      done += n;
      if (!feed_chunk (imp, p, n))
        return TRUE;
      if (progress != NULL && size > 0 && g_get_monotonic_time () - last_progress > 100000)
        {
          last_progress = g_get_monotonic_time ();
          progress ((double) done / size, _("Reading"), imp->user_data);
        }
    }

  if (csv_fini (&imp->parser, field_cb, row_cb, imp) != 0)
    {
      g_autofree char *column = reading_column (imp);

      report (imp, imp->row_line, column, _("a quoted field is not closed before the end of the file"));
      imp->fatal = TRUE;
    }
  return TRUE;
}

static void
import_clear (Import *imp)
{
  csv_free (&imp->parser);
  g_clear_error (&imp->db_error);
  if (imp->row != NULL)
    g_string_free (g_steal_pointer (&imp->row), TRUE);
  g_clear_pointer (&imp->offsets, g_array_unref);
  g_clear_pointer (&imp->bad_utf8, g_array_unref);
  g_clear_pointer (&imp->header, g_strfreev);
  if (imp->key != NULL)
    g_string_free (g_steal_pointer (&imp->key), TRUE);
  g_clear_pointer (&imp->practices, g_hash_table_unref);
  g_clear_pointer (&imp->services, g_hash_table_unref);
  g_clear_pointer (&imp->rules, g_hash_table_unref);
  g_clear_pointer (&imp->seen, g_hash_table_unref);
  g_clear_pointer (&imp->claim_lines, g_hash_table_unref);
  g_clear_pointer (&imp->touched, g_hash_table_unref);
  g_clear_pointer (&imp->select_sql, g_free);
  g_clear_pointer (&imp->insert_sql, g_free);
  g_clear_pointer (&imp->update_sql, g_free);
  g_clear_pointer (&imp->held_sql, g_free);
  g_clear_pointer (&imp->copy_sql, g_free);
  g_clear_pointer (&imp->batch, g_array_unref);
  g_clear_pointer (&imp->batch_text, g_string_chunk_free);
  g_clear_pointer (&imp->batch_first, g_hash_table_unref);
  if (imp->copy_rows != NULL)
    g_string_free (g_steal_pointer (&imp->copy_rows), TRUE);
}

static gint64
max_claim_id (LesStore *store)
{
  LesStmt *stmt = les_store_prepare (store, les_sql_import_max_claim_id, NULL);
  gint64 id = 0;

  if (stmt != NULL && les_stmt_step (stmt, NULL) == LES_STEP_ROW)
    id = les_stmt_int64 (stmt, 0);
  if (stmt != NULL)
    les_stmt_reset (stmt);
  return id;
}

/* A claims file at least as large as the claims held: SQLite writes the
 * rows faster without the table's secondary indexes, which are then made
 * again in one sort each (in the same transaction, so a failed import
 * leaves them as they were).  Per row, each index is a b-tree insert at
 * its own place; nationally that was nine tenths of an import.  The
 * unique claim_ref stays: it finds a reference held already. */
#define BYTES_PER_CLAIM_ROW 40

typedef struct {
  char *name;
  char *sql;
} SavedIndex;

static void
saved_index_free (gpointer data)
{
  SavedIndex *ix = data;

  g_free (ix->name);
  g_free (ix->sql);
  g_free (ix);
}

static gboolean
drop_claims_indexes (Import *imp, GPtrArray *saved, GError **error)
{
  LesStmt *stmt = les_store_prepare (imp->store, les_sql_import_sqlite_claims_indexes, error);
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      SavedIndex *ix = g_new0 (SavedIndex, 1);

      ix->name = g_strdup (les_stmt_text (stmt, 0));
      ix->sql = g_strdup (les_stmt_text (stmt, 1));
      g_ptr_array_add (saved, ix);
    }
  les_stmt_reset (stmt);
  if (rc != LES_STEP_DONE)
    return FALSE;
  for (guint i = 0; i < saved->len; i++)
    {
      const SavedIndex *ix = g_ptr_array_index (saved, i);
      /* a name from the schema itself, not a value: identifiers cannot be bound */
      g_autofree char *sql = g_strdup_printf ("DROP INDEX \"%s\"", ix->name);

      if (!les_store_exec (imp->store, sql, error))
        return FALSE;
    }
  g_debug ("import: %u indexes of claims dropped for the load", saved->len);
  return TRUE;
}

static gboolean
create_claims_indexes (Import *imp, GPtrArray *saved, GError **error)
{
  gint64 t_start = g_get_monotonic_time ();

  for (guint i = 0; i < saved->len; i++)
    {
      const SavedIndex *ix = g_ptr_array_index (saved, i);

      if (!les_store_exec (imp->store, ix->sql, error))
        return FALSE;
    }
  g_debug ("import: %u indexes of claims made again in %.2f s", saved->len,
           (g_get_monotonic_time () - t_start) / 1e6);
  return TRUE;
}

/**
 * les_import_file:
 * @display_name: (nullable): the name used in messages; the file's path when %NULL
 *
 * Imports @file as @kind. Every bad row is passed to @on_message; when there
 * is any, nothing is written and an error with code %LES_ERROR_BAD_INPUT is
 * returned.
 */
gboolean
les_import_file (LesStore              *store,
                 LesKind                kind,
                 GFile                 *file,
                 const char            *display_name,
                 LesImportMessageFunc   on_message,
                 LesProgressFunc        on_progress,
                 gpointer               user_data,
                 GCancellable          *cancellable,
                 LesImportStats        *stats,
                 GError               **error)
{
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *path = NULL;
  LesImportStats local_stats = { 0 };
  Import imp = { 0 };
  g_autoptr(GPtrArray) dropped = g_ptr_array_new_with_free_func (saved_index_free);
  gboolean ok = FALSE;
  gboolean bulk = FALSE;
  goffset size;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (kind >= 0 && kind < LES_N_KINDS, FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  if (stats == NULL)
    stats = &local_stats;
  memset (stats, 0, sizeof *stats);

  /* every import is sealed into the audit trail, and patients' numbers are hashed, with the key */
  if (!les_store_ensure_key (store, error))
    return FALSE;
  path = g_file_get_parse_name (file);
  in = g_file_read (file, cancellable, error);
  if (in == NULL)
    return FALSE;
  info = g_file_input_stream_query_info (in, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, NULL);

  imp.store = store;
  imp.db = les_store_get_db (store);
  imp.kind = kind;
  imp.info = les_kind_get_info (kind);
  imp.name = display_name ? display_name : path;
  imp.on_message = on_message;
  imp.user_data = user_data;
  imp.stats = stats;
  imp.row = g_string_sized_new (1024);
  imp.offsets = g_array_new (FALSE, FALSE, sizeof (gsize));
  imp.bad_utf8 = g_array_new (FALSE, FALSE, sizeof (guint));
  imp.key = g_string_sized_new (64);
  imp.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  imp.claim_lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  imp.touched = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  imp.line = 1;
  imp.row_line = 1;
  /* a server's rows go in batches: all but practices (each names a PCN,
   * and later rows may name the practice) and patients' lines */
  if (kind != LES_KIND_PRACTICES && kind != LES_KIND_PATIENT_ACTIVITY && les_db_can_copy_in (imp.db))
    {
      imp.batch = g_array_sized_new (FALSE, FALSE, sizeof (BatchRow), BATCH_ROWS);
      imp.batch_text = g_string_chunk_new (64 * 1024);
      imp.batch_first = g_hash_table_new (g_str_hash, g_str_equal);
      imp.copy_rows = g_string_sized_new (1024 * 1024);
    }
  csv_init (&imp.parser, CSV_STRICT | CSV_STRICT_FINI);

  /* The importer checks every reference itself, against sets read inside
   * its own write transaction; SQLite checking them again for each of a
   * million claims would cost a fifth of the import. Outside a transaction
   * only: inside one the pragma does nothing, and the checks stay on. */
  bulk = (kind == LES_KIND_CLAIMS || kind == LES_KIND_PATIENT_ACTIVITY)
         && g_strcmp0 (les_db_get_backend_name (imp.db), "sqlite") == 0;
  if (bulk)
    les_store_exec (store, les_sql_import_sqlite_foreign_keys_off, NULL);
  if (!les_store_begin (store, error))
    goto out;
  if (!prepare_statements (&imp, error) || !load_references (&imp, error))
    goto rollback;
  imp.first_new_claim_id = max_claim_id (store) + 1;
  size = info ? g_file_info_get_size (info) : 0;
  if (bulk && kind == LES_KIND_CLAIMS && size / BYTES_PER_CLAIM_ROW >= imp.first_new_claim_id - 1
      && !drop_claims_indexes (&imp, dropped, error))
    goto rollback;

  if (!read_all (&imp, G_INPUT_STREAM (in), size, on_progress, cancellable, error))
    goto rollback;
  if (imp.batch != NULL)
    flush_batch (&imp);
  if (imp.db_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&imp.db_error));
      goto rollback;
    }

  if (!imp.header_done)
    {
      report (&imp, 1, NULL, _("the file is empty; expected a header row naming the %s columns"), imp.info->name);
      stats->errors++;
    }
  else if (stats->rows == 0 && !imp.fatal && stats->errors == 0 && on_message != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("%s: no rows to import after the header"), imp.name);
      on_message (message, user_data);
    }

  if (imp.fatal || stats->errors > 0)
    {
      if (stats->errors == 0)
        stats->errors = 1;
      g_set_error (error, LES_ERROR, LES_ERROR_BAD_INPUT,
                   g_dngettext (GETTEXT_PACKAGE, "%s: %" G_GINT64_FORMAT " bad row; nothing was imported",
                                "%s: %" G_GINT64_FORMAT " bad rows; nothing was imported", stats->errors),
                   imp.name, stats->errors);
      goto rollback;
    }

  {
    g_autofree char *summary =
      g_strdup_printf ("%s %s: %" G_GINT64_FORMAT " rows, %" G_GINT64_FORMAT " new, %" G_GINT64_FORMAT
                       " changed, %" G_GINT64_FORMAT " unchanged, %" G_GINT64_FORMAT " skipped",
                       imp.info->name, imp.name, stats->rows, stats->inserted, stats->replaced,
                       stats->unchanged, stats->skipped);
    if (!les_store_audit (store, "import", imp.info->table, NULL, NULL, summary, error))
      goto rollback;
  }
  mark_touched (&imp);
  /* the figures of the years it touched are out of date */
  if (!note_years (&imp, error))
    goto rollback;
  if (dropped->len > 0)
    {
      if (on_progress != NULL)
        on_progress (1.0, _("Indexing the claims"), user_data);
      if (g_cancellable_set_error_if_cancelled (cancellable, error) || !create_claims_indexes (&imp, dropped, error))
        goto rollback;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto rollback;
  if (!les_store_commit (store, error))
    goto out;
  ok = TRUE;
  if (on_progress != NULL)
    on_progress (1.0, _("Imported"), user_data);
  goto out;

rollback:
  les_store_rollback (store);
out:
  if (bulk)
    les_store_exec (store, les_sql_import_sqlite_foreign_keys_on, NULL);
  import_clear (&imp);
  return ok;
}

/* Preview */

typedef struct {
  GPtrArray *rows;
  GPtrArray *current;
  guint      max_rows;
} Preview;

static void
preview_field_cb (void *s, size_t len, void *data)
{
  Preview *pv = data;

  if (pv->rows->len <= pv->max_rows)
    g_ptr_array_add (pv->current, s ? g_utf8_make_valid (s, len) : g_strdup (""));
}

static void
preview_row_cb (int c, void *data)
{
  Preview *pv = data;

  if (pv->rows->len <= pv->max_rows)
    {
      g_ptr_array_add (pv->current, NULL);
      g_ptr_array_add (pv->rows, g_ptr_array_free (pv->current, FALSE));
      pv->current = g_ptr_array_new ();
    }
}

LesKind
les_import_preview (GFile       *file,
                    guint        max_rows,
                    GStrv       *header,
                    GPtrArray  **rows,
                    GError     **error)
{
  g_autoptr(GFileInputStream) in = NULL;
  struct csv_parser parser;
  char buf[16384];
  Preview pv = { g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev), g_ptr_array_new (), max_rows };
  LesKind kind = LES_KIND_INVALID;
  gsize total = 0;
  gboolean first = TRUE;

  g_return_val_if_fail (G_IS_FILE (file), LES_KIND_INVALID);

  in = g_file_read (file, NULL, error);
  if (in == NULL)
    goto out;
  csv_init (&parser, 0);
  while (pv.rows->len <= max_rows && total < 4 * 1024 * 1024)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (in), buf, sizeof buf, NULL, error);
      const char *p = buf;

      if (n <= 0)
        break;
      if (first && n >= 3 && memcmp (buf, "\xEF\xBB\xBF", 3) == 0)
        {
          p += 3;
          n -= 3;
        }
      first = FALSE;
      total += n;
      csv_parse (&parser, p, n, preview_field_cb, preview_row_cb, &pv);
    }
  csv_fini (&parser, preview_field_cb, preview_row_cb, &pv);
  csv_free (&parser);

  if (pv.rows->len > 0)
    {
      GStrv head = g_ptr_array_steal_index (pv.rows, 0);

      kind = les_kind_detect ((const char * const *) head);
      if (header != NULL)
        *header = head;
      else
        g_strfreev (head);
    }
  if (rows != NULL)
    *rows = g_ptr_array_ref (pv.rows);

out:
  g_ptr_array_unref (pv.rows);
  g_ptr_array_free (pv.current, TRUE);
  return kind;
}
