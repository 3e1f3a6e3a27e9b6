/* les-claim-pane.c: one claim examined beside the claims table — its value and how it was worked out, patient lines, findings, history. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "les-claim-pane.h"
#include "les-value.h"

/* A claim has a handful of patient lines; a bulk one could have thousands,
 * and a row each would make the pane slow to build for no reader's gain */
#define MAX_LINES_SHOWN 100

struct _LesClaimPane
{
  AdwBin                parent_instance;

  GtkWidget            *back_button;
  GtkWidget            *close_button;
  GtkLabel             *title_label;
  GtkSpinner           *spinner;
  GtkStack             *stack;
  AdwStatusPage        *status_page;
  GtkScrolledWindow    *scrolled;
  GtkLabel             *ref_label;
  GtkLabel             *status_label;
  GtkLabel             *what_label;
  GtkLabel             *value_label;
  GtkLabel             *value_text_label;
  AdwPreferencesGroup  *findings_group;
  AdwPreferencesGroup  *explain_group;
  GtkBox               *explain_box;
  AdwPreferencesGroup  *fields_group;
  AdwPreferencesGroup  *lines_group;
  AdwPreferencesGroup  *history_group;
  GtkActionBar         *action_bar;
  GtkButton            *approve_button;

  GPtrArray            *rows;        /* the rows added to the groups, to take out again */
  GCancellable         *cancellable; /* the read under way */
  gint64                claim_id;
  LesClaimDetail       *detail;
  char                 *status_class;
};

G_DEFINE_FINAL_TYPE (LesClaimPane, les_claim_pane, ADW_TYPE_BIN)

/* A day for people: "12 May 2024" */
static char *
format_day (gint32 ymd)
{
  g_autoptr(GDateTime) dt = NULL;

  if (ymd == 0)
    return g_strdup ("");
  dt = g_date_time_new_utc (ymd / 10000, ymd / 100 % 100, ymd % 100, 0, 0, 0);
  return dt != NULL ? g_date_time_format (dt, "%-d %B %Y") : g_strdup ("");
}

/* "2024-05-01T10:22:03Z" as "1 May 2024, 10:22" in local time */
static char *
format_time (const char *iso)
{
  g_autoptr(GDateTime) utc = iso != NULL ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;
  g_autoptr(GDateTime) local = NULL;

  if (utc == NULL)
    return g_strdup (iso != NULL ? iso : "");
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%-d %B %Y, %H:%M");
}

static void
clear_rows (LesClaimPane *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      GtkWidget *group = gtk_widget_get_ancestor (row, ADW_TYPE_PREFERENCES_GROUP);

      if (group == GTK_WIDGET (self->explain_group))
        gtk_box_remove (self->explain_box, row);
      else if (group != NULL)
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (group), row);
    }
  g_ptr_array_set_size (self->rows, 0);
}

static void
add_row (LesClaimPane *self, AdwPreferencesGroup *group, GtkWidget *row)
{
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, row);
}

/* A field: its value as the row's title, wrapped by words and selectable,
 * and what it is beneath (a value beside its name was squeezed into a
 * column a few letters wide in a narrow pane) */
static void
add_field (LesClaimPane *self, const char *title, const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), value != NULL && value[0] != '\0' ? value : "—");
  adw_preferences_row_set_title_selectable (ADW_PREFERENCES_ROW (row), TRUE);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), title);
  add_row (self, self->fields_group, row);
}

static GtkWidget *
row_new (const char *title, const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  /* never cut: a finding's words are what the officer acts on */
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  return row;
}

/* An error or warning: its colour and its own icon, and said in words for
 * those who see neither */
static GtkWidget *
severity_icon_new (LesSeverity severity)
{
  gboolean error = severity == LES_SEVERITY_ERROR;
  GtkWidget *icon = gtk_image_new_from_icon_name (error ? "dialog-error-symbolic" : "dialog-warning-symbolic");

  gtk_widget_add_css_class (icon, error ? "error" : "warning");
  gtk_widget_set_tooltip_text (icon, les_severity_get_label (severity));
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  les_severity_get_label (severity), -1);
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_widget_set_margin_top (icon, 12);
  return icon;
}

static void
fill_findings (LesClaimPane *self, const LesClaimDetail *d)
{
  guint n_errors = 0, n_warnings = 0;

  for (guint i = 0; i < d->findings->len; i++)
    {
      const LesClaimFinding *f = &g_array_index (d->findings, LesClaimFinding, i);
      g_autofree char *subtitle = NULL;
      GtkWidget *row, *code;

      if (f->severity == LES_SEVERITY_ERROR)
        n_errors++;
      else
        n_warnings++;
      /* what was found, then what to do */
      if (f->advice != NULL && f->advice[0] != '\0')
        subtitle = g_strdup_printf ("%s\n%s", f->message != NULL ? f->message : "", f->advice);
      else
        subtitle = g_strdup (f->message);
      row = row_new (f->title, subtitle);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), severity_icon_new (f->severity));
      /* the code, secondary, for those who search the rules by it */
      code = gtk_label_new (les_finding_to_word (f->code));
      gtk_widget_add_css_class (code, "dim-label");
      gtk_widget_add_css_class (code, "caption");
      gtk_widget_set_valign (code, GTK_ALIGN_START);
      gtk_widget_set_margin_top (code, 12);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), code);
      add_row (self, self->findings_group, row);
      /* the original, a row of its own so the words keep the width */
      if (f->code == LES_FINDING_DUPLICATE && d->original_ref != NULL)
        {
          g_autofree char *title = g_strdup_printf (_("Original Claim %s"), d->original_ref);
          GtkWidget *link = row_new (title, _("Show it, selected in the table"));
          GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

          adw_action_row_add_suffix (ADW_ACTION_ROW (link), arrow);
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (link), TRUE);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (link), "page.show-claim");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (link), "s", d->original_ref);
          add_row (self, self->findings_group, link);
        }
    }
  if (d->findings->len == 0)
    {
      GtkWidget *row = row_new (d->computed_to == 0 || !d->checked ? _("Not checked yet")
                                                                   : _("No findings"),
                                d->computed_to == 0 || !d->checked
                                ? _("A compute that reaches the claim’s month checks it.")
                                : _("The last compute found nothing wrong with this claim."));
      GtkWidget *icon = gtk_image_new_from_icon_name (d->checked ? "emblem-ok-symbolic" : "dialog-question-symbolic");

      if (d->checked)
        gtk_widget_add_css_class (icon, "success");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      add_row (self, self->findings_group, row);
      adw_preferences_group_set_description (self->findings_group, NULL);
    }
  else
    {
      g_autofree char *errors = g_strdup_printf (ngettext ("%u error", "%u errors", n_errors), n_errors);
      g_autofree char *warnings = g_strdup_printf (ngettext ("%u warning", "%u warnings", n_warnings), n_warnings);
      g_autofree char *text = NULL;

      if (n_errors > 0 && n_warnings > 0)
        /* TRANSLATORS: "2 errors, 1 warning" */
        text = g_strdup_printf (_("%s, %s"), errors, warnings);
      else
        text = g_strdup (n_errors > 0 ? errors : warnings);
      adw_preferences_group_set_description (self->findings_group, text);
    }
}

static void
fill_explanation (LesClaimPane *self, const LesClaimDetail *d)
{
  for (guint i = 0; i < d->explanation->len; i++)
    {
      const char *line = g_ptr_array_index (d->explanation, i);
      const char *text = line;
      GtkWidget *label;
      int indent = 0;

      /* the engine indents the steps of a step: as a margin, not spaces */
      while (*text == ' ')
        text++, indent++;
      label = gtk_label_new (text);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      /* selectable with the mouse, but not a stop for the keyboard on every claim */
      gtk_widget_set_focusable (label, FALSE);
      gtk_widget_set_margin_start (label, 6 * indent);
      gtk_box_append (self->explain_box, label);
      g_ptr_array_add (self->rows, label);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->explain_group), d->explanation->len > 0);
}

static void
fill_fields (LesClaimPane *self, const LesClaimDetail *d)
{
  g_autofree char *practice = g_strdup_printf ("%s · %s", d->practice_name, d->practice_code);
  g_autofree char *pcn = g_strdup_printf ("%s · %s", d->pcn_name != NULL ? d->pcn_name : "",
                                          d->pcn_code != NULL ? d->pcn_code : "");
  g_autofree char *service = g_strdup_printf ("%s · %s", d->service_name, d->service_code);
  g_autofree char *item = g_strdup_printf ("%s · %s", d->item_description != NULL ? d->item_description : "",
                                           d->item_code);
  g_autofree char *period = les_period_format_display (d->period);
  g_autofree char *count = les_count_format_display (d->count);
  g_autofree char *submitted = format_day (d->submitted_date);
  g_autofree char *rate = d->has_rate ? les_rate_format_display (d->rate) : g_strdup (_("Not paid per item"));
  g_autofree char *first = format_day (d->cover_first);
  g_autofree char *last = format_day (d->cover_last);
  /* TRANSLATORS: the days a claim's patient lines may fall on */
  g_autofree char *cover = g_strdup_printf (_("%s to %s"), first, last);

  add_field (self, _("Practice"), practice);
  add_field (self, _("PCN"), d->pcn_code != NULL ? pcn : NULL);
  add_field (self, _("Service"), service);
  add_field (self, _("Item"), item);
  add_field (self, _("Period"), period);
  add_field (self, _("Activity Dates Allowed"), cover);
  add_field (self, _("Count"), count);
  add_field (self, _("Rate"), rate);
  add_field (self, _("Submitted"), submitted);
  add_field (self, _("Status"), les_claim_status_get_label (d->status));
  if (d->status_reason != NULL && d->status_reason[0] != '\0')
    add_field (self, _("Reason"), d->status_reason);
  if (d->paid_run != 0)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, d->paid_run);
      /* TRANSLATORS: the payment run that paid the claim's line, "Run 3" */
      g_autofree char *run = g_strdup_printf (_("Run %s"), number);
      add_field (self, _("Paid By"), run);
    }
}

static void
fill_lines (LesClaimPane *self, const LesClaimDetail *d)
{
  guint n = MIN (d->patient_lines->len, MAX_LINES_SHOWN);
  guint n_bad = 0;

  for (guint i = 0; i < d->patient_lines->len; i++)
    {
      const LesClaimPatientLine *l = &g_array_index (d->patient_lines, LesClaimPatientLine, i);
      n_bad += !l->valid_nhs_number || !l->in_period;
    }
  for (guint i = 0; i < n; i++)
    {
      const LesClaimPatientLine *l = &g_array_index (d->patient_lines, LesClaimPatientLine, i);
      g_autofree char *title = g_strdup_printf (_("Line %d"), l->line_no);
      g_autofree char *day = format_day (l->activity_date);
      g_autoptr(GString) subtitle = g_string_new (NULL);
      gboolean ok = l->valid_nhs_number && l->in_period;
      GtkWidget *row, *icon;

      g_string_append_printf (subtitle, _("Activity on %s"), day);
      if (!l->in_period)
        g_string_append_printf (subtitle, "\n%s", _("Outside the dates the claim covers"));
      if (!l->valid_nhs_number)
        g_string_append_printf (subtitle, "\n%s", _("The NHS number fails its check digit"));
      row = row_new (title, subtitle->str);
      icon = gtk_image_new_from_icon_name (ok ? "emblem-ok-symbolic" : "dialog-error-symbolic");
      gtk_widget_add_css_class (icon, ok ? "success" : "error");
      gtk_widget_set_tooltip_text (icon, ok ? _("Valid") : _("Not valid"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      ok ? _("Valid") : _("Not valid"), -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      add_row (self, self->lines_group, row);
    }
  if (d->patient_lines->len == 0)
    add_row (self, self->lines_group, row_new (_("No patient lines"),
                                               _("The practice sent no patient lines with this claim.")));
  else
    {
      g_autofree char *all = les_count_format_display (d->patient_lines->len);
      g_autofree char *bad = les_count_format_display (n_bad);
      g_autofree char *text = NULL;

      if (n_bad > 0)
        text = g_strdup_printf (ngettext ("%s line, %s not valid", "%s lines, %s not valid", d->patient_lines->len),
                                all, bad);
      else
        text = g_strdup_printf (ngettext ("%s line, valid", "%s lines, all valid", d->patient_lines->len), all);
      if (d->patient_lines->len > n)
        {
          g_autofree char *shown = g_strdup_printf (_("%s (the first %u shown)"), text, n);
          g_free (text);
          text = g_steal_pointer (&shown);
        }
      adw_preferences_group_set_description (self->lines_group, text);
    }
  if (d->patient_lines->len == 0)
    adw_preferences_group_set_description (self->lines_group, NULL);
}

/* The status and reason of an audit row's side, written as
 * "status=queried; reason=…" (the reason last: it may hold "; ") */
static void
parse_side (const char *text, LesClaimStatus *status, char **reason)
{
  const char *r = text != NULL ? strstr (text, "reason=") : NULL;
  int s = -1;

  *reason = r != NULL ? g_strdup (r + strlen ("reason=")) : NULL;
  if (text != NULL && g_str_has_prefix (text, "status="))
    {
      g_autofree char *word = g_strndup (text + strlen ("status="), strcspn (text + strlen ("status="), ";"));
      s = les_claim_status_from_word (word);
    }
  *status = s >= 0 ? (LesClaimStatus) s : LES_N_CLAIM_STATUSES;
}

static void
fill_history (LesClaimPane *self, const LesClaimDetail *d)
{
  for (guint i = 0; i < d->history->len; i++)
    {
      const LesClaimEvent *e = &g_array_index (d->history, LesClaimEvent, i);
      g_autofree char *when = format_time (e->at);
      g_autofree char *before_reason = NULL;
      g_autofree char *after_reason = NULL;
      g_autofree char *title = NULL;
      g_autoptr(GString) subtitle = g_string_new (when);
      LesClaimStatus before, after;

      parse_side (e->before, &before, &before_reason);
      parse_side (e->after, &after, &after_reason);
      /* TRANSLATORS: "Queried by jsmith", a claim's new status and who set it */
      if (g_strcmp0 (e->action, "undo-set-status") == 0)
        title = g_strdup_printf (_("Undone by %s"), e->user);
      else if (after < LES_N_CLAIM_STATUSES)
        title = g_strdup_printf (_("%s by %s"), les_claim_status_get_label (after), e->user);
      else
        title = g_strdup_printf (_("Changed by %s"), e->user);
      if (before < LES_N_CLAIM_STATUSES && after < LES_N_CLAIM_STATUSES)
        {
          g_string_append_c (subtitle, '\n');
          g_string_append_printf (subtitle, _("%s, was %s"), les_claim_status_get_label (after),
                                  les_claim_status_get_label (before));
        }
      else if (e->before != NULL || e->after != NULL)
        g_string_append_printf (subtitle, "\n%s → %s", e->before != NULL ? e->before : "—",
                                e->after != NULL ? e->after : "—");
      if (after_reason != NULL)
        {
          g_string_append_c (subtitle, '\n');
          g_string_append_printf (subtitle, _("Reason: %s"), after_reason);
        }
      add_row (self, self->history_group, row_new (title, subtitle->str));
    }
  if (d->history->len == 0)
    add_row (self, self->history_group, row_new (_("No changes"), _("Nobody has changed this claim since it was imported.")));
}

static void
set_status_class (LesClaimPane *self, const char *klass)
{
  if (self->status_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), self->status_class);
  g_free (self->status_class);
  self->status_class = g_strdup (klass);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), klass);
}

static void
fill (LesClaimPane *self)
{
  const LesClaimDetail *d = self->detail;
  g_autofree char *what = NULL;
  g_autofree char *period = NULL;
  gboolean errors;

  clear_rows (self);
  if (d == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "none");
      gtk_widget_set_visible (GTK_WIDGET (self->action_bar), FALSE);
      gtk_label_set_text (self->title_label, _("Claim"));
      return;
    }
  period = les_period_format_display (d->period);
  gtk_label_set_text (self->title_label, d->claim_ref);
  gtk_label_set_text (self->ref_label, d->claim_ref);
  gtk_label_set_text (self->status_label, les_claim_status_get_label (d->status));
  set_status_class (self, les_claim_status_to_word (d->status));
  /* TRANSLATORS: practice, service, month: "Ashford Surgery · DOAC Monitoring · May 2024" */
  what = g_strdup_printf (_("%s · %s · %s"), d->practice_name, d->service_name, period);
  gtk_label_set_text (self->what_label, what);
  if (d->checked && d->counted)
    {
      g_autofree char *value = les_money_format_display (d->value_payable);
      gtk_label_set_text (self->value_label, value);
    }
  else
    gtk_label_set_text (self->value_label, d->checked || d->status == LES_CLAIM_STATUS_REJECTED
                                           || d->status == LES_CLAIM_STATUS_WITHDRAWN ? "£0.00" : "—");
  gtk_label_set_text (self->value_text_label, d->value_text);

  fill_findings (self, d);
  fill_explanation (self, d);
  fill_fields (self, d);
  fill_lines (self, d);
  fill_history (self, d);

  /* approving a claim with errors is allowed, but not by a careless click */
  errors = les_claim_detail_has_errors (d);
  gtk_button_set_label (self->approve_button, errors ? _("Approve Anyway") : _("Approve"));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->approve_button),
                               errors ? _("The claim has errors: approve it only once they are resolved") : NULL);
  if (errors)
    gtk_widget_remove_css_class (GTK_WIDGET (self->approve_button), "suggested-action");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->approve_button), "suggested-action");
  gtk_widget_set_visible (GTK_WIDGET (self->action_bar), TRUE);
  gtk_stack_set_visible_child_name (self->stack, "claim");
}

static gpointer
read_detail (LesStore *reader, gpointer data, GCancellable *cancellable, GError **error)
{
  return les_claim_detail_get (reader, *(gint64 *) data, error);
}

/* A read asked for, known by its cancellable: only the latest is shown */
typedef struct
{
  LesClaimPane *pane;
  GCancellable *cancellable;
} ReadRequest;

static void
detail_read_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  ReadRequest *request = user_data;
  g_autoptr(LesClaimPane) self = request->pane;
  g_autoptr(GCancellable) cancellable = request->cancellable;
  g_autoptr(GError) error = NULL;
  g_autoptr(LesClaimDetail) detail = les_session_read_finish (LES_SESSION (object), result, &error);

  g_free (request);
  if (cancellable != self->cancellable || g_cancellable_is_cancelled (cancellable))
    return;
  g_clear_object (&self->cancellable);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  g_clear_pointer (&self->detail, les_claim_detail_free);
  if (detail == NULL)
    {
      adw_status_page_set_title (self->status_page, _("The Claim Cannot Be Shown"));
      adw_status_page_set_description (self->status_page, error->message);
      fill (self);
      return;
    }
  self->detail = g_steal_pointer (&detail);
  fill (self);
}

static void
start_read (LesClaimPane *self, LesSession *session)
{
  gint64 *id = g_new (gint64, 1);
  ReadRequest *request = g_new0 (ReadRequest, 1);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  *id = self->claim_id;
  request->pane = g_object_ref (self);
  request->cancellable = g_object_ref (self->cancellable);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), TRUE);
  gtk_spinner_set_spinning (self->spinner, TRUE);
  les_session_read_async (session, read_detail, id, g_free, (GDestroyNotify) les_claim_detail_free,
                          self->cancellable, detail_read_cb, request);
}

static void
les_claim_pane_dispose (GObject *object)
{
  LesClaimPane *self = LES_CLAIM_PANE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), LES_TYPE_CLAIM_PANE);

  G_OBJECT_CLASS (les_claim_pane_parent_class)->dispose (object);
}

static void
les_claim_pane_finalize (GObject *object)
{
  LesClaimPane *self = LES_CLAIM_PANE (object);

  g_ptr_array_unref (self->rows);
  g_clear_pointer (&self->detail, les_claim_detail_free);
  g_free (self->status_class);

  G_OBJECT_CLASS (les_claim_pane_parent_class)->finalize (object);
}

static void
les_claim_pane_class_init (LesClaimPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = les_claim_pane_dispose;
  object_class->finalize = les_claim_pane_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/lesclaims/LesClaims/les-claim-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, back_button);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, close_button);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, title_label);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, spinner);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, stack);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, status_page);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, scrolled);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, ref_label);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, status_label);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, what_label);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, value_label);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, value_text_label);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, findings_group);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, explain_group);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, explain_box);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, fields_group);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, lines_group);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, history_group);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, action_bar);
  gtk_widget_class_bind_template_child (widget_class, LesClaimPane, approve_button);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
les_claim_pane_init (LesClaimPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
}

GtkWidget *
les_claim_pane_new (void)
{
  return g_object_new (LES_TYPE_CLAIM_PANE, NULL);
}

void
les_claim_pane_show (LesClaimPane *self, LesSession *session, gint64 claim_id)
{
  g_return_if_fail (LES_IS_CLAIM_PANE (self));
  g_return_if_fail (LES_IS_SESSION (session));

  if (claim_id != self->claim_id)
    {
      GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled);

      gtk_adjustment_set_value (adjustment, 0);
    }
  self->claim_id = claim_id;
  start_read (self, session);
}

void
les_claim_pane_refresh (LesClaimPane *self, LesSession *session)
{
  g_return_if_fail (LES_IS_CLAIM_PANE (self));
  g_return_if_fail (LES_IS_SESSION (session));

  if (self->claim_id != 0)
    start_read (self, session);
}

void
les_claim_pane_clear (LesClaimPane *self)
{
  g_return_if_fail (LES_IS_CLAIM_PANE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  self->claim_id = 0;
  g_clear_pointer (&self->detail, les_claim_detail_free);
  adw_status_page_set_title (self->status_page, _("No Claim"));
  adw_status_page_set_description (self->status_page, NULL);
  fill (self);
}

gint64
les_claim_pane_get_claim_id (LesClaimPane *self)
{
  g_return_val_if_fail (LES_IS_CLAIM_PANE (self), 0);
  return self->claim_id;
}

const LesClaimDetail *
les_claim_pane_get_detail (LesClaimPane *self)
{
  g_return_val_if_fail (LES_IS_CLAIM_PANE (self), NULL);
  return self->detail;
}

gboolean
les_claim_pane_is_loading (LesClaimPane *self)
{
  g_return_val_if_fail (LES_IS_CLAIM_PANE (self), FALSE);
  return self->cancellable != NULL;
}

void
les_claim_pane_set_folded (LesClaimPane *self, gboolean folded)
{
  g_return_if_fail (LES_IS_CLAIM_PANE (self));

  gtk_widget_set_visible (self->back_button, folded);
  gtk_widget_set_visible (self->close_button, !folded);
}
