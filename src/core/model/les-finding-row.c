/* les-finding-row.c: the findings of a compute counted by code, as the Overview lists them — typed properties. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-finding-row.h"
#include "les-queries-private.h"
#include "les-value.h"

struct _LesFindingRow
{
  GObject  parent_instance;

  char    *severity;
  char    *code;
  gint64   count;
  char    *count_text;
  gint64   n_claims;
  char    *message;
};

G_DEFINE_FINAL_TYPE (LesFindingRow, les_finding_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SEVERITY,
  PROP_CODE,
  PROP_COUNT,
  PROP_COUNT_TEXT,
  PROP_N_CLAIMS,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
les_finding_row_finalize (GObject *object)
{
  LesFindingRow *self = (LesFindingRow *) object;

  g_free (self->severity);
  g_free (self->code);
  g_free (self->count_text);
  g_free (self->message);

  G_OBJECT_CLASS (les_finding_row_parent_class)->finalize (object);
}

static void
les_finding_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LesFindingRow *self = LES_FINDING_ROW (object);

  switch (prop_id)
    {
    case PROP_SEVERITY:
      g_value_set_string (value, self->severity);
      break;
    case PROP_CODE:
      g_value_set_string (value, self->code);
      break;
    case PROP_COUNT:
      g_value_set_int64 (value, self->count);
      break;
    case PROP_COUNT_TEXT:
      g_value_set_string (value, self->count_text);
      break;
    case PROP_N_CLAIMS:
      g_value_set_int64 (value, self->n_claims);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
les_finding_row_class_init (LesFindingRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = les_finding_row_finalize;
  object_class->get_property = les_finding_row_get_property;

  properties[PROP_SEVERITY] = g_param_spec_string ("severity", NULL, NULL, NULL, flags);
  properties[PROP_CODE] = g_param_spec_string ("code", NULL, NULL, NULL, flags);
  properties[PROP_COUNT] = g_param_spec_int64 ("count", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_COUNT_TEXT] = g_param_spec_string ("count-text", NULL, NULL, NULL, flags);
  properties[PROP_N_CLAIMS] = g_param_spec_int64 ("n-claims", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
les_finding_row_init (LesFindingRow *self)
{
}

const char *
les_finding_row_get_severity (LesFindingRow *self)
{
  g_return_val_if_fail (LES_IS_FINDING_ROW (self), NULL);
  return self->severity;
}

const char *
les_finding_row_get_code (LesFindingRow *self)
{
  g_return_val_if_fail (LES_IS_FINDING_ROW (self), NULL);
  return self->code;
}

gint64
les_finding_row_get_count (LesFindingRow *self)
{
  g_return_val_if_fail (LES_IS_FINDING_ROW (self), 0);
  return self->count;
}

const char *
les_finding_row_get_count_text (LesFindingRow *self)
{
  g_return_val_if_fail (LES_IS_FINDING_ROW (self), NULL);
  return self->count_text;
}

gint64
les_finding_row_get_n_claims (LesFindingRow *self)
{
  g_return_val_if_fail (LES_IS_FINDING_ROW (self), 0);
  return self->n_claims;
}

const char *
les_finding_row_get_message (LesFindingRow *self)
{
  g_return_val_if_fail (LES_IS_FINDING_ROW (self), NULL);
  return self->message;
}

/* Whether two rows show the same (a GEqualFunc, for replacing only the rows that changed) */
gboolean
les_finding_row_equal (gconstpointer a, gconstpointer b)
{
  const LesFindingRow *x = a, *y = b;

  return g_strcmp0 (x->severity, y->severity) == 0 && g_strcmp0 (x->code, y->code) == 0 && x->count == y->count
         && x->n_claims == y->n_claims && g_strcmp0 (x->message, y->message) == 0;
}

/* A row of les_sql_screen_findings_summary */
static gpointer
finding_row_new (LesStmt *stmt, gconstpointer data)
{
  LesFindingRow *row = g_object_new (LES_TYPE_FINDING_ROW, NULL);

  row->severity = g_strdup (les_stmt_text (stmt, 0));
  row->code = g_strdup (les_stmt_text (stmt, 1));
  row->count = les_stmt_int64 (stmt, 2);
  row->count_text = les_count_format_display (row->count);
  row->n_claims = les_stmt_int64 (stmt, 3);
  row->message = les_queries_dup_text (stmt, 4);
  return row;
}

GListModel *
les_finding_rows_read (LesStore *store, int fy, GError **error)
{
  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  return les_queries_read_year (store, les_sql_screen_findings_summary, fy, LES_TYPE_FINDING_ROW, finding_row_new,
                                error);
}
