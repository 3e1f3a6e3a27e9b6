/* les-sql.h: every SQL statement of the core, by area; the texts live in les-sql-*.c beside the store. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "les-kinds.h"

/* Portable SQL: numbered parameters (?1, ?2, …), 64-bit integers for money,
 * upserts as ON CONFLICT, RETURNING instead of last-row ids, no SQLite-only
 * functions where a standard form does the same, no collation names (text
 * compares in byte order on both backends: their schemas see to it), no new
 * ids the caller shows people from a sequence (a rolled-back insert leaves a
 * gap on PostgreSQL).  A backend may adapt the text when it prepares it
 * (PostgreSQL's $1 for ?1: les_db_pg_rewrite()).  A statement whose text is
 * only for one backend says so in its name (les_sql_sqlite_…, les_sql_pg_…). */

/* ---- the store itself (les-sql-store.c) ---- */
extern const char les_sql_meta_get[];
extern const char les_sql_meta_insert[];
extern const char les_sql_meta_set[];
extern const char les_sql_meta_delete_old_key[];
extern const char les_sql_sqlite_secure_delete_on[];
extern const char les_sql_sqlite_secure_delete_off[];
extern const char les_sql_sqlite_checkpoint_truncate[];

/* ---- the sealed audit trail and payment runs (les-sql-store.c, used by les-chain.c) ---- */
extern const char les_sql_audit_insert[];
extern const char les_sql_audit_last[];
extern const char les_sql_audit_all[];
extern const char les_sql_audit_set_seal[];
extern const char les_sql_audit_set_run_digest[];
extern const char les_sql_audit_runs[];
extern const char les_sql_chain_runs[];
extern const char les_sql_chain_run[];
extern const char les_sql_chain_run_lines[];
extern const char les_sql_chain_run_claims[];
extern const char les_sql_chain_max_claim[];
extern const char les_sql_chain_set_run_seal[];
extern const char les_sql_years[];
extern const char les_sql_sqlite_user_version[];
extern const char les_sql_sqlite_set_user_version[];  /* printf format: the version */
extern const char les_sql_count_rows[];   /* printf format: the table name (one of the schema's) */
extern const char les_sql_pg_has_schema[];
extern const char les_sql_pg_schema_version[];
extern const char les_sql_pg_set_schema_version[];
extern const char les_sql_pg_session_user[];
extern const char les_sql_pg_notify_change[];

/* ---- a team database on PostgreSQL: roles and policies (les-sql-team.c, used by les-team.c) ---- */
extern const char les_sql_team_is_set_up[];
extern const char les_sql_team_roles[];
extern const char les_sql_team_members[];
extern const char les_sql_team_add_user[];
extern const char les_sql_team_remove_user[];
extern const char les_sql_team_set_policy[];
extern const char les_sql_team_get_policy[];
extern const char les_sql_team_refusals[];

extern const char les_sql_sqlite_foreign_keys_off[];
extern const char les_sql_sqlite_foreign_keys_on[];
extern const char les_sql_stale_mark[];               /* ?1 year, ?2 service ('' every one) */
extern const char les_sql_stale_mark_every_year[];

/* ---- computing a year (les-sql-compute.c) ---- */
extern const char les_sql_compute_services[];
extern const char les_sql_compute_rules[];
extern const char les_sql_compute_practices[];
extern const char les_sql_compute_list_sizes[];
extern const char les_sql_compute_signups[];
extern const char les_sql_compute_cohorts[];
extern const char les_sql_compute_allocations[];
extern const char les_sql_compute_achievements[];
extern const char les_sql_compute_claims_all[];        /* ?1 year, ?2 first period, ?3 last */
extern const char les_sql_compute_claims_one[];        /* … and ?4 the service */
extern const char les_sql_compute_patient_lines_all[];
extern const char les_sql_compute_patient_lines_one[];
extern const char les_sql_compute_findings_years[];
extern const char les_sql_compute_findings_clear[];
extern const char les_sql_compute_findings_clear_year[];
extern const char les_sql_compute_totals_years[];
extern const char les_sql_compute_totals_clear[];
extern const char les_sql_compute_totals_clear_year[];
#define LES_SQL_COMPUTE_FINDING_COLUMNS 9   /* parameters of each row of les_sql_compute_insert_findings() */
char *les_sql_compute_insert_findings (guint rows);
extern const char les_sql_compute_stored_lines[];
extern const char les_sql_compute_stored_lines_of_service[];
extern const char les_sql_compute_delete_line[];
#define LES_SQL_COMPUTE_LINE_COLUMNS 9   /* parameters of each row of les_sql_compute_insert_lines() */
char *les_sql_compute_insert_lines (guint rows);
char *les_sql_compute_update_lines (guint rows);
extern const char les_sql_compute_insert_total[];
extern const char les_sql_compute_findings_clear_service[];
extern const char les_sql_compute_totals_clear_service[];
extern const char les_sql_compute_year_totals[];
extern const char les_sql_compute_stale[];
extern const char les_sql_compute_n_services[];
extern const char les_sql_compute_stale_clear[];
extern const char les_sql_compute_upsert_compute[];

/* ---- a year's month end: its computed-to month, changes since (les-sql-year.c) ---- */
extern const char les_sql_year_status[];
extern const char les_sql_year_last_claim_period[];
extern const char les_sql_year_set_to_period[];
extern const char les_sql_year_note_change[];
extern const char les_sql_year_counters[];

/* ---- stored results and reconciliation (les-sql-results.c) ---- */
extern const char les_sql_results_compute[];
extern const char les_sql_results_reconciliation[];
extern const char les_sql_results_payments[];
extern const char les_sql_results_findings[];

/* ---- imports and exports of each kind (les-sql-io.c) ---- */
char *les_sql_export_select (const LesKindInfo *info);
/* Built from the kind: its stored columns are ?1, ?2, … (les-sql-io.c says how). */
char *les_sql_import_select (const LesKindInfo *info);
char *les_sql_import_insert (const LesKindInfo *info);
char *les_sql_import_update (const LesKindInfo *info);   /* NULL when every column is the key */
char *les_sql_import_pg_held (const LesKindInfo *info);
char *les_sql_import_pg_copy (const LesKindInfo *info);
gboolean les_sql_import_stores (const LesKindInfo *info, guint column);
extern const char les_sql_import_practice_codes[];
extern const char les_sql_import_service_keys[];
extern const char les_sql_import_rule_kinds[];
extern const char les_sql_import_max_claim_id[];
extern const char les_sql_import_sqlite_foreign_keys_off[];
extern const char les_sql_import_sqlite_foreign_keys_on[];
extern const char les_sql_import_sqlite_claims_indexes[];
extern const char les_sql_import_pcn_upsert[];
extern const char les_sql_import_claim_insert[];
extern const char les_sql_import_claim_select[];
extern const char les_sql_import_claim_exists[];
extern const char les_sql_import_pg_claims_held[];
extern const char les_sql_import_pg_claims_copy[];
extern const char les_sql_import_batch_savepoint[];
extern const char les_sql_import_batch_release[];
extern const char les_sql_import_batch_rollback[];
extern const char les_sql_import_lines_delete[];
extern const char les_sql_import_line_insert[];
extern const char les_sql_import_nhs_list_size_upsert[];

/* ---- payment runs and adjustments (les-sql-runs.c) ---- */
extern const char les_sql_runs_latest_live[];
extern const char les_sql_runs_list[];
extern const char les_sql_runs_get[];
extern const char les_sql_runs_preview[];
extern const char les_sql_runs_insert[];
extern const char les_sql_runs_pay_lines[];
extern const char les_sql_runs_pay_adjustments[];
extern const char les_sql_runs_drop_paid_adjustments[];
extern const char les_sql_runs_postpone_adjustments[];
extern const char les_sql_runs_set_totals[];
extern const char les_sql_runs_reopen[];
extern const char les_sql_runs_practices[];
extern const char les_sql_runs_statement_practice[];
extern const char les_sql_runs_statement_lines[];
extern const char les_sql_runs_statement_claims[];
extern const char les_sql_runs_decision_window[];
extern const char les_sql_runs_statement_decisions[];
extern const char les_sql_runs_statement_practices[];
extern const char les_sql_runs_insert_totals[];
extern const char les_sql_runs_paid_by_service[];
extern const char les_sql_runs_paid_outstanding[];
extern const char les_sql_runs_live_count[];
extern const char les_sql_adjustments_clear[];
extern const char les_sql_adjustments_insert[];
extern const char les_sql_adjustments_pending[];

/* ---- claim decisions (les-sql-claims.c) ---- */
extern const char les_sql_claims_get_status[];
extern const char les_sql_claims_set_status[];
extern const char les_sql_claims_set_status_if[];
extern const char les_sql_claims_id_for_ref[];
extern const char les_sql_claims_ids_for_year[];
extern const char les_sql_claims_approvable_ids_for_year[];
extern const char les_sql_claims_last_decision[];
extern const char les_sql_claims_detail[];
extern const char les_sql_claims_patient_lines[];
extern const char les_sql_claims_findings[];
extern const char les_sql_claims_original[];
extern const char les_sql_claims_history[];
extern const char les_sql_claims_line[];
extern const char les_sql_claims_line_paid_run[];
extern const char les_sql_claims_check[];

/* ---- the claims model (les-sql-claim-list.c) ---- */
/* See les-claim-query.h. */
typedef struct _LesClaimQuery LesClaimQuery;

/* A statement built for one query, and the values of its parameters. */
typedef struct {
  char      *sql;
  GPtrArray *params;   /* GVariant for ?1, ?2, …: an int64 ("x") or a string ("s") */
} LesSqlBuilt;

void         les_sql_built_free     (LesSqlBuilt          *built);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LesSqlBuilt, les_sql_built_free)

typedef enum {
  /* Every claim matched, in the query's order: the id, the fields from
   * LES_CLAIM_FIELD_REF to LES_CLAIM_FIELD_REASON, then a finding's code
   * (NULL when none); a claim with several findings comes once for each,
   * in the order they were found. */
  LES_SQL_CLAIMS_ROWS,
  /* The same for @limit claims from the @offset'th. */
  LES_SQL_CLAIMS_PAGE,
  /* One row, one number: how many claims match, counting no further
   * than @limit when it is not 0. */
  LES_SQL_CLAIMS_COUNT,
  /* The ids of every claim matched, in no order. */
  LES_SQL_CLAIMS_IDS,
  /* The ids of @limit claims from the @offset'th, in order. */
  LES_SQL_CLAIMS_IDS_PAGE,
} LesSqlClaims;

/* @broad: whether a free-text search matches many claims (the statement
 * then reads the year in order instead of looking its matches up). */
LesSqlBuilt *les_sql_claims         (const LesClaimQuery  *query,
                                     LesSqlClaims          what,
                                     gboolean              broad,
                                     gint64                limit,
                                     gint64                offset);
/* One row, one number: @many or more when a search for @text matches
 * about @many claims or more. */
LesSqlBuilt *les_sql_claims_breadth (const char           *text,
                                     gint64                many);

/* ---- the service editor (les-sql-services.c) ---- */
/* Built from the services and rules kinds: their columns in order, key first. */
char *les_sql_service_select (void);           /* ?1 code, ?2 year */
char *les_sql_service_rules_select (void);     /* ?1 code, ?2 year; by rule_code */
char *les_sql_service_upsert (void);           /* the services columns as ?1, ?2, … */
char *les_sql_service_rule_upsert (void);      /* the rules columns as ?1, ?2, … */
extern const char les_sql_service_exists[];
extern const char les_sql_service_rule_codes[];
extern const char les_sql_service_rule_delete[];
extern const char les_sql_service_rules_delete[];
extern const char les_sql_service_delete[];
/* the live example's typical practice: one figure a row, ascending */
extern const char les_sql_example_registered[];  /* ?1 the first day of the year */
extern const char les_sql_example_weighted[];    /* ?1 the first day of the year */
extern const char les_sql_example_cohorts[];     /* ?1 year, ?2 service */
extern const char les_sql_example_blocks[];      /* ?1 year, ?2 service */
extern const char les_sql_example_achieved[];    /* ?1 year, ?2 service */
extern const char les_sql_example_units[];       /* ?1 year, ?2 service, ?3 rule */

/* ---- the screens' tables (les-sql-screens.c) ---- */
extern const char les_sql_screen_services[];
extern const char les_sql_screen_practices[];
extern const char les_sql_screen_practice_list_sizes[];
extern const char les_sql_screen_practice_signups[];
extern const char les_sql_screen_practice_cohorts[];
extern const char les_sql_screen_practice_allocations[];
extern const char les_sql_screen_practice_claims[];
extern const char les_sql_screen_practice_payments[];
extern const char les_sql_screen_findings_summary[];
extern const char les_sql_screen_payments_by_pcn[];
extern const char les_sql_screen_payments_by_practice[];
extern const char les_sql_screen_payment_lines[];
extern const char les_sql_screen_last_compute[];
extern const char les_sql_screen_service_codes[];
extern const char les_sql_screen_pcn_codes[];
extern const char les_sql_screen_finding_codes[];
