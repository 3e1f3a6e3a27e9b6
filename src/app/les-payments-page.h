/* les-payments-page.h: the Payments screen — reconciliation by service, drilling down to PCN, practice and lines, with explanations. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "les-page.h"

#include "les-table-view.h"

G_BEGIN_DECLS

#define LES_TYPE_PAYMENTS_PAGE (les_payments_page_get_type ())
G_DECLARE_FINAL_TYPE (LesPaymentsPage, les_payments_page, LES, PAYMENTS_PAGE, LesPage)

LesTableView *les_payments_page_get_table (LesPaymentsPage *self);
/* 0 services, 1 PCNs of a service, 2 practices of a PCN, 3 a practice's lines */
guint         les_payments_page_get_level (LesPaymentsPage *self);
void          les_payments_page_up        (LesPaymentsPage *self);
/* The explanation shown for the selected line, or NULL. */
char         *les_payments_page_dup_explanation (LesPaymentsPage *self);

G_END_DECLS
