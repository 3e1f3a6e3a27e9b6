/* les-progress.h: progress reporting for long work (imports, computes). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @fraction runs from 0 to 1; @label says what is being done, for people. */
typedef void (*LesProgressFunc) (double      fraction,
                                 const char *label,
                                 gpointer    user_data);

G_END_DECLS
