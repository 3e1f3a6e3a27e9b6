/* les-runs.h: payment runs — closing a month, adjustments to paid lines, statements and the finance report. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "les-progress.h"
#include "les-store.h"

G_BEGIN_DECLS

typedef struct {
  gint64    run_id;
  int       year;
  gint32    month;          /* YYYYMM */
  char     *created_at;
  char     *created_by;
  gint64    total;          /* pence */
  gint64    n_lines;
  gboolean  reopened;
  char     *reopened_at;
  char     *reopened_by;
  char     *reopen_reason;
} LesRun;

void      les_run_clear                (LesRun        *run);

/* One line of a practice's statement: a line paid, or an adjustment
 * (corrects_id != 0) to a line paid by an earlier run. */
typedef struct {
  gint64    id;
  char     *service_code;
  char     *service_name;
  char     *rule_code;
  char     *rule_description;
  char     *rule_kind;        /* item, capitation, block, threshold */
  gint32    period;
  gboolean  has_units;
  gint64    units;
  gboolean  has_rate;
  gint64    rate;             /* hundredths of a penny */
  gint64    gross;
  gint64    payable;          /* paid */
  gint64    held;
  char     *held_reason;      /* finding codes, comma-separated, or NULL */
  gint64    corrects_id;      /* 0 for a line paid for the first time */
  gint64    corrects_run;     /* the run that first paid the corrected line */
  gint64    previously_paid;  /* on the corrected line before this run */
  GStrv     claim_refs;       /* item lines: the claims it pays (approved, no claim error); else NULL */
} LesStatementLine;

/* A claim of the practice rejected or queried between the previous run and this one. */
typedef struct {
  char           *claim_ref;
  char           *service_code;
  char           *service_name;
  char           *item_code;
  gint32          period;
  gint64          count;
  int             status;     /* LesClaimStatus: rejected or queried */
  char           *reason;
} LesStatementDecision;

typedef struct {
  LesRun    run;
  char     *organisation;
  char     *practice_code;
  char     *practice_name;
  char     *pcn_code;
  char     *pcn_name;
  GArray   *lines;            /* LesStatementLine: paid lines, then adjustments */
  GArray   *decisions;        /* LesStatementDecision, by service, period and reference */
  gint64    previous_run;     /* the decisions are those since this run (0: since the year began) */
  gint64    gross;
  gint64    held;
  gint64    payable;          /* total paid */
  gint64    adjustments;      /* of which adjustments */
} LesStatement;

void          les_statement_free       (LesStatement  *statement);
/* Audits that @statement was issued (@form: "pdf", "csv" or "print"):
 * action "issue-statement", key "RUN/PRACTICE", with its total. */
gboolean      les_runs_record_statement (LesStore          *store,
                                         const LesStatement *statement,
                                         const char        *form,
                                         GError           **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesStatement, les_statement_free)

typedef struct {
  char     *service_code;
  char     *service_name;
  gboolean  has_budget;
  gint64    budget;
  gint64    paid;             /* by payment runs */
  gint64    unpaid;           /* computed payable not yet paid */
  gint64    held;
  gint64    ledger;
  gint64    ledger_variance;  /* paid − ledger */
  gint64    forecast;
  gint64    variance;         /* budget − forecast, when has_budget */
} LesReportRow;

typedef struct {
  int       year;
  gint32    to_period;        /* of the last compute */
  char     *organisation;
  char     *generated_at;
  gint64    n_runs;           /* live runs of the year */
  gint32    last_run_month;   /* 0 when none */
  guint     stale;            /* LesStaleness of the figures, 0 when up to date */
  char     *stale_text;       /* why they are out of date, for people, "" when not */
  GArray   *rows;             /* LesReportRow, by service code */
  LesReportRow totals;        /* has_budget when any service has one */
} LesReport;

void          les_report_free          (LesReport     *report);
/* Audits that @report was issued: action "issue-report", key the year. */
gboolean      les_runs_record_report   (LesStore      *store,
                                        const LesReport *report,
                                        const char    *form,
                                        GError       **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesReport, les_report_free)

/* Per service, what is payable, what runs have paid, what is outstanding. */
typedef struct {
  char     *service_code;     /* NULL on the totals */
  char     *service_name;     /* "Total" on the totals */
  gboolean  has_budget;
  gint64    budget;
  gint64    payable;          /* to date, by the last compute */
  gint64    held;
  gint64    paid;             /* by live payment runs, adjustments included */
  gint64    outstanding;      /* payable − paid: not yet paid */
} LesPaidRow;

void          les_paid_row_clear       (LesPaidRow    *row);
GArray       *les_runs_paid_outstanding (LesStore     *store,
                                         int           fy,
                                         LesPaidRow   *totals,
                                         GError      **error);

/* What a run of a month would pay, per service (or in total): from the
 * stored compute, each computed line not yet paid and each pending
 * adjustment falls in one place.  Amounts in pence. */
typedef struct {
  char     *service_code;     /* NULL on the totals */
  char     *service_name;
  gint64    n_paid;           /* lines the run pays: approved (or scheduled) lines due */
  gint64    paid;
  gint64    n_held;           /* of the lines paid, those with an amount held (not paid) */
  gint64    held;
  gint64    n_adjustments;    /* adjustments to earlier runs the run pays */
  gint64    adjustments;
  gint64    n_unapproved;     /* lines due, left out: their claims are not all approved */
  gint64    unapproved;
  gint64    n_adjustments_waiting;  /* adjustments left out for the same reason */
  gint64    adjustments_waiting;
  gint64    n_not_due;        /* lines of months after the run's, left out */
  gint64    not_due;
} LesRunPreviewRow;

typedef struct {
  int               year;
  gint32            month;        /* the month the run closes */
  gint32            computed_to;  /* the month the figures reach (0: never computed) */
  guint             stale;        /* LesStaleness: the run computes again first, so it may differ */
  GArray           *services;     /* LesRunPreviewRow, by service code, services with anything */
  LesRunPreviewRow  totals;
} LesRunPreview;

void           les_run_preview_free    (LesRunPreview *preview);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesRunPreview, les_run_preview_free)

/* The month a run closes when none is given: the next open month
 * (les_runs_next_open_month()), 0 when March has been closed. */
gint32         les_runs_default_month  (LesStore      *store,
                                        int            fy);
/* Whether @month can be closed now: a month of @fy, after the latest
 * run's, and not after the month the year is computed to.  @limit
 * (optional) gets that month. */
gboolean       les_runs_check_month    (LesStore      *store,
                                        int            fy,
                                        gint32         month,
                                        gint32        *limit,
                                        GError       **error);
/* What closing @month would pay now, and what it would leave out. */
LesRunPreview *les_runs_preview_month  (LesStore      *store,
                                        int            fy,
                                        gint32         month,
                                        GCancellable  *cancellable,
                                        GError       **error);
/* Its totals only: amount and lines (adjustments included). */
gboolean      les_runs_preview         (LesStore      *store,
                                        int            fy,
                                        gint32         month,
                                        GCancellable  *cancellable,
                                        gint64        *total,
                                        gint64        *n_lines,
                                        GError       **error);

/* Recomputes the year (to the month it is computed to), pays what is due
 * and approved up to @month, and freezes it as a new run, in one
 * transaction; cancelling leaves the database as it was.  A month after
 * the computed one is refused (les_runs_check_month()). */
gboolean      les_runs_close_month     (LesStore      *store,
                                        int            fy,
                                        gint32         month,
                                        LesProgressFunc progress,
                                        gpointer       user_data,
                                        GCancellable  *cancellable,
                                        LesRun        *run,
                                        GError       **error);

/* Only the latest run of its year that is not already re-opened. */
gboolean      les_runs_reopen          (LesStore      *store,
                                        gint64         run_id,
                                        const char    *reason,
                                        GCancellable  *cancellable,
                                        GError       **error);

/* (element-type LesRun): every run of @fy, newest first. */
GArray       *les_runs_list            (LesStore      *store,
                                        int            fy,
                                        GError       **error);
gboolean      les_runs_get             (LesStore      *store,
                                        gint64         run_id,
                                        LesRun        *run,
                                        GError       **error);
/* The month after the latest run's (or April), 0 when the year is closed. */
gint32        les_runs_next_open_month (LesStore      *store,
                                        int            fy);
/* Pending adjustments of @fy: their count and net amount. */
gint64        les_runs_pending_adjustments (LesStore  *store,
                                            int        fy,
                                            gint64    *amount);

/* (transfer full): the practice codes the run paid, sorted; @names
 * (optional, transfer full) gets their names in the same order. */
GStrv         les_runs_list_practices  (LesStore      *store,
                                        gint64         run_id,
                                        GStrv         *names,
                                        GError       **error);

LesStatement *les_runs_statement       (LesStore      *store,
                                        gint64         run_id,
                                        const char    *practice_code,
                                        GError       **error);
/* (transfer full) (element-type LesStatement): every statement of a run —
 * each practice it paid or whose claims were rejected or queried since
 * the previous run — by practice code. */
GPtrArray    *les_runs_statements      (LesStore      *store,
                                        gint64         run_id,
                                        GCancellable  *cancellable,
                                        GError       **error);
gboolean      les_statement_write_csv  (LesStatement  *statement,
                                        GOutputStream *out,
                                        GCancellable  *cancellable,
                                        GError       **error);
/* Every line of every statement of @statements in one CSV: one header,
 * each statement's rows as les_statement_write_csv() writes them. */
gboolean      les_statements_write_csv (GPtrArray     *statements,
                                        GOutputStream *out,
                                        GCancellable  *cancellable,
                                        GError       **error);

LesReport    *les_runs_report          (LesStore      *store,
                                        int            fy,
                                        GError       **error);
gboolean      les_report_write_csv     (LesReport     *report,
                                        GOutputStream *out,
                                        GCancellable  *cancellable,
                                        GError       **error);

/* For people: "Over the service budget" for OVER_SERVICE_CAP, etc.;
 * @codes is comma-separated. */
char         *les_runs_held_reason_text (const char   *codes);
char         *les_runs_get_organisation (LesStore     *store);

G_END_DECLS
