/* test-claim-list.c: the claims table's model — pages, counts, filters and refreshes read on the session's readers. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-claim-list.h"
#include "les-session.h"
#include "test-helpers.h"

#define FY 2024
/* More than a page, and more than the count the list makes first */
#define N_CLAIMS 12000
/* The model's first page and the count it makes first (les-claim-list.c) */
#define PAGE_ROWS 256
#define COUNT_CAP 5000

typedef struct {
  char       *dir;
  LesStore   *store;
  LesSession *session;
} Fixture;

static const char practices[] =
  "practice_code,practice_name,pcn_code,pcn_name\n"
  "A81001,Ashford Surgery,U81001,North PCN\n"
  "A81002,Beech House,U81002,South PCN\n";
static const char list_sizes[] =
  "practice_code,date,registered\nA81001,2024-04-01,1200\nA81002,2024-04-01,2400\n";
static const char services[] =
  "service_code,year,name\nINJ,2024/25,Injections\n";
static const char rules[] =
  "service_code,year,rule_code,kind,rate,rate_per,base\n"
  "INJ,2024/25,JAB,item,10.00,,\n";
static const char signups[] =
  "practice_code,service_code,year,from_date\n"
  "A81001,INJ,2024/25,2024-04-01\nA81002,INJ,2024/25,2024-04-01\n";

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GString) claims = g_string_new ("claim_ref,practice_code,service_code,item_code,period,count,submitted_date\n");

  /* R000001… alternately at the two practices, over the twelve months */
  for (int i = 1; i <= N_CLAIMS; i++)
    {
      int m = (i % 12) + 4;
      int y = m > 12 ? 2025 : 2024;

      m = m > 12 ? m - 12 : m;
      g_string_append_printf (claims, "R%06d,%s,INJ,JAB,%d-%02d,%d,%d-%02d-28\n", i, i % 2 ? "A81001" : "A81002",
                              y, m, i % 9 + 1, y, m);
    }
  f->store = test_store_new_with (&f->dir, (const char *[LES_N_KINDS]) {
    [LES_KIND_PRACTICES] = practices, [LES_KIND_LIST_SIZES] = list_sizes, [LES_KIND_SERVICES] = services,
    [LES_KIND_RULES] = rules, [LES_KIND_SIGNUPS] = signups, [LES_KIND_CLAIMS] = claims->str });
  f->session = les_session_new (f->store);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  /* every read has finished: nothing holds the session or the store */
  les_session_wait (f->session);
  g_assert_finalize_object (f->session);
  test_store_clear (&f->store, &f->dir);
}

static char *
ref_at (LesClaimList *list, guint position)
{
  g_autoptr(LesClaimRow) row = g_list_model_get_item (G_LIST_MODEL (list), position);

  g_assert_nonnull (row);
  if (!les_claim_row_is_loaded (row))
    {
      /* a placeholder until its page is read */
      g_assert_cmpstr (les_claim_row_get (row, LES_CLAIM_FIELD_REF), ==, "");
      les_claim_list_wait (list);
    }
  g_assert_true (les_claim_row_is_loaded (row));
  return g_strdup (les_claim_row_get (row, LES_CLAIM_FIELD_REF));
}

static guint
n_items (LesClaimList *list)
{
  return g_list_model_get_n_items (G_LIST_MODEL (list));
}

/* Every items-changed of a list, as position, removed and added */
typedef struct {
  guint position;
  guint removed;
  guint added;
} Change;

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, GArray *changes)
{
  Change change = { position, removed, added };

  g_array_append_val (changes, change);
}

static GArray *
record_changes (LesClaimList *list)
{
  GArray *changes = g_array_new (FALSE, FALSE, sizeof (Change));

  g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), changes);
  return changes;
}

static void
assert_change (GArray *changes, guint i, guint position, guint removed, guint added)
{
  const Change *change;

  g_assert_cmpuint (i, <, changes->len);
  change = &g_array_index (changes, Change, i);
  g_assert_cmpuint (change->position, ==, position);
  g_assert_cmpuint (change->removed, ==, removed);
  g_assert_cmpuint (change->added, ==, added);
}

static void
test_pages (Fixture *f, gconstpointer data)
{
  LesClaimList *list = les_claim_list_new (f->session, FY);
  g_autoptr(GArray) changes = record_changes (list);
  g_autofree char *first = NULL, *last = NULL, *middle = NULL, *top = NULL;
  guint n = 0;

  /* Nothing is read on this thread: the list starts empty and loading */
  g_assert_true (les_claim_list_is_loading (list));
  g_assert_cmpuint (n_items (list), ==, 0);
  les_claim_list_wait (list);
  g_assert_false (les_claim_list_is_loading (list));
  g_assert_false (les_claim_list_is_counting (list));
  g_assert_cmpuint (n_items (list), ==, N_CLAIMS);
  /* the first page, then the count grown in steps (a capped count, then
   * all): only ever added at the end, each step where the last ended */
  g_assert_cmpuint (changes->len, >=, 3);
  for (guint i = 0; i < changes->len; i++)
    {
      const Change *change = &g_array_index (changes, Change, i);

      assert_change (changes, i, n, 0, change->added);
      n += change->added;
    }
  g_assert_cmpuint (n, ==, N_CLAIMS);

  first = ref_at (list, 0);
  g_assert_cmpstr (first, ==, "R000001");
  last = ref_at (list, N_CLAIMS - 1);
  g_assert_cmpstr (last, ==, "R012000");
  middle = ref_at (list, 6000);
  g_assert_cmpstr (middle, ==, "R006001");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), N_CLAIMS));

  /* Another order: the same rows, written into the rows shown, so no
   * items-changed at all */
  g_array_set_size (changes, 0);
  les_claim_list_set_sort (list, LES_CLAIM_FIELD_REF, TRUE);
  g_assert_true (les_claim_list_is_loading (list));
  les_claim_list_wait (list);
  top = ref_at (list, 0);
  g_assert_cmpstr (top, ==, "R012000");
  g_assert_cmpuint (n_items (list), ==, N_CLAIMS);
  /* the first page, then the capped count, then all: each the count it had */
  assert_change (changes, 0, PAGE_ROWS, N_CLAIMS - PAGE_ROWS, 0);
  assert_change (changes, 1, PAGE_ROWS, 0, COUNT_CAP - PAGE_ROWS);
  assert_change (changes, 2, COUNT_CAP, 0, N_CLAIMS - COUNT_CAP);
  g_assert_cmpuint (changes->len, ==, 3);

  g_signal_handlers_disconnect_by_data (list, changes);
  g_assert_finalize_object (list);
}

static void
test_filters (Fixture *f, gconstpointer data)
{
  LesClaimList *list = les_claim_list_new (f->session, FY);
  g_autoptr(GArray) changes = NULL;
  g_autofree char *ref = NULL;

  les_claim_list_wait (list);
  changes = record_changes (list);
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_PRACTICE, "a81002");
  g_assert_cmpstr (les_claim_list_get_filter (list, LES_CLAIM_FILTER_PRACTICE), ==, "A81002");
  les_claim_list_wait (list);
  g_assert_cmpuint (n_items (list), ==, N_CLAIMS / 2);
  assert_change (changes, 0, PAGE_ROWS, N_CLAIMS - PAGE_ROWS, 0);
  assert_change (changes, 1, PAGE_ROWS, 0, COUNT_CAP - PAGE_ROWS);
  assert_change (changes, 2, COUNT_CAP, 0, N_CLAIMS / 2 - COUNT_CAP);
  g_assert_cmpuint (changes->len, ==, 3);
  ref = ref_at (list, 0);
  g_assert_cmpstr (ref, ==, "R000002");
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_PRACTICE, NULL);

  /* Free text: a reference prefix, a practice's name, a PCN */
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_TEXT, "r00001");
  les_claim_list_wait (list);
  g_assert_cmpuint (n_items (list), ==, 10);
  /* a page or less: counted by the page, in one change */
  g_array_set_size (changes, 0);
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_TEXT, "r000011");
  les_claim_list_wait (list);
  g_assert_cmpuint (n_items (list), ==, 1);
  assert_change (changes, 0, 1, 9, 0);
  g_assert_cmpuint (changes->len, ==, 1);
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_TEXT, "beech");
  les_claim_list_wait (list);
  g_assert_cmpuint (n_items (list), ==, N_CLAIMS / 2);
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_TEXT, "R*");
  les_claim_list_wait (list);
  g_assert_cmpuint (n_items (list), ==, 0);
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_TEXT, NULL);
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_PCN, "U81001");
  les_claim_list_set_filter (list, LES_CLAIM_FILTER_PERIOD, "2024-05");
  les_claim_list_wait (list);
  g_assert_cmpuint (n_items (list), ==, N_CLAIMS / 12);   /* R000001, R000013, … all at A81001 */

  /* Another year has none */
  les_claim_list_set_year (list, FY + 1);
  les_claim_list_wait (list);
  g_assert_cmpuint (n_items (list), ==, 0);

  g_signal_handlers_disconnect_by_data (list, changes);
  g_assert_finalize_object (list);
}

/* Typing: each keystroke starts a new read before the last has finished;
 * only the last one is shown */
static void
test_typing (Fixture *f, gconstpointer data)
{
  LesClaimList *list = les_claim_list_new (f->session, FY);
  const char *word = "R001234";

  for (gsize i = 1; i <= strlen (word); i++)
    {
      g_autofree char *prefix = g_strndup (word, i);

      les_claim_list_set_filter (list, LES_CLAIM_FILTER_TEXT, prefix);
      /* the rows shown are never ahead of the table */
      g_assert_cmpuint (n_items (list), <=, N_CLAIMS);
      g_main_context_iteration (NULL, FALSE);
    }
  les_claim_list_wait (list);
  g_assert_false (les_claim_list_is_loading (list));
  g_assert_cmpuint (n_items (list), ==, 1);
  {
    g_autofree char *ref = ref_at (list, 0);
    g_assert_cmpstr (ref, ==, "R001234");
  }
  g_assert_finalize_object (list);
}

static void
status_set_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  gint64 *n = user_data;

  *n = les_session_set_status_finish (LES_SESSION (object), result, NULL, &error);
  g_assert_no_error (error);
}

static void
undone_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (les_session_undo_finish (LES_SESSION (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

static void
ids_read_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  GArray **ids = user_data;

  *ids = les_claim_list_read_ids_finish (LES_CLAIM_LIST (object), result, &error);
  g_assert_no_error (error);
}

/* A change of the claims the session makes reads the rows shown and the
 * count again: the rows in place, the count in one change */
static void
test_refresh (Fixture *f, gconstpointer data)
{
  LesClaimList *list = les_claim_list_new (f->session, FY);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) all = NULL;
  g_autoptr(GArray) read = NULL;
  g_autoptr(GArray) ranges = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LesClaimRow) row = NULL;
  gint64 n_changed = -1;
  gboolean undone = FALSE;
  const guint range[] = { 0, 3, 9000, 2 };

  les_claim_list_set_filter (list, LES_CLAIM_FILTER_STATUS, "submitted");
  les_claim_list_wait (list);
  g_assert_cmpuint (n_items (list), ==, N_CLAIMS);

  /* Ids of rows read and not read alike, here and on a reader */
  g_assert_true (les_claim_list_get_ids (list, 0, 3, ids, &error));
  g_assert_true (les_claim_list_get_ids (list, 9000, 2, ids, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 5);
  g_array_append_vals (ranges, range, G_N_ELEMENTS (range));
  les_claim_list_read_ids_async (list, ranges, NULL, ids_read_cb, &read);
  les_session_wait (f->session);
  g_assert_nonnull (read);
  g_assert_cmpmem (read->data, read->len * sizeof (gint64), ids->data, ids->len * sizeof (gint64));
  all = les_claim_list_dup_all_ids (list, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, N_CLAIMS);
  g_clear_pointer (&read, g_array_unref);
  les_claim_list_read_ids_async (list, NULL, NULL, ids_read_cb, &read);
  les_session_wait (f->session);
  g_assert_cmpuint (read->len, ==, N_CLAIMS);

  row = g_list_model_get_item (G_LIST_MODEL (list), 0);
  changes = record_changes (list);
  les_session_set_status_async (f->session, ids, NULL, NULL, LES_CLAIM_STATUS_APPROVED, NULL, status_set_cb, &n_changed);
  les_session_wait (f->session);
  les_claim_list_wait (list);
  g_assert_cmpint (n_changed, ==, 5);
  g_assert_cmpuint (n_items (list), ==, N_CLAIMS - 5);
  assert_change (changes, 0, N_CLAIMS - 5, 5, 0);
  g_assert_cmpuint (changes->len, ==, 1);
  /* the row at the top is now the first claim still submitted */
  g_assert_cmpstr (les_claim_row_get (row, LES_CLAIM_FIELD_REF), ==, "R000004");

  les_session_undo_async (f->session, undone_cb, &undone);
  les_session_wait (f->session);
  les_claim_list_wait (list);
  g_assert_true (undone);
  g_assert_cmpuint (n_items (list), ==, N_CLAIMS);
  assert_change (changes, 1, N_CLAIMS - 5, 0, 5);
  g_assert_cmpuint (changes->len, ==, 2);
  g_assert_cmpstr (les_claim_row_get (row, LES_CLAIM_FIELD_REF), ==, "R000001");

  g_signal_handlers_disconnect_by_data (list, changes);
  g_assert_finalize_object (list);
}

static void
test_export (Fixture *f, gconstpointer data)
{
  LesClaimList *list = les_claim_list_new (f->session, FY);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(LesClaimQuery) query = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = NULL;

  les_claim_list_set_filter (list, LES_CLAIM_FILTER_PRACTICE, "A81001");
  les_claim_list_set_sort (list, LES_CLAIM_FIELD_REF, TRUE);
  les_claim_list_wait (list);
  query = les_claim_list_dup_query (list);
  g_assert_true (les_claim_query_export (query, f->store, out, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, NULL);
  text = g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, N_CLAIMS / 2 + 2);
  g_assert_cmpstr (lines[0], ==, "claim_ref,practice_code,service_code,item_code,period,count,submitted_date,"
                                 "status,status_reason,findings");
  g_assert_cmpstr (lines[1], ==, "R011999,A81001,INJ,JAB,2025-03,3,2025-03-28,submitted,,");
  g_assert_cmpstr (lines[N_CLAIMS / 2 + 1], ==, "");
  g_assert_finalize_object (list);
}

/* A list dropped while its reads run: they hold no reference to it, and
 * what they return finds no list */
static void
test_dispose (Fixture *f, gconstpointer data)
{
  for (int i = 0; i < 20; i++)
    {
      LesClaimList *list = les_claim_list_new (f->session, FY);

      les_claim_list_set_filter (list, LES_CLAIM_FILTER_TEXT, i % 2 ? "beech" : "R0");
      g_assert_finalize_object (list);
    }
  les_session_wait (f->session);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/claim-list/pages", Fixture, NULL, fixture_set_up, test_pages, fixture_tear_down);
  g_test_add ("/claim-list/filters", Fixture, NULL, fixture_set_up, test_filters, fixture_tear_down);
  g_test_add ("/claim-list/typing", Fixture, NULL, fixture_set_up, test_typing, fixture_tear_down);
  g_test_add ("/claim-list/refresh", Fixture, NULL, fixture_set_up, test_refresh, fixture_tear_down);
  g_test_add ("/claim-list/export", Fixture, NULL, fixture_set_up, test_export, fixture_tear_down);
  g_test_add ("/claim-list/dispose", Fixture, NULL, fixture_set_up, test_dispose, fixture_tear_down);
  return g_test_run ();
}
