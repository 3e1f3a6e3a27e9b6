/* les-claim-list.c: the claims of a year as a GListModel that pages from SQLite, filtered and sorted in SQL. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-claim-list.h"
#include "les-csv.h"
#include "les-store-compat.h"

/* Pages of PAGE_SIZE rows are read with LIMIT/OFFSET; the last MAX_PAGES
 * used are kept so that scrolling back and redraws never wait.  GTK 4.8's
 * list views keep up to 200 rows' widgets: a first page longer than that
 * means a new filter neither destroys nor creates any (~40 ms). */
#define PAGE_SIZE 256
#define MAX_PAGES 8
/* After the first page, the count up to COUNT_CAP (quick), then the whole */
#define COUNT_CAP 5000
/* A free-text search thought to match more claims than this reads the
 * year in order until a page is found; fewer are looked up by index. */
#define BROAD_SEARCH 5000
/* How often (in SQLite VM steps) the worker looks whether to stop */
#define PROGRESS_STEPS 1000
/* GTK 4.8 builds the widgets of up to 200 rows: about 1 ms a row.  Rows
 * added below GROW_WINDOW come GROW_STEP at a time, a main-loop iteration
 * (and a frame) apart, so that no iteration takes more than ~50 ms. */
#define GROW_WINDOW 256
#define GROW_STEP 48

struct _LesClaimQuery
{
  gatomicrefcount  ref;
  int              fy;
  char            *filters[LES_N_CLAIM_FILTERS];
  LesClaimField    sort_field;
  gboolean         descending;
};

/* The SQL for a query on one connection (whether a search is broad depends on the data) */
typedef struct
{
  char *where;
  char *count_sql;
  char *capped_sql;
  char *select_sql;   /* the rows in order */
  char *page_sql;     /* … PAGE_SIZE of them from an offset */
  char *ids_sql;      /* the ids in order, a number from an offset */
} QuerySql;

typedef enum {
  REQ_FIRST,          /* page 0 of a new query, then the counts */
  REQ_PAGE,
  REQ_COUNT_CAPPED,
  REQ_COUNT,
  REQ_QUIT,
} RequestKind;

typedef struct _Channel Channel;

typedef struct
{
  gint64  id;
  char   *fields[LES_N_CLAIM_FIELDS];
} RowData;

typedef struct
{
  Channel        *channel;
  RequestKind     kind;
  guint           gen;      /* the query generation it belongs to */
  guint           seq;      /* the refresh it belongs to */
  LesClaimQuery  *query;
  guint           page;
  GPtrArray      *rows;     /* REQ_PAGE: the placeholders to fill */
  /* results */
  gboolean        done;     /* FALSE: dropped, the query having changed */
  GPtrArray      *values;   /* RowData */
  gint64          count;
  GError         *error;
} Request;

/* Shared by the list (main thread) and its worker thread */
struct _Channel
{
  gatomicrefcount  ref;
  GAsyncQueue     *queue;
  int              gen;           /* atomic: the generation wanted; older work stops */
  int              pages_wanted;  /* atomic: page requests waiting, before which counts give way */
  GMainContext    *context;
  char            *path;
  LesClaimList    *list;          /* main thread only; NULL once disposed */
};

struct _LesClaimList
{
  GObject         parent_instance;

  LesStore       *store;
  gulong          changed_id;
  Channel        *channel;

  /* what is wanted: the latest year, filters and order */
  int             fy;
  char           *filters[LES_N_CLAIM_FILTERS];
  LesClaimField   sort_field;
  gboolean        descending;
  guint           gen;

  /* what is shown */
  LesClaimQuery  *shown;
  guint           shown_gen;
  guint           seq;
  guint           n_items;
  gboolean        loading;
  gboolean        counting;
  GHashTable     *pages;         /* page number → GPtrArray of LesClaimRow */
  GQueue          page_lru;      /* page numbers, most recent first */
  guint           in_flight;     /* requests not yet delivered */
  guint           target_n;      /* the count the list is growing to */
  guint           grow_id;       /* the idle that grows it a step at a time */
};

enum {
  PROP_0,
  PROP_LOADING,
  PROP_COUNTING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LesClaimList, les_claim_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

/* Queries */

LesClaimQuery *
les_claim_query_ref (LesClaimQuery *query)
{
  g_return_val_if_fail (query != NULL, NULL);

  g_atomic_ref_count_inc (&query->ref);
  return query;
}

void
les_claim_query_unref (LesClaimQuery *query)
{
  g_return_if_fail (query != NULL);

  if (!g_atomic_ref_count_dec (&query->ref))
    return;
  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    g_free (query->filters[i]);
  g_free (query);
}

static LesClaimQuery *
query_new (LesClaimList *self)
{
  LesClaimQuery *query = g_new0 (LesClaimQuery, 1);

  g_atomic_ref_count_init (&query->ref);
  query->fy = self->fy;
  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    query->filters[i] = g_strdup (self->filters[i]);
  query->sort_field = self->sort_field;
  query->descending = self->descending;
  return query;
}

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

/* Whether the search text matches many claims: a quick look at the claim
 * references and practices it matches */
static gboolean
search_is_broad (LesStore *store, const char *text)
{
  sqlite3_stmt *stmt;
  gint64 n = 0;

  stmt = les_store_prepare_sqlite (store,
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

static void
query_sql_free (QuerySql *sql)
{
  g_free (sql->where);
  g_free (sql->count_sql);
  g_free (sql->capped_sql);
  g_free (sql->select_sql);
  g_free (sql->page_sql);
  g_free (sql->ids_sql);
  g_free (sql);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QuerySql, query_sql_free)

/* Parameters: ?1 year, ?2.. the filters in order (only those set appear),
 * then the paging ones.  Every filter is a condition on claims alone
 * (practices are looked up in subqueries), so that a count never joins;
 * codes are matched by prefix with GLOB, which uses their indexes, unlike
 * LIKE. */
static QuerySql *
build_sql (LesClaimQuery *query, LesStore *store)
{
  static const char *const conditions[LES_N_CLAIM_FILTERS] = {
    [LES_CLAIM_FILTER_PRACTICE] = "c.practice_code = ?%d",
    [LES_CLAIM_FILTER_PCN] = "c.practice_code IN (SELECT practice_code FROM practices WHERE pcn_code = ?%d)",
    [LES_CLAIM_FILTER_SERVICE] = "c.service_code = ?%d",
    [LES_CLAIM_FILTER_ITEM] = "c.item_code = ?%d",
    [LES_CLAIM_FILTER_PERIOD] = "c.period = ?%d",
    [LES_CLAIM_FILTER_STATUS] = "c.status = ?%d",
    [LES_CLAIM_FILTER_FINDING] = "c.claim_ref IN (SELECT f.claim_ref FROM findings f WHERE f.year = ?1 "
                                 "AND f.claim_ref IS NOT NULL AND (?%d = '*' OR f.code = ?%d))",
  };
  g_autoptr(GString) where = g_string_new (NULL);
  QuerySql *sql = g_new0 (QuerySql, 1);
  const char *order = sort_column (query->sort_field);
  const char *dir = query->descending ? "DESC" : "ASC";
  g_autofree char *order_by = NULL;
  g_autofree char *from = NULL;
  const char *text = query->filters[LES_CLAIM_FILTER_TEXT];
  gboolean narrow;
  int param = 2;

  /* A search that matches few claims collects their ids by index (each
   * way of matching on its own; the year must not drive the query); one
   * that matches many is quicker to meet while reading the year in order,
   * so its terms must not use indexes. */
  narrow = text != NULL && !search_is_broad (store, text);

  g_string_append (where, narrow ? "+c.year = ?1" : "c.year = ?1");
  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    {
      if (query->filters[i] == NULL)
        continue;
      g_string_append (where, " AND ");
      if (i == LES_CLAIM_FILTER_TEXT && narrow)
        g_string_append_printf (where,
                                "c.id IN (SELECT id FROM claims WHERE claim_ref GLOB ?%d "
                                "UNION ALL SELECT id FROM claims WHERE year = ?1 AND practice_code IN "
                                " (SELECT practice_code FROM practices WHERE practice_code GLOB ?%d "
                                "  OR practice_name LIKE ?%d) "
                                "UNION ALL SELECT id FROM claims WHERE status_reason IS NOT NULL "
                                " AND status_reason LIKE ?%d)", param, param, param + 1, param + 1);
      else if (i == LES_CLAIM_FILTER_TEXT)
        g_string_append_printf (where, "(+c.claim_ref GLOB ?%d OR +c.practice_code IN (SELECT practice_code "
                                "FROM practices WHERE practice_code GLOB ?%d OR practice_name LIKE ?%d) "
                                "OR +c.status_reason LIKE ?%d)", param, param, param + 1, param + 1);
      else
        g_string_append_printf (where, conditions[i], param, param);
      param += n_params (i);
    }

  sql->where = g_string_free (g_steal_pointer (&where), FALSE);
  sql->count_sql = g_strdup_printf ("SELECT count(*) FROM claims c WHERE %s", sql->where);
  sql->capped_sql = g_strdup_printf ("SELECT count(*) FROM (SELECT 1 FROM claims c WHERE %s LIMIT %d)",
                                     sql->where, COUNT_CAP + 1);
  /* claim_ref is unique: nothing else is needed to order by it.  A
   * practice or PCN matches a few hundred claims: found by their index and
   * sorted ("+" keeps SQLite from reading the year in order instead,
   * which it would, having no statistics) */
  order_by = g_strdup_printf ("ORDER BY %s%s %s%s%s",
                              query->filters[LES_CLAIM_FILTER_PRACTICE] != NULL
                              || query->filters[LES_CLAIM_FILTER_PCN] != NULL ? "+" : "", order, dir,
                              query->sort_field == LES_CLAIM_FIELD_REF ? "" : ", c.id ",
                              query->sort_field == LES_CLAIM_FIELD_REF ? "" : dir);
  from = g_strdup_printf ("FROM claims c JOIN practices p ON p.practice_code = c.practice_code WHERE %s %s",
                          sql->where, order_by);
  sql->select_sql = g_strdup_printf (
    "SELECT c.id, c.claim_ref, c.practice_code, p.practice_name, p.pcn_code, c.service_code, c.item_code, "
    " c.period, c.count, c.submitted_date, c.status, c.status_reason, "
    " (SELECT group_concat(f.code, ', ') FROM findings f WHERE f.claim_ref = c.claim_ref AND +f.year = c.year) "
    "%s", from);
  sql->page_sql = g_strdup_printf ("%s LIMIT %d OFFSET ?%d", sql->select_sql, PAGE_SIZE, param);
  sql->ids_sql = g_strdup_printf ("SELECT c.id %s LIMIT ?%d OFFSET ?%d", from, param, param + 1);
  return sql;
}

/* Binds the year and the filters; returns the next parameter's number */
static int
bind_query (sqlite3_stmt *stmt, LesClaimQuery *query)
{
  int param = 2;

  sqlite3_bind_int (stmt, 1, query->fy);
  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    {
      if (query->filters[i] == NULL)
        continue;
      if (i == LES_CLAIM_FILTER_TEXT)
        {
          sqlite3_bind_text (stmt, param, glob_prefix (query->filters[i]), -1, g_free);
          sqlite3_bind_text (stmt, param + 1, g_strdup_printf ("%%%s%%", query->filters[i]), -1, g_free);
        }
      else
        sqlite3_bind_text (stmt, param, query->filters[i], -1, SQLITE_TRANSIENT);
      param += n_params (i);
    }
  return param;
}

static void
row_data_free (gpointer data)
{
  RowData *row = data;

  for (guint i = 0; i < LES_N_CLAIM_FIELDS; i++)
    g_free (row->fields[i]);
  g_free (row);
}

/* Reads a page; NULL with @error when the statement failed or was stopped
 * (*@rc is then SQLITE_INTERRUPT) */
static GPtrArray *
read_page (LesStore *store, QuerySql *sql, LesClaimQuery *query, guint page, int *rc_out, GError **error)
{
  g_autoptr(GPtrArray) values = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = les_store_prepare_sqlite (store, sql->page_sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, bind_query (stmt, query), (gint64) page * PAGE_SIZE);
  values = g_ptr_array_new_full (PAGE_SIZE, row_data_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      RowData *row = g_new0 (RowData, 1);

      row->id = sqlite3_column_int64 (stmt, 0);
      for (guint i = 0; i < LES_N_CLAIM_FIELDS; i++)
        row->fields[i] = g_strdup ((const char *) sqlite3_column_text (stmt, i + 1));
      g_ptr_array_add (values, row);
    }
  *rc_out = rc;
  if (rc != SQLITE_DONE)
    {
      les_store_set_db_error (store, error);
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);
  return g_steal_pointer (&values);
}

static gboolean
read_count (LesStore *store, const char *sql, LesClaimQuery *query, gint64 *count, int *rc_out, GError **error)
{
  sqlite3_stmt *stmt = les_store_prepare_sqlite (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  bind_query (stmt, query);
  *rc_out = rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *count = sqlite3_column_int64 (stmt, 0);
  else
    les_store_set_db_error (store, error);
  sqlite3_reset (stmt);
  return rc == SQLITE_ROW;
}

/* The worker */

static Channel *
channel_ref (Channel *channel)
{
  g_atomic_ref_count_inc (&channel->ref);
  return channel;
}

static void
channel_unref (Channel *channel)
{
  if (!g_atomic_ref_count_dec (&channel->ref))
    return;
  g_async_queue_unref (channel->queue);
  g_main_context_unref (channel->context);
  g_free (channel->path);
  g_free (channel);
}

static void
request_free (Request *req)
{
  g_clear_pointer (&req->query, les_claim_query_unref);
  g_clear_pointer (&req->rows, g_ptr_array_unref);
  g_clear_pointer (&req->values, g_ptr_array_unref);
  g_clear_error (&req->error);
  channel_unref (req->channel);
  g_free (req);
}

static Request *
request_new (Channel *channel, RequestKind kind, guint gen, guint seq, LesClaimQuery *query)
{
  Request *req = g_new0 (Request, 1);

  req->channel = channel_ref (channel);
  req->kind = kind;
  req->gen = gen;
  req->seq = seq;
  req->query = query != NULL ? les_claim_query_ref (query) : NULL;
  return req;
}

static gboolean
request_is_current (Request *req)
{
  return (guint) g_atomic_int_get (&req->channel->gen) == req->gen;
}

/* SQLite's progress handler on the worker: nonzero stops the statement */
static int
should_stop (void *data)
{
  Request *req = data;

  if (!request_is_current (req))
    return 1;
  /* a count gives way to the pages someone is waiting to see */
  return (req->kind == REQ_COUNT || req->kind == REQ_COUNT_CAPPED)
         && g_atomic_int_get (&req->channel->pages_wanted) > 0;
}

static gboolean deliver_cb (gpointer data);

/* Hands @req to the list's thread (never run here, as g_main_context_invoke() could) */
static void
deliver (Request *req)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver_cb, req, NULL);
  g_source_set_static_name (source, "[les] claims read");
  g_source_attach (source, req->channel->context);
  g_source_unref (source);
}

/* Runs @req; FALSE when it was stopped by should_stop() */
static gboolean
run_request (LesStore *store, QuerySql *sql, Request *req)
{
  sqlite3 *db = les_store_get_sqlite (store);
  g_autoptr(GError) error = NULL;
  int rc = SQLITE_OK;
  gboolean ok;

  sqlite3_progress_handler (db, PROGRESS_STEPS, should_stop, req);
  switch (req->kind)
    {
    case REQ_FIRST:
    case REQ_PAGE:
      req->values = read_page (store, sql, req->query, req->kind == REQ_FIRST ? 0 : req->page, &rc, &error);
      ok = req->values != NULL;
      break;
    case REQ_COUNT_CAPPED:
    case REQ_COUNT:
      ok = read_count (store, req->kind == REQ_COUNT ? sql->count_sql : sql->capped_sql, req->query,
                       &req->count, &rc, &error);
      break;
    case REQ_QUIT:
    default:
      g_assert_not_reached ();
    }
  sqlite3_progress_handler (db, 0, NULL, NULL);
  if (!ok && rc == SQLITE_INTERRUPT)
    return FALSE;
  if (!ok)
    req->error = g_steal_pointer (&error);
  return TRUE;
}

static gpointer
worker_thread (gpointer data)
{
  Channel *channel = data;
  LesStore *store = NULL;
  LesClaimQuery *sql_query = NULL;
  QuerySql *sql = NULL;
  Request *req;
  gint64 start, built;
  gboolean stopped;

  while ((req = g_async_queue_pop (channel->queue))->kind != REQ_QUIT)
    {
      if (req->kind == REQ_PAGE)
        g_atomic_int_add (&channel->pages_wanted, -1);
      if (!request_is_current (req))
        {
          deliver (req);
          continue;
        }
      if (store == NULL && (store = les_store_open (channel->path, &req->error)) == NULL)
        {
          req->done = TRUE;
          deliver (req);
          continue;
        }
      start = g_get_monotonic_time ();
      if (sql_query != req->query)
        {
          g_clear_pointer (&sql, query_sql_free);
          g_clear_pointer (&sql_query, les_claim_query_unref);
          sql = build_sql (req->query, store);
          sql_query = les_claim_query_ref (req->query);
        }
      built = g_get_monotonic_time ();
      stopped = !run_request (store, sql, req);
      g_debug ("claims read %d (page %u) %s in %.1f + %.1f ms", req->kind, req->page, stopped ? "stopped" : "done",
               (built - start) / 1000.0, (g_get_monotonic_time () - built) / 1000.0);
      if (stopped)
        {
          /* stopped: the query changed (dropped), or a count gave way to pages (later) */
          if (request_is_current (req))
            g_async_queue_push (channel->queue, req);
          else
            deliver (req);
          continue;
        }
      req->done = TRUE;
      if (req->kind == REQ_FIRST && req->error == NULL && req->values->len == PAGE_SIZE)
        {
          /* more than a page: count them, quickly up to a cap, then all */
          g_async_queue_push (channel->queue, request_new (channel, REQ_COUNT_CAPPED, req->gen, req->seq, req->query));
          g_async_queue_push (channel->queue, request_new (channel, REQ_COUNT, req->gen, req->seq, req->query));
          /* announced to the list with the first page */
          req->count = -2;
        }
      deliver (req);
    }
  request_free (req);
  g_clear_pointer (&sql, query_sql_free);
  g_clear_pointer (&sql_query, les_claim_query_unref);
  g_clear_object (&store);
  channel_unref (channel);
  return NULL;
}

/* The list, on the main thread */

static void
push (LesClaimList *self, Request *req)
{
  self->in_flight++;
  if (req->kind == REQ_PAGE)
    g_atomic_int_inc (&self->channel->pages_wanted);
  g_async_queue_push (self->channel->queue, req);
}

static GPtrArray *
placeholders (void)
{
  GPtrArray *rows = g_ptr_array_new_full (PAGE_SIZE, g_object_unref);

  for (guint i = 0; i < PAGE_SIZE; i++)
    g_ptr_array_add (rows, les_claim_row_new_placeholder ());
  return rows;
}

/* Whether a row of the page is held by someone else (a widget showing it) */
static gboolean
page_in_use (GPtrArray *rows)
{
  for (guint i = 0; i < rows->len; i++)
    if (G_OBJECT (g_ptr_array_index (rows, i))->ref_count > 1)
      return TRUE;
  return FALSE;
}

/* Caches @rows; the least recently used pages past MAX_PAGES go, but never
 * one whose rows are shown: every row shown stays in the cache, to be
 * filled in again when the year, filters or order change. */
static void
cache_page (LesClaimList *self, guint page, GPtrArray *rows)
{
  GList *l;

  g_hash_table_insert (self->pages, GUINT_TO_POINTER (page), rows);
  g_queue_push_head (&self->page_lru, GUINT_TO_POINTER (page));
  for (l = self->page_lru.tail; l != NULL && g_queue_get_length (&self->page_lru) > MAX_PAGES;)
    {
      GList *prev = l->prev;

      if (!page_in_use (g_hash_table_lookup (self->pages, l->data)))
        {
          g_hash_table_remove (self->pages, l->data);
          g_queue_delete_link (&self->page_lru, l);
        }
      l = prev;
    }
}

static void
fill_rows (GPtrArray *rows, GPtrArray *values)
{
  for (guint i = 0; i < values->len && i < rows->len; i++)
    {
      RowData *data = g_ptr_array_index (values, i);

      les_claim_row_set (g_ptr_array_index (rows, i), data->id, (const char **) data->fields);
    }
}

static void
set_flags (LesClaimList *self, gboolean loading, gboolean counting)
{
  gboolean was_loading = self->loading, was_counting = self->counting;

  self->loading = loading;
  self->counting = counting;
  if (was_loading != loading)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  if (was_counting != counting)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTING]);
}

/* Drops the pages wholly past @n */
static void
drop_pages_from (LesClaimList *self, guint n)
{
  GList *l = self->page_lru.head;

  while (l != NULL)
    {
      GList *next = l->next;

      if ((guint64) GPOINTER_TO_UINT (l->data) * PAGE_SIZE >= n)
        {
          g_hash_table_remove (self->pages, l->data);
          g_queue_delete_link (&self->page_lru, l);
        }
      l = next;
    }
}

static void grow (LesClaimList *self);

static gboolean
grow_cb (gpointer data)
{
  LesClaimList *self = data;

  self->grow_id = 0;
  grow (self);
  return G_SOURCE_REMOVE;
}

/* Adds rows towards target_n: at once past GROW_WINDOW, by steps below */
static void
grow (LesClaimList *self)
{
  guint old = self->n_items;
  guint n = self->target_n;

  if (n <= old)
    return;
  if (old < GROW_WINDOW && n > old + GROW_STEP)
    n = old + GROW_STEP;
  self->n_items = n;
  g_list_model_items_changed (G_LIST_MODEL (self), old, 0, n - old);
  if (self->n_items < self->target_n && self->grow_id == 0)
    {
      /* after the frame that shows these rows (GDK redraws at HIGH_IDLE + 20) */
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_HIGH_IDLE + 30);
      g_source_set_callback (source, grow_cb, self, NULL);
      g_source_set_static_name (source, "[les] claims grow");
      self->grow_id = g_source_attach (source, self->channel->context);
      g_source_unref (source);
    }
}

/* A new count: rows are added or taken from the end only */
static void
set_count (LesClaimList *self, guint n)
{
  guint old = self->n_items;

  self->target_n = n;
  if (n < old)
    {
      /* a pending step finds nothing to add */
      self->n_items = n;
      drop_pages_from (self, n);
      g_list_model_items_changed (G_LIST_MODEL (self), n, old - n, 0);
    }
  else if (n > old)
    grow (self);
}

/* The first page of new rows: written into the rows shown (so that the
 * table keeps its widgets, which GTK 4.8 takes ~100 ms to rebuild), the
 * rest of the old rows taken away; the counts add the others. */
static void
show_first_page (LesClaimList *self, Request *req)
{
  const char *blank[LES_N_CLAIM_FIELDS] = { NULL };
  GPtrArray *rows;
  guint n = 0;

  g_clear_pointer (&self->shown, les_claim_query_unref);
  self->shown = les_claim_query_ref (req->query);
  self->shown_gen = req->gen;
  self->seq = req->seq;
  if (req->error != NULL)
    g_warning ("Cannot read the claims: %s", req->error->message);
  else
    n = req->values->len;

  rows = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (0));
  if (rows == NULL)
    {
      rows = placeholders ();
      cache_page (self, 0, rows);
    }
  if (req->values != NULL)
    fill_rows (rows, req->values);
  for (guint i = n; i < rows->len && i < self->n_items; i++)
    les_claim_row_set (g_ptr_array_index (rows, i), 0, blank);
  set_count (self, n);
  drop_pages_from (self, PAGE_SIZE);
  set_flags (self, FALSE, req->count == -2);
}

static gboolean
deliver_cb (gpointer data)
{
  Request *req = data;
  LesClaimList *self = req->channel->list;

  if (self == NULL)
    goto out;
  self->in_flight--;
  if (req->count == -2)
    self->in_flight += 2;   /* the counts the worker queued after it */
  if (!req->done)
    goto out;

  switch (req->kind)
    {
    case REQ_FIRST:
      if (req->gen == self->gen)
        show_first_page (self, req);
      break;

    case REQ_PAGE:
      if (req->gen != self->shown_gen)
        break;
      if (req->error != NULL)
        g_warning ("Cannot read the claims: %s", req->error->message);
      else
        fill_rows (req->rows, req->values);
      break;

    case REQ_COUNT_CAPPED:
    case REQ_COUNT:
      if (req->gen != self->shown_gen || req->seq != self->seq)
        break;
      if (req->error != NULL)
        {
          g_warning ("Cannot count the claims: %s", req->error->message);
          set_flags (self, self->loading, FALSE);
        }
      else if (req->kind == REQ_COUNT || req->count <= COUNT_CAP)
        {
          set_count (self, (guint) MIN (req->count, G_MAXUINT));
          set_flags (self, self->loading, FALSE);
        }
      else if (self->counting)
        set_count (self, MAX (self->target_n, COUNT_CAP));
      break;

    case REQ_QUIT:
    default:
      break;
    }

out:
  request_free (req);
  return G_SOURCE_REMOVE;
}

/* The year, filters or order changed: read the first page of the new rows */
static void
start_query (LesClaimList *self)
{
  g_autoptr(LesClaimQuery) query = query_new (self);

  self->gen++;
  g_atomic_int_set (&self->channel->gen, (int) self->gen);
  push (self, request_new (self->channel, REQ_FIRST, self->gen, ++self->seq, query));
  set_flags (self, TRUE, self->counting);
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
  guint page = position / PAGE_SIZE;
  GPtrArray *rows;

  if (position >= self->n_items)
    return NULL;
  rows = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));
  if (rows != NULL)
    {
      if (g_queue_peek_head (&self->page_lru) != GUINT_TO_POINTER (page))
        {
          g_queue_remove (&self->page_lru, GUINT_TO_POINTER (page));
          g_queue_push_head (&self->page_lru, GUINT_TO_POINTER (page));
        }
    }
  else
    {
      rows = placeholders ();
      /* while loading, the rows shown are about to be replaced: no point reading them */
      if (!self->loading)
        {
          Request *req = request_new (self->channel, REQ_PAGE, self->shown_gen, self->seq, self->shown);

          req->page = page;
          req->rows = g_ptr_array_ref (rows);
          push (self, req);
        }
      cache_page (self, page, rows);
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
les_claim_list_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LesClaimList *self = LES_CLAIM_LIST (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_COUNTING:
      g_value_set_boolean (value, self->counting);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
les_claim_list_dispose (GObject *object)
{
  LesClaimList *self = (LesClaimList *) object;

  g_clear_signal_handler (&self->changed_id, self->store);
  g_clear_object (&self->store);
  if (self->grow_id != 0 && self->channel != NULL)
    {
      GSource *source = g_main_context_find_source_by_id (self->channel->context, self->grow_id);

      if (source != NULL)
        g_source_destroy (source);
      self->grow_id = 0;
    }
  if (self->channel != NULL)
    {
      Channel *channel = g_steal_pointer (&self->channel);

      /* the worker stops what it is doing, drops the rest and ends */
      channel->list = NULL;
      g_atomic_int_inc (&channel->gen);
      g_async_queue_push (channel->queue, request_new (channel, REQ_QUIT, 0, 0, NULL));
      channel_unref (channel);
    }

  G_OBJECT_CLASS (les_claim_list_parent_class)->dispose (object);
}

static void
les_claim_list_finalize (GObject *object)
{
  LesClaimList *self = (LesClaimList *) object;

  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    g_free (self->filters[i]);
  g_clear_pointer (&self->shown, les_claim_query_unref);
  g_queue_clear (&self->page_lru);
  g_hash_table_unref (self->pages);

  G_OBJECT_CLASS (les_claim_list_parent_class)->finalize (object);
}

static void
les_claim_list_class_init (LesClaimListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = les_claim_list_get_property;
  object_class->dispose = les_claim_list_dispose;
  object_class->finalize = les_claim_list_finalize;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_COUNTING] =
    g_param_spec_boolean ("counting", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
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
  Channel *channel;
  GThread *thread;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  self = g_object_new (LES_TYPE_CLAIM_LIST, NULL);
  self->store = g_object_ref (store);
  self->fy = fy;
  self->changed_id = g_signal_connect (store, "changed", G_CALLBACK (store_changed_cb), self);

  channel = g_new0 (Channel, 1);
  g_atomic_ref_count_init (&channel->ref);
  channel->queue = g_async_queue_new ();
  channel->context = g_main_context_ref_thread_default ();
  channel->path = g_strdup (les_store_get_path (store));
  channel->list = self;
  self->channel = channel;
  thread = g_thread_new ("les-claim-list", worker_thread, channel_ref (channel));
  g_thread_unref (thread);

  start_query (self);
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
  start_query (self);
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
    start_query (self);
}

void
les_claim_list_set_filters (LesClaimList *self, const char **values)
{
  gboolean changed = FALSE;

  g_return_if_fail (LES_IS_CLAIM_LIST (self));

  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    changed |= store_filter (self, i, values != NULL ? values[i] : NULL);
  if (changed)
    start_query (self);
}

void
les_claim_list_set_sort (LesClaimList *self, LesClaimField field, gboolean descending)
{
  g_return_if_fail (LES_IS_CLAIM_LIST (self));

  if (self->sort_field == field && self->descending == !!descending)
    return;
  self->sort_field = field;
  self->descending = !!descending;
  start_query (self);
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
  GHashTableIter iter;
  gpointer key, rows;

  g_return_if_fail (LES_IS_CLAIM_LIST (self));

  if (self->loading || self->shown == NULL)
    {
      /* the first page may have been read before the change: read it again */
      start_query (self);
      return;
    }
  /* The rows shown are read again in place, then the count */
  self->seq++;
  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, &key, &rows))
    {
      Request *req = request_new (self->channel, REQ_PAGE, self->shown_gen, self->seq, self->shown);

      req->page = GPOINTER_TO_UINT (key);
      req->rows = g_ptr_array_ref (rows);
      push (self, req);
    }
  push (self, request_new (self->channel, REQ_COUNT, self->shown_gen, self->seq, self->shown));
}

gboolean
les_claim_list_is_loading (LesClaimList *self)
{
  g_return_val_if_fail (LES_IS_CLAIM_LIST (self), FALSE);

  return self->loading;
}

gboolean
les_claim_list_is_counting (LesClaimList *self)
{
  g_return_val_if_fail (LES_IS_CLAIM_LIST (self), FALSE);

  return self->counting;
}

void
les_claim_list_wait (LesClaimList *self)
{
  g_return_if_fail (LES_IS_CLAIM_LIST (self));

  g_object_ref (self);
  while (self->channel != NULL && (self->in_flight > 0 || self->grow_id != 0))
    g_main_context_iteration (self->channel->context, TRUE);
  g_object_unref (self);
}

/* The SQL of what is shown, on the list's own connection */
static QuerySql *
shown_sql (LesClaimList *self, GError **error)
{
  if (self->shown == NULL || self->store == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING, "The claims are still being read");
      return NULL;
    }
  return build_sql (self->shown, self->store);
}

/* Runs @stmt (bound), appending the id in its first column of each row to @ids */
static gboolean
append_ids (LesStore *store, sqlite3_stmt *stmt, GArray *ids, GError **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    les_store_set_db_error (store, error);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

static GArray *
query_ids (LesClaimQuery *query, LesStore *store, QuerySql *sql, GError **error)
{
  g_autofree char *select = g_strdup_printf ("SELECT c.id FROM claims c WHERE %s", sql->where);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;

  stmt = les_store_prepare_sqlite (store, select, error);
  if (stmt == NULL)
    return NULL;
  bind_query (stmt, query);
  if (!append_ids (store, stmt, ids, error))
    return NULL;
  return g_steal_pointer (&ids);
}

GArray *
les_claim_list_dup_all_ids (LesClaimList *self, GError **error)
{
  g_autoptr(QuerySql) sql = NULL;

  g_return_val_if_fail (LES_IS_CLAIM_LIST (self), NULL);

  if ((sql = shown_sql (self, error)) == NULL)
    return NULL;
  return query_ids (self->shown, self->store, sql, error);
}

GArray *
les_claim_query_dup_ids (LesClaimQuery *query, LesStore *store, GError **error)
{
  g_autoptr(QuerySql) sql = NULL;

  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  sql = build_sql (query, store);
  return query_ids (query, store, sql, error);
}

gboolean
les_claim_list_get_ids (LesClaimList *self, guint position, guint n, GArray *ids, GError **error)
{
  g_autoptr(QuerySql) sql = NULL;
  guint done = 0;
  sqlite3_stmt *stmt;
  int param;

  g_return_val_if_fail (LES_IS_CLAIM_LIST (self), FALSE);
  g_return_val_if_fail (ids != NULL, FALSE);

  /* From the rows read when they all are */
  for (; done < n; done++)
    {
      guint p = position + done;
      GPtrArray *rows = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (p / PAGE_SIZE));
      LesClaimRow *row = rows != NULL ? g_ptr_array_index (rows, p % PAGE_SIZE) : NULL;
      gint64 id;

      if (row == NULL || !les_claim_row_is_loaded (row))
        break;
      id = les_claim_row_get_id (row);
      g_array_append_val (ids, id);
    }
  if (done == n)
    return TRUE;
  g_array_set_size (ids, ids->len - done);

  if ((sql = shown_sql (self, error)) == NULL)
    return FALSE;
  stmt = les_store_prepare_sqlite (self->store, sql->ids_sql, error);
  if (stmt == NULL)
    return FALSE;
  param = bind_query (stmt, self->shown);
  sqlite3_bind_int64 (stmt, param, n);
  sqlite3_bind_int64 (stmt, param + 1, position);
  return append_ids (self->store, stmt, ids, error);
}

LesClaimQuery *
les_claim_list_dup_query (LesClaimList *self)
{
  g_return_val_if_fail (LES_IS_CLAIM_LIST (self), NULL);

  return self->shown != NULL ? les_claim_query_ref (self->shown) : query_new (self);
}

gboolean
les_claim_query_export (LesClaimQuery  *query,
                        LesStore       *store,
                        GOutputStream  *out,
                        GCancellable   *cancellable,
                        GError        **error)
{
  static const LesClaimField fields[] = {
    LES_CLAIM_FIELD_REF, LES_CLAIM_FIELD_PRACTICE, LES_CLAIM_FIELD_SERVICE, LES_CLAIM_FIELD_ITEM,
    LES_CLAIM_FIELD_PERIOD, LES_CLAIM_FIELD_COUNT, LES_CLAIM_FIELD_SUBMITTED, LES_CLAIM_FIELD_STATUS,
    LES_CLAIM_FIELD_REASON, LES_CLAIM_FIELD_FINDINGS,
  };
  g_autoptr(QuerySql) sql = NULL;
  g_autoptr(GString) buffer = g_string_new ("claim_ref,practice_code,service_code,item_code,period,count,"
                                            "submitted_date,status,status_reason,findings\n");
  sqlite3_stmt *stmt;
  guint64 n = 0;
  int rc;

  g_return_val_if_fail (query != NULL, FALSE);
  g_return_val_if_fail (LES_IS_STORE (store), FALSE);

  sql = build_sql (query, store);
  stmt = les_store_prepare_sqlite (store, sql->select_sql, error);
  if (stmt == NULL)
    return FALSE;
  bind_query (stmt, query);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *values[G_N_ELEMENTS (fields)];

      for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
        values[f] = (const char *) sqlite3_column_text (stmt, fields[f] + 1);
      les_csv_append_row (buffer, values, G_N_ELEMENTS (fields));
      if (++n % 4096 == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        break;
      if (!les_csv_flush (out, buffer, 64 * 1024, cancellable, error))
        break;
    }
  if (rc == SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      les_store_set_db_error (store, error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return les_csv_flush (out, buffer, 0, cancellable, error);
}
