/* les-overview-page.h: the Overview screen — the year's budget, spend and forecast per service, totals and findings. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "les-page.h"

#include "les-table-view.h"

G_BEGIN_DECLS

#define LES_TYPE_OVERVIEW_PAGE (les_overview_page_get_type ())
G_DECLARE_FINAL_TYPE (LesOverviewPage, les_overview_page, LES, OVERVIEW_PAGE, LesPage)

LesTableView *les_overview_page_get_table          (LesOverviewPage *self);
/* The total payable shown, in pence (for tests). */
gint64        les_overview_page_get_total_payable  (LesOverviewPage *self);
guint         les_overview_page_get_n_findings     (LesOverviewPage *self);
/* What live payment runs have paid, and what is payable but not yet paid. */
gint64        les_overview_page_get_total_paid     (LesOverviewPage *self);
gint64        les_overview_page_get_total_outstanding (LesOverviewPage *self);
gint32        les_overview_page_get_month          (LesOverviewPage *self);
void          les_overview_page_choose_month       (LesOverviewPage *self,
                                                    gint32           month);

G_END_DECLS
