/* les-chart.h: the overview's bar chart of budget, payable, held, ledger and forecast per service, drawn with cairo. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LES_TYPE_CHART (les_chart_get_type ())
G_DECLARE_FINAL_TYPE (LesChart, les_chart, LES, CHART, GtkWidget)

GtkWidget *les_chart_new      (void);
/* @rows: (element-type LesReconciliationRow) from les_results_reconciliation(); a reference is kept. */
void       les_chart_set_rows (LesChart *self,
                               GArray   *rows);

G_END_DECLS
