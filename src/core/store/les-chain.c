/* les-chain.c: the sealed audit trail and payment runs — tamper evidence made with the database key. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-error.h"
#include "les-store-private.h"
#include "les-value.h"

/* Every audit row carries seal = HMAC(seal key, previous row's seal ‖ this row),
 * and meta's audit_head an HMAC of the last row's id and seal, so that a row
 * changed, put in or taken out anywhere (the end included) shows; a payment run
 * carries a seal over its details, total and frozen lines, and claims_seal over
 * the claims its lines paid, and the run's audit row carries its seal.  Someone
 * with the file but not the key cannot make a seal that checks.  What this does
 * not see is in docs/data-and-imports.md ("Tamper evidence"). */

#define HEAD_KEY "audit_head"
#define TAG_BYTES 16

static GHmac *
seal_new (LesStore *self, const char *label)
{
  GHmac *hmac = g_hmac_new (G_CHECKSUM_SHA256, les_store_get_seal_key (self), 32);

  g_hmac_update (hmac, (const guchar *) label, strlen (label));
  g_hmac_update (hmac, (const guchar *) "\n", 1);
  return hmac;
}

/* Unambiguous: NULL, and each text with its length, so that no two rows read alike */
static void
seal_text (GHmac *hmac, const char *text)
{
  char prefix[32];

  if (text == NULL)
    {
      g_hmac_update (hmac, (const guchar *) "N;", 2);
      return;
    }
  g_snprintf (prefix, sizeof prefix, "T%zu:", strlen (text));
  g_hmac_update (hmac, (const guchar *) prefix, strlen (prefix));
  g_hmac_update (hmac, (const guchar *) text, strlen (text));
  g_hmac_update (hmac, (const guchar *) ";", 1);
}

static void
seal_int (GHmac *hmac, gint64 value)
{
  char text[32];

  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, value);
  seal_text (hmac, text);
}

/* Every column of the current row, as text */
static void
seal_row (GHmac *hmac, LesStmt *stmt, int first, int n)
{
  for (int c = first; c < first + n; c++)
    seal_text (hmac, les_stmt_is_null (stmt, c) ? NULL : les_stmt_text (stmt, c));
}

static char *
seal_end (GHmac *hmac)
{
  char *hex = g_strdup (g_hmac_get_string (hmac));

  g_hmac_unref (hmac);
  return hex;
}

static char *
audit_seal (LesStore *self, const char *previous, gint64 id, const char **fields)
{
  GHmac *hmac = seal_new (self, "audit");

  seal_text (hmac, previous != NULL ? previous : "");
  seal_int (hmac, id);
  for (int i = 0; i < LES_CHAIN_AUDIT_FIELDS; i++)
    seal_text (hmac, fields[i]);
  return seal_end (hmac);
}

static char *
head_seal (LesStore *self, gint64 id, const char *seal)
{
  GHmac *hmac = seal_new (self, "head");

  seal_int (hmac, id);
  seal_text (hmac, seal);
  return seal_end (hmac);
}

static gboolean
write_head (LesStore *self, gint64 id, const char *seal, GError **error)
{
  g_autofree char *mac = head_seal (self, id, seal);
  g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT ":%s", id, mac);
  LesStmt *stmt = les_store_prepare (self, les_sql_meta_set, error);

  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_text (stmt, 1, HEAD_KEY);
  les_stmt_bind_text (stmt, 2, value);
  return les_stmt_run (stmt, error);
}

gboolean
les_chain_append (LesStore *self, const char **fields, GError **error)
{
  LesStmt *stmt = les_store_prepare (self, les_sql_audit_last, error);
  g_autofree char *previous = NULL;
  g_autofree char *seal = NULL;
  gint64 id = 1;
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    {
      id = les_stmt_int64 (stmt, 0) + 1;
      previous = g_strdup (les_stmt_text (stmt, 1));
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return FALSE;

  seal = audit_seal (self, previous, id, fields);
  stmt = les_store_prepare (self, les_sql_audit_insert, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, id);
  for (int i = 0; i < LES_CHAIN_AUDIT_FIELDS; i++)
    les_stmt_bind_text (stmt, i + 2, fields[i]);
  les_stmt_bind_text (stmt, LES_CHAIN_AUDIT_FIELDS + 2, seal);
  return les_stmt_run (stmt, error) && write_head (self, id, seal, error);
}

/* The seal of the claims behind run @run_id's lines, up to claim @upto */
static char *
claims_seal (LesStore *self, gint64 run_id, gint64 year, gint64 upto, GError **error)
{
  LesStmt *stmt = les_store_prepare (self, les_sql_chain_run_claims, error);
  GHmac *hmac;
  LesStep rc;

  if (stmt == NULL)
    return NULL;
  hmac = seal_new (self, "claims");
  seal_int (hmac, run_id);
  les_stmt_bind_int64 (stmt, 1, year);
  les_stmt_bind_int64 (stmt, 2, run_id);
  les_stmt_bind_int64 (stmt, 3, upto);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    seal_row (hmac, stmt, 0, 9);
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    {
      g_hmac_unref (hmac);
      return NULL;
    }
  return seal_end (hmac);
}

/* The seal of a run: @header is the current row of a statement whose first
 * seven columns are the run's details (les_sql_chain_run's) */
static char *
run_seal (LesStore *self, LesStmt *header, gint64 upto, const char *claims, GError **error)
{
  gint64 run_id = les_stmt_int64 (header, 0);
  LesStmt *stmt;
  GHmac *hmac;
  LesStep rc;

  hmac = seal_new (self, "run");
  seal_row (hmac, header, 0, 7);
  seal_int (hmac, upto);
  seal_text (hmac, claims);
  stmt = les_store_prepare (self, les_sql_chain_run_lines, error);
  if (stmt == NULL)
    {
      g_hmac_unref (hmac);
      return NULL;
    }
  les_stmt_bind_int64 (stmt, 1, run_id);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    seal_row (hmac, stmt, 0, 14);
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    {
      g_hmac_unref (hmac);
      return NULL;
    }
  return seal_end (hmac);
}

char *
les_chain_seal_run (LesStore *self, gint64 run_id, GError **error)
{
  g_autofree char *claims = NULL;
  g_autofree char *seal = NULL;
  LesStmt *stmt;
  gint64 upto = 0;
  gint64 year;
  LesStep rc;

  if (!les_store_ensure_key (self, error))
    return NULL;
  stmt = les_store_prepare (self, les_sql_chain_max_claim, error);
  if (stmt == NULL)
    return NULL;
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    upto = les_stmt_int64 (stmt, 0);
  les_stmt_reset (stmt);
  if (rc != LES_STEP_ROW)
    return NULL;

  /* the header statement stays on its row while the lines are read */
  stmt = les_db_prepare (les_store_get_db (self), les_sql_chain_run, error);
  if (stmt == NULL)
    return NULL;
  les_stmt_bind_int64 (stmt, 1, run_id);
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    {
      year = les_stmt_int64 (stmt, 1);
      claims = claims_seal (self, run_id, year, upto, error);
      if (claims != NULL)
        seal = run_seal (self, stmt, upto, claims, error);
    }
  else if (rc == LES_STEP_DONE)
    g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND, _("There is no payment run %" G_GINT64_FORMAT), run_id);
  les_stmt_finalize (stmt);
  if (seal == NULL)
    return NULL;

  stmt = les_store_prepare (self, les_sql_chain_set_run_seal, error);
  if (stmt == NULL)
    return NULL;
  les_stmt_bind_int64 (stmt, 1, run_id);
  les_stmt_bind_int64 (stmt, 2, upto);
  les_stmt_bind_text (stmt, 3, claims);
  les_stmt_bind_text (stmt, 4, seal);
  if (!les_stmt_run (stmt, error))
    return NULL;
  return g_steal_pointer (&seal);
}

typedef struct {
  gint64  id;
  char   *seal;
} Sealed;

static void
sealed_clear (gpointer data)
{
  g_free (((Sealed *) data)->seal);
}

gboolean
les_chain_seal_existing (LesStore *self, GError **error)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (Sealed));
  g_autoptr(GArray) runs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *previous = NULL;
  LesStmt *stmt;
  LesStep rc;

  g_array_set_clear_func (rows, sealed_clear);

  /* the runs first: their audit rows carry their seals */
  stmt = les_store_prepare (self, les_sql_chain_runs, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, 0);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      gint64 run_id = les_stmt_int64 (stmt, 0);
      g_array_append_val (runs, run_id);
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return FALSE;
  for (guint i = 0; i < runs->len; i++)
    {
      gint64 run_id = g_array_index (runs, gint64, i);
      g_autofree char *seal = les_chain_seal_run (self, run_id, error);
      g_autofree char *key = g_strdup_printf ("%" G_GINT64_FORMAT, run_id);

      if (seal == NULL || (stmt = les_store_prepare (self, les_sql_audit_set_run_digest, error)) == NULL)
        return FALSE;
      les_stmt_bind_text (stmt, 1, key);
      les_stmt_bind_text (stmt, 2, seal);
      if (!les_stmt_run (stmt, error))
        return FALSE;
    }

  stmt = les_store_prepare (self, les_sql_audit_all, error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      const char *fields[LES_CHAIN_AUDIT_FIELDS];
      Sealed row;

      for (int i = 0; i < LES_CHAIN_AUDIT_FIELDS; i++)
        fields[i] = les_stmt_is_null (stmt, i + 1) ? NULL : les_stmt_text (stmt, i + 1);
      row.id = les_stmt_int64 (stmt, 0);
      row.seal = audit_seal (self, previous, row.id, fields);
      g_free (previous);
      previous = g_strdup (row.seal);
      g_array_append_val (rows, row);
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      Sealed *row = &g_array_index (rows, Sealed, i);

      if ((stmt = les_store_prepare (self, les_sql_audit_set_seal, error)) == NULL)
        return FALSE;
      les_stmt_bind_int64 (stmt, 1, row->id);
      les_stmt_bind_text (stmt, 2, row->seal);
      if (!les_stmt_run (stmt, error))
        return FALSE;
    }
  if (rows->len > 0)
    {
      Sealed *last = &g_array_index (rows, Sealed, rows->len - 1);

      return write_head (self, last->id, last->seal, error);
    }
  return TRUE;
}

char *
les_chain_patient_key (LesStore *self, const char *hash)
{
  GHmac *hmac = seal_new (self, "patient key");
  g_autofree char *tag = NULL;

  seal_text (hmac, hash);
  tag = seal_end (hmac);
  tag[2 * TAG_BYTES] = '\0';
  return g_strconcat (hash, tag, NULL);
}

char *
les_chain_patient_hash (LesStore *self, const char *patient_key)
{
  g_autofree char *hash = NULL;
  g_autofree char *expected = NULL;

  if (strlen (patient_key) != 64 + 2 * TAG_BYTES)
    return NULL;
  hash = g_ascii_strdown (patient_key, 64);
  expected = les_chain_patient_key (self, hash);
  if (g_ascii_strcasecmp (expected, patient_key) != 0)
    return NULL;
  return g_steal_pointer (&hash);
}

/* Verifying */

typedef struct {
  gint64  audit_id;
  char   *digest;
} RunRecord;

static void
run_record_free (gpointer data)
{
  RunRecord *r = data;

  g_free (r->digest);
  g_free (r);
}

static void
add_break (GPtrArray *breaks, char *sentence)
{
  g_ptr_array_add (breaks, sentence);
}

/* Walks the trail in id order: a row whose seal does not follow from the last
 * good row's (nor from the row just before it, when only that one was changed)
 * is reported, with the ids missing before it */
static gboolean
verify_audit (LesStore *self, GPtrArray *breaks, GHashTable *runs, GCancellable *cancellable, GError **error)
{
  LesStmt *stmt = les_store_prepare (self, les_sql_audit_all, error);
  g_autofree char *good_seal = NULL;      /* the last row that checked */
  g_autofree char *row_before = NULL;     /* the stored seal of the row just read */
  g_autofree char *head = NULL;
  gint64 good_id = 0, before_id = 0;
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      const char *fields[LES_CHAIN_AUDIT_FIELDS];
      gint64 id = les_stmt_int64 (stmt, 0);
      const char *stored = les_stmt_is_null (stmt, 9) ? NULL : les_stmt_text (stmt, 9);
      g_autofree char *from_good = NULL;
      g_autofree char *from_before = NULL;
      gboolean ok;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      for (int i = 0; i < LES_CHAIN_AUDIT_FIELDS; i++)
        fields[i] = les_stmt_is_null (stmt, i + 1) ? NULL : les_stmt_text (stmt, i + 1);
      from_good = audit_seal (self, good_seal, id, fields);
      ok = g_strcmp0 (stored, from_good) == 0;
      if (!ok && before_id != good_id)
        {
          /* the row before was changed, but this one follows its stored seal */
          from_before = audit_seal (self, row_before, id, fields);
          ok = g_strcmp0 (stored, from_before) == 0;
        }
      if (ok)
        {
          g_free (good_seal);
          good_seal = g_strdup (stored);
          good_id = id;
        }
      else if (stored == NULL)
        add_break (breaks, g_strdup_printf (_("Audit row %" G_GINT64_FORMAT " has no seal: it was put in by hand"),
                                            id));
      else if (id > before_id + 1)
        {
          if (id == before_id + 2)
            add_break (breaks, g_strdup_printf (_("Audit row %" G_GINT64_FORMAT " was deleted (row %" G_GINT64_FORMAT
                                                  " no longer follows row %" G_GINT64_FORMAT ")"),
                                                before_id + 1, id, before_id));
          else
            add_break (breaks, g_strdup_printf (_("Audit rows %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                                                  " were deleted (row %" G_GINT64_FORMAT " no longer follows row %"
                                                  G_GINT64_FORMAT ")"), before_id + 1, id - 1, id, before_id));
        }
      else
        add_break (breaks, g_strdup_printf (_("Audit row %" G_GINT64_FORMAT " was changed, or put in by hand "
                                              "(its seal does not match what it says)"), id));

      if (runs != NULL && g_strcmp0 (fields[2], "payment-run") == 0 && fields[4] != NULL)
        {
          RunRecord *r = g_new0 (RunRecord, 1);

          r->audit_id = id;
          r->digest = g_strdup (fields[7]);
          g_hash_table_insert (runs, g_strdup (fields[4]), r);
        }
      g_free (row_before);
      row_before = g_strdup (stored);
      before_id = id;
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* the end: rows taken off the end of the trail leave no gap */
  if (!les_store_read_meta (self, HEAD_KEY, &head, error))
    return FALSE;
  if (head == NULL)
    {
      if (before_id > 0)
        add_break (breaks, g_strdup (_("The seal of the audit trail’s end is missing (meta audit_head): "
                                       "rows may have been deleted from its end")));
    }
  else
    {
      g_autofree char *expected = head_seal (self, before_id, row_before);
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT ":%s", before_id, expected);

      if (strcmp (value, head) != 0)
        {
          gint64 sealed_to = g_ascii_strtoll (head, NULL, 10);

          if (sealed_to > before_id)
            add_break (breaks, g_strdup_printf (_("The audit trail ends at row %" G_GINT64_FORMAT ", but it was "
                                                  "sealed up to row %" G_GINT64_FORMAT ": rows were deleted from "
                                                  "its end"), before_id, sealed_to));
          else
            add_break (breaks, g_strdup_printf (_("The seal of the audit trail’s end (row %" G_GINT64_FORMAT
                                                  ") does not match: its last rows were changed or deleted"),
                                                before_id));
        }
    }
  return TRUE;
}

static char *
describe_run (LesStmt *stmt)
{
  g_autofree char *year = les_year_format (les_stmt_int (stmt, 1));

  return g_strdup_printf (_("Payment run %" G_GINT64_FORMAT " (%s of %s)"), les_stmt_int64 (stmt, 0),
                          les_stmt_text (stmt, 2), year);
}

static gboolean
verify_runs (LesStore *self, int fy, GPtrArray *breaks, GHashTable *runs, GCancellable *cancellable,
             GError **error)
{
  LesStmt *stmt = les_db_prepare (les_store_get_db (self), les_sql_chain_runs, error);
  GHashTableIter iter;
  gpointer key, value;
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, fy);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      g_autofree char *what = describe_run (stmt);
      g_autofree char *run_key = g_strdup_printf ("%" G_GINT64_FORMAT, les_stmt_int64 (stmt, 0));
      const char *stored_claims = les_stmt_text (stmt, 8);
      g_autofree char *stored_seal = g_strdup (les_stmt_text (stmt, 9));
      g_autofree char *claims = NULL;
      g_autofree char *seal = NULL;
      RunRecord *record;

      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (les_stmt_is_null (stmt, 7) || stored_claims == NULL || stored_seal == NULL)
        {
          add_break (breaks, g_strdup_printf (_("%s has no seal: it was put in by hand"), what));
          continue;
        }
      seal = run_seal (self, stmt, les_stmt_int64 (stmt, 7), stored_claims, error);
      claims = claims_seal (self, les_stmt_int64 (stmt, 0), les_stmt_int64 (stmt, 1), les_stmt_int64 (stmt, 7),
                            error);
      if (seal == NULL || claims == NULL)
        {
          les_stmt_finalize (stmt);
          return FALSE;
        }
      if (strcmp (seal, stored_seal) != 0)
        add_break (breaks, g_strdup_printf (_("%s: its paid lines or its total were changed after it was made"),
                                            what));
      if (strcmp (claims, stored_claims) != 0)
        add_break (breaks, g_strdup_printf (_("%s: a claim it paid was changed after it was paid (its count, "
                                              "period, practice, item or reference)"), what));
      record = g_hash_table_lookup (runs, run_key);
      if (record == NULL)
        add_break (breaks, g_strdup_printf (_("%s has no row in the audit trail: it was deleted, or the run "
                                              "put in by hand"), what));
      else if (g_strcmp0 (record->digest, stored_seal) != 0)
        add_break (breaks, g_strdup_printf (_("%s does not match what audit row %" G_GINT64_FORMAT " recorded of "
                                              "it"), what, record->audit_id));
      g_hash_table_remove (runs, run_key);
    }
  les_stmt_finalize (stmt);
  if (rc == LES_STEP_ERROR)
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* runs the trail recorded that are no longer there */
  g_hash_table_iter_init (&iter, runs);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      LesStmt *exists = les_store_prepare (self, les_sql_chain_run, error);

      if (exists == NULL)
        return FALSE;
      les_stmt_bind_int64 (exists, 1, g_ascii_strtoll (key, NULL, 10));
      rc = les_stmt_step (exists, error);
      les_stmt_reset (exists);
      if (rc == LES_STEP_ERROR)
        return FALSE;
      if (rc == LES_STEP_ROW)
        continue;
      add_break (breaks, g_strdup_printf (_("Payment run %s, recorded in audit row %" G_GINT64_FORMAT ", was deleted"),
                                          (const char *) key, ((RunRecord *) value)->audit_id));
    }
  return TRUE;
}

GPtrArray *
les_store_verify (LesStore *self, int fy, GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) breaks = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) runs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, run_record_free);
  LesDb *db;
  gboolean ok;

  g_return_val_if_fail (LES_IS_STORE (self), NULL);

  if (!les_store_ensure_key (self, error))
    return NULL;
  db = les_store_get_db (self);
  /* one state of the file, while others may be writing */
  if (!les_db_begin (db, LES_TRANSACTION_READ, error))
    return NULL;
  if (cancellable != NULL)
    les_store_set_cancellable (self, cancellable);
  ok = verify_audit (self, breaks, runs, cancellable, error)
       && verify_runs (self, fy, breaks, runs, cancellable, error);
  if (cancellable != NULL)
    les_store_set_cancellable (self, NULL);
  les_db_rollback (db);
  if (!ok)
    return NULL;
  return g_steal_pointer (&breaks);
}
