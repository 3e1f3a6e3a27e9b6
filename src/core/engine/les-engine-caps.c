/* les-engine-caps.c: the practice cap and the service budget (none, hold, pro rata) over a service's lines. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "les-engine-private.h"

/* Money in findings' messages, for people: "£1,234.50" */
static char *
money (gint64 pence)
{
  return les_money_format_display (pence);
}

/* RULES.md 5.3: the practice cap, across every rule of the service, in line order. */
void
les_engine_apply_practice_caps (Run *run)
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
      /* 0 ≤ running ≤ cap: a line adds at most what is left under the cap */
      l->practice_before = running[l->member];
      if (l->payable > m->cap - running[l->member])
        {
          gint64 paid = MAX (m->cap - running[l->member], 0);
          g_autofree char *held = money (l->payable - paid);
          g_autofree char *cap = money (m->cap);

          les_engine_add_finding (run, LES_SEVERITY_WARNING, "OVER_PRACTICE_CAP",
                                  practice_at (run->in, l->practice)->code, line_rule_code (run, l), l->period, NULL,
                                  "%s held: the practice's cap of %s for the service was reached", held, cap);
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

static void
refuse_total (Run *run)
{
  g_autofree char *largest = les_engine_largest_amount ();

  les_engine_refuse (run, G_MAXUINT, NULL, 0, _("the service’s payable total is more than the largest amount (%s)"),
                     largest);
}

/* RULES.md 5.4: the service budget. */
void
les_engine_apply_service_cap (Run *run)
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
          /* 0 ≤ running ≤ budget: a line adds at most what is left of it */
          l->service_before = running;
          paid = MIN (l->payable, MAX (svc->budget - running, 0));
          if (paid < l->payable)
            {
              g_autofree char *held = money (l->payable - paid);

              les_engine_add_finding (run, LES_SEVERITY_WARNING, "OVER_SERVICE_CAP",
                                      practice_at (run->in, l->practice)->code, line_rule_code (run, l), l->period,
                                      NULL,
                                      "%s held: the service budget of %s was reached", held, budget);
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

          if (l->gross >= 0 && !les_int64_add_exact (total, l->payable, &total))
            {
              refuse_total (run);
              return;
            }
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
              /* payable ≤ total and budget < total: the share is below the payable
               * and the remainder below the total, both within 64 bits */
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

                  les_engine_add_finding (run, LES_SEVERITY_WARNING, "OVER_SERVICE_CAP",
                                          practice_at (run->in, l->practice)->code, line_rule_code (run, l),
                                          l->period, NULL,
                                          "%s held: paid pro rata, as the year's %s is over the budget of %s",
                                          held, total_text, budget);
                }
              l->payable = paid;
            }
        }
    }

net:
  for (guint i = 0; i < run->lines->len; i++)
    if (!les_int64_add_exact (run->net_payable, g_array_index (run->lines, Line, i).payable, &run->net_payable))
      {
        refuse_total (run);
        return;
      }

  if (svc->has_budget && svc->cap_mode == LES_CAP_MODE_NONE && run->net_payable > svc->budget)
    {
      g_autofree char *payable = money (run->net_payable);
      LesFinding f = { 0 };

      f.severity = LES_SEVERITY_WARNING;
      f.code = "OVER_BUDGET";
      f.service_code = svc->code;
      f.message = g_strdup_printf ("the year's payable of %s is over the budget of %s; nothing is held", payable,
                                   budget);
      g_array_append_val (run->findings, f);
    }
}
