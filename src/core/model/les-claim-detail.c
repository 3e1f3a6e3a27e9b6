/* les-claim-detail.c: one claim examined — its fields, its value and how it was worked out, its patient lines, findings and history. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-claim-detail.h"
#include "les-compute.h"
#include "les-error.h"
#include "les-results.h"
#include "les-runs.h"
#include "les-store-private.h"
#include "les-value.h"

static char *
dup_column (LesStmt *stmt, int col)
{
  return g_strdup (les_stmt_text (stmt, col));
}

static void
finding_clear (gpointer data)
{
  LesClaimFinding *f = data;

  g_free (f->message);
}

static void
event_clear (gpointer data)
{
  LesClaimEvent *e = data;

  g_free (e->at);
  g_free (e->user);
  g_free (e->action);
  g_free (e->before);
  g_free (e->after);
}

void
les_claim_detail_free (LesClaimDetail *d)
{
  if (d == NULL)
    return;
  g_free (d->claim_ref);
  g_free (d->practice_code);
  g_free (d->practice_name);
  g_free (d->pcn_code);
  g_free (d->pcn_name);
  g_free (d->service_code);
  g_free (d->service_name);
  g_free (d->item_code);
  g_free (d->item_description);
  g_free (d->status_reason);
  g_free (d->held_reason);
  g_free (d->value_text);
  g_clear_pointer (&d->explanation, g_ptr_array_unref);
  g_clear_pointer (&d->patient_lines, g_array_unref);
  g_clear_pointer (&d->findings, g_array_unref);
  g_free (d->original_ref);
  g_clear_pointer (&d->history, g_array_unref);
  g_free (d);
}

/* RULES.md 9: the days a claim's patient lines may fall on — its month,
 * the quarter ending with it, or the financial year */
static void
set_cover (LesClaimDetail *d, const char *frequency)
{
  gint32 first = d->period, last = d->period;

  if (g_strcmp0 (frequency, "quarterly") == 0)
    first = les_period_add_months (d->period, -2);
  else if (g_strcmp0 (frequency, "annual") == 0)
    {
      first = les_fy_period (d->year, 1);
      last = les_fy_period (d->year, 12);
    }
  d->cover_first = les_period_first_day (first);
  d->cover_last = les_period_last_day (last);
}

static gboolean
read_claim (LesStore *store, gint64 id, LesClaimDetail *d, GError **error)
{
  LesStmt *stmt = les_store_prepare (store, les_sql_claims_detail, error);
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, id);
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    {
      int status;

      d->id = les_stmt_int64 (stmt, 0);
      d->claim_ref = dup_column (stmt, 1);
      d->year = les_stmt_int (stmt, 2);
      d->practice_code = dup_column (stmt, 3);
      d->practice_name = dup_column (stmt, 4);
      d->pcn_code = dup_column (stmt, 5);
      d->pcn_name = dup_column (stmt, 6);
      d->service_code = dup_column (stmt, 7);
      d->service_name = dup_column (stmt, 8);
      d->item_code = dup_column (stmt, 10);
      d->item_description = dup_column (stmt, 11);
      d->has_rate = !les_stmt_is_null (stmt, 13) && g_strcmp0 (les_stmt_text (stmt, 12), "item") == 0;
      d->rate = les_stmt_int64 (stmt, 13);
      d->period = les_stmt_period (stmt, 14);
      d->count = les_stmt_int64 (stmt, 15);
      d->submitted_date = les_stmt_date (stmt, 16);
      status = les_claim_status_from_word (les_stmt_text (stmt, 17));
      d->status = status >= 0 ? (LesClaimStatus) status : LES_CLAIM_STATUS_SUBMITTED;
      d->status_reason = dup_column (stmt, 18);
      set_cover (d, les_stmt_text (stmt, 9));
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_DONE)
    g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND, _("Claim %" G_GINT64_FORMAT " no longer exists"), id);
  return rc == LES_STEP_ROW;
}

static gboolean
read_patient_lines (LesStore *store, LesClaimDetail *d, GError **error)
{
  LesStmt *stmt = les_store_prepare (store, les_sql_claims_patient_lines, error);
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_text (stmt, 1, d->claim_ref);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      LesClaimPatientLine line;

      line.line_no = les_stmt_int (stmt, 0);
      line.valid_nhs_number = les_stmt_int (stmt, 1) != 0;
      line.activity_date = les_stmt_date (stmt, 2);
      line.in_period = line.activity_date >= d->cover_first && line.activity_date <= d->cover_last;
      g_array_append_val (d->patient_lines, line);
    }
  les_stmt_reset (stmt);
  return rc == LES_STEP_DONE;
}

static gboolean
read_findings (LesStore *store, LesClaimDetail *d, GError **error)
{
  LesStmt *stmt = les_store_prepare (store, les_sql_claims_findings, error);
  LesStep rc;
  char period[8];

  if (stmt == NULL)
    return FALSE;
  les_period_format (d->period, period);
  les_stmt_bind_int64 (stmt, 1, d->year);
  les_stmt_bind_text (stmt, 2, d->claim_ref);
  les_stmt_bind_text (stmt, 3, d->practice_code);
  les_stmt_bind_text (stmt, 4, d->service_code);
  les_stmt_bind_text (stmt, 5, d->item_code);
  les_stmt_bind_text (stmt, 6, period);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      const LesFindingInfo *info = les_finding_lookup (les_stmt_text (stmt, 1));
      LesClaimFinding f = { 0 };

      if (info == NULL)
        continue;
      f.code = info->code;
      f.severity = info->severity;
      f.message = dup_column (stmt, 2);
      f.of_line = les_stmt_int (stmt, 3) != 0;
      f.title = les_finding_get_title (info->code);
      f.advice = les_finding_get_advice (info->code);
      g_array_append_val (d->findings, f);
    }
  les_stmt_reset (stmt);
  return rc == LES_STEP_DONE;
}

gboolean
les_claim_detail_has_errors (const LesClaimDetail *d)
{
  g_return_val_if_fail (d != NULL, FALSE);

  for (guint i = 0; i < d->findings->len; i++)
    if (g_array_index (d->findings, LesClaimFinding, i).severity == LES_SEVERITY_ERROR)
      return TRUE;
  return FALSE;
}

static gboolean
has_finding (const LesClaimDetail *d, LesFindingCode code)
{
  for (guint i = 0; i < d->findings->len; i++)
    if (g_array_index (d->findings, LesClaimFinding, i).code == code)
      return TRUE;
  return FALSE;
}

/* Binds the key of the claim's payment line as ?1 … ?5 */
static void
bind_line_key (LesStmt *stmt, const LesClaimDetail *d, char period[8])
{
  les_period_format (d->period, period);
  les_stmt_bind_int64 (stmt, 1, d->year);
  les_stmt_bind_text (stmt, 2, d->practice_code);
  les_stmt_bind_text (stmt, 3, d->service_code);
  les_stmt_bind_text (stmt, 4, d->item_code);
  les_stmt_bind_text (stmt, 5, period);
}

static gboolean
read_original (LesStore *store, LesClaimDetail *d, GError **error)
{
  LesStmt *stmt;
  LesStep rc;
  char period[8];

  if (!has_finding (d, LES_FINDING_DUPLICATE))
    return TRUE;
  stmt = les_store_prepare (store, les_sql_claims_original, error);
  if (stmt == NULL)
    return FALSE;
  bind_line_key (stmt, d, period);
  rc = les_stmt_step (stmt, error);
  /* the claim itself when it has become the first (its original withdrawn since the compute) */
  if (rc == LES_STEP_ROW && les_stmt_int64 (stmt, 0) != d->id)
    {
      d->original_id = les_stmt_int64 (stmt, 0);
      d->original_ref = dup_column (stmt, 1);
    }
  les_stmt_reset (stmt);
  return rc != LES_STEP_ERROR;
}

static gboolean
read_history (LesStore *store, LesClaimDetail *d, GError **error)
{
  LesStmt *stmt = les_store_prepare (store, les_sql_claims_history, error);
  LesStep rc;

  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_text (stmt, 1, d->claim_ref);
  while ((rc = les_stmt_step (stmt, error)) == LES_STEP_ROW)
    {
      LesClaimEvent e;

      e.at = dup_column (stmt, 0);
      e.user = dup_column (stmt, 1);
      e.action = dup_column (stmt, 2);
      e.before = dup_column (stmt, 3);
      e.after = dup_column (stmt, 4);
      g_array_append_val (d->history, e);
    }
  les_stmt_reset (stmt);
  return rc == LES_STEP_DONE;
}

static gboolean
read_line (LesStore *store, LesClaimDetail *d, GError **error)
{
  LesStmt *stmt = les_store_prepare (store, les_sql_claims_line, error);
  g_autoptr(GString) codes = g_string_new (NULL);
  LesStep rc;
  char period[8];

  if (stmt == NULL)
    return FALSE;
  bind_line_key (stmt, d, period);
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    {
      d->has_line = TRUE;
      d->line_units = les_stmt_int64 (stmt, 0);
      d->line_gross = les_stmt_int64 (stmt, 1);
      d->line_payable = les_stmt_int64 (stmt, 2);
      d->line_held = les_stmt_int64 (stmt, 3);
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return FALSE;

  stmt = les_store_prepare (store, les_sql_claims_line_paid_run, error);
  if (stmt == NULL)
    return FALSE;
  bind_line_key (stmt, d, period);
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW && !les_stmt_is_null (stmt, 0))
    d->paid_run = les_stmt_int64 (stmt, 0);
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return FALSE;

  for (guint i = 0; i < d->findings->len; i++)
    {
      const LesClaimFinding *f = &g_array_index (d->findings, LesClaimFinding, i);

      if (f->code == LES_FINDING_OVER_UNIT_CAP || f->code == LES_FINDING_OVER_PRACTICE_CAP
          || f->code == LES_FINDING_OVER_SERVICE_CAP)
        g_string_append_printf (codes, "%s%s", codes->len ? "," : "", les_finding_to_word (f->code));
    }
  if (codes->len > 0)
    d->held_reason = les_runs_held_reason_text (codes->str);
  return TRUE;
}

static char *
error_titles (const LesClaimDetail *d)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < d->findings->len; i++)
    {
      const LesClaimFinding *f = &g_array_index (d->findings, LesClaimFinding, i);

      if (f->severity != LES_SEVERITY_ERROR || f->of_line || strstr (s->str, f->title) != NULL)
        continue;
      if (s->len > 0)
        g_string_append (s, "; ");
      g_string_append (s, f->title);
    }
  return g_strdup (s->str);
}

/* What the claim is worth, in words for a finance officer */
static char *
value_text (const LesClaimDetail *d)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *computed = les_period_format_display (d->computed_to);

  if (d->status == LES_CLAIM_STATUS_REJECTED || d->status == LES_CLAIM_STATUS_WITHDRAWN)
    return g_strdup_printf (_("Nothing: the claim is %s, and a compute does not count it."),
                            d->status == LES_CLAIM_STATUS_REJECTED ? _("rejected") : _("withdrawn"));
  if (d->computed_to == 0)
    return g_strdup (_("Not worked out yet: the year has not been computed."));
  if (!d->checked)
    return g_strdup_printf (_("Not worked out yet: the year is computed to %s, before the claim’s month."),
                            computed);
  if (!d->counted)
    {
      g_autofree char *titles = error_titles (d);

      return g_strdup_printf (_("Nothing: the claim has errors (%s), so it is not part of any payment."), titles);
    }
  if (d->units == 0)
    return g_strdup (_("Nothing: none of its units count (see its patient lines)."));
  {
    g_autofree char *units = les_count_format_display (d->units);
    g_autofree char *rate = les_rate_format_display (d->rate);
    g_autofree char *value = les_money_format_display (d->value);

    g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "%s unit × %s = %s.", "%s units × %s = %s.", d->units),
                            units, rate, value);
  }
  if (d->lost_units > 0)
    {
      g_autofree char *lost = les_count_format_display (d->lost_units);

      g_string_append_c (s, ' ');
      g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE,
                                              "%s patient line is not paid: the patient had reached the yearly "
                                              "limit.",
                                              "%s patient lines are not paid: their patients had reached the "
                                              "yearly limit.", d->lost_units), lost);
    }
  if (d->has_line && d->line_payable < d->line_gross)
    {
      g_autofree char *gross = les_money_format_display (d->line_gross);
      g_autofree char *held = les_money_format_display (d->line_gross - d->line_payable);
      g_autofree char *share = les_money_format_display (d->value_payable);

      g_string_append_c (s, ' ');
      if (d->held_reason != NULL)
        g_string_append_printf (s, _("Its payment line of %s has %s held (%s): its share of what is payable is "
                                     "%s."), gross, held, d->held_reason, share);
      else
        g_string_append_printf (s, _("Its payment line of %s has %s held: its share of what is payable is %s."),
                                gross, held, share);
    }
  if (d->paid_run != 0)
    {
      g_string_append_c (s, ' ');
      g_string_append_printf (s, _("Its payment line was paid by run %" G_GINT64_FORMAT "."), d->paid_run);
    }
  return g_strdup (s->str);
}

/* What the claim is worth, from the engine (its units after every check) */
static gboolean
work_out_value (LesStore *store, LesClaimDetail *d, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  LesEngineClaimTrace trace = { 0 };
  GPtrArray *text;

  if (!les_results_get_compute (store, d->year, &d->computed_to, NULL, NULL, &local_error))
    {
      if (!g_error_matches (local_error, LES_ERROR, LES_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      d->computed_to = 0;
      return TRUE;
    }
  d->checked = d->period <= d->computed_to && d->status != LES_CLAIM_STATUS_REJECTED
               && d->status != LES_CLAIM_STATUS_WITHDRAWN;
  if (!d->checked)
    return TRUE;

  text = les_compute_explain_claim (store, d->year, d->service_code, d->claim_ref, &trace, &local_error);
  if (text == NULL)
    {
      /* not a claim the engine looks at (its rule is no longer paid per item) */
      if (!g_error_matches (local_error, LES_ERROR, LES_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      d->checked = FALSE;
      g_ptr_array_add (d->explanation, g_strdup (local_error->message));
      return TRUE;
    }
  g_ptr_array_unref (d->explanation);
  d->explanation = text;
  d->counted = trace.counted;
  d->units = trace.units;
  d->lost_units = trace.lost;
  d->value = d->has_rate ? les_round_div ((__int128) d->units * d->rate, LES_RATE_SCALE) : 0;
  d->value_payable = d->value;
  if (d->has_line && d->line_gross > 0 && d->line_payable != d->line_gross)
    d->value_payable = les_round_div ((__int128) d->value * d->line_payable, d->line_gross);
  return TRUE;
}

/**
 * les_claim_detail_get:
 *
 * Everything about one claim: its fields; what it is worth (its units ×
 * the rate, its share of its payment line after caps, the run that paid
 * the line) and how the engine worked it out, trimmed to the claim; its
 * patient lines (valid or not, in the period or not — NHS numbers are
 * never stored); its findings with their titles and advice, and those of
 * its payment line; for a duplicate, the claim it duplicates; and its
 * history from the audit trail, newest first.  Reads the claim's service
 * through the engine: call it off the main thread.
 *
 * Returns: (transfer full): the detail, or NULL with @error set.
 */
LesClaimDetail *
les_claim_detail_get (LesStore *store, gint64 claim_id, GError **error)
{
  g_autoptr(LesClaimDetail) d = g_new0 (LesClaimDetail, 1);

  g_return_val_if_fail (LES_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  d->explanation = g_ptr_array_new_with_free_func (g_free);
  d->patient_lines = g_array_new (FALSE, FALSE, sizeof (LesClaimPatientLine));
  d->findings = g_array_new (FALSE, TRUE, sizeof (LesClaimFinding));
  g_array_set_clear_func (d->findings, finding_clear);
  d->history = g_array_new (FALSE, TRUE, sizeof (LesClaimEvent));
  g_array_set_clear_func (d->history, event_clear);

  if (!read_claim (store, claim_id, d, error)
      || !read_patient_lines (store, d, error)
      || !read_findings (store, d, error)
      || !read_original (store, d, error)
      || !read_history (store, d, error)
      || !read_line (store, d, error)
      || !work_out_value (store, d, error))
    return NULL;
  d->value_text = value_text (d);
  return g_steal_pointer (&d);
}

/**
 * les_claims_sort_by_check:
 *
 * Sorts @ids by what the last compute found: no error, an error, or not
 * looked at (never computed, a month after the one computed, rejected or
 * withdrawn).  A selection of claims approved "without errors" is @clean.
 */
gboolean
les_claims_sort_by_check (LesStore      *store,
                          const gint64  *ids,
                          guint          n_ids,
                          GArray       **clean,
                          GArray       **with_errors,
                          GArray       **unchecked,
                          GError       **error)
{
  GArray **wanted[3] = { clean, with_errors, unchecked };
  GArray *out[3];
  LesStmt *stmt;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (ids != NULL || n_ids == 0, FALSE);

  stmt = les_store_prepare (store, les_sql_claims_check, error);
  if (stmt == NULL)
    return FALSE;
  for (guint k = 0; k < 3; k++)
    out[k] = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < n_ids; i++)
    {
      LesStep rc;
      int which = 2;

      les_stmt_bind_int64 (stmt, 1, ids[i]);
      rc = les_stmt_step (stmt, error);
      if (rc == LES_STEP_ROW && les_stmt_int (stmt, 0) != 0)
        which = les_stmt_int (stmt, 1) != 0 ? 1 : 0;
      les_stmt_reset (stmt);
      if (rc == LES_STEP_ERROR)
        {
          for (guint k = 0; k < 3; k++)
            g_array_unref (out[k]);
          return FALSE;
        }
      /* a claim deleted meanwhile is not checked */
      g_array_append_val (out[which], ids[i]);
    }
  for (guint k = 0; k < 3; k++)
    {
      if (wanted[k] != NULL)
        *wanted[k] = out[k];
      else
        g_array_unref (out[k]);
    }
  return TRUE;
}

gint64
les_claims_count_with_errors (LesStore *store, const gint64 *ids, guint n_ids, GError **error)
{
  g_autoptr(GArray) with_errors = NULL;

  if (!les_claims_sort_by_check (store, ids, n_ids, NULL, &with_errors, NULL, error))
    return -1;
  return with_errors->len;
}
