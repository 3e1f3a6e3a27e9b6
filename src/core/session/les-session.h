/* les-session.h: one context for every screen — the store, the year and month, undo, work off the main thread, change notices by domain. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "les-claim-query.h"
#include "les-claims-edit.h"
#include "les-compute.h"
#include "les-enums.h"
#include "les-import.h"
#include "les-job.h"
#include "les-runs.h"
#include "les-service-draft.h"
#include "les-store.h"
#include "les-team.h"

G_BEGIN_DECLS

/* What a change touched, for screens to decide what to read again.  Never a
 * table name: a screen says which parts of the domain it shows. */
typedef enum { /*< flags >*/
  LES_CHANGE_CLAIMS    = 1 << 0,   /* claims, their patient lines and decisions */
  LES_CHANGE_PAYMENTS  = 1 << 1,   /* computed payment lines, findings, adjustments */
  LES_CHANGE_RUNS      = 1 << 2,   /* payment runs and what they paid */
  LES_CHANGE_SERVICES  = 1 << 3,   /* services and their payment rules */
  LES_CHANGE_REFERENCE = 1 << 4,   /* PCNs, practices, list sizes, sign-ups, cohorts,
                                      allocations, achievements, ledger */
  LES_CHANGE_ALL       = (1 << 5) - 1,
} LesChange;

#define LES_TYPE_CHANGE (les_change_get_type ())
GType          les_change_get_type          (void) G_GNUC_CONST;
LesChange      les_change_for_kind          (LesKind              kind);

#define LES_TYPE_SESSION (les_session_get_type ())
G_DECLARE_FINAL_TYPE (LesSession, les_session, LES, SESSION, GObject)

/* Properties (all notify on the main thread):
 *   store     LesStore   the main thread's connection (quick reads only)
 *   year      int        the financial year shown (2024 = 2024/25), 0 when none
 *   to-period int        the month the year is worked to (YYYYMM), 0 for the whole
 *                        year: loaded with the year, kept in the database when set
 *   job       LesJob     the write under way (progress, label, cancel), or NULL
 *   busy      gboolean   a write is under way or waiting its turn
 *   can-undo  gboolean
 *   undo-title string    "3 claims approved", for the Undo button's tooltip
 * Signals:
 *   changed (LesChange what)  once a write committed, on the main thread,
 *     once per write (an import that failed part way: what the files
 *     before it changed); not for a write that changed nothing. */

LesSession    *les_session_new              (LesStore            *store);
LesStore      *les_session_get_store        (LesSession          *self);
int            les_session_get_year         (LesSession          *self);
void           les_session_set_year         (LesSession          *self,
                                             int                  year);
gint32         les_session_get_to_period    (LesSession          *self);
void           les_session_set_to_period    (LesSession          *self,
                                             gint32               to_period);
LesJob        *les_session_get_job          (LesSession          *self);
gboolean       les_session_get_busy         (LesSession          *self);
/* The team roles the screens offer (0: a file, everything); set before the
 * screens are given the session. */
void           les_session_set_roles        (LesSession          *self,
                                             LesTeamRoles         roles);
LesTeamRoles   les_session_get_roles        (LesSession          *self);
/* Why the team database's server cannot be reached (property "server-problem"),
 * NULL while it can; once it is back, "changed" says everything changed. */
const char    *les_session_get_server_problem (LesSession        *self);
/* Tells every screen @what changed (a write that ran outside the session, a
 * notification from another desk). */
void           les_session_notify_changed   (LesSession          *self,
                                             LesChange            what);

/* ---- Reading off the main thread ----
 * A pool of reader connections, each used by one read at a time.  @func runs
 * on a worker; cancelling @cancellable stops its statements.  Reads never
 * wait for a write (WAL / MVCC).  Reads start in the order asked, as
 * readers come free; one cancelled before it starts never runs.  @data is
 * freed with @data_free after @callback has run; what @func returns is
 * freed with @result_free when nobody takes it. */
typedef gpointer (*LesReadFunc)             (LesStore            *reader,
                                             gpointer             data,
                                             GCancellable        *cancellable,
                                             GError             **error);
void           les_session_read_async       (LesSession          *self,
                                             LesReadFunc          func,
                                             gpointer             data,
                                             GDestroyNotify       data_free,
                                             GDestroyNotify       result_free,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* (transfer full): what @func returned; NULL with @error when it failed. */
gpointer       les_session_read_finish      (LesSession          *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* ---- Writing off the main thread ----
 * One writer connection; writes run one at a time, in the order asked, each
 * as a LesJob (progress, messages, cancel) shown as the session's "job".
 * When a write commits the session emits "changed" with what it touched and,
 * for an undoable one, pushes its command.  Every write goes this way, small
 * or large: the screens never choose. */
void           les_session_run_async        (LesSession          *self,
                                             LesJob              *job,
                                             LesChange            changes,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean       les_session_run_finish       (LesSession          *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* Imports @files (each with its kind) in one job, in order; each file is all
 * or nothing.  Messages ("FILE:LINE: COLUMN: message") arrive as the job's
 * "message" signal.  @stats (optional) gets one LesImportStats per file. */
LesJob        *les_session_import_async     (LesSession          *self,
                                             GFile              **files,
                                             const LesKind       *kinds,
                                             guint                n_files,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean       les_session_import_finish    (LesSession          *self,
                                             GAsyncResult        *result,
                                             GArray             **stats,
                                             GError             **error);

/* Computes the session's year up to its to-period. */
void           les_session_compute_async    (LesSession          *self,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean       les_session_compute_finish   (LesSession          *self,
                                             GAsyncResult        *result,
                                             LesComputeSummary   *summary,
                                             GError             **error);

/* Sets @status on the claims of @ids (or, with @ids NULL, every claim
 * @query matches, read inside the write), undoably.  @seen (nullable,
 * element-type LesClaimStatus): with @ids, the status each claim showed
 * when the decision was made; a claim decided otherwise meanwhile is left
 * as it is (les_claims_set_status()). */
void           les_session_set_status_async (LesSession          *self,
                                             GArray              *ids,
                                             GArray              *seen,
                                             LesClaimQuery       *query,
                                             LesClaimStatus       status,
                                             const char          *reason,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
/* Returns the number of claims whose status or reason changed.
 * @refused: (out) (optional) (element-type LesClaimsRefusal) (transfer full):
 * the claims left as they were. */
gint64         les_session_set_status_finish (LesSession         *self,
                                              GAsyncResult       *result,
                                              GArray            **refused,
                                              GError            **error);

void           les_session_close_month_async (LesSession         *self,
                                              gint32              month,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean       les_session_close_month_finish (LesSession        *self,
                                               GAsyncResult      *result,
                                               LesRun            *run,
                                               GError           **error);

void           les_session_reopen_async     (LesSession          *self,
                                             gint64               run_id,
                                             const char          *reason,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean       les_session_reopen_finish    (LesSession          *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* ---- Services ----
 * Each undoable: "Saved DOAC", "Copied DOAC to 2025/26", "Retired DOAC". */
void           les_session_save_service_async (LesSession            *self,
                                               const LesServiceDraft *draft,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);
void           les_session_duplicate_service_async (LesSession       *self,
                                                    const char       *code,
                                                    GAsyncReadyCallback callback,
                                                    gpointer          user_data);
void           les_session_retire_service_async (LesSession          *self,
                                                 const char          *code,
                                                 const char          *end_date,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean       les_session_edit_service_finish (LesSession           *self,
                                                GAsyncResult         *result,
                                                char                **code,
                                                int                  *year,
                                                GError              **error);

/* ---- Undo ----
 * An undoable write hands the session a command: its title and how to undo
 * it on the writer connection. */
typedef gboolean (*LesUndoFunc)             (LesStore            *store,
                                             gpointer             data,
                                             GCancellable        *cancellable,
                                             GError             **error);
void           les_session_push_undo        (LesSession          *self,
                                             const char          *title,
                                             LesChange            changes,
                                             LesUndoFunc          func,
                                             gpointer             data,
                                             GDestroyNotify       data_free);
gboolean       les_session_get_can_undo     (LesSession          *self);
const char    *les_session_get_undo_title   (LesSession          *self);
/* Undoes the latest command as a write. */
void           les_session_undo_async       (LesSession          *self,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean       les_session_undo_finish      (LesSession          *self,
                                             GAsyncResult        *result,
                                             GError             **error);

/* Runs the main context until every read and write asked for has finished
 * (for tests and benchmarks). */
void           les_session_wait             (LesSession          *self);

G_END_DECLS
