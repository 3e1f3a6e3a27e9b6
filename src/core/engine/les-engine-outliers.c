/* les-engine-outliers.c: OUTLIER — practices far above the median units per registered patient. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-engine-private.h"

/* a / b against c / d, all positive (two 64-bit factors fit 128 bits) */
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

/* a × b × c, checked */
static gboolean
mul3 (__int128 a, __int128 b, __int128 c, __int128 *out)
{
  return les_int128_mul_exact (a, b, out) && les_int128_mul_exact (*out, c, out);
}

/* Is u / r more than three times the median (a / b + c / d) / 2, and the
 * figures for the finding; FALSE when the products leave 128 bits. */
static gboolean
outlier_test (const Figure *f, const Figure *lo, const Figure *hi, gboolean *above, gint64 *figure,
              gint64 *median)
{
  /* u / r > 3 × (a / b + c / d) / 2  ⟺  2·u·b·d > 3·r·(a·d + c·b) */
  __int128 left, right, sum, ad, cb;

  if (!mul3 (2, f->units, lo->registered, &left) || !les_int128_mul_exact (left, hi->registered, &left)
      || !les_int128_mul_exact (lo->units, hi->registered, &ad)
      || !les_int128_mul_exact (hi->units, lo->registered, &cb)
      || __builtin_add_overflow (ad, cb, &sum)
      || !mul3 (3, f->registered, sum, &right))
    return FALSE;
  *above = left > right;
  if (!*above)
    return TRUE;
  return les_round_div_exact ((__int128) f->units * 10000, f->registered, figure)
         && les_int128_mul_exact (sum, 10000, &sum)
         && mul3 (2, lo->registered, hi->registered, &right)
         && les_round_div_exact (sum, right, median);
}

/* RULES.md 6: OUTLIER, per item rule, on year-to-date line units per registered patient. */
void
les_engine_find_outliers (Run *run)
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

          if (l->rule == rule && l->member != G_MAXUINT
              && !les_int64_add_exact (units[l->member], l->units, &units[l->member]))
            {
              les_engine_refuse (run, l->practice, r->pub.code, 0,
                                 _("the units of the year add up to more than %s"), "9223372036854775807");
              return;
            }
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
            gboolean above = FALSE;
            gint64 figure_n = 0, median_n = 0;

            if (!outlier_test (f, lo, hi, &above, &figure_n, &median_n))
              {
                les_engine_refuse (run, f->practice, r->pub.code, 0,
                                   _("the units per registered patient are too large to compare exactly"));
                return;
              }
            if (above)
              {
                g_autofree char *figure = les_decimal_format (figure_n, 4, 4);
                g_autofree char *median = les_decimal_format (median_n, 4, 4);

                les_engine_add_finding (run, LES_SEVERITY_WARNING, "OUTLIER", practice_at (in, f->practice)->code,
                                        r->pub.code, 0, NULL, "%s: %s units per registered patient this year, more than 3 × the "
                                        "median of %s",
                                        r->pub.code, figure, median);
              }
          }
      }
    }
}
