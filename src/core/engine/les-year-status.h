/* les-year-status.h: a year's month end — the month it is worked to, and whether its figures are out of date. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "les-store.h"

G_BEGIN_DECLS

/* Why a year's stored figures no longer match its data (0: they do). */
typedef enum { /*< flags >*/
  LES_STALE_NOT_COMPUTED = 1 << 0,   /* never computed */
  LES_STALE_IMPORTS      = 1 << 1,   /* claims or reference data imported since */
  LES_STALE_EDITS        = 1 << 2,   /* services or rules saved or deleted since */
  LES_STALE_DECISIONS    = 1 << 3,   /* claims rejected, withdrawn or put back since */
  LES_STALE_MONTH        = 1 << 4,   /* computed to another month than the year's */
} LesStaleness;

/* Writes that change what a compute reads. */
typedef enum {
  LES_YEAR_CHANGE_IMPORT,
  LES_YEAR_CHANGE_EDIT,
  LES_YEAR_CHANGE_DECISION,
} LesYearChange;

typedef struct {
  int           fy;
  gint32        to_period;      /* the month the year is worked to (YYYYMM): chosen, or the default */
  gboolean      to_is_default;  /* nobody has chosen or computed a month yet */
  gint32        default_to;     /* les_year_default_to_period() */
  gboolean      computed;
  gint32        computed_to;    /* of the stored compute, when computed */
  char         *computed_at;    /* ISO 8601 */
  char         *computed_by;
  LesStaleness  stale;
  gint64        n_imports;      /* since the compute (all of them when never computed) */
  gint64        n_edits;
  gint64        n_decisions;
  char         *changed_at;     /* the latest change, ISO 8601, or NULL */
} LesYearStatus;

void          les_year_status_clear       (LesYearStatus  *status);
gboolean      les_year_status_get         (LesStore       *store,
                                           int             fy,
                                           LesYearStatus  *status,
                                           GError        **error);
/* For people: "" when up to date, else why the figures are out of date. */
char         *les_year_status_describe    (const LesYearStatus *status);

/* TRUE when the stored figures of @fy are out of date; @why (optional) says why. */
gboolean      les_results_is_stale        (LesStore       *store,
                                           int             fy,
                                           LesStaleness   *why);

/* The latest month of @fy with claims, or the month after the latest
 * payment run if that is later; April when there is neither; never after
 * March. */
gint32        les_year_default_to_period  (LesStore       *store,
                                           int             fy,
                                           GError        **error);
/* The month @fy is worked to: the one last chosen or computed to, else
 * the default; 0 with @error set on a database error. */
gint32        les_year_get_to_period      (LesStore       *store,
                                           int             fy,
                                           gboolean       *is_default,
                                           GError        **error);
/* Keeps @to_period (YYYYMM, a month of @fy) as the month @fy is worked
 * to; 0 goes back to the default.  Every compute keeps its month too. */
gboolean      les_year_set_to_period      (LesStore       *store,
                                           int             fy,
                                           gint32          to_period,
                                           GError        **error);

/* Inside the writer's transaction: records that @change touched @fy (0:
 * every year that has services). */
gboolean      les_year_note_change        (LesStore       *store,
                                           int             fy,
                                           LesYearChange   change,
                                           GError        **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LesYearStatus, les_year_status_clear)

G_END_DECLS
