/* les-runs-panel.h: payment runs on the Payments screen — close a month, history, re-open, statements, report. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "les-session-widget.h"

G_BEGIN_DECLS

#define LES_TYPE_RUNS_PANEL (les_runs_panel_get_type ())
G_DECLARE_FINAL_TYPE (LesRunsPanel, les_runs_panel, LES, RUNS_PANEL, LesSessionWidget)

/* For tests: the rows of the history, newest first. */
guint     les_runs_panel_get_n_runs   (LesRunsPanel *self);
/* Closes the chosen month without asking (what the confirmation does). */
gboolean  les_runs_panel_close_month  (LesRunsPanel *self,
                                       GError      **error);

G_END_DECLS
