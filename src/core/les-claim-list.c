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
/* Counts up to this are exact at once; a larger one shows this many until
 * the worker's exact count arrives (one more items-changed, at the end). */
#define COUNT_CAP 50000
#define COUNT_DEADLINE_US (40 * 1000)
/* Rows shown while a count that ran out of time is finished on the worker */
#define COUNT_GUESS 1000

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

  /* Counts past COUNT_CAP run on a worker with a connection of its own */
  guint          count_gen;     /* bumped by every reload */
  gboolean       counting;
  gboolean       count_pending;
  LesStore      *worker_store;  /* opened and used on the worker only; interrupted from here */
  char          *exact_key;     /* what the last exact count was of */
  guint          exact_n;
};

typedef struct
{
  char   *path;
  char   *sql;
  char   *key;
  int     fy;
  char   *filters[LES_N_CLAIM_FILTERS];
  guint   gen;
  gint64  n;
} CountJob;

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

static char *glob_prefix (const char *text);

/* Whether the search text matches many claims: a quick look at the claim
 * references and practices it matches */
#define BROAD_SEARCH 5000

static gboolean
search_is_broad (LesClaimList *self)
{
  const char *text = self->filters[LES_CLAIM_FILTER_TEXT];
  sqlite3_stmt *stmt;
  gint64 n = 0;

  stmt = les_store_prepare (self->store,
                            "SELECT (SELECT count(*) FROM (SELECT 1 FROM claims WHERE claim_ref GLOB ?1 LIMIT ?3)) "
                            " + (SELECT count(*) FROM (SELECT 1 FROM practices "
                            "    WHERE practice_code GLOB ?1 OR practice_name LIKE ?2 LIMIT 11)) * ?3 / 10", NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, glob_prefix (text), -1, g_free);
  sqlite3_bind_text (stmt, 2, g_strdup_printf ("%%%s%%", text), -1, g_free);
  sqlite3_bind_int (stmt, 3, BROAD_SEARCH);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return n >= BROAD_SEARCH;
}

/* The number of parameters a filter binds */
static int
n_params (guint filter)
{
  return filter == LES_CLAIM_FILTER_TEXT ? 2 : 1;
}

/* Parameters: ?1 year, ?2.. the filters in order (only those set appear).
 * Every filter is a condition on claims alone (practices are looked up in
 * subqueries), so that a count never joins; codes are matched by prefix
 * with GLOB, which uses their indexes, unlike LIKE. */
static void
build_sql (LesClaimList *self)
{
  g_autoptr(GString) where = g_string_new (NULL);
  static const char *const conditions[LES_N_CLAIM_FILTERS] = {
    [LES_CLAIM_FILTER_PRACTICE] = "c.practice_code = ?%d",
    [LES_CLAIM_FILTER_PCN] = "c.practice_code IN (SELECT practice_code FROM practices WHERE pcn_code = ?%d)",
    [LES_CLAIM_FILTER_SERVICE] = "c.service_code = ?%d",
    [LES_CLAIM_FILTER_ITEM] = "c.item_code = ?%d",
    [LES_CLAIM_FILTER_PERIOD] = "c.period = ?%d",
    [LES_CLAIM_FILTER_STATUS] = "c.status = ?%d",
    [LES_CLAIM_FILTER_FINDING] = "c.claim_ref IN (SELECT f.claim_ref FROM findings f WHERE f.year = ?1 "
                                 "AND f.claim_ref IS NOT NULL AND (?%d = '*' OR f.code = ?%d))",
    /* ?N: an upper-case GLOB prefix of a code; ?N+1: a LIKE substring of a name or reason */
    [LES_CLAIM_FILTER_TEXT] = "(c.claim_ref GLOB ?%d "
                              "OR c.practice_code IN (SELECT practice_code FROM practices "
                              " WHERE practice_code GLOB ?%d OR practice_name LIKE ?%d) "
                              "OR c.id IN (SELECT id FROM claims WHERE status_reason IS NOT NULL "
                              " AND status_reason LIKE ?%d))",
  };
  const char *order = sort_column (self->sort_field);
  const char *dir = self->descending ? "DESC" : "ASC";
  int param = 2;

  /* A search that matches few claims finds them by index (the year must not
   * drive the query); one that matches many is quicker to meet while
   * reading the year in order, so its terms must not use indexes */
  gboolean narrow = self->filters[LES_CLAIM_FILTER_TEXT] != NULL && !search_is_broad (self);

  g_string_append (where, narrow ? "+c.year = ?1" : "c.year = ?1");
  self->where_needs_practices = self->sort_field == LES_CLAIM_FIELD_PCN
                                || self->sort_field == LES_CLAIM_FIELD_PRACTICE_NAME;
  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    {
      if (self->filters[i] == NULL)
        continue;
      g_string_append (where, " AND ");
      if (i == LES_CLAIM_FILTER_TEXT && !narrow)
        g_string_append_printf (where, "(+c.claim_ref GLOB ?%d OR +c.practice_code IN (SELECT practice_code "
                                "FROM practices WHERE practice_code GLOB ?%d OR practice_name LIKE ?%d) "
                                "OR +c.status_reason LIKE ?%d)", param, param, param + 1, param + 1);
      else if (i == LES_CLAIM_FILTER_TEXT)
        g_string_append_printf (where, conditions[i], param, param, param + 1, param + 1);
      else
        g_string_append_printf (where, conditions[i], param, param);
      param += n_params (i);
    }

  g_free (self->where);
  self->where = g_string_free (g_steal_pointer (&where), FALSE);

  g_free (self->count_sql);
  self->count_sql = g_strdup_printf ("SELECT count(*) FROM claims c WHERE %s", self->where);
  g_free (self->page_sql);
  /* claim_ref is unique: nothing else is needed to order by it */
  self->page_sql = g_strdup_printf (
    "SELECT c.id, c.claim_ref, c.practice_code, p.practice_name, p.pcn_code, c.service_code, c.item_code, "
    " c.period, c.count, c.submitted_date, c.status, c.status_reason, "
    " (SELECT group_concat(f.code, ', ') FROM findings f WHERE f.claim_ref = c.claim_ref AND +f.year = c.year) "
    "FROM claims c JOIN practices p ON p.practice_code = c.practice_code "
    "WHERE %s ORDER BY %s %s%s%s LIMIT %d OFFSET ?%d",
    self->where, order, dir,
    self->sort_field == LES_CLAIM_FIELD_REF ? "" : ", c.id ",
    self->sort_field == LES_CLAIM_FIELD_REF ? "" : dir,
    PAGE_SIZE, param);
}

/* "a*b" searched for as a prefix: GLOB's own characters taken literally */
static char *
glob_prefix (const char *text)
{
  GString *s = g_string_new (NULL);

  for (const char *p = text; *p; p++)
    {
      if (*p == '*' || *p == '?' || *p == '[')
        g_string_append_printf (s, "[%c]", *p);
      else
        g_string_append_c (s, g_ascii_toupper (*p));
    }
  g_string_append_c (s, '*');
  return g_string_free (s, FALSE);
}

static int
bind_values (sqlite3_stmt *stmt, int fy, char **filters)
{
  int param = 2;

  sqlite3_bind_int (stmt, 1, fy);
  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    {
      if (filters[i] == NULL)
        continue;
      if (i == LES_CLAIM_FILTER_TEXT)
        {
          g_autofree char *like = g_strdup_printf ("%%%s%%", filters[i]);

          sqlite3_bind_text (stmt, param, glob_prefix (filters[i]), -1, g_free);
          sqlite3_bind_text (stmt, param + 1, like, -1, SQLITE_TRANSIENT);
        }
      else
        sqlite3_bind_text (stmt, param, filters[i], -1, SQLITE_TRANSIENT);
      param += n_params (i);
    }
  return param;
}

static int
bind_filters (LesClaimList *self, sqlite3_stmt *stmt)
{
  return bind_values (stmt, self->fy, self->filters);
}

/* What a count is of: the SQL and its values */
static char *
count_key (LesClaimList *self)
{
  GString *key = g_string_new (self->count_sql);

  g_string_append_printf (key, "|%d", self->fy);
  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    g_string_append_printf (key, "|%s", self->filters[i] != NULL ? self->filters[i] : "");
  return g_string_free (key, FALSE);
}

static int
past_deadline (void *data)
{
  return g_get_monotonic_time () > *(gint64 *) data;
}

/* Counts at most COUNT_CAP rows, for at most COUNT_DEADLINE_US: exact when fewer */
static guint
count_rows_capped (LesClaimList *self, gboolean *exact)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM (SELECT 1 FROM claims c WHERE %s LIMIT %d)",
                                          self->where, COUNT_CAP + 1);
  sqlite3_stmt *stmt;
  gint64 start = g_get_monotonic_time ();
  gint64 deadline;
  guint n = 0;
  int rc;

  *exact = TRUE;
  stmt = les_store_prepare (self->store, sql, &error);
  if (stmt == NULL)
    {
      g_warning ("Cannot count the claims: %s", error->message);
      return 0;
    }
  bind_filters (self, stmt);
  /* never long on the main thread: past the deadline, the worker counts */
  deadline = g_get_monotonic_time () + COUNT_DEADLINE_US;
  sqlite3_progress_handler (les_store_get_db (self->store), 1000, past_deadline, &deadline);
  rc = sqlite3_step (stmt);
  sqlite3_progress_handler (les_store_get_db (self->store), 0, NULL, NULL);
  if (rc == SQLITE_ROW)
    n = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      n = 0;
      *exact = FALSE;
    }
  else if (n > COUNT_CAP)
    {
      n = COUNT_CAP;
      *exact = FALSE;
    }
  self->last_query_time = g_get_monotonic_time () - start;
  g_debug ("counted %u%s claims in %" G_GINT64_FORMAT " µs", n, *exact ? "" : "+", self->last_query_time);
  return n;
}

static void
count_job_free (gpointer data)
{
  CountJob *job = data;

  g_free (job->path);
  g_free (job->sql);
  g_free (job->key);
  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    g_free (job->filters[i]);
  g_free (job);
}

static void
count_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  LesClaimList *self = source;
  CountJob *job = data;
  GError *error = NULL;
  LesStore *worker = g_atomic_pointer_get (&self->worker_store);
  sqlite3_stmt *stmt;
  int rc;

  if (worker == NULL)
    {
      worker = les_store_open (job->path, &error);
      if (worker == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      g_atomic_pointer_set (&self->worker_store, worker);
    }
  stmt = les_store_prepare (worker, job->sql, &error);
  if (stmt == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  bind_values (stmt, job->fy, job->filters);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    job->n = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      les_store_set_db_error (worker, &error);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void start_count (LesClaimList *self);
static GPtrArray *load_page (LesClaimList *self, guint page);

static void
count_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  LesClaimList *self = LES_CLAIM_LIST (object);
  CountJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->counting = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && job->gen == self->count_gen)
        g_debug ("Cannot count the claims: %s", error->message);
    }
  else if (job->gen == self->count_gen && self->store != NULL)
    {
      guint old = self->n_items;
      guint n = (guint) MIN (job->n, G_MAXUINT);
      guint common = MIN (old, n);

      g_free (self->exact_key);
      self->exact_key = g_strdup (job->key);
      self->exact_n = n;
      self->n_items = n;
      g_debug ("counted %u claims on a worker", n);
      /* the rows shown stay: only the end of the list changes */
      if (old != n)
        g_list_model_items_changed (G_LIST_MODEL (self), common, old - common, n - common);
    }
  if (self->count_pending && self->store != NULL)
    {
      self->count_pending = FALSE;
      start_count (self);
    }
}

static void
start_count (LesClaimList *self)
{
  g_autoptr(GTask) task = NULL;
  CountJob *job;

  if (self->counting)
    {
      LesStore *worker = g_atomic_pointer_get (&self->worker_store);

      /* one count at a time on the worker's connection: stop the old one */
      self->count_pending = TRUE;
      if (worker != NULL)
        sqlite3_interrupt (les_store_get_db (worker));
      return;
    }
  job = g_new0 (CountJob, 1);
  job->path = g_strdup (les_store_get_path (self->store));
  job->sql = g_strdup (self->count_sql);
  job->key = count_key (self);
  job->fy = self->fy;
  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    job->filters[i] = g_strdup (self->filters[i]);
  job->gen = self->count_gen;
  self->counting = TRUE;
  task = g_task_new (self, NULL, count_done_cb, NULL);
  g_task_set_task_data (task, job, count_job_free);
  g_task_run_in_thread (task, count_thread);
}

/* The count: exact now when small, else the last exact count of the same
 * query (a refresh) or COUNT_CAP, corrected by a worker. */
static guint
count_rows (LesClaimList *self)
{
  gboolean exact;
  guint n;
  g_autofree char *key = NULL;

  self->count_gen++;
  n = count_rows_capped (self, &exact);
  if (exact)
    return n;
  key = count_key (self);
  if (g_strcmp0 (key, self->exact_key) == 0)
    n = MAX (n, self->exact_n);
  else if (n == 0)
    {
      /* out of time: the first page says whether there are more than a page */
      GPtrArray *first = load_page (self, 0);

      n = first == NULL ? 0 : first->len < PAGE_SIZE ? first->len : COUNT_GUESS;
      if (first != NULL && first->len < PAGE_SIZE)
        return n;
    }
  start_count (self);
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
    {
      /* the count is ahead of the table (a provisional count, or rows
       * changed by another connection until the next reload): a list
       * model must not return NULL below its count, so give a blank row */
      const char *blank[LES_N_CLAIM_FIELDS] = { NULL };

      return les_claim_row_new (0, blank);
    }
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
  self->count_pending = FALSE;
  if (self->counting && g_atomic_pointer_get (&self->worker_store) != NULL)
    sqlite3_interrupt (les_store_get_db (g_atomic_pointer_get (&self->worker_store)));

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
  g_free (self->exact_key);
  g_clear_object (&self->worker_store);
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

  sql = g_strdup_printf ("SELECT c.id FROM claims c WHERE %s", self->where);
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
