/* les-services-page.h: the Services screen — the year's services and, beside them, the selected one's editor. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "les-page.h"

#include "les-service-editor.h"

G_BEGIN_DECLS

#define LES_TYPE_SERVICES_PAGE (les_services_page_get_type ())
G_DECLARE_FINAL_TYPE (LesServicesPage, les_services_page, LES, SERVICES_PAGE, LesPage)

GListModel       *les_services_page_get_rows         (LesServicesPage *self);
LesServiceEditor *les_services_page_get_editor       (LesServicesPage *self);
gboolean          les_services_page_show_service     (LesServicesPage *self,
                                                      const char      *code);
/* Copies the service in the editor to the next year (with Undo). */
gboolean          les_services_page_duplicate        (LesServicesPage *self);
/* Ends the service in the editor on @end_date (NULL: the end of the year), with Undo. */
gboolean          les_services_page_retire           (LesServicesPage *self,
                                                      const char      *end_date);

G_END_DECLS
