/* les-window-private.h: the main window's parts, shared by its files (UI, actions, drag and drop). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "les-window.h"

G_BEGIN_DECLS

struct _LesWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  GtkDropDown          *year_dropdown;
  GtkRevealer          *progress_revealer;
  GtkLabel             *progress_label;
  GtkProgressBar       *progress_bar;
  GtkRevealer          *server_revealer;
  GtkLabel             *server_label;
  GtkRevealer          *stale_revealer;
  GtkLabel             *stale_label;
  GtkButton            *stale_button;
  GtkStack             *main_stack;
  AdwStatusPage        *error_page;
  AdwStatusPage        *connecting_page;
  GtkWidget            *open_another_button;
  GtkWidget            *open_team_button;
  AdwViewStack         *stack;
  GtkWidget            *claims_page;

  GSettings            *settings;
  LesSession           *session;
  GArray               *years;         /* int, as in the drop-down */
  gboolean              updating_years;
  LesJob               *job;           /* the session's, as shown in the progress strip */
  guint                 n_undoing;     /* undos asked for by the window, not yet back */
  GtkFileChooserNative *chooser;
  GCancellable         *reopening;     /* the last team database, opened at start */
};

/* les-window.c */
void  les_window_add_toast         (LesWindow   *self,
                                    const char  *title);
void  les_window_update_actions    (LesWindow   *self);
void  les_window_update_banner     (LesWindow   *self);

/* les-window-actions.c */
void  les_window_class_add_actions (GtkWidgetClass *widget_class);
void  les_window_compute           (LesWindow   *self);
void  les_window_import_files      (LesWindow   *self,
                                    GFile      **files,
                                    guint        n_files);

/* les-window-dnd.c */
void  les_window_dnd_init          (LesWindow   *self);

G_END_DECLS
