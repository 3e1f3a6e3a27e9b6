/* les-date-popover.c: a calendar in a popover beside a field where a date is typed. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>

#include "les-date-popover.h"
#include "les-value.h"

/* The field stays the place the date is kept, and checked as typed: the
 * calendar only reads it when opened and writes the day chosen into it */
typedef struct
{
  GtkEditable *editable;   /* weak */
  GtkCalendar *calendar;
  gboolean     syncing;
} DatePopover;

static void
date_popover_free (gpointer data)
{
  DatePopover *d = data;

  g_clear_weak_pointer (&d->editable);
  g_free (d);
}

static void
popover_shown_cb (GtkPopover *popover, DatePopover *d)
{
  g_autoptr(GDateTime) date = NULL;
  gint32 ymd = 0;

  if (d->editable == NULL)
    return;
  if (les_date_parse (gtk_editable_get_text (d->editable), &ymd, NULL))
    date = g_date_time_new_local (ymd / 10000, ymd / 100 % 100, ymd % 100, 0, 0, 0);
  if (date == NULL)
    date = g_date_time_new_now_local ();
  d->syncing = TRUE;
  gtk_calendar_select_day (d->calendar, date);
  d->syncing = FALSE;
}

static void
day_selected_cb (GtkCalendar *calendar, DatePopover *d)
{
  g_autoptr(GDateTime) date = gtk_calendar_get_date (calendar);
  char text[11];

  if (d->syncing || d->editable == NULL)
    return;
  les_date_format (g_date_time_get_year (date) * 10000 + g_date_time_get_month (date) * 100
                   + g_date_time_get_day_of_month (date), text);
  gtk_editable_set_text (d->editable, text);
  gtk_popover_popdown (GTK_POPOVER (gtk_widget_get_ancestor (GTK_WIDGET (calendar), GTK_TYPE_POPOVER)));
}

GtkWidget *
les_date_popover_button_new (GtkEditable *editable)
{
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *calendar = gtk_calendar_new ();
  DatePopover *d = g_new0 (DatePopover, 1);

  g_return_val_if_fail (GTK_IS_EDITABLE (editable), NULL);

  g_set_weak_pointer (&d->editable, editable);
  d->calendar = GTK_CALENDAR (calendar);
  gtk_popover_set_child (GTK_POPOVER (popover), calendar);
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "x-office-calendar-symbolic");
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Choose the Date on a Calendar"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Choose the date on a calendar"), -1);
  g_signal_connect (popover, "show", G_CALLBACK (popover_shown_cb), d);
  g_signal_connect (calendar, "day-selected", G_CALLBACK (day_selected_cb), d);
  g_object_set_data_full (G_OBJECT (button), "les-date-popover", d, date_popover_free);
  return button;
}
