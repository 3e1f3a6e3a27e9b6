/* les-services-page.h: the Services screen — the year's services and, beside them, the selected one's editor. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "les-store.h"
#include "les-table-view.h"

G_BEGIN_DECLS

#define LES_TYPE_SERVICES_PAGE (les_services_page_get_type ())
G_DECLARE_FINAL_TYPE (LesServicesPage, les_services_page, LES, SERVICES_PAGE, GtkWidget)

LesTableView *les_services_page_get_table (LesServicesPage *self);

G_END_DECLS
