/* les-claims-edit.c: setting claims' status (approve, query, reject, withdraw) with audit and undo. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "les-claims-edit.h"
#include "les-error.h"
#include "les-store-private.h"
#include "les-year-status.h"

typedef struct
{
  gint64  id;
  char   *old_status;
  char   *old_reason;
} Previous;

struct _LesClaimsChange
{
  LesClaimStatus  status;
  char           *reason;
  GArray         *previous;   /* Previous */
  GArray         *refused;    /* LesClaimsRefusal */
};


static void
clear_previous (gpointer data)
{
  Previous *p = data;

  g_free (p->old_status);
  g_free (p->old_reason);
}

static void
clear_refusal (gpointer data)
{
  LesClaimsRefusal *r = data;

  g_free (r->claim_ref);
  g_free (r->reason);
  g_free (r->by);
  g_free (r->at);
}

/* Who last decided on @claim_ref and when, as far as the audit trail says */
static gboolean
last_decision (LesStore *store, const char *claim_ref, char **by, char **at, GError **error)
{
  LesStmt *stmt = les_store_prepare (store, les_sql_claims_last_decision, error);
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_text (stmt, 1, claim_ref);
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    {
      *by = g_strdup (les_stmt_text (stmt, 0));
      *at = g_strdup (les_stmt_text (stmt, 1));
    }
  les_stmt_reset (stmt);
  return rc != LES_STEP_ERROR;
}

/* Describes in @refusal a claim found with another status than @seen */
static gboolean
refuse (LesStore          *store,
        const char        *seen,
        const Previous    *now,
        char             **claim_ref,
        LesClaimsRefusal  *refusal,
        GError           **error)
{
  refusal->claim_ref = g_steal_pointer (claim_ref);
  refusal->seen = les_claim_status_from_word (seen);
  refusal->now = les_claim_status_from_word (now->old_status);
  refusal->reason = g_strdup (now->old_reason);
  return last_decision (store, refusal->claim_ref, &refusal->by, &refusal->at, error);
}

static char *
describe (const char *status, const char *reason)
{
  return reason != NULL && reason[0] != '\0'
         ? g_strdup_printf ("status=%s; reason=%s", status, reason)
         : g_strdup_printf ("status=%s", status);
}

/* Whether a compute counts a claim of this status (RULES.md: all but rejected and withdrawn) */
static gboolean
counted (const char *status)
{
  return g_strcmp0 (status, "rejected") != 0 && g_strcmp0 (status, "withdrawn") != 0;
}

/* Adds @fy to @years once */
static void
add_year (GArray *years, int fy)
{
  for (guint i = 0; i < years->len; i++)
    if (g_array_index (years, int, i) == fy)
      return;
  g_array_append_val (years, fy);
}

/* Tells the years whose claims moved into or out of what a compute counts
 * that their figures are out of date. */
static gboolean
note_decisions (LesStore *store, GArray *years, GError **error)
{
  for (guint i = 0; i < years->len; i++)
    if (!les_year_note_change (store, g_array_index (years, int, i), LES_YEAR_CHANGE_DECISION, error))
      return FALSE;
  return TRUE;
}

/* Sets one claim to @status (its stored word), auditing it; fills @previous
 * with what it was, and adds its year to @recount when a compute would now
 * count it differently.  With @seen (a stored word), a claim whose status is
 * no longer that is left alone and described in @refusal. */
static gboolean
set_one (LesStore          *store,
         gint64             id,
         const char        *seen,
         const char        *status,
         const char        *reason,
         const char        *action,
         Previous          *previous,
         LesClaimsRefusal  *refusal,
         gboolean          *changed,
         GArray            *recount,
         GError           **error)
{
  int year;
  LesStmt *stmt;
  LesStep rc;
  g_autofree char *claim_ref = NULL;
  g_autofree char *service_code = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  *changed = FALSE;
  stmt = les_store_prepare (store, les_sql_claims_get_status, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, id);
  rc = les_stmt_step (stmt, NULL);
  if (rc != LES_STEP_ROW)
    {
      les_stmt_reset (stmt);
      g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND, _("Claim %" G_GINT64_FORMAT " no longer exists"), id);
      return FALSE;
    }
  claim_ref = g_strdup (les_stmt_text (stmt, 0));
  year = les_stmt_int (stmt, 3);
  service_code = g_strdup (les_stmt_text (stmt, 4));
  previous->id = id;
  previous->old_status = g_strdup (les_stmt_text (stmt, 1));
  previous->old_reason = g_strdup (les_stmt_text (stmt, 2));
  les_stmt_reset (stmt);

  /* The caller holds the write transaction, so no writer of ours changes the
   * claim between this read and the update below (SQLite's BEGIN IMMEDIATE,
   * the server's write lock); the update compares again all the same, for a
   * server's row changed by anything else. */
  if (seen != NULL && g_strcmp0 (previous->old_status, seen) != 0)
    return refuse (store, seen, previous, &claim_ref, refusal, error);

  if (g_strcmp0 (previous->old_status, status) == 0
      && g_strcmp0 (previous->old_reason, (reason && reason[0]) ? reason : NULL) == 0)
    return TRUE;

  stmt = les_store_prepare (store, seen != NULL ? les_sql_claims_set_status_if : les_sql_claims_set_status, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_text (stmt, 1, status);
  les_stmt_bind_text_or_null (stmt, 2, reason);
  les_stmt_bind_int64 (stmt, 3, id);
  if (seen != NULL)
    les_stmt_bind_text (stmt, 4, seen);
  if (!les_stmt_run (stmt, error))
    return FALSE;
  if (seen != NULL && les_db_changes (les_store_get_db (store)) == 0)
    {
      /* changed after all: what it is now, read again */
      g_clear_pointer (&previous->old_status, g_free);
      g_clear_pointer (&previous->old_reason, g_free);
      stmt = les_store_prepare (store, les_sql_claims_get_status, error);
      if (stmt == NULL)
        return FALSE;
      les_stmt_bind_int64 (stmt, 1, id);
      if (les_stmt_step (stmt, error) == LES_STEP_ROW)
        {
          previous->old_status = g_strdup (les_stmt_text (stmt, 1));
          previous->old_reason = g_strdup (les_stmt_text (stmt, 2));
        }
      les_stmt_reset (stmt);
      if (previous->old_status == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND, _("Claim %" G_GINT64_FORMAT " no longer exists"), id);
          return FALSE;
        }
      return refuse (store, seen, previous, &claim_ref, refusal, error);
    }

  before = describe (previous->old_status, previous->old_reason);
  after = describe (status, reason);
  if (!les_store_audit (store, action, "claims", claim_ref, before, after, error))
    return FALSE;
  les_store_mark_stale (store, year, service_code);
  if (counted (previous->old_status) != counted (status))
    add_year (recount, year);
  *changed = TRUE;
  return TRUE;
}

LesClaimsChange *
les_claims_set_status (LesStore             *store,
                       const gint64         *ids,
                       const LesClaimStatus *seen,
                       guint                 n_ids,
                       LesClaimStatus        status,
                       const char           *reason,
                       GError              **error)
{
  g_autoptr(LesClaimsChange) change = NULL;
  g_autoptr(GArray) recount = g_array_new (FALSE, FALSE, sizeof (int));
  g_autofree char *why = NULL;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);
  g_return_val_if_fail (ids != NULL || n_ids == 0, NULL);
  g_return_val_if_fail ((guint) status < LES_N_CLAIM_STATUSES, NULL);

  why = reason != NULL ? g_strstrip (g_strdup (reason)) : NULL;
  if (les_claim_status_needs_reason (status) && (why == NULL || why[0] == '\0'))
    {
      g_set_error_literal (error, LES_ERROR, LES_ERROR_INVALID,
                           _("A reason is needed to query, reject or withdraw a claim"));
      return NULL;
    }

  change = g_new0 (LesClaimsChange, 1);
  change->status = status;
  change->reason = g_strdup (why);
  change->previous = g_array_sized_new (FALSE, TRUE, sizeof (Previous), n_ids);
  change->refused = g_array_new (FALSE, TRUE, sizeof (LesClaimsRefusal));
  g_array_set_clear_func (change->refused, clear_refusal);
  g_array_set_clear_func (change->previous, clear_previous);

  if (!les_store_begin (store, error))
    return NULL;
  for (guint i = 0; i < n_ids; i++)
    {
      Previous p = { 0 };
      LesClaimsRefusal r = { 0 };
      const char *expected = seen != NULL ? les_claim_status_to_word (seen[i]) : NULL;
      gboolean changed;

      if (!set_one (store, ids[i], expected, les_claim_status_to_word (status), why, "set-status", &p, &r,
                    &changed, recount, error))
        {
          clear_previous (&p);
          clear_refusal (&r);
          les_store_rollback (store);
          return NULL;
        }
      if (changed)
        g_array_append_val (change->previous, p);
      else
        clear_previous (&p);
      if (r.claim_ref != NULL)
        g_array_append_val (change->refused, r);
    }
  if (!note_decisions (store, recount, error))
    {
      les_store_rollback (store);
      return NULL;
    }
  if (!les_store_commit (store, error))
    return NULL;
  return g_steal_pointer (&change);
}

guint
les_claims_change_get_n_changed (LesClaimsChange *change)
{
  g_return_val_if_fail (change != NULL, 0);

  return change->previous->len;
}

LesClaimStatus
les_claims_change_get_status (LesClaimsChange *change)
{
  g_return_val_if_fail (change != NULL, LES_CLAIM_STATUS_SUBMITTED);

  return change->status;
}

GArray *
les_claims_change_get_refused (LesClaimsChange *change)
{
  g_return_val_if_fail (change != NULL, NULL);

  return change->refused;
}

gboolean
les_claims_change_undo (LesStore *store, LesClaimsChange *change, GError **error)
{
  g_autoptr(GArray) recount = g_array_new (FALSE, FALSE, sizeof (int));

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (change != NULL, FALSE);

  if (!les_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < change->previous->len; i++)
    {
      const Previous *p = &g_array_index (change->previous, Previous, i);
      Previous now = { 0 };
      LesClaimsRefusal unused = { 0 };
      gboolean changed;

      if (!set_one (store, p->id, NULL, p->old_status, p->old_reason, "undo-set-status", &now, &unused, &changed,
                    recount, error))
        {
          clear_previous (&now);
          les_store_rollback (store);
          return FALSE;
        }
      clear_previous (&now);
    }
  if (!note_decisions (store, recount, error))
    {
      les_store_rollback (store);
      return FALSE;
    }
  return les_store_commit (store, error);
}

void
les_claims_change_free (LesClaimsChange *change)
{
  if (change == NULL)
    return;
  g_free (change->reason);
  g_array_unref (change->previous);
  g_array_unref (change->refused);
  g_free (change);
}

GArray *
les_claims_ids_for_refs (LesStore *store, const char *const *refs, GError **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  for (guint i = 0; refs != NULL && refs[i] != NULL; i++)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (refs[i]));
      g_autofree char *ref = g_ascii_strup (trimmed, -1);
      LesStmt *stmt = les_store_prepare (store, les_sql_claims_id_for_ref, error);
      LesStep rc;

      if (stmt == NULL)
        return NULL;
      les_stmt_bind_text (stmt, 1, ref);
      rc = les_stmt_step (stmt, error);
      if (rc == LES_STEP_ROW)
        {
          gint64 id = les_stmt_int64 (stmt, 0);

          g_array_append_val (ids, id);
        }
      les_stmt_reset (stmt);
      if (rc == LES_STEP_ROW)
        continue;
      if (rc == LES_STEP_DONE)
        g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND, _("There is no claim %s"), ref);
      return NULL;
    }
  return g_steal_pointer (&ids);
}

GArray *
les_claims_ids_for_year (LesStore *store, int fy, gboolean approvable, GArray **seen, GError **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) statuses = g_array_new (FALSE, FALSE, sizeof (LesClaimStatus));
  LesStmt *stmt;
  LesStep rc;

  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  stmt = les_store_prepare (store, approvable ? les_sql_claims_approvable_ids_for_year : les_sql_claims_ids_for_year,
                            error);
  if (stmt == NULL)
    return NULL;
  les_stmt_bind_int64 (stmt, 1, fy);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      gint64 id = les_stmt_int64 (stmt, 0);
      LesClaimStatus status = les_claim_status_from_word (les_stmt_text (stmt, 1));

      g_array_append_val (ids, id);
      g_array_append_val (statuses, status);
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return NULL;
  if (seen != NULL)
    *seen = g_steal_pointer (&statuses);
  return g_steal_pointer (&ids);
}
