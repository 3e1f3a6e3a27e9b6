/* les-practices-page.h: the Practices screen — every practice with PCN and list size, and one practice's details. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "les-page.h"

#include "les-table-view.h"

G_BEGIN_DECLS

#define LES_TYPE_PRACTICES_PAGE (les_practices_page_get_type ())
G_DECLARE_FINAL_TYPE (LesPracticesPage, les_practices_page, LES, PRACTICES_PAGE, LesPage)

LesTableView *les_practices_page_get_table (LesPracticesPage *self);
void          les_practices_page_show_practice (LesPracticesPage *self,
                                                const char       *practice_code);

const char   *les_practices_page_get_subtitle (LesPracticesPage *self);
gboolean      les_practices_page_get_folded   (LesPracticesPage *self,
                                               const char      **shown);

G_END_DECLS
