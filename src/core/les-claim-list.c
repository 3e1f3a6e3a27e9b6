/* les-claim-list.c: the claims of a year as a GListModel that pages from SQLite, filtered and sorted in SQL. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-claim-list.h"
#include "les-store-private.h"

/* A page is fetched with LIMIT/OFFSET; a handful of pages is kept so that
 * scrolling back and forth and redraws never touch the database. */
#define PAGE_SIZE 128
#define MAX_PAGES 12

struct _LesClaimList
{
  GObject        parent_instance;

  LesStore      *store;
  gulong         changed_id;
  int            fy;
  char          *filters[LES_N_CLAIM_FILTERS];
  LesClaimField  sort_field;
  gboolean       descending;

  guint          n_items;       /* cached count */
  char          *where;         /* WHERE clause for the filters */
  gboolean       where_needs_practices;
  char          *page_sql;
  char          *count_sql;
  GHashTable    *pages;         /* page number → GPtrArray of LesClaimRow */
  GQueue         page_lru;      /* page numbers, most recent first */
  gint64         last_query_time;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LesClaimList, les_claim_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static const char *
sort_column (LesClaimField field)
{
  switch (field)
    {
    case LES_CLAIM_FIELD_PRACTICE: return "c.practice_code";
    case LES_CLAIM_FIELD_PRACTICE_NAME: return "p.practice_name";
    case LES_CLAIM_FIELD_PCN: return "p.pcn_code";
    case LES_CLAIM_FIELD_SERVICE: return "c.service_code";
    case LES_CLAIM_FIELD_ITEM: return "c.item_code";
    case LES_CLAIM_FIELD_PERIOD: return "c.period";
    case LES_CLAIM_FIELD_COUNT: return "c.count";
    case LES_CLAIM_FIELD_SUBMITTED: return "c.submitted_date";
    case LES_CLAIM_FIELD_STATUS: return "c.status";
    case LES_CLAIM_FIELD_REASON: return "c.status_reason";
    case LES_CLAIM_FIELD_REF:
    case LES_CLAIM_FIELD_FINDINGS:
    case LES_N_CLAIM_FIELDS:
    default:
      return "c.claim_ref";
    }
}

/* Parameters: ?1 year, ?2.. the filters in order (only those set appear). */
static void
build_sql (LesClaimList *self)
{
  g_autoptr(GString) where = g_string_new ("c.year = ?1");
  static const char *const conditions[LES_N_CLAIM_FILTERS] = {
    [LES_CLAIM_FILTER_PRACTICE] = "c.practice_code = ?%d",
    [LES_CLAIM_FILTER_PCN] = "p.pcn_code = ?%d",
    [LES_CLAIM_FILTER_SERVICE] = "c.service_code = ?%d",
    [LES_CLAIM_FILTER_ITEM] = "c.item_code = ?%d",
    [LES_CLAIM_FILTER_PERIOD] = "c.period = ?%d",
    [LES_CLAIM_FILTER_STATUS] = "c.status = ?%d",
    [LES_CLAIM_FILTER_FINDING] = "EXISTS (SELECT 1 FROM findings f WHERE f.claim_ref = c.claim_ref "
                                 "AND f.year = ?1 AND (?%d = '*' OR f.code = ?%d))",
    [LES_CLAIM_FILTER_TEXT] = "(c.claim_ref LIKE ?%d OR c.practice_code LIKE ?%d "
                              "OR p.practice_name LIKE ?%d OR c.status_reason LIKE ?%d)",
  };
  const char *order = sort_column (self->sort_field);
  const char *dir = self->descending ? "DESC" : "ASC";
  int param = 2;

  self->where_needs_practices = self->sort_field == LES_CLAIM_FIELD_PCN
                                || self->sort_field == LES_CLAIM_FIELD_PRACTICE_NAME;
  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    {
      if (self->filters[i] == NULL)
        continue;
      g_string_append (where, " AND ");
      g_string_append_printf (where, conditions[i], param, param, param, param);
      param++;
      if (i == LES_CLAIM_FILTER_PCN || i == LES_CLAIM_FILTER_TEXT)
        self->where_needs_practices = TRUE;
    }

  g_free (self->where);
  self->where = g_string_free (g_steal_pointer (&where), FALSE);

  g_free (self->count_sql);
  self->count_sql = g_strdup_printf ("SELECT count(*) FROM claims c %s WHERE %s",
                                     self->where_needs_practices
                                       ? "JOIN practices p ON p.practice_code = c.practice_code" : "",
                                     self->where);
  g_free (self->page_sql);
  self->page_sql = g_strdup_printf (
    "SELECT c.id, c.claim_ref, c.practice_code, p.practice_name, p.pcn_code, c.service_code, c.item_code, "
    " c.period, c.count, c.submitted_date, c.status, c.status_reason, "
    " (SELECT group_concat(f.code, ', ') FROM findings f WHERE f.claim_ref = c.claim_ref AND f.year = c.year) "
    "FROM claims c JOIN practices p ON p.practice_code = c.practice_code "
    "WHERE %s ORDER BY %s %s, c.id %s LIMIT %d OFFSET ?%d",
    self->where, order, dir, dir, PAGE_SIZE, param);
}

static int
bind_filters (LesClaimList *self, sqlite3_stmt *stmt)
{
  int param = 2;

  sqlite3_bind_int (stmt, 1, self->fy);
  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    {
      if (self->filters[i] == NULL)
        continue;
      if (i == LES_CLAIM_FILTER_TEXT)
        {
          g_autofree char *like = g_strdup_printf ("%%%s%%", self->filters[i]);
          sqlite3_bind_text (stmt, param, like, -1, SQLITE_TRANSIENT);
        }
      else
        sqlite3_bind_text (stmt, param, self->filters[i], -1, SQLITE_TRANSIENT);
      param++;
    }
  return param;
}

static guint
count_rows (LesClaimList *self)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt;
  gint64 start = g_get_monotonic_time ();
  guint n = 0;

  stmt = les_store_prepare (self->store, self->count_sql, &error);
  if (stmt == NULL)
    {
      g_warning ("Cannot count the claims: %s", error->message);
      return 0;
    }
  bind_filters (self, stmt);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = (guint) MIN (sqlite3_column_int64 (stmt, 0), G_MAXUINT);
  sqlite3_reset (stmt);
  self->last_query_time = g_get_monotonic_time () - start;
  g_debug ("counted %u claims in %" G_GINT64_FORMAT " µs", n, self->last_query_time);
  return n;
}

static void
clear_pages (LesClaimList *self)
{
  g_hash_table_remove_all (self->pages);
  g_queue_clear (&self->page_lru);
}

static GPtrArray *
load_page (LesClaimList *self, guint page)
{
  GPtrArray *rows = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt;
  int offset_param;

  if (rows != NULL)
    {
      if (g_queue_peek_head (&self->page_lru) != GUINT_TO_POINTER (page))
        {
          g_queue_remove (&self->page_lru, GUINT_TO_POINTER (page));
          g_queue_push_head (&self->page_lru, GUINT_TO_POINTER (page));
        }
      return rows;
    }

  stmt = les_store_prepare (self->store, self->page_sql, &error);
  if (stmt == NULL)
    {
      g_warning ("Cannot read the claims: %s", error->message);
      return NULL;
    }
  offset_param = bind_filters (self, stmt);
  sqlite3_bind_int64 (stmt, offset_param, (gint64) page * PAGE_SIZE);

  rows = g_ptr_array_new_full (PAGE_SIZE, g_object_unref);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *fields[LES_N_CLAIM_FIELDS];

      for (guint i = 0; i < LES_N_CLAIM_FIELDS; i++)
        fields[i] = (const char *) sqlite3_column_text (stmt, i + 1);
      g_ptr_array_add (rows, les_claim_row_new (sqlite3_column_int64 (stmt, 0), fields));
    }
  sqlite3_reset (stmt);

  g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), rows);
  g_queue_push_head (&self->page_lru, GUINT_TO_POINTER (page));
  while (g_queue_get_length (&self->page_lru) > MAX_PAGES)
    g_hash_table_remove (self->pages, g_queue_pop_tail (&self->page_lru));
  return rows;
}

static void
reload (LesClaimList *self)
{
  guint old = self->n_items;

  build_sql (self);
  clear_pages (self);
  self->n_items = count_rows (self);
  if (old != 0 || self->n_items != 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old, self->n_items);
}

static void
store_changed_cb (LesStore     *store,
                  const char   *table_name,
                  LesClaimList *self)
{
  if (g_strcmp0 (table_name, "claims") == 0 || g_strcmp0 (table_name, "findings") == 0
      || g_strcmp0 (table_name, "practices") == 0)
    les_claim_list_refresh (self);
}

static GType
les_claim_list_get_item_type (GListModel *model)
{
  return LES_TYPE_CLAIM_ROW;
}

static guint
les_claim_list_get_n_items (GListModel *model)
{
  return LES_CLAIM_LIST (model)->n_items;
}

static gpointer
les_claim_list_get_item (GListModel *model, guint position)
{
  LesClaimList *self = LES_CLAIM_LIST (model);
  GPtrArray *rows;

  if (position >= self->n_items)
    return NULL;
  rows = load_page (self, position / PAGE_SIZE);
  if (rows == NULL || position % PAGE_SIZE >= rows->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (rows, position % PAGE_SIZE));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = les_claim_list_get_item_type;
  iface->get_n_items = les_claim_list_get_n_items;
  iface->get_item = les_claim_list_get_item;
}

static void
les_claim_list_dispose (GObject *object)
{
  LesClaimList *self = (LesClaimList *) object;

  g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (les_claim_list_parent_class)->dispose (object);
}

static void
les_claim_list_finalize (GObject *object)
{
  LesClaimList *self = (LesClaimList *) object;

  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    g_free (self->filters[i]);
  g_free (self->where);
  g_free (self->page_sql);
  g_free (self->count_sql);
  g_queue_clear (&self->page_lru);
  g_hash_table_unref (self->pages);

  G_OBJECT_CLASS (les_claim_list_parent_class)->finalize (object);
}

static void
les_claim_list_class_init (LesClaimListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = les_claim_list_dispose;
  object_class->finalize = les_claim_list_finalize;
}

static void
les_claim_list_init (LesClaimList *self)
{
  self->pages = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                       (GDestroyNotify) g_ptr_array_unref);
  g_queue_init (&self->page_lru);
  self->sort_field = LES_CLAIM_FIELD_REF;
}

LesClaimList *
les_claim_list_new (LesStore *store, int fy)
{
  LesClaimList *self;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  self = g_object_new (LES_TYPE_CLAIM_LIST, NULL);
  self->store = g_object_ref (store);
  self->fy = fy;
  self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (store_changed_cb), self);
  build_sql (self);
  self->n_items = count_rows (self);
  return self;
}

int
les_claim_list_get_year (LesClaimList *self)
{
  g_return_val_if_fail (LES_IS_CLAIM_LIST (self), 0);

  return self->fy;
}

void
les_claim_list_set_year (LesClaimList *self, int fy)
{
  g_return_if_fail (LES_IS_CLAIM_LIST (self));

  if (self->fy == fy)
    return;
  self->fy = fy;
  reload (self);
}

const char *
les_claim_list_get_filter (LesClaimList *self, LesClaimFilter filter)
{
  g_return_val_if_fail (LES_IS_CLAIM_LIST (self), NULL);
  g_return_val_if_fail (filter < LES_N_CLAIM_FILTERS, NULL);

  return self->filters[filter];
}

static gboolean
store_filter (LesClaimList *self, LesClaimFilter filter, const char *value)
{
  g_autofree char *v = NULL;

  if (value != NULL)
    {
      v = g_strstrip (g_strdup (value));
      if (v[0] == '\0')
        g_clear_pointer (&v, g_free);
      else if (filter != LES_CLAIM_FILTER_TEXT && filter != LES_CLAIM_FILTER_STATUS)
        {
          char *up = g_ascii_strup (v, -1);
          g_free (v);
          v = up;
        }
    }
  if (g_strcmp0 (v, self->filters[filter]) == 0)
    return FALSE;
  g_free (self->filters[filter]);
  self->filters[filter] = g_steal_pointer (&v);
  return TRUE;
}

void
les_claim_list_set_filter (LesClaimList *self, LesClaimFilter filter, const char *value)
{
  g_return_if_fail (LES_IS_CLAIM_LIST (self));
  g_return_if_fail (filter < LES_N_CLAIM_FILTERS);

  if (store_filter (self, filter, value))
    reload (self);
}

void
les_claim_list_set_filters (LesClaimList *self, const char **values)
{
  gboolean changed = FALSE;

  g_return_if_fail (LES_IS_CLAIM_LIST (self));

  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    changed |= store_filter (self, i, values != NULL ? values[i] : NULL);
  if (changed)
    reload (self);
}

void
les_claim_list_set_sort (LesClaimList *self, LesClaimField field, gboolean descending)
{
  g_return_if_fail (LES_IS_CLAIM_LIST (self));

  if (self->sort_field == field && self->descending == !!descending)
    return;
  self->sort_field = field;
  self->descending = !!descending;
  build_sql (self);
  clear_pages (self);
  if (self->n_items > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, self->n_items, self->n_items);
}

LesClaimField
les_claim_list_get_sort (LesClaimList *self, gboolean *descending)
{
  g_return_val_if_fail (LES_IS_CLAIM_LIST (self), LES_CLAIM_FIELD_REF);

  if (descending != NULL)
    *descending = self->descending;
  return self->sort_field;
}

void
les_claim_list_refresh (LesClaimList *self)
{
  g_return_if_fail (LES_IS_CLAIM_LIST (self));

  reload (self);
}

GArray *
les_claim_list_dup_all_ids (LesClaimList *self, GError **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  GArray *ids;

  g_return_val_if_fail (LES_IS_CLAIM_LIST (self), NULL);

  sql = g_strdup_printf ("SELECT c.id FROM claims c %s WHERE %s",
                         self->where_needs_practices
                           ? "JOIN practices p ON p.practice_code = c.practice_code" : "",
                         self->where);
  stmt = les_store_prepare (self->store, sql, error);
  if (stmt == NULL)
    return NULL;
  bind_filters (self, stmt);
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  return ids;
}

gint64
les_claim_list_get_last_query_time (LesClaimList *self)
{
  g_return_val_if_fail (LES_IS_CLAIM_LIST (self), 0);

  return self->last_query_time;
}
