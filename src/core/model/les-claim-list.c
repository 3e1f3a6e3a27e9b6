/* les-claim-list.c: the claims of a year as a GListModel that pages from the database, filtered and sorted in SQL. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-claim-list.h"
#include "les-enums.h"
#include "les-session.h"

/* Pages of PAGE_SIZE rows are read with LIMIT/OFFSET; the last MAX_PAGES
 * used are kept so that scrolling back and redraws never wait.  GTK 4.8's
 * list views keep up to 200 rows' widgets: a first page longer than that
 * means a new filter neither destroys nor creates any (~40 ms). */
#define PAGE_SIZE 256
#define MAX_PAGES 8
/* After the first page, the count up to COUNT_CAP (quick) and the whole */
#define COUNT_CAP 5000
/* GTK 4.8 builds the widgets of up to 200 rows: about 1 ms a row.  Rows
 * added below GROW_WINDOW come GROW_STEP at a time, a main-loop iteration
 * (and a frame) apart, so that no iteration takes more than ~50 ms. */
#define GROW_WINDOW 256
#define GROW_STEP 48

typedef enum {
  READ_FIRST,          /* page 0 of a new query */
  READ_PAGE,
  READ_COUNT_CAPPED,
  READ_COUNT,
} ReadKind;

/* A read asked of the session; its fields are fixed before it runs, but
 * for @rows, which only this thread touches */
typedef struct
{
  GWeakRef        list;
  ReadKind        kind;
  guint           gen;      /* the generation of reads it belongs to */
  LesClaimQuery  *query;
  guint           page;
  GPtrArray      *rows;     /* READ_PAGE: the placeholders to fill */
} Read;

typedef struct
{
  GPtrArray  *values;       /* LesClaimValues, for pages */
  gint64      count;
} ReadResult;

struct _LesClaimList
{
  GObject         parent_instance;

  LesSession     *session;
  gulong          changed_id;
  GMainContext   *context;

  /* what is wanted: the latest year, filters and order */
  int             fy;
  char           *filters[LES_N_CLAIM_FILTERS];
  LesClaimField   sort_field;
  gboolean        descending;
  LesClaimQuery  *wanted;
  /* a new query or a refresh starts a generation, cancelling the reads of
   * the one before; what arrives for an older one is dropped */
  guint           gen;
  GCancellable   *cancellable;

  /* what is shown */
  LesClaimQuery  *shown;
  guint           n_items;
  gboolean        loading;
  gboolean        counting;
  GHashTable     *pages;         /* page number → GPtrArray of LesClaimRow */
  GQueue          page_lru;      /* page numbers, most recent first */
  guint           in_flight;     /* reads not yet delivered */
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

/* The reads, on a reader of the session */

static void
read_free (gpointer data)
{
  Read *read = data;

  g_weak_ref_clear (&read->list);
  g_clear_pointer (&read->query, les_claim_query_unref);
  g_clear_pointer (&read->rows, g_ptr_array_unref);
  g_free (read);
}

static void
read_result_free (gpointer data)
{
  ReadResult *result = data;

  g_clear_pointer (&result->values, g_ptr_array_unref);
  g_free (result);
}

static gpointer
read_func (LesStore *reader, gpointer data, GCancellable *cancellable, GError **error)
{
  Read *read = data;
  ReadResult *result = g_new0 (ReadResult, 1);
  gboolean ok;

  switch (read->kind)
    {
    case READ_FIRST:
    case READ_PAGE:
      result->values = les_claim_query_read_rows (read->query, reader, read->page * PAGE_SIZE, PAGE_SIZE, error);
      ok = result->values != NULL;
      break;
    case READ_COUNT_CAPPED:
      ok = les_claim_query_count (read->query, reader, COUNT_CAP + 1, &result->count, error);
      break;
    case READ_COUNT:
      ok = les_claim_query_count (read->query, reader, 0, &result->count, error);
      break;
    default:
      g_assert_not_reached ();
    }
  g_debug ("claims read %d (page %u) %s", read->kind, read->page, ok ? "done" : "failed");
  if (!ok)
    g_clear_pointer (&result, read_result_free);
  return result;
}

static void read_done_cb (GObject *object, GAsyncResult *result, gpointer user_data);

static void
issue (LesClaimList *self, ReadKind kind, LesClaimQuery *query, guint page, GPtrArray *rows)
{
  Read *read = g_new0 (Read, 1);

  g_weak_ref_init (&read->list, self);
  read->kind = kind;
  read->gen = self->gen;
  read->query = les_claim_query_ref (query);
  read->page = page;
  read->rows = rows != NULL ? g_ptr_array_ref (rows) : NULL;
  self->in_flight++;
  les_session_read_async (self->session, read_func, read, read_free, read_result_free, self->cancellable,
                          read_done_cb, read);
}

/* The reads of the generation before stop; new ones belong to the next */
static void
new_generation (LesClaimList *self)
{
  self->gen++;
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_object_unref (self->cancellable);
    }
  self->cancellable = g_cancellable_new ();
}

/* The list, on the main thread */

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
      LesClaimValues *v = g_ptr_array_index (values, i);

      les_claim_row_set (g_ptr_array_index (rows, i), v->id, (const char **) v->fields);
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
      self->grow_id = g_source_attach (source, self->context);
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
show_first_page (LesClaimList *self, LesClaimQuery *query, GPtrArray *values)
{
  const char *blank[LES_N_CLAIM_FIELDS] = { NULL };
  GPtrArray *rows;
  guint n = values != NULL ? values->len : 0;

  g_clear_pointer (&self->shown, les_claim_query_unref);
  self->shown = les_claim_query_ref (query);

  rows = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (0));
  if (rows == NULL)
    {
      rows = placeholders ();
      cache_page (self, 0, rows);
    }
  if (values != NULL)
    fill_rows (rows, values);
  for (guint i = n; i < rows->len && i < self->n_items; i++)
    les_claim_row_set (g_ptr_array_index (rows, i), 0, blank);
  set_count (self, n);
  drop_pages_from (self, PAGE_SIZE);
  /* more than a page: count them, quickly up to a cap, then all */
  if (n == PAGE_SIZE)
    issue (self, READ_COUNT_CAPPED, query, 0, NULL);
  set_flags (self, FALSE, n == PAGE_SIZE);
}

static void
read_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Read *read = user_data;
  g_autoptr(LesClaimList) self = g_weak_ref_get (&read->list);
  g_autoptr(GError) error = NULL;
  ReadResult *r;

  r = les_session_read_finish (LES_SESSION (object), result, &error);
  if (self == NULL)
    goto out;
  self->in_flight--;
  /* the query changed, or the list was refreshed, since it was asked for */
  if (read->gen != self->gen)
    goto out;
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Cannot read the claims: %s", error->message);

  switch (read->kind)
    {
    case READ_FIRST:
      show_first_page (self, read->query, r != NULL ? r->values : NULL);
      break;

    case READ_PAGE:
      if (r != NULL)
        fill_rows (read->rows, r->values);
      break;

    case READ_COUNT_CAPPED:
    case READ_COUNT:
      if (r == NULL)
        set_flags (self, self->loading, FALSE);
      else if (read->kind == READ_COUNT || r->count <= COUNT_CAP)
        {
          set_count (self, (guint) MIN (r->count, G_MAXUINT));
          set_flags (self, self->loading, FALSE);
        }
      else
        {
          /* at least that many: shown while all are counted */
          set_count (self, MAX (self->target_n, COUNT_CAP));
          issue (self, READ_COUNT, read->query, 0, NULL);
        }
      break;

    default:
      g_assert_not_reached ();
    }

out:
  g_clear_pointer (&r, read_result_free);
}

/* The year, filters or order changed: read the first page of the new rows */
static void
start_query (LesClaimList *self)
{
  g_clear_pointer (&self->wanted, les_claim_query_unref);
  self->wanted = les_claim_query_new (self->fy, (const char * const *) self->filters, self->sort_field,
                                      self->descending);
  new_generation (self);
  issue (self, READ_FIRST, self->wanted, 0, NULL);
  set_flags (self, TRUE, self->counting);
}

static void
session_changed_cb (LesSession   *session,
                    LesChange     what,
                    LesClaimList *self)
{
  /* statuses, findings, practices' names */
  if (what & (LES_CHANGE_CLAIMS | LES_CHANGE_PAYMENTS | LES_CHANGE_REFERENCE))
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
      if (!self->loading && self->session != NULL)
        issue (self, READ_PAGE, self->shown, page, rows);
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

  /* the reads under way stop; what they return finds no list */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_signal_handler (&self->changed_id, self->session);
  g_clear_object (&self->session);
  if (self->grow_id != 0)
    {
      GSource *source = g_main_context_find_source_by_id (self->context, self->grow_id);

      if (source != NULL)
        g_source_destroy (source);
      self->grow_id = 0;
    }

  G_OBJECT_CLASS (les_claim_list_parent_class)->dispose (object);
}

static void
les_claim_list_finalize (GObject *object)
{
  LesClaimList *self = (LesClaimList *) object;

  for (guint i = 0; i < LES_N_CLAIM_FILTERS; i++)
    g_free (self->filters[i]);
  g_clear_pointer (&self->wanted, les_claim_query_unref);
  g_clear_pointer (&self->shown, les_claim_query_unref);
  g_queue_clear (&self->page_lru);
  g_hash_table_unref (self->pages);
  g_main_context_unref (self->context);

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
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_COUNTING] =
    g_param_spec_boolean ("counting", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
les_claim_list_init (LesClaimList *self)
{
  self->pages = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                                       (GDestroyNotify) g_ptr_array_unref);
  g_queue_init (&self->page_lru);
  self->sort_field = LES_CLAIM_FIELD_REF;
  self->context = g_main_context_ref_thread_default ();
}

/**
 * les_claim_list_new:
 * @session: whose readers read the claims, and whose changes refresh them
 * @fy: the financial year shown
 */
LesClaimList *
les_claim_list_new (LesSession *session, int fy)
{
  LesClaimList *self;

  g_return_val_if_fail (LES_IS_SESSION (session), NULL);

  self = g_object_new (LES_TYPE_CLAIM_LIST, NULL);
  self->session = g_object_ref (session);
  self->fy = fy;
  self->changed_id = g_signal_connect (session, "changed", G_CALLBACK (session_changed_cb), self);
  start_query (self);
  return self;
}

LesSession *
les_claim_list_get_session (LesClaimList *self)
{
  g_return_val_if_fail (LES_IS_CLAIM_LIST (self), NULL);

  return self->session;
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
  g_autofree char *v = les_claim_filter_normalize (filter, value);

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
  g_return_if_fail (field < LES_N_CLAIM_FIELDS);

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

  if (self->session == NULL)
    return;
  if (self->loading || self->shown == NULL)
    {
      /* the first page may have been read before the change: read it again */
      start_query (self);
      return;
    }
  /* The rows shown are read again in place, then the count */
  new_generation (self);
  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, &key, &rows))
    issue (self, READ_PAGE, self->shown, GPOINTER_TO_UINT (key), rows);
  issue (self, READ_COUNT, self->shown, 0, NULL);
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
  while (self->session != NULL && (self->in_flight > 0 || self->grow_id != 0))
    g_main_context_iteration (self->context, TRUE);
  g_object_unref (self);
}

/**
 * les_claim_list_dup_query:
 *
 * Returns: (transfer full): the query of the rows shown, or of the rows
 * about to be shown when none are yet
 */
LesClaimQuery *
les_claim_list_dup_query (LesClaimList *self)
{
  g_return_val_if_fail (LES_IS_CLAIM_LIST (self), NULL);

  return les_claim_query_ref (self->shown != NULL ? self->shown : self->wanted);
}

/* Ids */

/* The ids of the @n rows from @position when every one has been read */
static GArray *
cached_ids (LesClaimList *self, guint position, guint n)
{
  g_autoptr(GArray) ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);

  for (guint done = 0; done < n; done++)
    {
      guint p = position + done;
      GPtrArray *rows = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (p / PAGE_SIZE));
      LesClaimRow *row = rows != NULL ? g_ptr_array_index (rows, p % PAGE_SIZE) : NULL;
      gint64 id;

      if (row == NULL || !les_claim_row_is_loaded (row))
        return NULL;
      id = les_claim_row_get_id (row);
      g_array_append_val (ids, id);
    }
  return g_steal_pointer (&ids);
}

static gboolean
check_shown (LesClaimList *self, GError **error)
{
  if (self->shown != NULL && self->session != NULL)
    return TRUE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PENDING, "The claims are still being read");
  return FALSE;
}

GArray *
les_claim_list_dup_all_ids (LesClaimList *self, GError **error)
{
  g_return_val_if_fail (LES_IS_CLAIM_LIST (self), NULL);

  if (!check_shown (self, error))
    return NULL;
  return les_claim_query_dup_ids (self->shown, les_session_get_store (self->session), error);
}

gboolean
les_claim_list_get_ids (LesClaimList *self, guint position, guint n, GArray *ids, GError **error)
{
  g_autoptr(GArray) cached = NULL;

  g_return_val_if_fail (LES_IS_CLAIM_LIST (self), FALSE);
  g_return_val_if_fail (ids != NULL, FALSE);

  if ((cached = cached_ids (self, position, n)) != NULL)
    {
      g_array_append_vals (ids, cached->data, cached->len);
      return TRUE;
    }
  if (!check_shown (self, error))
    return FALSE;
  return les_claim_query_read_ids (self->shown, les_session_get_store (self->session), position, n, ids, error);
}

gboolean
les_claim_list_get_seen (LesClaimList *self, guint position, guint n, GArray *seen)
{
  guint start;

  g_return_val_if_fail (LES_IS_CLAIM_LIST (self), FALSE);
  g_return_val_if_fail (seen != NULL, FALSE);

  start = seen->len;
  for (guint done = 0; done < n; done++)
    {
      guint p = position + done;
      GPtrArray *rows = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (p / PAGE_SIZE));
      LesClaimRow *row = rows != NULL ? g_ptr_array_index (rows, p % PAGE_SIZE) : NULL;
      int word = row != NULL && les_claim_row_is_loaded (row)
                 ? les_claim_status_from_word (les_claim_row_get (row, LES_CLAIM_FIELD_STATUS)) : -1;
      LesClaimStatus status = (LesClaimStatus) word;

      if (word < 0)
        {
          g_array_set_size (seen, start);
          return FALSE;
        }
      g_array_append_val (seen, status);
    }
  return TRUE;
}

typedef struct
{
  LesClaimQuery *query;
  GArray        *ranges;     /* (nullable) position, length, … */
  GPtrArray     *parts;      /* GArray of ids for each range, NULL: to read */
} IdsRead;

static void
clear_part (gpointer part)
{
  if (part != NULL)
    g_array_unref (part);
}

static void
ids_read_free (gpointer data)
{
  IdsRead *read = data;

  les_claim_query_unref (read->query);
  g_clear_pointer (&read->ranges, g_array_unref);
  g_clear_pointer (&read->parts, g_ptr_array_unref);
  g_free (read);
}

static gpointer
ids_read_func (LesStore *reader, gpointer data, GCancellable *cancellable, GError **error)
{
  IdsRead *read = data;
  g_autoptr(GArray) ids = NULL;

  if (read->ranges == NULL)
    return les_claim_query_dup_ids (read->query, reader, error);
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i + 1 < read->ranges->len; i += 2)
    {
      GArray *part = g_ptr_array_index (read->parts, i / 2);
      guint position = g_array_index (read->ranges, guint, i);
      guint n = g_array_index (read->ranges, guint, i + 1);

      if (part != NULL)
        g_array_append_vals (ids, part->data, part->len);
      else if (!les_claim_query_read_ids (read->query, reader, position, n, ids, error))
        return NULL;
    }
  return g_steal_pointer (&ids);
}

static void
ids_read_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GArray *ids = les_session_read_finish (LES_SESSION (object), result, &error);

  if (ids == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, ids, (GDestroyNotify) g_array_unref);
}

/**
 * les_claim_list_read_ids_async:
 * @ranges: (nullable) (element-type guint): positions and lengths, in pairs
 */
void
les_claim_list_read_ids_async (LesClaimList        *self,
                               GArray              *ranges,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  IdsRead *read;

  g_return_if_fail (LES_IS_CLAIM_LIST (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, les_claim_list_read_ids_async);
  if (!check_shown (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  read = g_new0 (IdsRead, 1);
  read->query = les_claim_query_ref (self->shown);
  if (ranges != NULL)
    {
      read->ranges = g_array_ref (ranges);
      read->parts = g_ptr_array_new_with_free_func (clear_part);
      /* the rows read already give their ids now */
      for (guint i = 0; i + 1 < ranges->len; i += 2)
        g_ptr_array_add (read->parts, cached_ids (self, g_array_index (ranges, guint, i),
                                                  g_array_index (ranges, guint, i + 1)));
    }
  les_session_read_async (self->session, ids_read_func, read, ids_read_free, (GDestroyNotify) g_array_unref,
                          cancellable, ids_read_done_cb, g_steal_pointer (&task));
}

GArray *
les_claim_list_read_ids_finish (LesClaimList *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (LES_IS_CLAIM_LIST (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
