/* les-date-popover.h: a calendar in a popover beside a field where a date is typed. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A button that opens a calendar on the date typed in @editable (YYYY-MM-DD)
 * and writes the day chosen back into it.  Put it beside the field. */
GtkWidget *les_date_popover_button_new (GtkEditable *editable);

G_END_DECLS
