/* les-export.h: writing imported tables back in their own import format. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "les-kinds.h"
#include "les-store.h"

G_BEGIN_DECLS

/* @fy: the financial year for tables kept by year; practices and list sizes
 * are written whole. */
gboolean les_export_table (LesStore      *store,
                           LesKind        kind,
                           int            fy,
                           GOutputStream *out,
                           GCancellable  *cancellable,
                           GError       **error);

G_END_DECLS
