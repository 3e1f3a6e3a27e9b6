/* les-engine.c: the claims engine — every rule of RULES.md, service by service, in exact integers. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "les-engine.h"
#include "les-error.h"
#include "les-value.h"

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

static const char *claim_error_codes[N_CLAIM_ERRORS] = {
  "NOT_SIGNED_UP", "PRACTICE_CLOSED", "OUTSIDE_SERVICE_DATES", "WRONG_PERIOD",
  "LATE", "DUPLICATE", "COUNT_MISMATCH",
};

static const char *claim_error_words[N_CLAIM_ERRORS] = {
  "not signed up", "practice closed", "outside service dates", "wrong period",
  "late", "duplicate", "count mismatch",
};

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

static gpointer
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

static void
scratch_init (Scratch *scratch)
{
  memset (scratch, 0, sizeof *scratch);
  scratch->lines = g_array_new (FALSE, FALSE, sizeof (Line));
}

static void
scratch_clear (Scratch *scratch)
{
  g_free (scratch->claims.data);
  g_free (scratch->sorted.data);
  g_free (scratch->keys.data);
  g_free (scratch->tmp.data);
  g_free (scratch->order.data);
  g_free (scratch->out_order.data);
  g_array_unref (scratch->lines);
}

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
} Run;

/* Helpers */

static gint32
period_first_day (gint32 ym)
{
  return ym * 100 + 1;
}

static gint32
period_last_day (gint32 ym)
{
  return les_period_last_day (ym);
}

static char *
money (gint64 pence)
{
  return les_money_format (pence);
}

static Practice *
practice_at (LesEngineInput *in, guint i)
{
  return &g_array_index (in->practices, Practice, i);
}

static Rule *
rule_at (LesEngineInput *in, guint i)
{
  return &g_array_index (in->rules, Rule, i);
}

static Claim *
claim_at (LesEngineInput *in, guint i)
{
  return &g_array_index (in->claims, Claim, i);
}

static const char *
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

static int
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

/* Input */

/**
 * les_engine_input_new:
 * @fy: the financial year (2024 for 2024/25)
 * @to_period: the last month to compute (YYYYMM), or 0 for the whole year
 */
LesEngineInput *
les_engine_input_new (int fy, gint32 to_period)
{
  LesEngineInput *in;

  g_return_val_if_fail (fy >= 1900 && fy < 3000, NULL);
  g_return_val_if_fail (to_period == 0 || les_period_fy (to_period) == fy, NULL);

  in = g_new0 (LesEngineInput, 1);
  in->fy = fy;
  in->to = to_period != 0 ? to_period : (fy + 1) * 100 + 3;
  in->strings = g_string_chunk_new (64 * 1024);
  in->practices = g_array_new (FALSE, FALSE, sizeof (Practice));
  in->practice_index = g_hash_table_new (g_str_hash, g_str_equal);
  in->list_sizes = g_array_new (FALSE, FALSE, sizeof (ListSize));
  in->services = g_array_new (FALSE, FALSE, sizeof (Service));
  in->service_index = g_hash_table_new (g_str_hash, g_str_equal);
  in->rules = g_array_new (FALSE, FALSE, sizeof (Rule));
  in->claims = g_array_new (FALSE, FALSE, sizeof (Claim));
  in->patient_lines = g_array_new (FALSE, FALSE, sizeof (PatientLine));
  in->patients = g_hash_table_new (g_str_hash, g_str_equal);
  return in;
}

void
les_engine_input_free (LesEngineInput *in)
{
  if (in == NULL)
    return;
  for (guint i = 0; i < in->services->len; i++)
    {
      Service *svc = &g_array_index (in->services, Service, i);

      g_array_unref (svc->rules);
      g_hash_table_unref (svc->rule_index);
      g_array_unref (svc->signups);
      g_array_unref (svc->members);
      g_hash_table_unref (svc->member_index);
      g_array_unref (svc->claims);
    }
  g_array_unref (in->practices);
  g_hash_table_unref (in->practice_index);
  g_array_unref (in->list_sizes);
  g_array_unref (in->services);
  g_hash_table_unref (in->service_index);
  g_free (in->service_order);
  g_array_unref (in->rules);
  g_array_unref (in->claims);
  g_array_unref (in->patient_lines);
  g_hash_table_unref (in->patients);
  g_string_chunk_free (in->strings);
  g_free (in);
}

int
les_engine_input_get_fy (LesEngineInput *in)
{
  g_return_val_if_fail (in != NULL, 0);

  return in->fy;
}

gint32
les_engine_input_get_to (LesEngineInput *in)
{
  g_return_val_if_fail (in != NULL, 0);

  return in->to;
}

/**
 * les_engine_input_intern:
 *
 * Returns: a copy of @text that lives as long as @in.
 */
const char *
les_engine_input_intern (LesEngineInput *in, const char *text)
{
  g_return_val_if_fail (in != NULL, NULL);

  if (text == NULL)
    return NULL;
  return g_string_chunk_insert_const (in->strings, text);
}

static guint
find_practice (LesEngineInput *in, const char *code, gboolean create)
{
  gpointer found;
  Practice p = { 0 };

  if (in->last_practice_code != NULL && strcmp (in->last_practice_code, code) == 0)
    return in->last_practice;
  found = g_hash_table_lookup (in->practice_index, code);
  if (found != NULL)
    {
      in->last_practice = GPOINTER_TO_UINT (found) - 1;
      in->last_practice_code = practice_at (in, in->last_practice)->code;
      return in->last_practice;
    }
  if (!create)
    return G_MAXUINT;
  p.code = les_engine_input_intern (in, code);
  g_array_append_val (in->practices, p);
  g_hash_table_insert (in->practice_index, (gpointer) p.code, GUINT_TO_POINTER (in->practices->len));
  in->prepared = FALSE;
  return in->practices->len - 1;
}

static Service *
find_service (LesEngineInput *in, const char *code)
{
  gpointer found;

  if (in->last_service_code != NULL && strcmp (in->last_service_code, code) == 0)
    return &g_array_index (in->services, Service, in->last_service);
  found = g_hash_table_lookup (in->service_index, code);
  if (found == NULL)
    return NULL;
  in->last_service = GPOINTER_TO_UINT (found) - 1;
  in->last_service_code = g_array_index (in->services, Service, in->last_service).pub.code;
  return &g_array_index (in->services, Service, in->last_service);
}

/* Without the loading cache: safe while another thread runs a service. */
static Service *
lookup_service (LesEngineInput *in, const char *code)
{
  gpointer found = g_hash_table_lookup (in->service_index, code);

  return found != NULL ? &g_array_index (in->services, Service, GPOINTER_TO_UINT (found) - 1) : NULL;
}

static Member *
find_member (Service *svc, guint practice, gboolean create)
{
  gpointer found = g_hash_table_lookup (svc->member_index, GUINT_TO_POINTER (practice + 1));
  Member m = { 0 };

  if (found != NULL)
    return &g_array_index (svc->members, Member, GPOINTER_TO_UINT (found) - 1);
  if (!create)
    return NULL;
  m.practice = practice;
  g_array_append_val (svc->members, m);
  g_hash_table_insert (svc->member_index, GUINT_TO_POINTER (practice + 1),
                       GUINT_TO_POINTER (svc->members->len));
  return &g_array_index (svc->members, Member, svc->members->len - 1);
}

void
les_engine_input_add_practice (LesEngineInput *in, const char *practice_code, gint32 close_date)
{
  guint i;

  g_return_if_fail (in != NULL);
  g_return_if_fail (practice_code != NULL);

  i = find_practice (in, practice_code, TRUE);
  practice_at (in, i)->close_date = close_date;
}

void
les_engine_input_add_list_size (LesEngineInput *in,
                                const char     *practice_code,
                                gint32          date,
                                gint64          registered,
                                gboolean        has_weighted,
                                gint64          weighted)
{
  ListSize ls = { 0 };

  g_return_if_fail (in != NULL);
  g_return_if_fail (practice_code != NULL);

  ls.practice = find_practice (in, practice_code, TRUE);
  ls.date = date;
  ls.registered = registered;
  ls.has_weighted = has_weighted;
  ls.weighted = has_weighted ? weighted : 0;
  g_array_append_val (in->list_sizes, ls);
  in->prepared = FALSE;
}

gboolean
les_engine_input_add_service (LesEngineInput *in, const LesEngineService *service)
{
  Service svc = { 0 };

  g_return_val_if_fail (in != NULL, FALSE);
  g_return_val_if_fail (service != NULL && service->code != NULL, FALSE);

  if (g_hash_table_contains (in->service_index, service->code))
    return FALSE;
  svc.pub = *service;
  svc.pub.code = les_engine_input_intern (in, service->code);
  svc.pub.name = les_engine_input_intern (in, service->name != NULL ? service->name : service->code);
  svc.rules = g_array_new (FALSE, FALSE, sizeof (guint));
  svc.rule_index = g_hash_table_new (g_str_hash, g_str_equal);
  svc.signups = g_array_new (FALSE, FALSE, sizeof (Signup));
  svc.members = g_array_new (FALSE, FALSE, sizeof (Member));
  svc.member_index = g_hash_table_new (NULL, NULL);
  svc.claims = g_array_new (FALSE, FALSE, sizeof (guint));
  g_array_append_val (in->services, svc);
  g_hash_table_insert (in->service_index, (gpointer) svc.pub.code, GUINT_TO_POINTER (in->services->len));
  in->last_service_code = NULL;
  in->prepared = FALSE;
  return TRUE;
}

gboolean
les_engine_input_add_rule (LesEngineInput *in, const LesEngineRule *rule)
{
  Service *svc;
  Rule r = { 0 };
  g_autofree char *ach = NULL;
  guint index;

  g_return_val_if_fail (in != NULL, FALSE);
  g_return_val_if_fail (rule != NULL && rule->code != NULL && rule->service_code != NULL, FALSE);

  svc = find_service (in, rule->service_code);
  if (svc == NULL || g_hash_table_contains (svc->rule_index, rule->code))
    return FALSE;
  r.pub = *rule;
  r.pub.service_code = svc->pub.code;
  r.pub.code = les_engine_input_intern (in, rule->code);
  r.service = svc - (Service *) in->services->data;
  ach = g_strconcat (rule->code, ":ACH", NULL);
  r.ach_code = les_engine_input_intern (in, ach);
  index = in->rules->len;
  g_array_append_val (in->rules, r);
  g_array_append_val (svc->rules, index);
  g_hash_table_insert (svc->rule_index, (gpointer) r.pub.code, GUINT_TO_POINTER (index + 1));
  in->prepared = FALSE;
  return TRUE;
}

gboolean
les_engine_input_add_signup (LesEngineInput *in,
                             const char     *practice_code,
                             const char     *service_code,
                             gint32          from_date,
                             gint32          to_date)
{
  Service *svc;
  Signup s = { 0 };

  g_return_val_if_fail (in != NULL, FALSE);
  g_return_val_if_fail (practice_code != NULL && service_code != NULL, FALSE);

  svc = find_service (in, service_code);
  if (svc == NULL)
    return FALSE;
  s.practice = find_practice (in, practice_code, TRUE);
  s.from_date = from_date;
  s.to_date = to_date;
  g_array_append_val (svc->signups, s);
  find_member (svc, s.practice, TRUE);
  in->prepared = FALSE;
  return TRUE;
}

/* The practice's membership of the service, made on first use; NULL for an unknown service */
static Member *
member_of (LesEngineInput *in, const char *practice_code, const char *service_code)
{
  Service *svc = find_service (in, service_code);

  if (svc == NULL)
    return NULL;
  in->prepared = FALSE;
  return find_member (svc, find_practice (in, practice_code, TRUE), TRUE);
}

gboolean
les_engine_input_add_cohort (LesEngineInput *in,
                             const char     *practice_code,
                             const char     *service_code,
                             gint64          size)
{
  Member *m;

  g_return_val_if_fail (in != NULL, FALSE);
  g_return_val_if_fail (practice_code != NULL && service_code != NULL, FALSE);

  m = member_of (in, practice_code, service_code);
  if (m == NULL)
    return FALSE;
  m->has_cohort = TRUE;
  m->cohort = size;
  return TRUE;
}

gboolean
les_engine_input_add_allocation (LesEngineInput *in,
                                 const char     *practice_code,
                                 const char     *service_code,
                                 gboolean        has_block,
                                 gint64          block_amount,
                                 gboolean        has_cap,
                                 gint64          cap_amount)
{
  Member *m;

  g_return_val_if_fail (in != NULL, FALSE);
  g_return_val_if_fail (practice_code != NULL && service_code != NULL, FALSE);

  m = member_of (in, practice_code, service_code);
  if (m == NULL)
    return FALSE;
  m->has_allocation = TRUE;
  m->has_block = has_block;
  m->block = has_block ? block_amount : 0;
  m->has_cap = has_cap;
  m->cap = has_cap ? cap_amount : 0;
  return TRUE;
}

gboolean
les_engine_input_add_achievement (LesEngineInput *in,
                                  const char     *practice_code,
                                  const char     *service_code,
                                  gint64          achieved_pct)
{
  Member *m;

  g_return_val_if_fail (in != NULL, FALSE);
  g_return_val_if_fail (practice_code != NULL && service_code != NULL, FALSE);

  m = member_of (in, practice_code, service_code);
  if (m == NULL)
    return FALSE;
  m->has_achievement = TRUE;
  m->achieved = achieved_pct;
  return TRUE;
}

guint
les_engine_input_add_claim (LesEngineInput *in,
                            const char     *claim_ref,
                            const char     *practice_code,
                            const char     *service_code,
                            const char     *item_code,
                            gint32          period,
                            gint64          count,
                            gint32          submitted_date)
{
  Service *svc;
  gpointer found;
  Claim c = { 0 };
  guint index;

  g_return_val_if_fail (in != NULL, LES_ENGINE_NO_CLAIM);
  g_return_val_if_fail (claim_ref != NULL && practice_code != NULL, LES_ENGINE_NO_CLAIM);
  g_return_val_if_fail (service_code != NULL && item_code != NULL, LES_ENGINE_NO_CLAIM);

  svc = find_service (in, service_code);
  if (svc == NULL)
    return LES_ENGINE_NO_CLAIM;
  found = g_hash_table_lookup (svc->rule_index, item_code);
  if (found == NULL)
    return LES_ENGINE_NO_CLAIM;
  c.ref = g_string_chunk_insert (in->strings, claim_ref);
  c.practice = find_practice (in, practice_code, TRUE);
  c.rule = GPOINTER_TO_UINT (found) - 1;
  c.period = period;
  c.submitted = submitted_date;
  c.count = count;
  index = in->claims->len;
  g_array_append_val (in->claims, c);
  g_array_append_val (svc->claims, index);
  in->prepared = FALSE;
  return index;
}

void
les_engine_input_add_patient_line (LesEngineInput *in,
                                   guint           claim,
                                   gint            line_no,
                                   const char     *patient_key,
                                   gint32          activity_date)
{
  PatientLine pl = { 0 };

  g_return_if_fail (in != NULL);
  g_return_if_fail (claim < in->claims->len);

  pl.claim = claim;
  pl.line_no = line_no;
  pl.activity = activity_date;
  if (patient_key != NULL)
    {
      gpointer id = g_hash_table_lookup (in->patients, patient_key);

      if (id == NULL)
        {
          const char *key = g_string_chunk_insert (in->strings, patient_key);

          id = GUINT_TO_POINTER (g_hash_table_size (in->patients) + 1);
          g_hash_table_insert (in->patients, (gpointer) key, id);
        }
      pl.patient = GPOINTER_TO_UINT (id);
    }
  g_array_append_val (in->patient_lines, pl);
  in->prepared = FALSE;
}

/* Preparing: sorting everything once so that a run only looks things up. */

static int
cmp_practice_code (gconstpointer a, gconstpointer b, gpointer data)
{
  LesEngineInput *in = data;

  return strcmp (practice_at (in, *(const guint *) a)->code, practice_at (in, *(const guint *) b)->code);
}

static int
cmp_list_size (gconstpointer a, gconstpointer b)
{
  const ListSize *x = a, *y = b;

  if (x->practice != y->practice)
    return x->practice < y->practice ? -1 : 1;
  return (x->date > y->date) - (x->date < y->date);
}

static int
cmp_rule_code (gconstpointer a, gconstpointer b, gpointer data)
{
  LesEngineInput *in = data;

  return strcmp (rule_at (in, *(const guint *) a)->pub.code, rule_at (in, *(const guint *) b)->pub.code);
}

static int
cmp_service_code (gconstpointer a, gconstpointer b, gpointer data)
{
  LesEngineInput *in = data;

  return strcmp (g_array_index (in->services, Service, *(const guint *) a).pub.code,
                 g_array_index (in->services, Service, *(const guint *) b).pub.code);
}

static int
cmp_signup (gconstpointer a, gconstpointer b, gpointer data)
{
  LesEngineInput *in = data;
  const Signup *x = a, *y = b;
  guint rx = practice_at (in, x->practice)->rank, ry = practice_at (in, y->practice)->rank;

  if (rx != ry)
    return rx < ry ? -1 : 1;
  return (x->from_date > y->from_date) - (x->from_date < y->from_date);
}

static int
cmp_member (gconstpointer a, gconstpointer b, gpointer data)
{
  LesEngineInput *in = data;
  guint rx = practice_at (in, ((const Member *) a)->practice)->rank;
  guint ry = practice_at (in, ((const Member *) b)->practice)->rank;

  return (rx > ry) - (rx < ry);
}

static int
cmp_patient_line (gconstpointer a, gconstpointer b)
{
  const PatientLine *x = a, *y = b;

  if (x->claim != y->claim)
    return x->claim < y->claim ? -1 : 1;
  return (x->line_no > y->line_no) - (x->line_no < y->line_no);
}

static void
prepare (LesEngineInput *in)
{
  g_autofree guint *order = NULL;
  gboolean sorted = TRUE;

  if (in->prepared)
    return;

  /* practices in code order */
  order = g_new (guint, MAX (in->practices->len, 1));
  for (guint i = 0; i < in->practices->len; i++)
    order[i] = i;
  g_qsort_with_data (order, in->practices->len, sizeof (guint), cmp_practice_code, in);
  for (guint i = 0; i < in->practices->len; i++)
    {
      Practice *p = practice_at (in, order[i]);

      p->rank = i;
      p->ls_first = 0;
      p->ls_n = 0;
    }

  /* list sizes by practice and date */
  g_array_sort (in->list_sizes, cmp_list_size);
  for (guint i = 0; i < in->list_sizes->len; i++)
    {
      ListSize *ls = &g_array_index (in->list_sizes, ListSize, i);
      Practice *p = practice_at (in, ls->practice);

      if (p->ls_n == 0)
        p->ls_first = i;
      p->ls_n++;
    }

  /* services, their rules, sign-ups and members */
  g_free (in->service_order);
  in->service_order = g_new (guint, MAX (in->services->len, 1));
  for (guint i = 0; i < in->services->len; i++)
    in->service_order[i] = i;
  g_qsort_with_data (in->service_order, in->services->len, sizeof (guint), cmp_service_code, in);

  for (guint s = 0; s < in->services->len; s++)
    {
      Service *svc = &g_array_index (in->services, Service, s);

      g_qsort_with_data (svc->rules->data, svc->rules->len, sizeof (guint), cmp_rule_code, in);
      for (guint i = 0; i < svc->rules->len; i++)
        rule_at (in, g_array_index (svc->rules, guint, i))->pos = i;

      g_qsort_with_data (svc->signups->data, svc->signups->len, sizeof (Signup), cmp_signup, in);
      g_qsort_with_data (svc->members->data, svc->members->len, sizeof (Member), cmp_member, in);
      g_hash_table_remove_all (svc->member_index);
      for (guint i = 0; i < svc->members->len; i++)
        {
          Member *m = &g_array_index (svc->members, Member, i);

          m->signup_first = 0;
          m->signup_n = 0;
          g_hash_table_insert (svc->member_index, GUINT_TO_POINTER (m->practice + 1),
                               GUINT_TO_POINTER (i + 1));
        }
      for (guint i = 0; i < svc->signups->len; i++)
        {
          Signup *su = &g_array_index (svc->signups, Signup, i);
          Member *m = find_member (svc, su->practice, TRUE);

          if (m->signup_n == 0)
            m->signup_first = i;
          m->signup_n++;
        }
    }

  /* patient lines by claim and line number */
  for (guint i = 1; i < in->patient_lines->len && sorted; i++)
    sorted = cmp_patient_line (&g_array_index (in->patient_lines, PatientLine, i - 1),
                               &g_array_index (in->patient_lines, PatientLine, i)) <= 0;
  if (!sorted)
    g_array_sort (in->patient_lines, cmp_patient_line);
  for (guint i = 0; i < in->claims->len; i++)
    claim_at (in, i)->line_n = 0;
  for (guint i = 0; i < in->patient_lines->len; i++)
    {
      PatientLine *pl = &g_array_index (in->patient_lines, PatientLine, i);
      Claim *c = claim_at (in, pl->claim);

      if (c->line_n == 0)
        c->line_first = i;
      c->line_n++;
    }

  in->prepared = TRUE;
}

guint
les_engine_input_get_n_services (LesEngineInput *in)
{
  g_return_val_if_fail (in != NULL, 0);

  prepare (in);
  return in->services->len;
}

const LesEngineService *
les_engine_input_get_service (LesEngineInput *in, guint index)
{
  g_return_val_if_fail (in != NULL, NULL);
  g_return_val_if_fail (index < in->services->len, NULL);

  prepare (in);
  return &g_array_index (in->services, Service, in->service_order[index]).pub;
}

/* Output */

static void
finding_clear (gpointer data)
{
  LesFinding *f = data;

  g_clear_pointer (&f->message, g_free);
}

LesEngineOutput *
les_engine_output_new (void)
{
  LesEngineOutput *out = g_new0 (LesEngineOutput, 1);

  out->lines = g_array_new (FALSE, FALSE, sizeof (LesPaymentLine));
  out->findings = g_array_new (FALSE, FALSE, sizeof (LesFinding));
  g_array_set_clear_func (out->findings, finding_clear);
  return out;
}

void
les_engine_output_clear (LesEngineOutput *out)
{
  g_return_if_fail (out != NULL);

  g_array_set_size (out->lines, 0);
  g_array_set_size (out->findings, 0);
}

void
les_engine_output_free (LesEngineOutput *out)
{
  if (out == NULL)
    return;
  g_array_unref (out->lines);
  g_array_unref (out->findings);
  g_free (out);
}

/* Looking things up during a run */

static gboolean
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

static gboolean
member_signed_up_in_year (Run *run, const Member *m)
{
  gint32 first = run->in->fy * 10000 + 401, last = (run->in->fy + 1) * 10000 + 331;

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

static gboolean
service_open_in (const LesEngineService *svc, gint32 month)
{
  return (svc->start_date == 0 || svc->start_date <= period_last_day (month))
         && (svc->end_date == 0 || svc->end_date >= period_first_day (month));
}

static const ListSize *
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

/* The base of a capitation or threshold rule on @day, as num / den patients
 * (or beds).  Returns FALSE when there is none. */
static gboolean
base_value (Run           *run,
            const Rule    *rule,
            guint          practice,
            const Member  *m,
            gint32         day,
            gint64        *num,
            gint64        *den,
            gint32        *date_used)
{
  const ListSize *ls;

  *date_used = 0;
  switch (rule->pub.base)
    {
    case LES_BASE_COHORT:
    case LES_BASE_BEDS:
      if (m == NULL || !m->has_cohort)
        return FALSE;
      *num = m->cohort;
      *den = 1;
      return TRUE;
    case LES_BASE_WEIGHTED:
      ls = list_size_at (run->in, practice, day);
      if (ls == NULL || !ls->has_weighted)
        return FALSE;
      *num = ls->weighted;
      *den = 100;
      *date_used = ls->date;
      return TRUE;
    case LES_BASE_REGISTERED:
    default:
      ls = list_size_at (run->in, practice, day);
      if (ls == NULL)
        return FALSE;
      *num = ls->registered;
      *den = 1;
      *date_used = ls->date;
      return TRUE;
    }
}

static gboolean
rule_needs_base (const Rule *rule)
{
  if (rule->pub.kind == LES_RULE_KIND_THRESHOLD)
    return rule->pub.has_rate && rule->pub.rate != 0;
  return rule->pub.kind == LES_RULE_KIND_CAPITATION;
}

static const char *
missing_base_code (const Rule *rule)
{
  return rule->pub.base == LES_BASE_COHORT || rule->pub.base == LES_BASE_BEDS ? "NO_COHORT" : "NO_LIST_SIZE";
}

G_GNUC_PRINTF (8, 9)
static void
add_finding (Run          *run,
             LesSeverity   severity,
             const char   *code,
             const char   *practice_code,
             const char   *rule_code,
             gint32        period,
             const char   *claim_ref,
             const char   *format,
             ...)
{
  LesFinding f = { 0 };
  va_list args;

  f.severity = severity;
  f.code = code;
  f.practice_code = practice_code;
  f.service_code = run->svc->pub.code;
  f.rule_code = rule_code;
  f.period = period;
  f.claim_ref = claim_ref;
  va_start (args, format);
  f.message = g_strdup_vprintf (format, args);
  va_end (args);
  g_array_append_val (run->findings, f);
}

static void
add_missing_base (Run *run, const Rule *rule, guint practice, const char *rule_code, gint32 period, gint32 day)
{
  char date[11];

  les_date_format (day, date);
  add_finding (run, LES_SEVERITY_ERROR, missing_base_code (rule), practice_at (run->in, practice)->code,
               rule_code, period, NULL, "%s: no %s figure for %s", rule_code, base_word (rule->pub.base), date);
}

/* Item claims: validation, patient lines, per-patient frequency */

/* Sorting: keys packed into integers and sorted by a stable LSD radix
 * sort, in a few linear passes; each element then moves once. */
typedef struct {
  guint64 key;
  guint32 index;
} SortKey;

#define RADIX_BITS 11

static void
radix_sort (SortKey *keys, SortKey *tmp, guint n, guint64 max_key)
{
  SortKey *src = keys, *dst = tmp;
  guint counts[1 << RADIX_BITS];

  if (n < 2)
    return;
  for (guint shift = 0; shift < 64 && (max_key >> shift) != 0; shift += RADIX_BITS)
    {
      SortKey *swap;
      guint sum = 0;

      memset (counts, 0, sizeof counts);
      for (guint i = 0; i < n; i++)
        counts[(src[i].key >> shift) & ((1 << RADIX_BITS) - 1)]++;
      for (guint d = 0; d < (1 << RADIX_BITS); d++)
        {
          guint c = counts[d];

          counts[d] = sum;
          sum += c;
        }
      for (guint i = 0; i < n; i++)
        dst[counts[(src[i].key >> shift) & ((1 << RADIX_BITS) - 1)]++] = src[i];
      swap = src;
      src = dst;
      dst = swap;
    }
  if (src != keys)
    memcpy (keys, src, sizeof (SortKey) * n);
}

/* Claims of one (rule, practice, period) by submitted date, then claim_ref. */
static gboolean
claim_before (const ClaimRun *x, const ClaimRun *y)
{
  if (x->submitted != y->submitted)
    return x->submitted < y->submitted;
  return strcmp (x->c.ref, y->c.ref) < 0;
}

/* Claims in the order (rule, practice, period, submitted date, claim_ref). */
static void
sort_claims (Run *run)
{
  guint64 n_practices = MAX (run->in->practices->len, 1);
  guint64 max_key = (guint64) MAX (run->svc->rules->len, 1) * n_practices * 12;
  SortKey *keys = buffer_get (&run->scratch->keys, sizeof (SortKey) * MAX (run->n_claims, 1));
  SortKey *tmp = buffer_get (&run->scratch->tmp, sizeof (SortKey) * MAX (run->n_claims, 1));
  ClaimRun *sorted;
  Buffer swap;

  for (guint i = 0; i < run->n_claims; i++)
    {
      const ClaimRun *cr = &run->claims[i];

      keys[i].key = ((guint64) cr->rule_pos * n_practices + cr->practice_rank) * 12
                    + (guint64) (les_period_month_number (cr->period) - 1);
      keys[i].index = i;
    }
  radix_sort (keys, tmp, run->n_claims, max_key);
  sorted = buffer_get (&run->scratch->sorted, sizeof (ClaimRun) * MAX (run->n_claims, 1));
  for (guint i = 0; i < run->n_claims; i++)
    sorted[i] = run->claims[keys[i].index];

  /* claims with the same key (duplicates): insertion sort, the runs are short */
  for (guint i = 1; i < run->n_claims; i++)
    if (keys[i].key == keys[i - 1].key)
      {
        ClaimRun moving = sorted[i];
        guint j = i;

        while (j > 0 && keys[j - 1].key == keys[i].key && claim_before (&moving, &sorted[j - 1]))
          {
            sorted[j] = sorted[j - 1];
            j--;
          }
        sorted[j] = moving;
      }
  swap = run->scratch->claims;
  run->scratch->claims = run->scratch->sorted;
  run->scratch->sorted = swap;
  run->claims = sorted;
}

static gboolean
same_group (const ClaimRun *x, const ClaimRun *y)
{
  return x->rule_pos == y->rule_pos && x->practice_rank == y->practice_rank && x->period == y->period;
}

/* The days a patient line's activity may fall in, for a claim naming @period. */
static void
claim_cover (Run *run, gint32 period, gint32 *first, gint32 *last)
{
  switch (run->svc->pub.claim_frequency)
    {
    case LES_CLAIM_FREQUENCY_QUARTERLY:
      *first = period_first_day (les_period_add_months (period, -2));
      *last = period_last_day (period);
      break;
    case LES_CLAIM_FREQUENCY_ANNUAL:
      *first = run->in->fy * 10000 + 401;
      *last = (run->in->fy + 1) * 10000 + 331;
      break;
    case LES_CLAIM_FREQUENCY_MONTHLY:
    default:
      *first = period_first_day (period);
      *last = period_last_day (period);
      break;
    }
}

static char *
cover_text (Run *run, gint32 period)
{
  char a[8], b[8];

  switch (run->svc->pub.claim_frequency)
    {
    case LES_CLAIM_FREQUENCY_QUARTERLY:
      les_period_format (les_period_add_months (period, -2), a);
      les_period_format (period, b);
      return g_strdup_printf ("%s to %s", a, b);
    case LES_CLAIM_FREQUENCY_ANNUAL:
      return les_year_format (run->in->fy);
    case LES_CLAIM_FREQUENCY_MONTHLY:
    default:
      les_period_format (period, a);
      return g_strdup (a);
    }
}

static gboolean
frequency_allows (const LesEngineService *svc, gint32 period)
{
  switch (svc->claim_frequency)
    {
    case LES_CLAIM_FREQUENCY_QUARTERLY:
      return les_period_is_quarter_end (period);
    case LES_CLAIM_FREQUENCY_ANNUAL:
      return period % 100 == 3;
    case LES_CLAIM_FREQUENCY_MONTHLY:
    default:
      return TRUE;
    }
}

static void
validate_claims (Run *run)
{
  LesEngineInput *in = run->in;
  const LesEngineService *svc = &run->svc->pub;
  gint32 deadline[13] = { 0 };
  guint n = 0, n_states = 0;

  /* the claims this compute looks at: item rules, periods of the year up to --to */
  run->claims = buffer_get (&run->scratch->claims, sizeof (ClaimRun) * MAX (run->svc->claims->len, 1));
  memset (run->claims, 0, sizeof (ClaimRun) * run->svc->claims->len);
  for (guint i = 0; i < run->svc->claims->len; i++)
    {
      guint ci = g_array_index (run->svc->claims, guint, i);
      const Claim *c = claim_at (in, ci);
      const Rule *r = rule_at (in, c->rule);
      ClaimRun *cr;

      if (r->pub.kind != LES_RULE_KIND_ITEM || c->period < run->first_period || c->period > run->to)
        continue;
      cr = &run->claims[n++];
      cr->c = *c;
      cr->rule_pos = r->pos;
      cr->practice_rank = practice_at (in, c->practice)->rank;
      cr->period = c->period;
      cr->submitted = c->submitted;
      cr->state_first = n_states;
      n_states += c->line_n;
    }
  run->n_claims = n;
  run->line_state = g_new0 (guint8, MAX (n_states, 1));
  run->n_line_states = n_states;
  sort_claims (run);

  /* the state offsets follow the sorted order */
  n_states = 0;
  for (guint i = 0; i < n; i++)
    {
      run->claims[i].state_first = n_states;
      n_states += run->claims[i].c.line_n;
    }

  if (svc->has_deadline)
    for (int m = 1; m <= 12; m++)
      deadline[m] = les_date_add_days (period_last_day (les_fy_period (in->fy, m)), svc->deadline_days);

  for (guint i = 0; i < n; i++)
    {
      ClaimRun *cr = &run->claims[i];
      const Claim *c = &cr->c;
      const Practice *p = practice_at (in, c->practice);
      const Rule *r = rule_at (in, c->rule);
      guint mi = run->member_of[c->practice];
      const Member *m = mi != G_MAXUINT ? &g_array_index (run->svc->members, Member, mi) : NULL;
      gint32 cover_first, cover_last;
      gint64 good = 0;

      if (!member_signed_up (run, m, c->period))
        cr->errors |= E_NOT_SIGNED_UP;
      if (p->close_date != 0 && p->close_date < period_first_day (c->period))
        cr->errors |= E_PRACTICE_CLOSED;
      if (!service_open_in (svc, c->period))
        cr->errors |= E_OUTSIDE_SERVICE_DATES;
      if (!frequency_allows (svc, c->period))
        cr->errors |= E_WRONG_PERIOD;
      if (svc->has_deadline && c->submitted > deadline[les_period_month_number (c->period)])
        cr->errors |= E_LATE;
      if (i > 0 && same_group (&run->claims[i - 1], cr))
        cr->errors |= E_DUPLICATE;
      if (c->line_n > 0 && c->count != (gint64) c->line_n)
        cr->errors |= E_COUNT_MISMATCH;

      for (int e = 0; e < N_CLAIM_ERRORS; e++)
        if (cr->errors & (1u << e))
          add_finding (run, LES_SEVERITY_ERROR, claim_error_codes[e], p->code, r->pub.code, c->period,
                       c->ref, "claim %s: %s", c->ref, claim_error_words[e]);

      claim_cover (run, c->period, &cover_first, &cover_last);
      for (guint k = 0; k < c->line_n; k++)
        {
          const PatientLine *pl = &g_array_index (in->patient_lines, PatientLine, c->line_first + k);
          guint8 *state = &run->line_state[cr->state_first + k];

          if (pl->patient == 0)
            {
              *state |= L_BAD_NHS_NUMBER;
              add_finding (run, LES_SEVERITY_ERROR, "BAD_NHS_NUMBER", p->code, r->pub.code, c->period, c->ref,
                           "patient line %u of claim %s: NHS number fails the check", k + 1, c->ref);
            }
          if (pl->activity < cover_first || pl->activity > cover_last)
            {
              char date[11];
              g_autofree char *cover = cover_text (run, c->period);

              *state |= L_DATE_OUTSIDE_PERIOD;
              les_date_format (pl->activity, date);
              add_finding (run, LES_SEVERITY_ERROR, "DATE_OUTSIDE_PERIOD", p->code, r->pub.code, c->period,
                           c->ref, "patient line %u of claim %s: activity date %s not in %s",
                           k + 1, c->ref, date, cover);
            }
          if (*state == 0)
            good++;
        }
      cr->units = c->line_n > 0 ? good : c->count;
    }
}

typedef struct {
  guint32 patient;
  gint32  activity;
  gint32  line_no;
  guint32 claim_run;
  guint32 k;
  const char *ref;
} Use;

static int
cmp_use (gconstpointer a, gconstpointer b)
{
  const Use *x = a, *y = b;
  int c;

  if (x->patient != y->patient)
    return x->patient < y->patient ? -1 : 1;
  if (x->activity != y->activity)
    return x->activity < y->activity ? -1 : 1;
  c = strcmp (x->ref, y->ref);
  if (c != 0)
    return c;
  return (x->line_no > y->line_no) - (x->line_no < y->line_no);
}

/* RULES.md 5.1: a patient's first k good lines (of error-free claims) in the FY count. */
static void
apply_patient_limits (Run *run)
{
  LesEngineInput *in = run->in;
  guint start = 0;

  while (start < run->n_claims)
    {
      guint end = start;
      const Rule *r = rule_at (in, run->claims[start].c.rule);
      g_autoptr(GArray) uses = NULL;

      while (end < run->n_claims && run->claims[end].rule_pos == run->claims[start].rule_pos)
        end++;
      if (!r->pub.has_max_per_patient)
        {
          start = end;
          continue;
        }

      uses = g_array_new (FALSE, FALSE, sizeof (Use));
      for (guint i = start; i < end; i++)
        {
          const ClaimRun *cr = &run->claims[i];
          const Claim *c = &cr->c;

          if (cr->errors != 0)
            continue;
          for (guint k = 0; k < c->line_n; k++)
            {
              const PatientLine *pl = &g_array_index (in->patient_lines, PatientLine, c->line_first + k);
              Use u;

              if (run->line_state[cr->state_first + k] != 0)
                continue;
              u.patient = pl->patient;
              u.activity = pl->activity;
              u.line_no = pl->line_no;
              u.claim_run = i;
              u.k = k;
              u.ref = c->ref;
              g_array_append_val (uses, u);
            }
        }
      g_array_sort (uses, cmp_use);

      for (guint i = 0; i < uses->len; )
        {
          guint j = i;
          gint64 seen = 0;

          while (j < uses->len && g_array_index (uses, Use, j).patient == g_array_index (uses, Use, i).patient)
            {
              const Use *u = &g_array_index (uses, Use, j);

              if (++seen > r->pub.max_per_patient)
                {
                  ClaimRun *cr = &run->claims[u->claim_run];

                  run->line_state[cr->state_first + u->k] |= L_OVER_FREQUENCY;
                  cr->units--;
                  cr->lost++;
                }
              j++;
            }
          i = j;
        }

      for (guint i = start; i < end; i++)
        {
          const ClaimRun *cr = &run->claims[i];
          const Claim *c = &cr->c;

          if (cr->lost > 0)
            add_finding (run, LES_SEVERITY_WARNING, "FREQUENCY_LIMIT", practice_at (in, c->practice)->code,
                         r->pub.code, c->period, c->ref,
                         "claim %s: %" G_GINT64_FORMAT " patient line(s) over the limit of %" G_GINT64_FORMAT
                         " per patient", c->ref, cr->lost, r->pub.max_per_patient);
        }
      start = end;
    }
}

static Line *
add_line (Run *run, guint practice, const Rule *rule, gboolean ach, gint32 period, gint64 gross)
{
  Line l = { 0 };

  l.practice = practice;
  l.member = run->member_of[practice];
  l.rule = rule - (const Rule *) run->in->rules->data;
  l.rule_rank = ach ? run->ach_rank[rule->pos] : run->plain_rank[rule->pos];
  l.practice_rank = practice_at (run->in, practice)->rank;
  l.ach = ach;
  l.period = period;
  l.gross = gross;
  l.payable = gross;
  l.after_unit = gross;
  l.practice_before = -1;
  l.service_before = -1;
  g_array_append_val (run->lines, l);
  return &g_array_index (run->lines, Line, run->lines->len - 1);
}

/* Item lines: units per (practice, rule, period), then the unit cap. */
static void
make_item_lines (Run *run)
{
  LesEngineInput *in = run->in;
  gint64 cumulative = 0;
  guint32 last_rule = G_MAXUINT32, last_practice = G_MAXUINT32;

  for (guint i = 0; i < run->n_claims; )
    {
      guint j = i;
      gint64 units = 0;
      const Claim *c = &run->claims[i].c;
      const Rule *r = rule_at (in, c->rule);
      gint64 rate = r->pub.has_rate ? r->pub.rate : 0;
      gint64 gross;
      Line *l;

      while (j < run->n_claims && same_group (&run->claims[i], &run->claims[j]))
        {
          if (run->claims[j].errors == 0)
            units += run->claims[j].units;
          j++;
        }

      if (run->claims[i].rule_pos != last_rule || run->claims[i].practice_rank != last_practice)
        {
          cumulative = 0;
          last_rule = run->claims[i].rule_pos;
          last_practice = run->claims[i].practice_rank;
        }

      gross = les_round_div ((__int128) units * rate, LES_RATE_SCALE);
      if (units > 0 && gross != 0)
        {
          l = add_line (run, c->practice, r, FALSE, c->period, gross);
          l->has_units = TRUE;
          l->units = units;
          l->claim_first = i;
          l->claim_n = j - i;
          l->units_before = cumulative;
          l->allowed_units = units;
          if (r->pub.has_max_units)
            {
              gint64 room = MAX (r->pub.max_units - cumulative, 0);

              l->allowed_units = MIN (units, room);
              if (l->allowed_units < units)
                {
                  l->after_unit = les_round_div ((__int128) l->allowed_units * rate, LES_RATE_SCALE);
                  l->payable = l->after_unit;
                }
            }
          cumulative += units;
          if (l->payable < l->gross)
            add_finding (run, LES_SEVERITY_WARNING, "OVER_UNIT_CAP", practice_at (in, c->practice)->code,
                         r->pub.code, c->period, NULL,
                         "%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " units past the cap of %" G_GINT64_FORMAT
                         " a year", units - l->allowed_units, units, r->pub.max_units);
        }
      i = j;
    }
}

/* The scheduled periods of the year up to --to: (period, months in it). */
static guint
scheduled_periods (Run *run, gint32 periods[12], int *months)
{
  guint n = 0;
  int step = run->svc->pub.schedule == LES_SCHEDULE_QUARTERLY ? 3 : 1;

  *months = step;
  for (int m = step; m <= 12; m += step)
    {
      gint32 p = les_fy_period (run->in->fy, m);

      if (p <= run->to)
        periods[n++] = p;
    }
  return n;
}

/* An instalment of an annual amount @total: floor(A / n), March the remainder. */
static gint64
instalment (Run *run, gint64 total, int months, gint32 period)
{
  int n = 12 / months;
  gint64 each = les_floor_div (total, n);

  return period == run->march ? total - (n - 1) * each : each;
}

/* award = fixed + rate × base, as num / den hundredths of a penny */
static gboolean
threshold_award (Run *run, const Rule *r, guint practice, const Member *m,
                 __int128 *num, gint64 *den, gint64 *base_num, gint32 *date_used)
{
  gint64 bn = 0, bd = 1;

  *date_used = 0;
  if (rule_needs_base (r)
      && !base_value (run, r, practice, m, run->in->fy * 10000 + 401, &bn, &bd, date_used))
    return FALSE;
  *num = (__int128) r->pub.fixed_amount * bd + (__int128) (r->pub.has_rate ? r->pub.rate : 0) * bn;
  *den = bd;
  *base_num = bn;
  return TRUE;
}

static gint64
threshold_upfront (const Rule *r, __int128 num, gint64 den)
{
  return les_round_div (num * r->pub.upfront_pct, (__int128) den * LES_RATE_SCALE * 100 * LES_PCT_SCALE);
}

/* s = num / den */
static void
threshold_scale (const Rule *r, gint64 achieved, gint64 *num, gint64 *den)
{
  if (achieved < r->pub.lower_pct)
    {
      *num = 0;
      *den = 1;
    }
  else if (achieved >= r->pub.upper_pct)
    {
      *num = 1;
      *den = 1;
    }
  else
    {
      *num = achieved - r->pub.lower_pct;
      *den = r->pub.upper_pct - r->pub.lower_pct;
    }
}

static void
make_scheduled_lines (Run *run)
{
  LesEngineInput *in = run->in;
  const LesEngineService *svc = &run->svc->pub;
  gint32 periods[12];
  int months;
  guint n_periods = scheduled_periods (run, periods, &months);
  gint32 fy_start = in->fy * 10000 + 401;

  for (guint ri = 0; ri < run->svc->rules->len; ri++)
    {
      const Rule *r = rule_at (in, g_array_index (run->svc->rules, guint, ri));

      if (r->pub.kind == LES_RULE_KIND_ITEM)
        continue;

      for (guint mi = 0; mi < run->svc->members->len; mi++)
        {
          const Member *m = &g_array_index (run->svc->members, Member, mi);
          const char *pcode = practice_at (in, m->practice)->code;
          gint64 upfront_gross = 0;
          gboolean have_award = FALSE, award_tried = FALSE;
          __int128 award_num = 0;
          gint64 award_den = 1, base_num = 0, upfront = 0;
          gint32 date_used = 0;

          for (guint pi = 0; pi < n_periods; pi++)
            {
              gint32 period = periods[pi];
              gint64 gross;

              if (!service_open_in (svc, period) || !member_signed_up (run, m, period))
                continue;

              switch (r->pub.kind)
                {
                case LES_RULE_KIND_CAPITATION:
                  {
                    gint32 day = period_first_day (les_period_add_months (period, 1 - months));
                    gint64 bn, bd;
                    gint32 used;

                    if (!base_value (run, r, m->practice, m, day, &bn, &bd, &used))
                      {
                        add_missing_base (run, r, m->practice, r->pub.code, period, day);
                        continue;
                      }
                    gross = les_round_div ((__int128) (r->pub.has_rate ? r->pub.rate : 0) * bn * months,
                                           (__int128) LES_RATE_SCALE * bd * months_per_rate (r->pub.rate_per));
                  }
                  break;

                case LES_RULE_KIND_BLOCK:
                  if (!m->has_block)
                    {
                      add_finding (run, LES_SEVERITY_ERROR, "NO_ALLOCATION", pcode, r->pub.code, period, NULL,
                                   "%s: signed up with no block amount", r->pub.code);
                      continue;
                    }
                  gross = instalment (run, m->block, months, period);
                  break;

                case LES_RULE_KIND_THRESHOLD:
                  if (r->pub.upfront_pct == 0)
                    continue;
                  if (!award_tried)
                    {
                      award_tried = TRUE;
                      have_award = threshold_award (run, r, m->practice, m, &award_num, &award_den,
                                                    &base_num, &date_used);
                      if (have_award)
                        upfront = threshold_upfront (r, award_num, award_den);
                    }
                  if (!have_award)
                    {
                      add_missing_base (run, r, m->practice, r->pub.code, period, fy_start);
                      continue;
                    }
                  gross = instalment (run, upfront, months, period);
                  upfront_gross += gross;
                  break;

                case LES_RULE_KIND_ITEM:
                default:
                  g_assert_not_reached ();
                }

              if (gross != 0)
                add_line (run, m->practice, r, FALSE, period, gross);
            }

          /* the achievement line, in March */
          if (r->pub.kind == LES_RULE_KIND_THRESHOLD && run->to == run->march && member_signed_up_in_year (run, m))
            {
              gint64 s_num, s_den, gross;

              if (!m->has_achievement)
                {
                  add_finding (run, LES_SEVERITY_WARNING, "NO_ACHIEVEMENT", pcode, r->pub.code, 0, NULL,
                               "%s: no achievement recorded", r->pub.code);
                  continue;
                }
              if (!award_tried)
                have_award = threshold_award (run, r, m->practice, m, &award_num, &award_den,
                                              &base_num, &date_used);
              if (!have_award)
                {
                  add_missing_base (run, r, m->practice, r->ach_code, run->march, fy_start);
                  continue;
                }
              threshold_scale (r, m->achieved, &s_num, &s_den);
              if (r->pub.settlement == LES_SETTLEMENT_RECOVER)
                gross = les_round_div (award_num * s_num, (__int128) award_den * LES_RATE_SCALE * s_den)
                        - upfront_gross;
              else
                gross = les_round_div (award_num * (100 * LES_PCT_SCALE - r->pub.upfront_pct) * s_num,
                                       (__int128) award_den * LES_RATE_SCALE * 100 * LES_PCT_SCALE * s_den);
              if (gross != 0)
                add_line (run, m->practice, r, TRUE, run->march, gross);
            }
        }
    }
}

/* The order of the lines for the caps, (period, practice, rule), or for
 * the output, (practice, rule, period), as indices: the lines stay put.
 * The array belongs to the run's scratch. */
static guint *
order_lines (Run *run, gboolean output_order)
{
  guint n = run->lines->len;
  guint64 n_practices = MAX (run->in->practices->len, 1);
  guint64 n_ranks = MAX (2 * run->svc->rules->len, 1);
  SortKey *keys = buffer_get (&run->scratch->keys, sizeof (SortKey) * MAX (n, 1));
  SortKey *tmp = buffer_get (&run->scratch->tmp, sizeof (SortKey) * MAX (n, 1));
  guint *order = buffer_get (output_order ? &run->scratch->out_order : &run->scratch->order,
                             sizeof (guint) * MAX (n, 1));

  for (guint i = 0; i < n; i++)
    {
      const Line *l = &g_array_index (run->lines, Line, i);
      guint64 month = (guint64) les_period_month_number (l->period) - 1;

      keys[i].key = output_order
                    ? ((guint64) l->practice_rank * n_ranks + l->rule_rank) * 12 + month
                    : (month * n_practices + l->practice_rank) * n_ranks + l->rule_rank;
      keys[i].index = i;
    }
  radix_sort (keys, tmp, n, n_practices * n_ranks * 12);
  for (guint i = 0; i < n; i++)
    order[i] = keys[i].index;
  return order;
}

/* The i-th line in cap order */
static Line *
line_in_order (Run *run, guint i)
{
  return &g_array_index (run->lines, Line, run->order[i]);
}

static const char *
line_rule_code (Run *run, const Line *l)
{
  const Rule *r = rule_at (run->in, l->rule);

  return l->ach ? r->ach_code : r->pub.code;
}

/* RULES.md 5.3: the practice cap, across every rule of the service, in line order. */
static void
apply_practice_caps (Run *run)
{
  g_autofree gint64 *running = g_new0 (gint64, MAX (run->svc->members->len, 1));

  for (guint i = 0; i < run->lines->len; i++)
    {
      Line *l = line_in_order (run, i);
      const Member *m;

      l->after_practice = l->payable;
      if (l->gross < 0 || l->member == G_MAXUINT)
        continue;
      m = &g_array_index (run->svc->members, Member, l->member);
      if (!m->has_cap)
        continue;
      l->practice_before = running[l->member];
      if (l->payable > m->cap - running[l->member])
        {
          gint64 paid = MAX (m->cap - running[l->member], 0);
          g_autofree char *held = money (l->payable - paid);
          g_autofree char *cap = money (m->cap);

          add_finding (run, LES_SEVERITY_WARNING, "OVER_PRACTICE_CAP", practice_at (run->in, l->practice)->code,
                       line_rule_code (run, l), l->period, NULL,
                       "%s held over the practice cap of %s", held, cap);
          l->payable = paid;
        }
      running[l->member] += l->payable;
      l->after_practice = l->payable;
    }
}

typedef struct {
  guint  line;
  gint64 rem;
} Share;

static int
cmp_share (gconstpointer a, gconstpointer b)
{
  const Share *x = a, *y = b;

  if (x->rem != y->rem)
    return x->rem > y->rem ? -1 : 1;
  return (x->line > y->line) - (x->line < y->line);
}

/* RULES.md 5.4: the service budget. */
static void
apply_service_cap (Run *run)
{
  const LesEngineService *svc = &run->svc->pub;
  g_autofree char *budget = svc->has_budget ? money (svc->budget) : NULL;

  run->net_payable = 0;
  if (!svc->has_budget)
    goto net;

  if (svc->cap_mode == LES_CAP_MODE_HOLD)
    {
      gint64 running = 0;

      for (guint i = 0; i < run->lines->len; i++)
        {
          Line *l = line_in_order (run, i);
          gint64 paid;

          if (l->gross < 0)
            continue;
          l->service_before = running;
          paid = MIN (l->payable, MAX (svc->budget - running, 0));
          if (paid < l->payable)
            {
              g_autofree char *held = money (l->payable - paid);

              add_finding (run, LES_SEVERITY_WARNING, "OVER_SERVICE_CAP", practice_at (run->in, l->practice)->code,
                           line_rule_code (run, l), l->period, NULL,
                           "%s held: service budget %s reached", held, budget);
              l->payable = paid;
            }
          running += l->payable;
        }
      run->hold_total = running;
    }
  else if (svc->cap_mode == LES_CAP_MODE_PRORATA)
    {
      gint64 total = 0, sum = 0;
      g_autoptr(GArray) shares = g_array_new (FALSE, FALSE, sizeof (Share));

      for (guint i = 0; i < run->lines->len; i++)
        {
          const Line *l = &g_array_index (run->lines, Line, i);

          if (l->gross >= 0)
            total += l->payable;
        }
      run->prorata_total = total;
      if (total > svc->budget)
        {
          g_autofree char *total_text = money (total);

          run->prorata_applied = TRUE;
          for (guint i = 0; i < run->lines->len; i++)
            {
              Line *l = line_in_order (run, i);
              __int128 scaled;
              Share share;

              if (l->gross < 0)
                continue;
              scaled = (__int128) l->payable * svc->budget;
              l->prorata_floor = (gint64) (scaled / total);
              l->prorata_rem = (gint64) (scaled % total);
              sum += l->prorata_floor;
              share.line = i;
              share.rem = l->prorata_rem;
              g_array_append_val (shares, share);
            }
          g_array_sort (shares, cmp_share);
          run->prorata_left = svc->budget - sum;
          for (gint64 k = 0; k < run->prorata_left && k < (gint64) shares->len; k++)
            line_in_order (run, g_array_index (shares, Share, k).line)->prorata_penny = TRUE;

          for (guint i = 0; i < run->lines->len; i++)
            {
              Line *l = line_in_order (run, i);
              gint64 paid;

              if (l->gross < 0)
                continue;
              paid = l->prorata_floor + (l->prorata_penny ? 1 : 0);
              if (paid < l->payable)
                {
                  g_autofree char *held = money (l->payable - paid);

                  add_finding (run, LES_SEVERITY_WARNING, "OVER_SERVICE_CAP",
                               practice_at (run->in, l->practice)->code, line_rule_code (run, l), l->period, NULL,
                               "%s held: pro rata to the budget %s (total %s)", held, budget, total_text);
                }
              l->payable = paid;
            }
        }
    }

net:
  for (guint i = 0; i < run->lines->len; i++)
    run->net_payable += g_array_index (run->lines, Line, i).payable;

  if (svc->has_budget && svc->cap_mode == LES_CAP_MODE_NONE && run->net_payable > svc->budget)
    {
      g_autofree char *payable = money (run->net_payable);
      LesFinding f = { 0 };

      f.severity = LES_SEVERITY_WARNING;
      f.code = "OVER_BUDGET";
      f.service_code = svc->code;
      f.message = g_strdup_printf ("payable %s exceeds the budget %s", payable, budget);
      g_array_append_val (run->findings, f);
    }
}

/* a / b against c / d, all positive */
static int
cmp_ratio (gint64 a, gint64 b, gint64 c, gint64 d)
{
  __int128 x = (__int128) a * d, y = (__int128) c * b;

  return (x > y) - (x < y);
}

typedef struct {
  gint64 units;
  gint64 registered;
  guint  practice;
} Figure;

static int
cmp_figure (gconstpointer a, gconstpointer b)
{
  const Figure *x = a, *y = b;

  return cmp_ratio (x->units, x->registered, y->units, y->registered);
}

/* RULES.md 6: OUTLIER, per item rule, on year-to-date line units per registered patient. */
static void
find_outliers (Run *run)
{
  LesEngineInput *in = run->in;
  gint32 day = period_first_day (run->to);
  guint n_members = run->svc->members->len;
  g_autofree gint64 *units = g_new0 (gint64, MAX (n_members, 1));

  for (guint ri = 0; ri < run->svc->rules->len; ri++)
    {
      guint rule = g_array_index (run->svc->rules, guint, ri);
      const Rule *r = rule_at (in, rule);
      g_autoptr(GArray) figures = NULL;
      guint n;
      const Figure *lo, *hi;

      if (r->pub.kind != LES_RULE_KIND_ITEM)
        continue;
      memset (units, 0, sizeof (gint64) * MAX (n_members, 1));
      for (guint i = 0; i < run->lines->len; i++)
        {
          const Line *l = &g_array_index (run->lines, Line, i);

          if (l->rule == rule && l->member != G_MAXUINT)
            units[l->member] += l->units;
        }

      figures = g_array_new (FALSE, FALSE, sizeof (Figure));
      for (guint mi = 0; mi < n_members; mi++)
        {
          guint practice = g_array_index (run->svc->members, Member, mi).practice;
          const ListSize *ls;
          Figure f;

          if (units[mi] <= 0)
            continue;
          ls = list_size_at (in, practice, day);
          if (ls == NULL || ls->registered <= 0)
            continue;
          f.units = units[mi];
          f.registered = ls->registered;
          f.practice = practice;
          g_array_append_val (figures, f);
        }
      n = figures->len;
      if (n < 5)
        continue;

      /* keep practice order for the findings: sort a copy */
      {
        g_autoptr(GArray) sorted = g_array_copy (figures);

        g_array_sort (sorted, cmp_figure);
        lo = &g_array_index (sorted, Figure, (n - 1) / 2);
        hi = &g_array_index (sorted, Figure, n / 2);

        for (guint i = 0; i < n; i++)
          {
            const Figure *f = &g_array_index (figures, Figure, i);
            /* u / r > 3 × (a / b + c / d) / 2  ⟺  2·u·b·d > 3·r·(a·d + c·b) */
            __int128 left = (__int128) 2 * f->units * lo->registered * hi->registered;
            __int128 right = (__int128) 3 * f->registered
                             * ((__int128) lo->units * hi->registered + (__int128) hi->units * lo->registered);

            if (left > right)
              {
                g_autofree char *figure = les_decimal_format (les_round_div ((__int128) f->units * 10000,
                                                                             f->registered), 4, 4);
                g_autofree char *median = les_decimal_format (
                  les_round_div (((__int128) lo->units * hi->registered + (__int128) hi->units * lo->registered)
                                 * 10000, (__int128) 2 * lo->registered * hi->registered), 4, 4);

                add_finding (run, LES_SEVERITY_WARNING, "OUTLIER", practice_at (in, f->practice)->code,
                             r->pub.code, 0, NULL, "%s: %s units per registered patient, median %s",
                             r->pub.code, figure, median);
              }
          }
      }
    }
}

typedef struct {
  const char *code;
  guint       pos;
  gboolean    ach;
} RankEntry;

static int
cmp_rank_entry (gconstpointer a, gconstpointer b)
{
  return strcmp (((const RankEntry *) a)->code, ((const RankEntry *) b)->code);
}

static void
run_init (Run *run, LesEngineInput *in, Service *svc, GArray *findings, Scratch *scratch)
{
  guint n_rules = svc->rules->len;
  g_autofree RankEntry *entries = g_new (RankEntry, MAX (2 * n_rules, 1));

  memset (run, 0, sizeof *run);
  run->in = in;
  run->svc = svc;
  run->first_period = in->fy * 100 + 4;
  run->to = in->to;
  run->march = (in->fy + 1) * 100 + 3;
  run->findings = findings;
  run->scratch = scratch;
  run->lines = scratch->lines;
  g_array_set_size (run->lines, 0);

  run->member_of = g_new (guint, MAX (in->practices->len, 1));
  for (guint i = 0; i < in->practices->len; i++)
    run->member_of[i] = G_MAXUINT;
  for (guint i = 0; i < svc->members->len; i++)
    run->member_of[g_array_index (svc->members, Member, i).practice] = i;

  /* rule codes and achievement codes in byte order: "R" < "R1" < "R:ACH" */
  for (guint i = 0; i < n_rules; i++)
    {
      const Rule *r = rule_at (in, g_array_index (svc->rules, guint, i));

      entries[2 * i] = (RankEntry) { r->pub.code, i, FALSE };
      entries[2 * i + 1] = (RankEntry) { r->ach_code, i, TRUE };
    }
  qsort (entries, 2 * n_rules, sizeof (RankEntry), cmp_rank_entry);
  run->plain_rank = g_new0 (guint, MAX (n_rules, 1));
  run->ach_rank = g_new0 (guint, MAX (n_rules, 1));
  for (guint i = 0; i < 2 * n_rules; i++)
    {
      if (entries[i].ach)
        run->ach_rank[entries[i].pos] = i;
      else
        run->plain_rank[entries[i].pos] = i;
    }
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->member_of, g_free);
  g_clear_pointer (&run->plain_rank, g_free);
  g_clear_pointer (&run->ach_rank, g_free);
  run->claims = NULL;
  g_clear_pointer (&run->line_state, g_free);
  run->lines = NULL;
  run->order = NULL;
}

/* Everything of RULES.md for one service, in its order. */
static void
run_compute (Run *run)
{
  validate_claims (run);
  apply_patient_limits (run);
  make_item_lines (run);
  make_scheduled_lines (run);
  run->order = order_lines (run, FALSE);
  apply_practice_caps (run);
  apply_service_cap (run);
  find_outliers (run);
}

static void
run_emit_lines (Run *run, GArray *out_lines)
{
  guint base = out_lines->len;
  const guint *order = order_lines (run, TRUE);

  g_array_set_size (out_lines, base + run->lines->len);
  for (guint i = 0; i < run->lines->len; i++)
    {
      const Line *l = &g_array_index (run->lines, Line, order[i]);
      LesPaymentLine *pl = &g_array_index (out_lines, LesPaymentLine, base + i);

      pl->practice_code = practice_at (run->in, l->practice)->code;
      pl->service_code = run->svc->pub.code;
      pl->rule_code = line_rule_code (run, l);
      pl->period = l->period;
      pl->has_units = l->has_units;
      pl->units = l->units;
      pl->gross = l->gross;
      pl->payable = l->payable;
      pl->held = l->gross - l->payable;
    }
}

static void
run_service_with (LesEngineInput *in, Service *svc, LesEngineOutput *output, Scratch *scratch)
{
  Run run;

  run_init (&run, in, svc, output->findings, scratch);
  run_compute (&run);
  run_emit_lines (&run, output->lines);
  run_clear (&run);
}

/**
 * les_engine_run_service:
 * @service_code: the service to compute
 *
 * Computes one service of the year and appends its payment lines (by
 * practice, rule, period) and findings to @output.
 *
 * Returns: FALSE when there is no such service.
 */
gboolean
les_engine_run_service (LesEngineInput *in, const char *service_code, LesEngineOutput *output)
{
  Service *svc;
  Scratch scratch;

  g_return_val_if_fail (in != NULL, FALSE);
  g_return_val_if_fail (service_code != NULL, FALSE);
  g_return_val_if_fail (output != NULL, FALSE);

  prepare (in);
  svc = lookup_service (in, service_code);
  if (svc == NULL)
    return FALSE;
  scratch_init (&scratch);
  run_service_with (in, svc, output, &scratch);
  scratch_clear (&scratch);
  return TRUE;
}

/**
 * les_engine_run:
 *
 * Computes every service of the year, in service code order, into @output.
 */
void
les_engine_run (LesEngineInput *in, LesEngineOutput *output)
{
  Scratch scratch;

  g_return_if_fail (in != NULL);
  g_return_if_fail (output != NULL);

  prepare (in);
  scratch_init (&scratch);
  for (guint i = 0; i < in->services->len; i++)
    run_service_with (in, &g_array_index (in->services, Service, in->service_order[i]), output, &scratch);
  scratch_clear (&scratch);
}

typedef struct {
  LesEngineInput   *in;
  LesEngineOutput **outputs;
  GCancellable     *cancellable;
  gint              next;           /* the next service to take */
} Workers;

static gpointer
worker_run (gpointer data)
{
  Workers *w = data;
  Scratch scratch;
  guint i;

  scratch_init (&scratch);
  while ((i = (guint) g_atomic_int_add (&w->next, 1)) < w->in->services->len
         && !g_cancellable_is_cancelled (w->cancellable))
    run_service_with (w->in, &g_array_index (w->in->services, Service, w->in->service_order[i]), w->outputs[i],
                      &scratch);
  scratch_clear (&scratch);
  return NULL;
}

/**
 * les_engine_run_services:
 * @outputs: (array): one output per service, in service code order
 * @n_threads: how many threads to compute on (this one included), at least 1
 * @cancellable: (nullable): stops taking further services
 *
 * Computes every service, spreading the services over @n_threads threads:
 * the input is only read once complete, and each service has its own output.
 *
 * Returns: FALSE when cancelled (the outputs are then incomplete).
 */
gboolean
les_engine_run_services (LesEngineInput    *in,
                         LesEngineOutput  **outputs,
                         guint              n_threads,
                         GCancellable      *cancellable)
{
  Workers w = { in, outputs, cancellable, 0 };
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();

  g_return_val_if_fail (in != NULL, FALSE);
  g_return_val_if_fail (outputs != NULL || in->services->len == 0, FALSE);

  prepare (in);
  n_threads = CLAMP (n_threads, 1, MAX (in->services->len, 1));
  for (guint t = 1; t < n_threads; t++)
    g_ptr_array_add (threads, g_thread_new ("les-engine", worker_run, &w));
  worker_run (&w);
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (threads->pdata[t]);
  return !g_cancellable_is_cancelled (cancellable);
}

/* Explain */

/* Money for people: "£1,234.50", "−£0.50". */
static char *
gbp (gint64 pence)
{
  return les_money_format_display (pence);
}

static char *
gbp_rate (gint64 hundredths_of_penny)
{
  g_autofree char *plain = les_rate_format (hundredths_of_penny < 0 ? -hundredths_of_penny : hundredths_of_penny);

  return g_strdup_printf ("%s£%s", hundredths_of_penny < 0 ? "−" : "", plain);
}

/* An exact value num / den pence as pounds: all the decimals when it ends
 * within six, else six and "…". */
static char *
exact_pounds (__int128 num, __int128 den)
{
  GString *s = g_string_new (NULL);
  __int128 ip, rem;
  gboolean negative;
  char digits[48];
  int nd = 0;
  guint64 ipart;

  if (den < 0)
    {
      num = -num;
      den = -den;
    }
  negative = num < 0;
  if (negative)
    num = -num;
  den *= 100;                       /* pence → pounds */
  ip = num / den;
  rem = num % den;
  ipart = (guint64) ip;
  g_string_append_printf (s, "%s£%" G_GUINT64_FORMAT, negative ? "−" : "", ipart);
  while ((rem != 0 || nd < 2) && nd < 6)
    {
      rem *= 10;
      digits[nd++] = '0' + (char) (rem / den);
      rem %= den;
    }
  digits[nd] = '\0';
  g_string_append_printf (s, ".%s%s", digits, rem != 0 ? "…" : "");
  return g_string_free (s, FALSE);
}

G_GNUC_PRINTF (2, 3)
static void
say (GPtrArray *text, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (text, g_strdup_vprintf (format, args));
  va_end (args);
}

static char *
base_text (const Rule *r, gint64 num, gint64 den, gint32 date_used)
{
  char date[11];
  g_autofree char *value = les_decimal_format (den == 100 ? num : num * 100, 2, 0);

  if (r->pub.base == LES_BASE_COHORT || r->pub.base == LES_BASE_BEDS)
    return g_strdup_printf ("%s %s (the practice's %s figure for the service and year)",
                            value, base_word (r->pub.base), base_word (r->pub.base));
  les_date_format (date_used, date);
  return g_strdup_printf ("%s list %s (the list-size row of %s)", base_word (r->pub.base), value, date);
}

static void
explain_item (Run *run, const Line *l, GPtrArray *text)
{
  LesEngineInput *in = run->in;
  const Rule *r = rule_at (in, l->rule);
  g_autofree char *rate = gbp_rate (r->pub.has_rate ? r->pub.rate : 0);
  g_autofree char *gross = gbp (l->gross);
  g_autofree char *exact = exact_pounds ((__int128) l->units * r->pub.rate, LES_RATE_SCALE);

  say (text, "Rule %s (item): %s per unit.", r->pub.code, rate);
  say (text, "Claims for this practice, rule and period:");
  for (guint i = l->claim_first; i < l->claim_first + l->claim_n; i++)
    {
      const ClaimRun *cr = &run->claims[i];
      const Claim *c = &cr->c;
      char date[11];

      les_date_format (c->submitted, date);
      if (cr->errors != 0)
        {
          g_autoptr(GString) why = g_string_new (NULL);

          for (int e = 0; e < N_CLAIM_ERRORS; e++)
            if (cr->errors & (1u << e))
              g_string_append_printf (why, "%s%s", why->len > 0 ? ", " : "", claim_error_codes[e]);
          say (text, "  claim %s (count %" G_GINT64_FORMAT ", submitted %s): not paid — %s",
               c->ref, c->count, date, why->str);
        }
      else if (c->line_n == 0)
        say (text, "  claim %s (count %" G_GINT64_FORMAT ", submitted %s): %" G_GINT64_FORMAT " units counted",
             c->ref, c->count, date, cr->units);
      else
        say (text, "  claim %s (count %" G_GINT64_FORMAT ", submitted %s, %u patient lines): %" G_GINT64_FORMAT
             " units counted, one per good patient line", c->ref, c->count, date, c->line_n, cr->units);

      for (guint k = 0; k < c->line_n; k++)
        {
          guint8 state = run->line_state[cr->state_first + k];
          const PatientLine *pl = &g_array_index (in->patient_lines, PatientLine, c->line_first + k);
          char activity[11];
          const char *why;

          les_date_format (pl->activity, activity);
          if (state & L_BAD_NHS_NUMBER && state & L_DATE_OUTSIDE_PERIOD)
            why = "not counted — NHS number fails the check, and the date is outside the claim's period";
          else if (state & L_BAD_NHS_NUMBER)
            why = "not counted — NHS number fails the check";
          else if (state & L_DATE_OUTSIDE_PERIOD)
            why = "not counted — activity date outside the claim's period";
          else if (state & L_OVER_FREQUENCY)
            why = "not counted — the patient's earlier lines already reached the limit per patient";
          else if (cr->errors != 0)
            why = "not counted — the claim has errors";
          else
            why = "counted";
          say (text, "    patient line %u (activity %s): %s", k + 1, activity, why);
        }
    }
  say (text, "Units: %" G_GINT64_FORMAT ".", l->units);
  say (text, "Gross: %" G_GINT64_FORMAT " × %s = %s, rounded once to %s.", l->units, rate, exact, gross);
  if (r->pub.has_max_units)
    {
      g_autofree char *after = gbp (l->after_unit);
      g_autofree char *held = gbp (l->gross - l->after_unit);

      say (text, "Unit cap: %" G_GINT64_FORMAT " a year; %" G_GINT64_FORMAT " units on earlier lines, so %"
           G_GINT64_FORMAT " of %" G_GINT64_FORMAT " are within the cap: payable %s, %s held.",
           r->pub.max_units, l->units_before, l->allowed_units, l->units, after, held);
    }
}

static void
explain_scheduled (Run *run, const Line *l, GPtrArray *text)
{
  LesEngineInput *in = run->in;
  const Rule *r = rule_at (in, l->rule);
  const Member *m = &g_array_index (run->svc->members, Member, l->member);
  gint32 periods[12];
  int months;
  g_autofree char *gross = gbp (l->gross);

  scheduled_periods (run, periods, &months);
  switch (r->pub.kind)
    {
    case LES_RULE_KIND_CAPITATION:
      {
        gint32 day = period_first_day (les_period_add_months (l->period, 1 - months));
        gint64 bn = 0, bd = 1;
        gint32 used = 0;
        g_autofree char *rate = gbp_rate (r->pub.rate);
        g_autofree char *base = NULL;
        g_autofree char *exact = NULL;
        g_autofree char *value = NULL;
        char date[11];
        int per = months_per_rate (r->pub.rate_per);

        base_value (run, r, l->practice, m, day, &bn, &bd, &used);
        base = base_text (r, bn, bd, used);
        value = les_decimal_format (bd == 100 ? bn : bn * 100, 2, 0);
        exact = exact_pounds ((__int128) r->pub.rate * bn * months, (__int128) LES_RATE_SCALE * bd * per);
        les_date_format (day, date);
        say (text, "Rule %s (capitation): %s per %s per %s, base %s.", r->pub.code, rate,
             r->pub.base == LES_BASE_BEDS ? "bed" : "head",
             r->pub.rate_per == LES_RATE_PER_MONTH ? "month" : r->pub.rate_per == LES_RATE_PER_QUARTER ? "quarter" : "year",
             base_word (r->pub.base));
        say (text, "Base on %s (first day of the period): %s.", date, base);
        say (text, "Gross: %s × %s × %d / %d = %s, rounded once to %s.", rate, value, months, per, exact, gross);
      }
      break;

    case LES_RULE_KIND_BLOCK:
      {
        int n = 12 / months;
        g_autofree char *total = gbp (m->block);
        g_autofree char *each = gbp (les_floor_div (m->block, n));

        say (text, "Rule %s (block): the practice's block amount is %s, paid in %d instalments.",
             r->pub.code, total, n);
        if (l->period == run->march)
          say (text, "March instalment: %s − %d × %s = %s (the remainder).", total, n - 1, each, gross);
        else
          say (text, "Instalment: floor(%s / %d) = %s.", total, n, gross);
      }
      break;

    case LES_RULE_KIND_THRESHOLD:
      {
        __int128 num = 0;
        gint64 den = 1, bn = 0, upfront;
        gint32 used = 0;
        int n = 12 / months;
        g_autofree char *fixed = gbp_rate (r->pub.fixed_amount);
        g_autofree char *rate = gbp_rate (r->pub.has_rate ? r->pub.rate : 0);
        g_autofree char *award = NULL;
        g_autofree char *up = NULL;
        g_autofree char *pct = les_percent_format (r->pub.upfront_pct);

        threshold_award (run, r, l->practice, m, &num, &den, &bn, &used);
        award = exact_pounds (num, (__int128) den * LES_RATE_SCALE);
        if (rule_needs_base (r))
          {
            g_autofree char *base = base_text (r, bn, den, used);

            say (text, "Rule %s (threshold): award = %s + %s × %s = %s (base on 1 April).",
                 r->pub.code, fixed, rate, base, award);
          }
        else
          say (text, "Rule %s (threshold): award = %s.", r->pub.code, award);
        upfront = threshold_upfront (r, num, den);
        up = gbp (upfront);

        if (!l->ach)
          {
            g_autofree char *each = gbp (les_floor_div (upfront, n));

            say (text, "Upfront: round(%s × %s%%) = %s, paid in %d instalments.", award, pct, up, n);
            if (l->period == run->march)
              say (text, "March instalment: %s − %d × %s = %s (the remainder).", up, n - 1, each, gross);
            else
              say (text, "Instalment: floor(%s / %d) = %s.", up, n, gross);
          }
        else
          {
            gint64 s_num, s_den;
            g_autofree char *achieved = les_percent_format (m->achieved);
            g_autofree char *lower = les_percent_format (r->pub.lower_pct);
            g_autofree char *upper = les_percent_format (r->pub.upper_pct);
            g_autofree char *scale = NULL;

            threshold_scale (r, m->achieved, &s_num, &s_den);
            if (s_den == 1)
              scale = g_strdup_printf ("%" G_GINT64_FORMAT, s_num);
            else
              scale = g_strdup_printf ("(%s − %s) / (%s − %s)", achieved, lower, upper, lower);
            say (text, "Achievement %s%% against %s%% – %s%%: s = %s.", achieved, lower, upper, scale);
            if (r->pub.settlement == LES_SETTLEMENT_RECOVER)
              {
                gint64 earned = les_round_div (num * s_num, (__int128) den * LES_RATE_SCALE * s_den);
                g_autofree char *earned_text = gbp (earned);
                g_autofree char *paid = gbp (earned - l->gross);

                say (text, "Settlement recover: round(%s × s) = %s, less the upfront gross paid this year %s "
                     "= %s.", award, earned_text, paid, gross);
                if (l->gross < 0)
                  say (text, "This is a recovery line: no cap applies to it and it takes no part in any cap's "
                       "running total.");
              }
            else
              say (text, "Settlement remainder: round(%s × (1 − %s%%) × s) = %s.", award, pct, gross);
          }
      }
      break;

    case LES_RULE_KIND_ITEM:
    default:
      break;
    }
}

static void
explain_caps (Run *run, const Line *l, GPtrArray *text)
{
  const LesEngineService *svc = &run->svc->pub;
  const Member *m = l->member != G_MAXUINT ? &g_array_index (run->svc->members, Member, l->member) : NULL;

  if (l->gross < 0)
    return;

  if (m != NULL && m->has_cap)
    {
      g_autofree char *cap = gbp (m->cap);
      g_autofree char *before = gbp (l->practice_before);
      g_autofree char *held = gbp (l->after_unit - l->after_practice);
      g_autofree char *after = gbp (l->practice_before + l->after_practice);

      say (text, "Practice cap %s across every rule of the service: %s paid on earlier lines of the year; "
           "%s held here; running total after this line %s.", cap, before, held, after);
    }
  else
    say (text, "Practice cap: none.");

  if (!svc->has_budget)
    {
      say (text, "Service budget: none.");
      return;
    }
  {
    g_autofree char *budget = gbp (svc->budget);

    switch (svc->cap_mode)
      {
      case LES_CAP_MODE_HOLD:
        {
          g_autofree char *before = gbp (l->service_before);
          g_autofree char *held = gbp (l->after_practice - l->payable);

          say (text, "Service budget %s (hold): %s paid on earlier lines of the service; %s held here.",
               budget, before, held);
        }
        break;
      case LES_CAP_MODE_PRORATA:
        {
          g_autofree char *total = gbp (run->prorata_total);

          if (!run->prorata_applied)
            say (text, "Service budget %s (pro rata): the service's total %s is within it; nothing held.",
                 budget, total);
          else
            {
              g_autofree char *held = gbp (l->after_practice - l->payable);

              say (text, "Service budget %s (pro rata): the total T = %s exceeds it, so each line becomes "
                   "floor(p × B / T): floor(%" G_GINT64_FORMAT " × %" G_GINT64_FORMAT " / %" G_GINT64_FORMAT
                   ") = %" G_GINT64_FORMAT "p, remainder %" G_GINT64_FORMAT ".", budget, total,
                   l->after_practice, svc->budget, run->prorata_total, l->prorata_floor, l->prorata_rem);
              say (text, "%" G_GINT64_FORMAT " penn%s left over went to the largest remainders (ties in line "
                   "order); this line %s; %s held.", run->prorata_left, run->prorata_left == 1 ? "y" : "ies",
                   l->prorata_penny ? "got one" : "got none", held);
            }
        }
        break;
      case LES_CAP_MODE_NONE:
      default:
        {
          g_autofree char *net = gbp (run->net_payable);

          say (text, "Service budget %s (none): nothing held; the service's payable is %s%s.", budget, net,
               run->net_payable > svc->budget ? ", over the budget (OVER_BUDGET)" : "");
        }
        break;
      }
  }
}

/**
 * les_engine_explain:
 *
 * Recomputes @service_code and tells, for people, how the payment line
 * (@practice_code, @rule_code, @period) was made: the claims and patient
 * lines, the base and rate, the formula, and each cap.
 *
 * Returns: (transfer full) (element-type utf8): lines of text, or NULL with
 * @error set when there is no such line.
 */
GPtrArray *
les_engine_explain (LesEngineInput *in,
                    const char     *practice_code,
                    const char     *service_code,
                    const char     *rule_code,
                    gint32          period,
                    GError        **error)
{
  g_autoptr(GPtrArray) text = NULL;
  g_autoptr(GArray) findings = NULL;
  Service *svc;
  const Line *line = NULL;
  Run run;
  Scratch scratch;
  char p_text[8];

  g_return_val_if_fail (in != NULL, NULL);
  g_return_val_if_fail (practice_code != NULL && service_code != NULL && rule_code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  les_period_format (period, p_text);
  prepare (in);
  svc = lookup_service (in, service_code);
  if (svc == NULL)
    {
      g_autofree char *year = les_year_format (in->fy);

      g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND, "There is no service %s in %s", service_code, year);
      return NULL;
    }

  findings = g_array_new (FALSE, FALSE, sizeof (LesFinding));
  g_array_set_clear_func (findings, finding_clear);
  scratch_init (&scratch);
  run_init (&run, in, svc, findings, &scratch);
  run_compute (&run);

  for (guint i = 0; i < run.lines->len && line == NULL; i++)
    {
      const Line *l = &g_array_index (run.lines, Line, i);

      if (l->period == period && strcmp (practice_at (in, l->practice)->code, practice_code) == 0
          && strcmp (line_rule_code (&run, l), rule_code) == 0)
        line = l;
    }
  if (line == NULL)
    {
      g_set_error (error, LES_ERROR, LES_ERROR_NOT_FOUND,
                   "There is no payment line for %s / %s / %s / %s: nothing is paid for it up to the last "
                   "compute (see its findings)", practice_code, service_code, rule_code, p_text);
      run_clear (&run);
      scratch_clear (&scratch);
      return NULL;
    }

  text = g_ptr_array_new_with_free_func (g_free);
  {
    g_autofree char *year = les_year_format (in->fy);
    char to_text[8];

    les_period_format (run.to, to_text);
    say (text, "Payment line %s / %s / %s / %s (%s, computed up to %s).", practice_code, service_code, rule_code,
         p_text, year, to_text);
  }
  if (rule_at (in, line->rule)->pub.kind == LES_RULE_KIND_ITEM)
    explain_item (&run, line, text);
  else
    explain_scheduled (&run, line, text);
  explain_caps (&run, line, text);
  {
    g_autofree char *gross = gbp (line->gross);
    g_autofree char *payable = gbp (line->payable);
    g_autofree char *held = gbp (line->gross - line->payable);

    say (text, "Result: gross %s, payable %s, held %s.", gross, payable, held);
  }

  run_clear (&run);
  scratch_clear (&scratch);
  return g_steal_pointer (&text);
}
