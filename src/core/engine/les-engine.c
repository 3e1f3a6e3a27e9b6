/* les-engine.c: the claims engine — one service through every rule of RULES.md, and all services on threads. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "les-engine-private.h"
#include "les-error.h"

/* A run's memory */

void
les_engine_scratch_init (Scratch *scratch)
{
  memset (scratch, 0, sizeof *scratch);
  scratch->lines = g_array_new (FALSE, FALSE, sizeof (Line));
}

void
les_engine_scratch_clear (Scratch *scratch)
{
  g_free (scratch->claims.data);
  g_free (scratch->sorted.data);
  g_free (scratch->keys.data);
  g_free (scratch->tmp.data);
  g_free (scratch->order.data);
  g_free (scratch->out_order.data);
  g_array_unref (scratch->lines);
}

/* Output */

void
les_engine_finding_clear (gpointer data)
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
  g_array_set_clear_func (out->findings, les_engine_finding_clear);
  return out;
}

void
les_engine_output_clear (LesEngineOutput *out)
{
  g_return_if_fail (out != NULL);

  g_array_set_size (out->lines, 0);
  g_array_set_size (out->findings, 0);
  g_clear_error (&out->error);
}

void
les_engine_output_free (LesEngineOutput *out)
{
  if (out == NULL)
    return;
  g_array_unref (out->lines);
  g_array_unref (out->findings);
  g_clear_error (&out->error);
  g_free (out);
}

/* During a run */

void
les_engine_add_finding (Run          *run,
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

/**
 * les_engine_refuse:
 * @practice: the line's practice, or G_MAXUINT for a figure of the service
 * @rule_code: (nullable): the line's rule
 * @period: the line's period, or 0
 * @format: what is out of range, for people
 *
 * Exact or refuse: a figure that would not fit is never wrapped or pinned.
 * The run keeps the first such figure, naming its line, and stops.
 *
 * Returns: FALSE, for the caller to return.
 */
gboolean
les_engine_refuse (Run        *run,
                   guint       practice,
                   const char *rule_code,
                   gint32      period,
                   const char *format,
                   ...)
{
  g_autoptr(GString) where = g_string_new (NULL);
  g_autofree char *what = NULL;
  va_list args;

  if (run->error != NULL)
    return FALSE;
  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  g_string_append_printf (where, _("service %s"), run->svc->pub.code);
  if (practice != G_MAXUINT)
    g_string_append_printf (where, _(", practice %s"), practice_at (run->in, practice)->code);
  if (rule_code != NULL)
    g_string_append_printf (where, _(", rule %s"), rule_code);
  if (period != 0)
    {
      char p_text[8];

      les_period_format (period, p_text);
      g_string_append_printf (where, ", %s", p_text);
    }
  g_set_error (&run->error, LES_ERROR, LES_ERROR_OVERFLOW,
               _("Cannot compute %s exactly: %s; nothing was computed"), where->str, what);
  return FALSE;
}

/* "£99,999,999,999,999.99", for the messages of refused figures */
char *
les_engine_largest_amount (void)
{
  return les_money_format_display (LES_MONEY_MAX);
}

#define RADIX_BITS 11

void
les_engine_radix_sort (SortKey *keys, SortKey *tmp, guint n, guint64 max_key)
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

Line *
les_engine_add_line (Run *run, guint practice, const Rule *rule, gboolean ach, gint32 period, gint64 gross)
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
  les_engine_radix_sort (keys, tmp, n, n_practices * n_ranks * 12);
  for (guint i = 0; i < n; i++)
    order[i] = keys[i].index;
  return order;
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

void
les_engine_run_init (Run *run, LesEngineInput *in, Service *svc, GArray *findings, Scratch *scratch)
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

void
les_engine_run_clear (Run *run)
{
  g_clear_pointer (&run->member_of, g_free);
  g_clear_pointer (&run->plain_rank, g_free);
  g_clear_pointer (&run->ach_rank, g_free);
  run->claims = NULL;
  g_clear_pointer (&run->line_state, g_free);
  run->lines = NULL;
  run->order = NULL;
  g_clear_error (&run->error);
}

/* A service's totals are amounts like any other: within the range, so that
 * the reconciliation's forecast (payable × 12) stays within 64 bits. */
static void
check_totals (Run *run)
{
  gint64 gross = 0;

  for (guint i = 0; i < run->lines->len; i++)
    {
      const Line *l = &g_array_index (run->lines, Line, i);

      /* each gross lies within ±LES_MONEY_MAX, so the sum of one more cannot wrap */
      gross += l->gross;
      if (!amount_ok (gross))
        {
          g_autofree char *largest = les_engine_largest_amount ();

          les_engine_refuse (run, G_MAXUINT, NULL, 0, _("the service’s gross total is more than the largest "
                                                        "amount (%s)"), largest);
          return;
        }
    }
  if (!amount_ok (run->net_payable))
    {
      g_autofree char *largest = les_engine_largest_amount ();

      les_engine_refuse (run, G_MAXUINT, NULL, 0, _("the service’s payable total is more than the largest "
                                                    "amount (%s)"), largest);
    }
}

/* Everything of RULES.md for one service, in its order. */
void
les_engine_run_compute (Run *run)
{
  les_engine_validate_claims (run);
  les_engine_apply_patient_limits (run);
  les_engine_make_item_lines (run);
  if (run->error == NULL)
    les_engine_make_scheduled_lines (run);
  if (run->error != NULL)
    return;
  run->order = order_lines (run, FALSE);
  les_engine_apply_practice_caps (run);
  les_engine_apply_service_cap (run);
  if (run->error == NULL)
    check_totals (run);
  if (run->error == NULL)
    les_engine_find_outliers (run);
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

  les_engine_run_init (&run, in, svc, output->findings, scratch);
  les_engine_run_compute (&run);
  if (run.error == NULL)
    run_emit_lines (&run, output->lines);
  else if (output->error == NULL)
    output->error = g_steal_pointer (&run.error);
  les_engine_run_clear (&run);
}

/**
 * les_engine_run_service:
 * @service_code: the service to compute
 *
 * Computes one service of the year and appends its payment lines (by
 * practice, rule, period) and findings to @output; a figure out of range
 * sets @output's error instead of adding lines.
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

  les_engine_input_prepare (in);
  svc = les_engine_input_lookup_service (in, service_code);
  if (svc == NULL)
    return FALSE;
  les_engine_scratch_init (&scratch);
  run_service_with (in, svc, output, &scratch);
  les_engine_scratch_clear (&scratch);
  return TRUE;
}

/**
 * les_engine_run:
 *
 * Computes every service of the year, in service code order, into @output;
 * a figure out of range sets @output's error (the first such).
 */
void
les_engine_run (LesEngineInput *in, LesEngineOutput *output)
{
  Scratch scratch;

  g_return_if_fail (in != NULL);
  g_return_if_fail (output != NULL);

  les_engine_input_prepare (in);
  les_engine_scratch_init (&scratch);
  for (guint i = 0; i < in->services->len; i++)
    run_service_with (in, &g_array_index (in->services, Service, in->service_order[i]), output, &scratch);
  les_engine_scratch_clear (&scratch);
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

  les_engine_scratch_init (&scratch);
  while ((i = (guint) g_atomic_int_add (&w->next, 1)) < w->in->services->len
         && !g_cancellable_is_cancelled (w->cancellable))
    run_service_with (w->in, &g_array_index (w->in->services, Service, w->in->service_order[i]), w->outputs[i],
                      &scratch);
  les_engine_scratch_clear (&scratch);
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
 * Returns: FALSE when cancelled (the outputs are then incomplete, and
 * @error is not set), or with @error set to the first service's (in code
 * order) whose figures are out of range (LES_ERROR_OVERFLOW).
 */
gboolean
les_engine_run_services (LesEngineInput    *in,
                         LesEngineOutput  **outputs,
                         guint              n_threads,
                         GCancellable      *cancellable,
                         GError           **error)
{
  Workers w = { in, outputs, cancellable, 0 };
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();

  g_return_val_if_fail (in != NULL, FALSE);
  g_return_val_if_fail (outputs != NULL || in->services->len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  les_engine_input_prepare (in);
  n_threads = CLAMP (n_threads, 1, MAX (in->services->len, 1));
  for (guint t = 1; t < n_threads; t++)
    g_ptr_array_add (threads, g_thread_new ("les-engine", worker_run, &w));
  worker_run (&w);
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (threads->pdata[t]);
  if (g_cancellable_is_cancelled (cancellable))
    return FALSE;
  for (guint i = 0; i < in->services->len; i++)
    if (outputs[i]->error != NULL)
      {
        g_propagate_error (error, g_error_copy (outputs[i]->error));
        return FALSE;
      }
  return TRUE;
}
