/* les-engine-private.h: what the engine's files share — plain structs of the input and of a run. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "les-engine.h"
#include "les-value.h"

G_BEGIN_DECLS

/* One practice, with its list sizes (a range of input->list_sizes once prepared). */
typedef struct {
  const char *code;
  gint32      close_date;
  guint       rank;                 /* position in code order */
  guint       ls_first;
  guint       ls_n;
} Practice;

typedef struct {
  guint    practice;
  gint32   date;
  gint64   registered;
  gboolean has_weighted;
  gint64   weighted;
} ListSize;

typedef struct {
  guint  practice;
  gint32 from_date;
  gint32 to_date;                   /* 0 = open */
} Signup;

/* What one practice has for one service: sign-ups, cohort, allocation, achievement. */
typedef struct {
  guint    practice;
  gboolean has_cohort;
  gint64   cohort;
  gboolean has_allocation;
  gboolean has_block;
  gint64   block;
  gboolean has_cap;
  gint64   cap;
  gboolean has_achievement;
  gint64   achieved;
  guint    signup_first;
  guint    signup_n;
} Member;

typedef struct {
  LesEngineService pub;
  GArray     *rules;                /* guint rule indices, by code once prepared */
  GHashTable *rule_index;           /* code → rule index + 1 */
  GArray     *signups;              /* Signup, by (practice code, from) once prepared */
  GArray     *members;              /* Member, by practice code once prepared */
  GHashTable *member_index;         /* practice + 1 → member index + 1 */
  GArray     *claims;               /* guint claim indices */
  guint64     n_claims_read;        /* claims given for it, its rules' or not */
} Service;

typedef struct {
  LesEngineRule pub;
  guint         service;
  guint         pos;                /* position in its service's rules once prepared */
  const char   *ach_code;           /* "CODE:ACH" */
} Rule;

typedef struct {
  const char *ref;
  guint32     practice;
  guint32     rule;
  gint32      period;
  gint32      submitted;
  gint64      count;
  guint32     line_first;
  guint32     line_n;
} Claim;

typedef struct {
  guint32 claim;
  gint32  line_no;
  guint32 patient;                  /* 0 = invalid NHS number */
  gint32  activity;
} PatientLine;

struct _LesEngineInput
{
  int           fy;
  gint32        to;
  GStringChunk *strings;
  GArray       *practices;          /* Practice */
  GHashTable   *practice_index;     /* code → index + 1 */
  GArray       *list_sizes;         /* ListSize */
  GArray       *services;           /* Service */
  GHashTable   *service_index;      /* code → index + 1 */
  guint        *service_order;      /* by code, once prepared */
  GArray       *rules;              /* Rule */
  GArray       *claims;             /* Claim */
  GArray       *patient_lines;      /* PatientLine */
  GHashTable   *patients;           /* key → id (from 1) */
  gboolean      prepared;
  /* one-entry caches for loading millions of claims */
  const char   *last_practice_code;
  guint         last_practice;
  const char   *last_service_code;
  guint         last_service;
};

/* Claim errors (bits), in the order their findings are written. */
enum {
  E_NOT_SIGNED_UP         = 1 << 0,
  E_PRACTICE_CLOSED       = 1 << 1,
  E_OUTSIDE_SERVICE_DATES = 1 << 2,
  E_WRONG_PERIOD          = 1 << 3,
  E_LATE                  = 1 << 4,
  E_DUPLICATE             = 1 << 5,
  E_COUNT_MISMATCH        = 1 << 6,
  N_CLAIM_ERRORS          = 7,
};

extern const char *const les_engine_claim_error_codes[N_CLAIM_ERRORS];

/* Patient line states (bits). */
enum {
  L_BAD_NHS_NUMBER      = 1 << 0,
  L_DATE_OUTSIDE_PERIOD = 1 << 1,
  L_OVER_FREQUENCY      = 1 << 2,
};

/* A claim as one compute sees it (a copy: sorted runs read no other memory). */
typedef struct {
  Claim   c;
  guint32 rule_pos;
  guint32 practice_rank;
  gint32  period;
  gint32  submitted;
  guint32 errors;
  gint64  units;
  gint64  lost;                     /* lines over the per-patient limit */
  guint32 state_first;              /* its lines' states in Run.line_state */
} ClaimRun;

/* A payment line being made, with what each step did (for explain). */
typedef struct {
  guint32  practice;
  guint32  member;
  guint32  rule;
  guint32  rule_rank;
  guint32  practice_rank;
  gboolean ach;
  gint32   period;
  gboolean has_units;
  gint64   units;
  gint64   gross;
  gint64   payable;
  guint32  claim_first;             /* ClaimRun range of an item line */
  guint32  claim_n;
  gint64   units_before;            /* unit cap: units of earlier lines */
  gint64   allowed_units;
  gint64   after_unit;
  gint64   practice_before;         /* practice cap: running total before, -1 none */
  gint64   after_practice;
  gint64   service_before;          /* hold: running total before */
  gint64   prorata_floor;
  gint64   prorata_rem;
  gboolean prorata_penny;
} Line;

/* Memory a run needs, kept from one service to the next by a worker: large
 * buffers freshly allocated for every service cost a page fault per page. */
typedef struct {
  gpointer data;
  gsize    size;
} Buffer;

typedef struct {
  Buffer  claims;
  Buffer  sorted;
  Buffer  keys;
  Buffer  tmp;
  Buffer  order;
  Buffer  out_order;
  GArray *lines;                    /* Line */
} Scratch;

typedef struct {
  LesEngineInput *in;
  Service        *svc;
  Scratch        *scratch;
  gint32          first_period;
  gint32          to;
  gint32          march;
  guint          *member_of;        /* practice → member index, G_MAXUINT none */
  guint          *plain_rank;       /* by rule pos */
  guint          *ach_rank;
  ClaimRun       *claims;
  guint           n_claims;
  guint8         *line_state;
  guint           n_line_states;
  GArray         *lines;            /* Line, as made */
  guint          *order;            /* lines in cap order */
  GArray         *findings;         /* LesFinding, owned by the output */
  gint64          prorata_total;
  gint64          prorata_left;
  gboolean        prorata_applied;
  gint64          hold_total;
  gint64          net_payable;
  GError         *error;            /* the first figure out of range: the run stops there */
} Run;

/* Sorting: keys packed into integers and sorted by a stable LSD radix
 * sort, in a few linear passes; each element then moves once. */
typedef struct {
  guint64 key;
  guint32 index;
} SortKey;

/* Helpers, inline: the loops over millions of claims and lines call them,
 * and an out-of-line call into another file costs there (no LTO). */

static inline gpointer
buffer_get (Buffer *b, gsize size)
{
  if (size > b->size)
    {
      g_free (b->data);
      b->size = MAX (size, b->size + b->size / 2);
      b->data = g_malloc (b->size);
    }
  return b->data;
}

static inline gint32
period_first_day (gint32 ym)
{
  return ym * 100 + 1;
}

static inline gint32
period_last_day (gint32 ym)
{
  return les_period_last_day (ym);
}

static inline Practice *
practice_at (LesEngineInput *in, guint i)
{
  return &g_array_index (in->practices, Practice, i);
}

static inline Rule *
rule_at (LesEngineInput *in, guint i)
{
  return &g_array_index (in->rules, Rule, i);
}

static inline Claim *
claim_at (LesEngineInput *in, guint i)
{
  return &g_array_index (in->claims, Claim, i);
}

static inline const char *
base_word (LesBase base)
{
  switch (base)
    {
    case LES_BASE_WEIGHTED:
      return "weighted";
    case LES_BASE_COHORT:
      return "cohort";
    case LES_BASE_BEDS:
      return "beds";
    case LES_BASE_REGISTERED:
    default:
      return "registered";
    }
}

static inline int
months_per_rate (LesRatePer per)
{
  switch (per)
    {
    case LES_RATE_PER_MONTH:
      return 1;
    case LES_RATE_PER_QUARTER:
      return 3;
    case LES_RATE_PER_YEAR:
    default:
      return 12;
    }
}

/* Looking things up during a run */

static inline gboolean
member_signed_up (Run *run, const Member *m, gint32 month)
{
  gint32 first = period_first_day (month), last = period_last_day (month);

  if (m == NULL)
    return FALSE;
  for (guint i = 0; i < m->signup_n; i++)
    {
      const Signup *s = &g_array_index (run->svc->signups, Signup, m->signup_first + i);

      if (s->from_date <= last && (s->to_date == 0 || s->to_date >= first))
        return TRUE;
    }
  return FALSE;
}

static inline gboolean
service_open_in (const LesEngineService *svc, gint32 month)
{
  return (svc->start_date == 0 || svc->start_date <= period_last_day (month))
         && (svc->end_date == 0 || svc->end_date >= period_first_day (month));
}

static inline const ListSize *
list_size_at (LesEngineInput *in, guint practice, gint32 day)
{
  const Practice *p = practice_at (in, practice);
  const ListSize *found = NULL;

  for (guint i = 0; i < p->ls_n; i++)
    {
      const ListSize *ls = &g_array_index (in->list_sizes, ListSize, p->ls_first + i);

      if (ls->date > day)
        break;
      found = ls;
    }
  return found;
}

/* Exact or refuse: @num / @den rounded to the penny, when it lies within
 * the range of amounts (±LES_MONEY_MAX) */
static inline gboolean
amount_of (__int128 num, __int128 den, gint64 *out)
{
  gint64 q;

  if (!les_round_div_exact (num, den, &q) || q > LES_MONEY_MAX || q < -LES_MONEY_MAX)
    return FALSE;
  *out = q;
  return TRUE;
}

static inline gboolean
amount_ok (gint64 pence)
{
  return pence <= LES_MONEY_MAX && pence >= -LES_MONEY_MAX;
}

/* The i-th line in cap order */
static inline Line *
line_in_order (Run *run, guint i)
{
  return &g_array_index (run->lines, Line, run->order[i]);
}

static inline const char *
line_rule_code (Run *run, const Line *l)
{
  const Rule *r = rule_at (run->in, l->rule);

  return l->ach ? r->ach_code : r->pub.code;
}

/* les-engine-input.c */
void             les_engine_input_prepare          (LesEngineInput  *in);
Service         *les_engine_input_lookup_service   (LesEngineInput  *in,
                                                    const char      *code);

/* les-engine.c: a run of one service, its memory, findings and lines */
void             les_engine_finding_clear          (gpointer         data);
void             les_engine_scratch_init           (Scratch         *scratch);
void             les_engine_scratch_clear          (Scratch         *scratch);
void             les_engine_run_init               (Run             *run,
                                                    LesEngineInput  *in,
                                                    Service         *svc,
                                                    GArray          *findings,
                                                    Scratch         *scratch);
void             les_engine_run_compute            (Run             *run);
void             les_engine_run_clear              (Run             *run);
gboolean         les_engine_refuse                 (Run             *run,
                                                    guint            practice,
                                                    const char      *rule_code,
                                                    gint32           period,
                                                    const char      *format,
                                                    ...) G_GNUC_PRINTF (5, 6);
char            *les_engine_largest_amount         (void);
void             les_engine_add_finding            (Run             *run,
                                                    LesSeverity      severity,
                                                    const char      *code,
                                                    const char      *practice_code,
                                                    const char      *rule_code,
                                                    gint32           period,
                                                    const char      *claim_ref,
                                                    const char      *format,
                                                    ...) G_GNUC_PRINTF (8, 9);
void             les_engine_radix_sort             (SortKey         *keys,
                                                    SortKey         *tmp,
                                                    guint            n,
                                                    guint64          max_key);
Line            *les_engine_add_line               (Run             *run,
                                                    guint            practice,
                                                    const Rule      *rule,
                                                    gboolean         ach,
                                                    gint32           period,
                                                    gint64           gross);

/* les-engine-claims.c: steps 1–5 of docs/engine.md */
void             les_engine_validate_claims        (Run             *run);
void             les_engine_apply_patient_limits   (Run             *run);
void             les_engine_make_item_lines        (Run             *run);

/* les-engine-schedule.c: step 6 */
gboolean         les_engine_base_value             (Run             *run,
                                                    const Rule      *rule,
                                                    guint            practice,
                                                    const Member    *m,
                                                    gint32           day,
                                                    gint64          *num,
                                                    gint64          *den,
                                                    gint32          *date_used);
gboolean         les_engine_rule_needs_base        (const Rule      *rule);
guint            les_engine_scheduled_periods      (Run             *run,
                                                    gint32           periods[12],
                                                    int             *months);
gboolean         les_engine_threshold_award        (Run             *run,
                                                    const Rule      *r,
                                                    guint            practice,
                                                    const Member    *m,
                                                    __int128        *num,
                                                    gint64          *den,
                                                    gint64          *base_num,
                                                    gint32          *date_used);
gboolean         les_engine_threshold_upfront      (const Rule      *r,
                                                    __int128         num,
                                                    gint64           den,
                                                    gint64          *upfront);
void             les_engine_threshold_scale        (const Rule      *r,
                                                    gint64           achieved,
                                                    gint64          *num,
                                                    gint64          *den);
void             les_engine_make_scheduled_lines   (Run             *run);

/* les-engine-caps.c: steps 8 and 9 */
void             les_engine_apply_practice_caps    (Run             *run);
void             les_engine_apply_service_cap      (Run             *run);

/* les-engine-outliers.c: step 10 */
void             les_engine_find_outliers          (Run             *run);

G_END_DECLS
