/* les-service-editor.h: the editor of a service's specification, payment rules and live example. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "les-session-widget.h"

G_BEGIN_DECLS

#define LES_TYPE_SERVICE_EDITOR (les_service_editor_get_type ())
G_DECLARE_FINAL_TYPE (LesServiceEditor, les_service_editor, LES, SERVICE_EDITOR, LesSessionWidget)

/* Edits service @code of @fy (read from the "session" property's store), or a new service of @fy when @code is NULL. */
gboolean     les_service_editor_load             (LesServiceEditor *self,
                                                  const char       *code,
                                                  int               fy);
/* The service edited (NULL for a new one not yet saved). */
const char  *les_service_editor_get_code         (LesServiceEditor *self);
gboolean     les_service_editor_select_rule      (LesServiceEditor *self,
                                                  const char       *rule_code);
/* The row editing @column of the service or (@is_rule) of the selected rule;
 * "example_list_size" is the example's list size. */
GtkWidget   *les_service_editor_get_row          (LesServiceEditor *self,
                                                  gboolean          is_rule,
                                                  const char       *column);
gboolean     les_service_editor_get_can_save     (LesServiceEditor *self);
gboolean     les_service_editor_save             (LesServiceEditor *self);
/* The example's yearly amount in pence, -1 when there is none. */
gint64       les_service_editor_get_example_year (LesServiceEditor *self);
const char  *les_service_editor_get_message      (LesServiceEditor *self);

G_END_DECLS
