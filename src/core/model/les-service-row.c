/* les-service-row.c: one service of a year as the Services screen lists it — typed properties for declared columns. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-csv.h"
#include "les-queries-private.h"
#include "les-service-row.h"
#include "les-value.h"

struct _LesServiceRow
{
  GObject  parent_instance;

  char    *code;
  char    *name;
  char    *cap_mode;
  char    *schedule;
  char    *claim_frequency;
  gint64   budget;          /* G_MININT64: none */
  char    *budget_text;
  gint64   counts[3];       /* rules, practices, claims */
  char    *count_texts[3];
};

G_DEFINE_FINAL_TYPE (LesServiceRow, les_service_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CODE,
  PROP_NAME,
  PROP_CAP_MODE,
  PROP_SCHEDULE,
  PROP_CLAIM_FREQUENCY,
  PROP_BUDGET,
  PROP_BUDGET_TEXT,
  PROP_N_RULES,
  PROP_N_PRACTICES,
  PROP_N_CLAIMS,
  PROP_N_RULES_TEXT,
  PROP_N_PRACTICES_TEXT,
  PROP_N_CLAIMS_TEXT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
les_service_row_finalize (GObject *object)
{
  LesServiceRow *self = (LesServiceRow *) object;

  g_free (self->code);
  g_free (self->name);
  g_free (self->cap_mode);
  g_free (self->schedule);
  g_free (self->claim_frequency);
  g_free (self->budget_text);
  for (guint i = 0; i < G_N_ELEMENTS (self->count_texts); i++)
    g_free (self->count_texts[i]);

  G_OBJECT_CLASS (les_service_row_parent_class)->finalize (object);
}

static void
les_service_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LesServiceRow *self = LES_SERVICE_ROW (object);

  switch (prop_id)
    {
    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_CAP_MODE:
      g_value_set_string (value, self->cap_mode);
      break;
    case PROP_SCHEDULE:
      g_value_set_string (value, self->schedule);
      break;
    case PROP_CLAIM_FREQUENCY:
      g_value_set_string (value, self->claim_frequency);
      break;
    case PROP_BUDGET:
      g_value_set_int64 (value, self->budget);
      break;
    case PROP_BUDGET_TEXT:
      g_value_set_string (value, self->budget_text);
      break;
    case PROP_N_RULES:
    case PROP_N_PRACTICES:
    case PROP_N_CLAIMS:
      g_value_set_int64 (value, self->counts[prop_id - PROP_N_RULES]);
      break;
    case PROP_N_RULES_TEXT:
    case PROP_N_PRACTICES_TEXT:
    case PROP_N_CLAIMS_TEXT:
      g_value_set_string (value, self->count_texts[prop_id - PROP_N_RULES_TEXT]);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
les_service_row_class_init (LesServiceRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = les_service_row_finalize;
  object_class->get_property = les_service_row_get_property;

  properties[PROP_CODE] = g_param_spec_string ("code", NULL, NULL, NULL, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_CAP_MODE] = g_param_spec_string ("cap-mode", NULL, NULL, NULL, flags);
  properties[PROP_SCHEDULE] = g_param_spec_string ("schedule", NULL, NULL, NULL, flags);
  properties[PROP_CLAIM_FREQUENCY] = g_param_spec_string ("claim-frequency", NULL, NULL, NULL, flags);
  properties[PROP_BUDGET] = g_param_spec_int64 ("budget", NULL, NULL, G_MININT64, G_MAXINT64, G_MININT64, flags);
  properties[PROP_BUDGET_TEXT] = g_param_spec_string ("budget-text", NULL, NULL, NULL, flags);
  properties[PROP_N_RULES] = g_param_spec_int64 ("n-rules", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_N_PRACTICES] = g_param_spec_int64 ("n-practices", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_N_CLAIMS] = g_param_spec_int64 ("n-claims", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_N_RULES_TEXT] = g_param_spec_string ("n-rules-text", NULL, NULL, NULL, flags);
  properties[PROP_N_PRACTICES_TEXT] = g_param_spec_string ("n-practices-text", NULL, NULL, NULL, flags);
  properties[PROP_N_CLAIMS_TEXT] = g_param_spec_string ("n-claims-text", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
les_service_row_init (LesServiceRow *self)
{
}

const char *
les_service_row_get_code (LesServiceRow *self)
{
  g_return_val_if_fail (LES_IS_SERVICE_ROW (self), NULL);
  return self->code;
}

/* Whether two rows show the same (a GEqualFunc, for replacing only the rows that changed) */
gboolean
les_service_row_equal (gconstpointer a, gconstpointer b)
{
  const LesServiceRow *x = a, *y = b;

  return g_strcmp0 (x->code, y->code) == 0 && g_strcmp0 (x->name, y->name) == 0
         && g_strcmp0 (x->cap_mode, y->cap_mode) == 0 && g_strcmp0 (x->schedule, y->schedule) == 0
         && g_strcmp0 (x->claim_frequency, y->claim_frequency) == 0 && x->budget == y->budget
         && memcmp (x->counts, y->counts, sizeof x->counts) == 0;
}

/* A row of les_sql_screen_services */
static gpointer
service_row_new (LesStmt *stmt, gconstpointer data)
{
  LesServiceRow *row = g_object_new (LES_TYPE_SERVICE_ROW, NULL);

  row->code = les_queries_dup_text (stmt, 0);
  row->name = les_queries_dup_text (stmt, 1);
  row->cap_mode = les_queries_dup_text (stmt, 2);
  row->budget = les_stmt_is_null (stmt, 3) ? G_MININT64 : les_stmt_int64 (stmt, 3);
  row->budget_text = row->budget == G_MININT64 ? g_strdup ("") : les_money_format_display (row->budget);
  row->schedule = les_queries_dup_text (stmt, 4);
  row->claim_frequency = les_queries_dup_text (stmt, 5);
  for (guint i = 0; i < G_N_ELEMENTS (row->counts); i++)
    {
      row->counts[i] = les_stmt_int64 (stmt, 6 + i);
      row->count_texts[i] = les_count_format_display (row->counts[i]);
    }
  return row;
}

GListModel *
les_service_rows_read (LesStore *store, int fy, GError **error)
{
  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  return les_queries_read_year (store, les_sql_screen_services, fy, LES_TYPE_SERVICE_ROW, service_row_new, error);
}

gboolean
les_service_rows_write_csv (GListModel    *rows,
                            GOutputStream *out,
                            GCancellable  *cancellable,
                            GError       **error)
{
  static const char *const header[] = {
    "service_code", "name", "cap_mode", "budget", "schedule", "claim_frequency", "rules", "practices",
    "claim_count",
  };
  g_autoptr(GString) buffer = g_string_new (NULL);
  guint n = g_list_model_get_n_items (rows);

  les_csv_append_row (buffer, (const char **) header, G_N_ELEMENTS (header));
  for (guint r = 0; r < n; r++)
    {
      g_autoptr(LesServiceRow) row = g_list_model_get_item (rows, r);
      g_autofree char *budget = row->budget == G_MININT64 ? g_strdup ("") : les_money_format (row->budget);
      g_autofree char *n_rules = g_strdup_printf ("%" G_GINT64_FORMAT, row->counts[0]);
      g_autofree char *n_practices = g_strdup_printf ("%" G_GINT64_FORMAT, row->counts[1]);
      g_autofree char *n_claims = g_strdup_printf ("%" G_GINT64_FORMAT, row->counts[2]);
      const char *fields[] = {
        row->code, row->name, row->cap_mode, budget, row->schedule, row->claim_frequency, n_rules, n_practices,
        n_claims,
      };

      les_csv_append_row (buffer, fields, G_N_ELEMENTS (fields));
      if (!les_csv_flush (out, buffer, 64 * 1024, cancellable, error))
        return FALSE;
    }
  return les_csv_flush (out, buffer, 0, cancellable, error);
}
