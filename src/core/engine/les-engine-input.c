/* les-engine-input.c: the engine's input — services, rules, practices, claims — sorted once for the runs. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-engine-private.h"

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
Service *
les_engine_input_lookup_service (LesEngineInput *in, const char *code)
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
  svc->n_claims_read++;
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

void
les_engine_input_prepare (LesEngineInput *in)
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

  les_engine_input_prepare (in);
  return in->services->len;
}

const LesEngineService *
les_engine_input_get_service (LesEngineInput *in, guint index)
{
  g_return_val_if_fail (in != NULL, NULL);
  g_return_val_if_fail (index < in->services->len, NULL);

  les_engine_input_prepare (in);
  return &g_array_index (in->services, Service, in->service_order[index]).pub;
}

/**
 * les_engine_input_get_n_claims:
 * @index: a service, in code order
 *
 * Returns: how many claims were added for the service, whether or not
 * they name one of its item rules.
 */
guint64
les_engine_input_get_n_claims (LesEngineInput *in, guint index)
{
  g_return_val_if_fail (in != NULL, 0);
  g_return_val_if_fail (index < in->services->len, 0);

  les_engine_input_prepare (in);
  return g_array_index (in->services, Service, in->service_order[index]).n_claims_read;
}
