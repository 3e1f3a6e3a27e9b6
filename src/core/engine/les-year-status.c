/* les-year-status.c: a year's month end — the month it is worked to, and whether its figures are out of date. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-adjustments.h"
#include "les-error.h"
#include "les-store-private.h"
#include "les-value.h"
#include "les-year-status.h"

/* The model is in docs/payment-runs.md ("Month end").  year_state keeps,
 * per year, the month chosen (or last computed to) and three counters of
 * writes that change what a compute reads; the compute records the
 * counters it saw.  Counters, not timestamps: two writes in one second,
 * or clocks that differ between desks sharing a database, cannot hide a
 * change. */

void
les_year_status_clear (LesYearStatus *status)
{
  g_return_if_fail (status != NULL);

  g_clear_pointer (&status->computed_at, g_free);
  g_clear_pointer (&status->computed_by, g_free);
  g_clear_pointer (&status->changed_at, g_free);
}

/**
 * les_year_default_to_period:
 *
 * The month a year is worked to until someone chooses one: the latest
 * month with claims (they are what finance pays next), or the month after
 * the latest payment run when that is later (the next month to close);
 * never after March, and April for a year with neither.
 *
 * Returns: YYYYMM, or 0 with @error set.
 */
gint32
les_year_default_to_period (LesStore *store, int fy, GError **error)
{
  gint32 april = les_fy_period (fy, 1), march = les_fy_period (fy, 12);
  gint32 to = april, run_month;
  LesStmt *stmt;
  LesStep rc;

  g_return_val_if_fail (LES_IS_STORE (store), 0);

  stmt = les_store_prepare (store, les_sql_year_last_claim_period, error);
  if (stmt == NULL)
    return 0;
  les_stmt_bind_int64 (stmt, 1, fy);
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    to = MAX (to, les_stmt_period (stmt, 0));
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return 0;

  if (!les_adjustments_latest_run (store, fy, NULL, &run_month, error))
    return 0;
  if (run_month != 0)
    to = MAX (to, les_period_add_months (run_month, 1));
  return CLAMP (to, april, march);
}

/**
 * les_year_status_get:
 * @status: (out caller-allocates): clear with les_year_status_clear()
 *
 * The month @fy is worked to, its stored compute, and whether the
 * compute's figures are out of date and why.
 */
gboolean
les_year_status_get (LesStore *store, int fy, LesYearStatus *status, GError **error)
{
  LesStmt *stmt;
  LesStep rc;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);
  g_return_val_if_fail (status != NULL, FALSE);

  memset (status, 0, sizeof *status);
  status->fy = fy;
  status->default_to = les_year_default_to_period (store, fy, error);
  if (status->default_to == 0)
    return FALSE;

  stmt = les_store_prepare (store, les_sql_year_status, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, fy);
  rc = les_stmt_step (stmt, error);
  if (rc == LES_STEP_ROW)
    {
      gint64 imports = les_stmt_int64 (stmt, 1), edits = les_stmt_int64 (stmt, 2);
      gint64 decisions = les_stmt_int64 (stmt, 3);

      status->to_period = les_stmt_period (stmt, 0);
      status->changed_at = g_strdup (les_stmt_text (stmt, 4));
      status->computed = !les_stmt_is_null (stmt, 5);
      if (status->computed)
        {
          status->computed_to = les_stmt_period (stmt, 5);
          status->computed_at = g_strdup (les_stmt_text (stmt, 6));
          status->computed_by = g_strdup (les_stmt_text (stmt, 7));
          imports -= les_stmt_int64 (stmt, 8);
          edits -= les_stmt_int64 (stmt, 9);
          decisions -= les_stmt_int64 (stmt, 10);
        }
      status->n_imports = MAX (imports, 0);
      status->n_edits = MAX (edits, 0);
      status->n_decisions = MAX (decisions, 0);
    }
  les_stmt_reset (stmt);
  if (rc == LES_STEP_ERROR)
    return FALSE;

  status->to_is_default = status->to_period == 0;
  if (status->to_is_default)
    status->to_period = status->default_to;
  if (!status->computed)
    status->stale |= LES_STALE_NOT_COMPUTED;
  else
    {
      if (status->n_imports > 0)
        status->stale |= LES_STALE_IMPORTS;
      if (status->n_edits > 0)
        status->stale |= LES_STALE_EDITS;
      if (status->n_decisions > 0)
        status->stale |= LES_STALE_DECISIONS;
      if (status->computed_to != status->to_period)
        status->stale |= LES_STALE_MONTH;
    }
  return TRUE;
}

/**
 * les_results_is_stale:
 * @why: (out) (optional): the reasons, 0 when up to date
 *
 * Whether the stored figures of @fy are out of date: never computed,
 * imports, service edits or claim decisions since the compute, or
 * computed to another month than the one the year is worked to.  A
 * database error counts as out of date.
 */
gboolean
les_results_is_stale (LesStore *store, int fy, LesStaleness *why)
{
  g_auto(LesYearStatus) status = { 0 };
  g_autoptr(GError) error = NULL;
  LesStaleness stale;

  g_return_val_if_fail (LES_IS_STORE (store), TRUE);

  if (!les_year_status_get (store, fy, &status, &error))
    {
      g_debug ("%s: %s", les_store_get_location (store), error->message);
      stale = LES_STALE_NOT_COMPUTED;
    }
  else
    stale = status.stale;
  if (why != NULL)
    *why = stale;
  return stale != 0;
}

gint32
les_year_get_to_period (LesStore *store, int fy, gboolean *is_default, GError **error)
{
  g_auto(LesYearStatus) status = { 0 };

  g_return_val_if_fail (LES_IS_STORE (store), 0);

  if (!les_year_status_get (store, fy, &status, error))
    return 0;
  if (is_default != NULL)
    *is_default = status.to_is_default;
  return status.to_period;
}

gboolean
les_year_set_to_period (LesStore *store, int fy, gint32 to_period, GError **error)
{
  LesStmt *stmt;
  char text[8];

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);

  if (to_period != 0 && les_period_fy (to_period) != fy)
    {
      g_autofree char *year = les_year_format (fy);

      les_period_format (to_period, text);
      g_set_error (error, LES_ERROR, LES_ERROR_INVALID, _("%s is not a month of %s"), text, year);
      return FALSE;
    }
  stmt = les_store_prepare (store, les_sql_year_set_to_period, error);
  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, fy);
  if (to_period != 0)
    {
      les_period_format (to_period, text);
      les_stmt_bind_text (stmt, 2, text);
    }
  else
    les_stmt_bind_null (stmt, 2);
  return les_stmt_run (stmt, error);
}

static gboolean
note_one (LesStore *store, int fy, LesYearChange change, const char *now, GError **error)
{
  LesStmt *stmt = les_store_prepare (store, les_sql_year_note_change, error);

  if (stmt == NULL)
    return FALSE;
  les_stmt_bind_int64 (stmt, 1, fy);
  les_stmt_bind_int64 (stmt, 2, change == LES_YEAR_CHANGE_IMPORT);
  les_stmt_bind_int64 (stmt, 3, change == LES_YEAR_CHANGE_EDIT);
  les_stmt_bind_int64 (stmt, 4, change == LES_YEAR_CHANGE_DECISION);
  les_stmt_bind_text (stmt, 5, now);
  return les_stmt_run (stmt, error);
}

gboolean
les_year_note_change (LesStore *store, int fy, LesYearChange change, GError **error)
{
  g_autofree char *now = les_now_iso8601 ();
  g_autoptr(GArray) years = NULL;

  g_return_val_if_fail (LES_IS_STORE (store), FALSE);

  if (fy != 0)
    return note_one (store, fy, change, now, error);
  /* practices and list sizes belong to no year: every year reads them */
  years = les_store_list_years (store);
  for (guint i = 0; i < years->len; i++)
    if (!note_one (store, g_array_index (years, int, i), change, now, error))
      return FALSE;
  return TRUE;
}

static char *
when_text (const char *iso)
{
  g_autoptr(GDateTime) utc = iso != NULL ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, "%-d %B %Y, %H:%M") : g_strdup (iso != NULL ? iso : "");
}

/**
 * les_year_status_describe:
 *
 * Returns: (transfer full): "" when the figures are up to date, else a
 * sentence or two for people saying why they are not, for a banner.
 */
char *
les_year_status_describe (const LesYearStatus *status)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) what = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *year = NULL;
  g_autofree char *to = NULL;

  g_return_val_if_fail (status != NULL, NULL);

  if (status->stale == 0)
    return g_strdup ("");
  year = les_year_format (status->fy);
  to = les_period_format_display (status->to_period);
  if (status->stale & LES_STALE_NOT_COMPUTED)
    return g_strdup_printf (_("%s has not been computed yet: compute it to %s to see its figures."), year, to);

  if (status->n_imports > 0)
    g_ptr_array_add (what, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " import",
                                                         "%" G_GINT64_FORMAT " imports", status->n_imports),
                                            status->n_imports));
  if (status->n_edits > 0)
    g_ptr_array_add (what, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " service edit",
                                                         "%" G_GINT64_FORMAT " service edits", status->n_edits),
                                            status->n_edits));
  if (status->n_decisions > 0)
    g_ptr_array_add (what, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GINT64_FORMAT " claim decision",
                                                         "%" G_GINT64_FORMAT " claim decisions",
                                                         status->n_decisions),
                                            status->n_decisions));
  if (what->len > 0)
    {
      g_autofree char *when = when_text (status->computed_at);
      g_autofree char *list = NULL;

      if (what->len == 1)
        list = g_strdup (what->pdata[0]);
      else if (what->len == 2)
        list = g_strdup_printf (_("%s and %s"), (char *) what->pdata[0], (char *) what->pdata[1]);
      else
        list = g_strdup_printf (_("%s, %s and %s"), (char *) what->pdata[0], (char *) what->pdata[1],
                                (char *) what->pdata[2]);
      g_string_append_printf (text, _("The figures are out of date: %s since they were computed on %s."), list,
                              when);
    }
  if (status->stale & LES_STALE_MONTH)
    {
      g_autofree char *computed = les_period_format_display (status->computed_to);

      if (text->len > 0)
        g_string_append_printf (text, _(" They are computed to %s, but %s is worked to %s."), computed, year, to);
      else
        g_string_append_printf (text, _("The figures are computed to %s, but %s is worked to %s."), computed, year,
                                to);
    }
  return g_strdup (text->str);
}
