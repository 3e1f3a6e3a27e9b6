/* les-application.h: the application object — databases, settings, style and app-wide actions. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LES_TYPE_APPLICATION (les_application_get_type ())
G_DECLARE_FINAL_TYPE (LesApplication, les_application, LES, APPLICATION, AdwApplication)

LesApplication *les_application_new          (void);
GSettings      *les_application_get_settings (LesApplication *self);
/* Where the demo CSVs are: $LES_DEMO_DIR, or PKGDATADIR/demo. */
char           *les_application_get_demo_dir (void);

G_END_DECLS
