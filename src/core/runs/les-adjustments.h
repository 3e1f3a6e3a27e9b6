/* les-adjustments.h: adjustments to paid lines — what a compute finds changed in what payment runs paid. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "les-store.h"

G_BEGIN_DECLS

/* Called inside the caller's transaction, by les_compute_year() after it
 * stores a year's lines and by les_runs_reopen(): replaces the year's
 * pending adjustments by the differences between paid and computed lines. */
gboolean      les_adjustments_update   (LesStore   *store,
                                        int         fy,
                                        gint32      to_period,
                                        GError    **error);

gboolean      les_adjustments_latest_run (LesStore   *store,
                                          int         fy,
                                          gint64     *run_id,
                                          gint32     *month,
                                          GError    **error);

G_END_DECLS
