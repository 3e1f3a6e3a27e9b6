/* les-service-draft.c: a service and its payment rules as a person edits them — checks as an import's, saving with audit and undo. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-column.h"
#include "les-enums.h"
#include "les-error.h"
#include "les-kinds.h"
#include "les-service-draft.h"
#include "les-store-private.h"
#include "les-value.h"
#include "les-year-status.h"

#define MAX_COLUMNS 16

typedef struct
{
  char     **fields;   /* by rules column; service_code and year unused */
  gboolean   stored;
} DraftRule;

struct _LesServiceDraft
{
  int         fy;
  gboolean    is_new;
  char      **fields;  /* by services column */
  GPtrArray  *rules;   /* DraftRule */
};

struct _LesServiceChange
{
  char            *code;
  int              fy;
  char            *action;
  LesServiceDraft *before;   /* NULL: the service did not exist */
  LesServiceDraft *after;    /* NULL: the service was removed */
};

/* A row of a draft, checked: each field copied and parsed in place by
 * les_column_parse(), exactly as an import parses a cell */
typedef struct
{
  const LesKindInfo *info;
  char              *texts[MAX_COLUMNS];
  LesValue           values[MAX_COLUMNS];
} ParsedRow;

/* Columns */

static const LesKindInfo *
services_info (void)
{
  return les_kind_get_info (LES_KIND_SERVICES);
}

static const LesKindInfo *
rules_info (void)
{
  return les_kind_get_info (LES_KIND_RULES);
}

static const LesColumn *
find_column (gboolean is_rule, const char *column)
{
  const LesKindInfo *info = is_rule ? rules_info () : services_info ();
  int c = les_kind_column_index (info, column);

  return c < 0 ? NULL : &info->columns[c];
}

static char **
fields_new (const LesKindInfo *info)
{
  return g_new0 (char *, info->n_columns + 1);
}

static char **
fields_copy (char **fields, const LesKindInfo *info)
{
  char **copy = fields_new (info);

  for (guint c = 0; c < info->n_columns; c++)
    copy[c] = g_strdup (fields[c]);
  return copy;
}

static void
fields_free (char **fields, const LesKindInfo *info)
{
  for (guint c = 0; c < info->n_columns; c++)
    g_free (fields[c]);
  g_free (fields);
}

static gboolean
fields_equal (char **a, char **b, const LesKindInfo *info)
{
  for (guint c = 0; c < info->n_columns; c++)
    if (g_strcmp0 (a[c] != NULL && a[c][0] ? a[c] : NULL, b[c] != NULL && b[c][0] ? b[c] : NULL) != 0)
      return FALSE;
  return TRUE;
}

static void
draft_rule_free (gpointer data)
{
  DraftRule *r = data;

  fields_free (r->fields, rules_info ());
  g_free (r);
}

static const char *
get_field (char **fields, const LesKindInfo *info, const char *column)
{
  int c = les_kind_column_index (info, column);

  g_return_val_if_fail (c >= 0, NULL);
  return fields[c] != NULL ? fields[c] : "";
}

static void
set_field (char **fields, const LesKindInfo *info, const char *column, const char *text)
{
  int c = les_kind_column_index (info, column);

  g_return_if_fail (c >= 0);
  g_free (fields[c]);
  fields[c] = g_strdup (text != NULL ? text : "");
}

/* Checking values */

/* @text as a cell of @col into @value, which may point into *@copy (freed by the caller) */
static gboolean
parse_text (const LesColumn *col, const char *text, char **copy, LesValue *value, GError **error)
{
  *copy = g_strdup (text != NULL ? text : "");
  return les_column_parse (col, *copy, value, error);
}

/* A choice field's enum value: -1 when blank or not one of its words */
static int
choice_of (gboolean is_rule, const char *column, const char *text)
{
  g_autofree char *copy = NULL;
  LesValue value;

  if (!parse_text (find_column (is_rule, column), text, &copy, &value, NULL) || value.type == LES_VALUE_BLANK)
    return -1;
  return (int) value.i;
}

gboolean
les_service_check_value (gboolean is_rule, const char *column, const char *text, GError **error)
{
  const LesColumn *col = find_column (is_rule, column);
  g_autofree char *copy = NULL;
  LesValue value;

  g_return_val_if_fail (col != NULL, FALSE);

  return parse_text (col, text, &copy, &value, error);
}

static gboolean
kind_uses (int kind, const char *column)
{
  static const char *const item[] = { "rate", "max_units_per_practice", "max_per_patient", NULL };
  static const char *const capitation[] = { "rate", "rate_per", "base", NULL };
  static const char *const threshold[] = { "fixed_amount", "rate", "base", "upfront_pct", "lower_pct", "upper_pct",
                                           "settlement", NULL };
  static const char *const common[] = { "service_code", "year", "rule_code", "kind", "description", NULL };

  if (g_strv_contains (common, column))
    return TRUE;
  switch (kind)
    {
    case LES_RULE_KIND_ITEM:
      return g_strv_contains (item, column);
    case LES_RULE_KIND_CAPITATION:
      return g_strv_contains (capitation, column);
    case LES_RULE_KIND_THRESHOLD:
      return g_strv_contains (threshold, column);
    case LES_RULE_KIND_BLOCK:   /* amounts come from allocations */
    default:
      return FALSE;
    }
}

gboolean
les_rule_kind_uses (const char *kind, const char *column)
{
  g_return_val_if_fail (column != NULL, FALSE);

  return kind_uses (choice_of (TRUE, "kind", kind), column);
}

static void
parsed_row_clear (ParsedRow *row)
{
  for (guint c = 0; c < G_N_ELEMENTS (row->texts); c++)
    g_clear_pointer (&row->texts[c], g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ParsedRow, parsed_row_clear)

/* Checked values of a whole row, one per column; a rule's columns that its kind does not use are blank */
static gboolean
parse_row (char **fields, const LesKindInfo *info, gboolean is_rule, ParsedRow *row, const char **column,
           GError **error)
{
  int kind = is_rule ? choice_of (TRUE, "kind", get_field (fields, info, "kind")) : -1;

  g_assert (info->n_columns <= MAX_COLUMNS);
  memset (row, 0, sizeof *row);
  row->info = info;
  for (guint c = 0; c < info->n_columns; c++)
    {
      const LesColumn *col = &info->columns[c];
      g_autoptr(GError) local = NULL;

      /* the service's own code and year are the draft's, not the rule's */
      if (is_rule && (strcmp (col->name, "service_code") == 0 || strcmp (col->name, "year") == 0))
        continue;
      if (is_rule && !kind_uses (kind, col->name))
        continue;
      if (!parse_text (col, fields[c], &row->texts[c], &row->values[c], &local))
        {
          *column = col->name;
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }
  return TRUE;
}

static LesValue *
value_of (ParsedRow *row, const char *column)
{
  return &row->values[les_kind_column_index (row->info, column)];
}

/* A blank choice takes its default (an enum value), as an import's does */
static void
set_default (ParsedRow *row, const char *column, int choice)
{
  int c = les_kind_column_index (row->info, column);

  les_column_default_choice (&row->info->columns[c], &row->values[c], choice);
}

static gboolean
fail (const char **column, const char *name, GError **error, const char *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (const char **column, const char *name, GError **error, const char *format, ...)
{
  va_list args;

  g_autofree char *message = NULL;

  *column = name;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, LES_ERROR, LES_ERROR_INVALID, message);
  return FALSE;
}

/* The importer's checks across columns (les-import.c check_row/check_rule) */
static gboolean
check_service_row (ParsedRow *row, const char **column, GError **error)
{
  LesValue *start = value_of (row, "start_date");
  LesValue *end = value_of (row, "end_date");

  set_default (row, "cap_mode", LES_CAP_MODE_NONE);
  set_default (row, "schedule", LES_SCHEDULE_MONTHLY);
  set_default (row, "claim_frequency", LES_CLAIM_FREQUENCY_MONTHLY);
  if (start->type != LES_VALUE_BLANK && end->type != LES_VALUE_BLANK && end->i < start->i)
    return fail (column, "end_date", error, _("%s is before %s %s"), les_value_get_text (end), "start_date",
                 les_value_get_text (start));
  return TRUE;
}

static gboolean
require (ParsedRow *row, const char *column, const char *kind, const char **out_column, GError **error)
{
  if (value_of (row, column)->type == LES_VALUE_BLANK)
    return fail (out_column, column, error, _("a rule of kind “%s” needs a value here"), kind);
  return TRUE;
}

static gboolean
check_rule_row (ParsedRow *row, const char **column, GError **error)
{
  LesValue *kind_value = value_of (row, "kind");
  const char *kind = les_value_get_text (kind_value);

  switch ((LesRuleKind) kind_value->i)
    {
    case LES_RULE_KIND_ITEM:
      return require (row, "rate", kind, column, error);

    case LES_RULE_KIND_CAPITATION:
      set_default (row, "rate_per", LES_RATE_PER_YEAR);
      return require (row, "rate", kind, column, error) && require (row, "base", kind, column, error);

    case LES_RULE_KIND_THRESHOLD:
      {
        LesValue *lower = value_of (row, "lower_pct");
        LesValue *upper = value_of (row, "upper_pct");

        if (!require (row, "lower_pct", kind, column, error) || !require (row, "upper_pct", kind, column, error))
          return FALSE;
        if (upper->i < lower->i)
          return fail (column, "upper_pct", error, _("the upper threshold is below the lower threshold"));
        if (value_of (row, "rate")->type != LES_VALUE_BLANK)
          {
            if (!require (row, "base", kind, column, error))
              return FALSE;
            set_default (row, "rate_per", LES_RATE_PER_YEAR);
          }
        set_default (row, "settlement", LES_SETTLEMENT_REMAINDER);
        return TRUE;
      }

    case LES_RULE_KIND_BLOCK:
    case LES_N_RULE_KINDS:
    default:
      return TRUE;
    }
}

gboolean
les_service_draft_check (const LesServiceDraft *draft, int *rule, const char **column, GError **error)
{
  const LesKindInfo *rinfo = rules_info ();
  g_autoptr(GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);
  const char *dummy_column;
  int dummy_rule;

  g_return_val_if_fail (draft != NULL, FALSE);

  if (rule == NULL)
    rule = &dummy_rule;
  if (column == NULL)
    column = &dummy_column;
  *rule = -1;
  *column = NULL;

  {
    g_auto(ParsedRow) sv = { 0 };

    if (!parse_row (draft->fields, services_info (), FALSE, &sv, column, error)
        || !check_service_row (&sv, column, error))
      return FALSE;
  }

  for (guint i = 0; i < draft->rules->len; i++)
    {
      DraftRule *r = g_ptr_array_index (draft->rules, i);
      g_auto(ParsedRow) rv = { 0 };
      const char *code;

      *rule = (int) i;
      if (!parse_row (r->fields, rinfo, TRUE, &rv, column, error) || !check_rule_row (&rv, column, error))
        return FALSE;
      /* as stored: trimmed and upper-cased, so " r1" is R1 again */
      code = les_value_get_text (value_of (&rv, "rule_code"));
      if (g_ptr_array_find_with_equal_func (codes, code, g_str_equal, NULL))
        return fail (column, "rule_code", error, _("the service already has a rule “%s”"), code);
      g_ptr_array_add (codes, g_strdup (code));
    }
  *rule = -1;
  return TRUE;
}

/* Drafts */

LesServiceDraft *
les_service_draft_new (int fy)
{
  LesServiceDraft *draft = g_new0 (LesServiceDraft, 1);
  g_autofree char *year = les_year_format (fy);

  draft->fy = fy;
  draft->is_new = TRUE;
  draft->fields = fields_new (services_info ());
  draft->rules = g_ptr_array_new_with_free_func (draft_rule_free);
  set_field (draft->fields, services_info (), "year", year);
  set_field (draft->fields, services_info (), "cap_mode", les_cap_mode_to_word (LES_CAP_MODE_NONE));
  set_field (draft->fields, services_info (), "schedule", les_schedule_to_word (LES_SCHEDULE_MONTHLY));
  set_field (draft->fields, services_info (), "claim_frequency",
             les_claim_frequency_to_word (LES_CLAIM_FREQUENCY_MONTHLY));
  return draft;
}

/* The text a column's stored value is edited as */
static char *
column_text (LesStmt *stmt, int index, const LesColumn *col)
{
  gint64 n;

  if (les_stmt_is_null (stmt, index))
    return g_strdup ("");
  n = les_stmt_int64 (stmt, index);
  switch (col->type)
    {
    case LES_COL_YEAR:
      return les_year_format ((int) n);
    case LES_COL_MONEY:
    case LES_COL_MONEY_POS:
      return les_money_format (n);
    case LES_COL_RATE:
      return les_rate_format (n);
    case LES_COL_PERCENT:
    case LES_COL_PERCENT_ANY:
      return les_percent_format (n);
    case LES_COL_COUNT:
      return g_strdup_printf ("%" G_GINT64_FORMAT, n);
    case LES_COL_CENTI:
      return les_decimal_format (n, 2, 0);
    case LES_COL_TEXT:
    case LES_COL_CODE:
    case LES_COL_ODS:
    case LES_COL_DATE:
    case LES_COL_PERIOD:
    case LES_COL_CHOICE:
    default:
      return g_strdup (les_stmt_text (stmt, index));
    }
}

LesServiceDraft *
les_service_draft_load (LesStore *store, const char *service_code, int fy, GError **error)
{
  const LesKindInfo *sinfo = services_info ();
  const LesKindInfo *rinfo = rules_info ();
  g_autoptr(LesServiceDraft) draft = NULL;
  g_autofree char *ssql = les_sql_service_select ();
  g_autofree char *rsql = les_sql_service_rules_select ();
  LesStmt *stmt;
  LesStep rc;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);
  g_return_val_if_fail (service_code != NULL, NULL);

  stmt = les_store_prepare (store, ssql, error);
  if (stmt == NULL)
    return NULL;
  les_stmt_bind_text (stmt, 1, service_code);
  les_stmt_bind_int64 (stmt, 2, fy);
  rc = les_stmt_step (stmt, error);
  if (rc != LES_STEP_ROW)
    {
      g_autofree char *year = les_year_format (fy);

      les_stmt_reset (stmt);
      if (rc == LES_STEP_ERROR)
        return NULL;
      g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND, _("No service “%s” in %s"), service_code, year);
      return NULL;
    }
  draft = g_new0 (LesServiceDraft, 1);
  draft->fy = fy;
  draft->fields = fields_new (sinfo);
  draft->rules = g_ptr_array_new_with_free_func (draft_rule_free);
  for (guint c = 0; c < sinfo->n_columns; c++)
    draft->fields[c] = column_text (stmt, (int) c, &sinfo->columns[c]);
  les_stmt_reset (stmt);

  stmt = les_store_prepare (store, rsql, error);
  if (stmt == NULL)
    return NULL;
  les_stmt_bind_text (stmt, 1, service_code);
  les_stmt_bind_int64 (stmt, 2, fy);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      DraftRule *r = g_new0 (DraftRule, 1);

      r->stored = TRUE;
      r->fields = fields_new (rinfo);
      for (guint c = 0; c < rinfo->n_columns; c++)
        r->fields[c] = column_text (stmt, (int) c, &rinfo->columns[c]);
      g_ptr_array_add (draft->rules, r);
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return NULL;
  return g_steal_pointer (&draft);
}

LesServiceDraft *
les_service_draft_copy (const LesServiceDraft *draft)
{
  LesServiceDraft *copy;

  g_return_val_if_fail (draft != NULL, NULL);

  copy = g_new0 (LesServiceDraft, 1);
  copy->fy = draft->fy;
  copy->is_new = draft->is_new;
  copy->fields = fields_copy (draft->fields, services_info ());
  copy->rules = g_ptr_array_new_with_free_func (draft_rule_free);
  for (guint i = 0; i < draft->rules->len; i++)
    {
      DraftRule *r = g_ptr_array_index (draft->rules, i);
      DraftRule *c = g_new0 (DraftRule, 1);

      c->stored = r->stored;
      c->fields = fields_copy (r->fields, rules_info ());
      g_ptr_array_add (copy->rules, c);
    }
  return copy;
}

void
les_service_draft_free (LesServiceDraft *draft)
{
  if (draft == NULL)
    return;
  fields_free (draft->fields, services_info ());
  g_ptr_array_unref (draft->rules);
  g_free (draft);
}

gboolean
les_service_draft_equal (const LesServiceDraft *a, const LesServiceDraft *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  if (a->fy != b->fy || a->is_new != b->is_new || a->rules->len != b->rules->len
      || !fields_equal (a->fields, b->fields, services_info ()))
    return FALSE;
  for (guint i = 0; i < a->rules->len; i++)
    if (!fields_equal (((DraftRule *) g_ptr_array_index (a->rules, i))->fields,
                       ((DraftRule *) g_ptr_array_index (b->rules, i))->fields, rules_info ()))
      return FALSE;
  return TRUE;
}

gboolean
les_service_draft_is_new (const LesServiceDraft *draft)
{
  g_return_val_if_fail (draft != NULL, FALSE);
  return draft->is_new;
}

int
les_service_draft_get_year (const LesServiceDraft *draft)
{
  g_return_val_if_fail (draft != NULL, 0);
  return draft->fy;
}

const char *
les_service_draft_get (const LesServiceDraft *draft, const char *column)
{
  g_return_val_if_fail (draft != NULL, NULL);
  return get_field (draft->fields, services_info (), column);
}

void
les_service_draft_set (LesServiceDraft *draft, const char *column, const char *text)
{
  g_return_if_fail (draft != NULL);
  g_return_if_fail (strcmp (column, "year") != 0);
  g_return_if_fail (draft->is_new || strcmp (column, "service_code") != 0);

  set_field (draft->fields, services_info (), column, text);
}

guint
les_service_draft_get_n_rules (const LesServiceDraft *draft)
{
  g_return_val_if_fail (draft != NULL, 0);
  return draft->rules->len;
}

static DraftRule *
draft_rule (const LesServiceDraft *draft, guint rule)
{
  g_return_val_if_fail (draft != NULL, NULL);
  g_return_val_if_fail (rule < draft->rules->len, NULL);
  return g_ptr_array_index (draft->rules, rule);
}

const char *
les_service_draft_get_rule (const LesServiceDraft *draft, guint rule, const char *column)
{
  DraftRule *r = draft_rule (draft, rule);

  return r != NULL ? get_field (r->fields, rules_info (), column) : NULL;
}

void
les_service_draft_set_rule (LesServiceDraft *draft, guint rule, const char *column, const char *text)
{
  DraftRule *r = draft_rule (draft, rule);

  g_return_if_fail (r != NULL);
  g_return_if_fail (!r->stored || strcmp (column, "rule_code") != 0);
  set_field (r->fields, rules_info (), column, text);
}

gboolean
les_service_draft_rule_is_stored (const LesServiceDraft *draft, guint rule)
{
  DraftRule *r = draft_rule (draft, rule);

  return r != NULL && r->stored;
}

guint
les_service_draft_add_rule (LesServiceDraft *draft, const char *kind)
{
  DraftRule *r;
  g_autofree char *code = NULL;

  g_return_val_if_fail (draft != NULL, 0);

  for (guint n = draft->rules->len + 1; code == NULL; n++)
    {
      gboolean used = FALSE;

      code = g_strdup_printf ("R%u", n);
      for (guint i = 0; i < draft->rules->len && !used; i++)
        used = g_ascii_strcasecmp (code, les_service_draft_get_rule (draft, i, "rule_code")) == 0;
      if (used)
        g_clear_pointer (&code, g_free);
    }
  r = g_new0 (DraftRule, 1);
  r->fields = fields_new (rules_info ());
  set_field (r->fields, rules_info (), "rule_code", code);
  set_field (r->fields, rules_info (), "kind", kind != NULL ? kind : les_rule_kind_to_word (LES_RULE_KIND_ITEM));
  g_ptr_array_add (draft->rules, r);
  return draft->rules->len - 1;
}

void
les_service_draft_remove_rule (LesServiceDraft *draft, guint rule)
{
  g_return_if_fail (draft != NULL && rule < draft->rules->len);
  g_ptr_array_remove_index (draft->rules, rule);
}

/* Writing */

static void
bind_value (LesStmt *stmt, int index, const LesValue *v)
{
  if (v->type == LES_VALUE_BLANK)
    les_stmt_bind_null (stmt, index);
  else if (v->type == LES_VALUE_INT)
    les_stmt_bind_int64 (stmt, index, v->i);
  else
    les_stmt_bind_text (stmt, index, les_value_get_text (v));
}

/* Runs a write; a reference that would break (LES_DB_FAILURE_FOREIGN_KEY) is @in_use, when given */
static gboolean
run_write (LesStore *store, LesStmt *stmt, const char *in_use, GError **error)
{
  g_autoptr(GError) local = NULL;
  LesStep rc = les_stmt_step (stmt, &local);
  LesDbFailure failure = rc == LES_STEP_ERROR ? les_db_last_failure (les_store_get_db (store)) : LES_DB_FAILURE_OTHER;

  les_stmt_reset (stmt);
  if (rc != LES_STEP_ERROR)
    return TRUE;
  if (failure == LES_DB_FAILURE_FOREIGN_KEY && in_use != NULL)
    {
      g_set_error_literal (error, LES_ERROR, LES_ERROR_CONFLICT, in_use);
      return FALSE;
    }
  g_propagate_error (error, g_steal_pointer (&local));
  return FALSE;
}

static LesStmt *
prepare_for_service (LesStore *store, const char *sql, const char *code, int fy, GError **error)
{
  LesStmt *stmt = les_store_prepare (store, sql, error);

  if (stmt != NULL)
    {
      les_stmt_bind_text (stmt, 1, code);
      les_stmt_bind_int64 (stmt, 2, fy);
    }
  return stmt;
}

static gboolean
exists (LesStore *store, const char *code, int fy)
{
  LesStmt *stmt = prepare_for_service (store, les_sql_service_exists, code, fy, NULL);
  gboolean found;

  if (stmt == NULL)
    return FALSE;
  found = les_stmt_step (stmt, NULL) == LES_STEP_ROW;
  les_stmt_reset (stmt);
  return found;
}

/* The service's code as it will be stored */
static char *
draft_code (const LesServiceDraft *draft)
{
  const char *text = les_service_draft_get (draft, "service_code");
  g_autofree char *copy = NULL;
  LesValue value;

  if (parse_text (find_column (FALSE, "service_code"), text, &copy, &value, NULL) && value.type == LES_VALUE_TEXT)
    return g_strdup (les_value_get_text (&value));
  g_clear_pointer (&copy, g_free);
  copy = g_strstrip (g_strdup (text));
  return g_ascii_strup (copy, -1);
}

/* Removes the service's stored rules that @keep (codes as stored) does not hold */
static gboolean
delete_other_rules (LesStore *store, const char *code, int fy, GPtrArray *keep, GError **error)
{
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  LesStmt *stmt = prepare_for_service (store, les_sql_service_rule_codes, code, fy, error);
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    if (!g_ptr_array_find_with_equal_func (keep, les_stmt_text (stmt, 0), g_str_equal, NULL))
      g_ptr_array_add (gone, g_strdup (les_stmt_text (stmt, 0)));
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return FALSE;

  for (guint i = 0; i < gone->len; i++)
    {
      stmt = prepare_for_service (store, les_sql_service_rule_delete, code, fy, error);
      if (stmt == NULL)
        return FALSE;
      les_stmt_bind_text (stmt, 3, gone->pdata[i]);
      /* a rule that claims name cannot go */
      if (!run_write (store, stmt,
                      _("A rule that claims name cannot be removed; keep it, or remove its claims first"), error))
        return FALSE;
    }
  return TRUE;
}

/* Writes @draft over whatever the database holds for its service; inside a transaction. */
static gboolean
write_draft (LesStore *store, const LesServiceDraft *draft, GError **error)
{
  const LesKindInfo *sinfo = services_info ();
  const LesKindInfo *rinfo = rules_info ();
  g_autofree char *ssql = les_sql_service_upsert ();
  g_autofree char *rsql = les_sql_service_rule_upsert ();
  g_autofree char *code = draft_code (draft);
  g_autoptr(GPtrArray) keep = g_ptr_array_new_with_free_func (g_free);
  const char *column;
  int rule;
  LesStmt *stmt;

  if (!les_service_draft_check (draft, &rule, &column, error))
    return FALSE;

  {
    g_auto(ParsedRow) sv = { 0 };

    if (!parse_row (draft->fields, sinfo, FALSE, &sv, &column, error) || !check_service_row (&sv, &column, error))
      return FALSE;
    stmt = les_store_prepare (store, ssql, error);
    if (stmt == NULL)
      return FALSE;
    for (guint c = 0; c < sinfo->n_columns; c++)
      bind_value (stmt, (int) c + 1, &sv.values[c]);
    if (!run_write (store, stmt, NULL, error))
      return FALSE;
  }

  for (guint i = 0; i < draft->rules->len; i++)
    {
      DraftRule *r = g_ptr_array_index (draft->rules, i);
      g_auto(ParsedRow) rv = { 0 };

      if (!parse_row (r->fields, rinfo, TRUE, &rv, &column, error) || !check_rule_row (&rv, &column, error))
        return FALSE;
      stmt = les_store_prepare (store, rsql, error);
      if (stmt == NULL)
        return FALSE;
      for (guint c = 0; c < rinfo->n_columns; c++)
        bind_value (stmt, (int) c + 1, &rv.values[c]);
      les_stmt_bind_text (stmt, 1, code);
      les_stmt_bind_int64 (stmt, 2, draft->fy);
      if (!run_write (store, stmt, NULL, error))
        return FALSE;
      g_ptr_array_add (keep, g_strdup (les_value_get_text (value_of (&rv, "rule_code"))));
    }

  /* Rules no longer in the draft */
  return delete_other_rules (store, code, draft->fy, keep, error);
}

static gboolean
delete_service (LesStore *store, const char *code, int fy, GError **error)
{
  const char *in_use = _("The service has sign-ups, claims or other data now; it cannot be removed");
  LesStmt *stmt;

  stmt = prepare_for_service (store, les_sql_service_rules_delete, code, fy, error);
  if (stmt == NULL || !run_write (store, stmt, in_use, error))
    return FALSE;
  stmt = prepare_for_service (store, les_sql_service_delete, code, fy, error);
  return stmt != NULL && run_write (store, stmt, in_use, error);
}

/* The audit trail's account of a service: one "column=value" per set field, rules on lines of their own */
static char *
describe (const LesServiceDraft *draft)
{
  const LesKindInfo *sinfo = services_info ();
  const LesKindInfo *rinfo = rules_info ();
  GString *s = g_string_new (NULL);

  if (draft == NULL)
    return NULL;
  for (guint c = 0; c < sinfo->n_columns; c++)
    if (draft->fields[c] != NULL && draft->fields[c][0] != '\0' && strcmp (sinfo->columns[c].name, "year") != 0)
      g_string_append_printf (s, "%s%s=%s", s->len > 0 ? "; " : "", sinfo->columns[c].name, draft->fields[c]);
  for (guint i = 0; i < draft->rules->len; i++)
    {
      DraftRule *r = g_ptr_array_index (draft->rules, i);
      const char *kind = get_field (r->fields, rinfo, "kind");
      gboolean first = TRUE;

      g_string_append (s, "\nrule ");
      for (guint c = 2; c < rinfo->n_columns; c++)
        if (r->fields[c] != NULL && r->fields[c][0] != '\0' && les_rule_kind_uses (kind, rinfo->columns[c].name))
          {
            g_string_append_printf (s, "%s%s=%s", first ? "" : "; ", rinfo->columns[c].name, r->fields[c]);
            first = FALSE;
          }
    }
  return g_string_free (s, FALSE);
}

/* Applies @after (NULL: removes the service) in one transaction, audited */
static LesServiceChange *
apply (LesStore              *store,
       const char            *action,
       const char            *code,
       int                    fy,
       LesServiceDraft       *before,
       const LesServiceDraft *after,
       GError               **error)
{
  g_autoptr(LesServiceChange) change = g_new0 (LesServiceChange, 1);
  g_autofree char *key = g_strdup_printf ("%s/%d", code, fy);
  g_autofree char *was = describe (before);
  g_autofree char *now = NULL;

  change->code = g_strdup (code);
  change->fy = fy;
  change->action = g_strdup (action);
  change->before = before;
  if (after != NULL)
    {
      change->after = les_service_draft_copy (after);
      change->after->is_new = FALSE;
      for (guint i = 0; i < change->after->rules->len; i++)
        ((DraftRule *) g_ptr_array_index (change->after->rules, i))->stored = TRUE;
    }
  now = describe (change->after);

  if (!les_store_begin (store, error))
    return NULL;
  if (!(after != NULL ? write_draft (store, after, error) : delete_service (store, code, fy, error)))
    {
      les_store_rollback (store);
      return NULL;
    }
  if (!les_store_audit (store, action, "services", key, was, now, error))
    {
      les_store_rollback (store);
      return NULL;
    }
  les_store_mark_stale (store, fy, code);
  /* the year's figures no longer follow its services */
  if (!les_year_note_change (store, fy, LES_YEAR_CHANGE_EDIT, error))
    {
      les_store_rollback (store);
      return NULL;
    }
  if (!les_store_commit (store, error))
    return NULL;
  return g_steal_pointer (&change);
}

LesServiceChange *
les_service_save (LesStore *store, const LesServiceDraft *draft, GError **error)
{
  g_autofree char *code = NULL;
  g_autoptr(GError) local = NULL;
  LesServiceDraft *before = NULL;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);
  g_return_val_if_fail (draft != NULL, NULL);

  if (!les_service_draft_check (draft, NULL, NULL, error))
    return NULL;
  code = draft_code (draft);
  if (draft->is_new)
    {
      if (exists (store, code, draft->fy))
        {
          g_autofree char *year = les_year_format (draft->fy);

          g_set_error (error, LES_ERROR, LES_ERROR_CONFLICT, _("There is already a service “%s” in %s"), code, year);
          return NULL;
        }
    }
  else
    {
      before = les_service_draft_load (store, code, draft->fy, error);
      if (before == NULL)
        return NULL;
    }
  return apply (store, draft->is_new ? "new-service" : "edit-service", code, draft->fy, before, draft, error);
}

/* @ymd a year later; 29 February becomes 28 February */
static void
shift_date_text (LesServiceDraft *draft, const char *column)
{
  const char *text = les_service_draft_get (draft, column);
  gint32 ymd;
  int y, m, d;
  char buf[11];

  if (text[0] == '\0' || !les_date_parse (text, &ymd, NULL))
    return;
  y = ymd / 10000 + 1;
  m = ymd / 100 % 100;
  d = ymd % 100;
  if (!les_date_valid (y, m, d))
    d = les_days_in_month (y, m);
  les_date_format (y * 10000 + m * 100 + d, buf);
  set_field (draft->fields, services_info (), column, buf);
}

LesServiceChange *
les_service_duplicate (LesStore *store, const char *service_code, int fy, GError **error)
{
  g_autoptr(LesServiceDraft) next = NULL;
  g_autofree char *year = NULL;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);
  g_return_val_if_fail (service_code != NULL, NULL);

  next = les_service_draft_load (store, service_code, fy, error);
  if (next == NULL)
    return NULL;
  next->fy = fy + 1;
  next->is_new = TRUE;
  year = les_year_format (fy + 1);
  set_field (next->fields, services_info (), "year", year);
  shift_date_text (next, "start_date");
  shift_date_text (next, "end_date");
  for (guint i = 0; i < next->rules->len; i++)
    ((DraftRule *) g_ptr_array_index (next->rules, i))->stored = FALSE;
  if (exists (store, service_code, fy + 1))
    {
      g_set_error (error, LES_ERROR, LES_ERROR_CONFLICT, _("There is already a service “%s” in %s"), service_code,
                   year);
      return NULL;
    }
  return apply (store, "duplicate-service", service_code, fy + 1, NULL, next, error);
}

LesServiceChange *
les_service_retire (LesStore *store, const char *service_code, int fy, const char *end_date, GError **error)
{
  g_autoptr(LesServiceDraft) after = NULL;
  LesServiceDraft *before;
  char buf[11];

  g_return_val_if_fail (LES_IS_STORE (store), NULL);
  g_return_val_if_fail (service_code != NULL, NULL);

  if (end_date == NULL || end_date[0] == '\0')
    {
      les_date_format ((fy + 1) * 10000 + 331, buf);
      end_date = buf;
    }
  before = les_service_draft_load (store, service_code, fy, error);
  if (before == NULL)
    return NULL;
  after = les_service_draft_copy (before);
  set_field (after->fields, services_info (), "end_date", end_date);
  {
    const char *column = NULL;
    int rule;
    g_autoptr(GError) local = NULL;

    if (!les_service_draft_check (after, &rule, &column, &local))
      {
        g_set_error (error, LES_ERROR, LES_ERROR_INVALID, _("End date: %s"), local->message);
        les_service_draft_free (before);
        return NULL;
      }
  }
  return apply (store, "retire-service", service_code, fy, before, after, error);
}

const char *
les_service_change_get_code (LesServiceChange *change)
{
  g_return_val_if_fail (change != NULL, NULL);
  return change->code;
}

int
les_service_change_get_year (LesServiceChange *change)
{
  g_return_val_if_fail (change != NULL, 0);
  return change->fy;
}

gboolean
les_service_change_undo (LesStore *store, LesServiceChange *change, GError **error)
{
  g_autofree char *action = NULL;
  g_autoptr(LesServiceChange) undone = NULL;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (change != NULL, FALSE);

  action = g_strconcat ("undo-", change->action, NULL);
  /* the "before" of the undo is what the database holds now */
  {
    g_autoptr(GError) local = NULL;
    LesServiceDraft *now = les_service_draft_load (store, change->code, change->fy, &local);

    if (change->before != NULL)
      {
        g_autoptr(LesServiceDraft) was = les_service_draft_copy (change->before);

        was->is_new = FALSE;
        undone = apply (store, action, change->code, change->fy, now, was, error);
      }
    else
      undone = apply (store, action, change->code, change->fy, now, NULL, error);
  }
  return undone != NULL;
}

void
les_service_change_free (LesServiceChange *change)
{
  if (change == NULL)
    return;
  g_free (change->code);
  g_free (change->action);
  les_service_draft_free (change->before);
  les_service_draft_free (change->after);
  g_free (change);
}
