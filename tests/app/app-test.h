/* app-test.h: what the application's widget tests share — a window on a database of its own, waiting for a condition, screenshots. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "les-window.h"

G_BEGIN_DECLS

typedef gboolean (*AppTestCondition) (gpointer data);

/* gtk_test_init, a private data folder, the application; FALSE (after
 * printing a TAP skip) when there is no display.  argv: DEMO_DIR SHOT_DIR. */
gboolean          app_test_init           (int          *argc,
                                           char       ***argv);
int               app_test_run            (void);
const char       *app_test_get_tmp_dir    (void);
const char       *app_test_get_demo_dir   (void);

/* A window at 1024×768 on a database of its own: empty, or a copy of the
 * demo data set imported and computed (made once per test program). */
LesWindow        *app_test_window_new     (gboolean      demo);
/* Closes @window, waits for its work and asserts it is finalized. */
void              app_test_window_free    (LesWindow    *window);
LesSession       *app_test_session        (LesWindow    *window);
LesStore         *app_test_store          (LesWindow    *window);
void              app_test_show_page      (LesWindow    *window,
                                           const char   *name);

/* Runs the main context until @condition holds; fails the test after a
 * generous timeout naming @what. */
void              app_test_wait           (AppTestCondition condition,
                                           gpointer      data,
                                           const char   *what);
/* Until the session has no write under way and no screen is reading. */
void              app_test_wait_idle      (LesWindow    *window);

void              app_test_undo           (LesWindow    *window);

/* Saves @widget (a window: at 1024×768 and wide, NAME-wide.png) as NAME.png in the build directory. */
void              app_test_screenshot     (GtkWidget    *widget,
                                           const char   *name);

GtkWidget        *app_test_find_widget    (GtkWidget    *widget,
                                           GType         type);
GtkWidget        *app_test_find_button    (GtkWidget    *widget,
                                           const char   *label);
AdwMessageDialog *app_test_find_message_dialog (void);

G_END_DECLS
