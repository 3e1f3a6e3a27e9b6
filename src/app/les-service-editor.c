/* les-service-editor.c: the editor of a service's specification, payment rules and live example. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "les-service-example.h"
#include "les-service-editor.h"
#include "les-value.h"

typedef struct
{
  const char         *column;
  gboolean            is_rule;
  const char         *title;
  const char * const *values;   /* a choice: the stored values ("" = not set) */
  const char * const *labels;
} FieldSpec;

static const char * const cap_modes[] = { "none", "hold", "prorata", NULL };
static const char * const cap_mode_labels[] = { N_("Warn only"), N_("Hold the excess"), N_("Scale down pro rata"),
                                                NULL };
static const char * const schedules[] = { "monthly", "quarterly", NULL };
static const char * const schedule_labels[] = { N_("Monthly"), N_("Quarterly"), NULL };
static const char * const frequencies[] = { "monthly", "quarterly", "annual", NULL };
static const char * const frequency_labels[] = { N_("Monthly"), N_("Quarterly"), N_("Annual"), NULL };
static const char * const kinds[] = { "item", "capitation", "block", "threshold", NULL };
static const char * const kind_labels[] = { N_("Item of service"), N_("Capitation"), N_("Block"), N_("Threshold"),
                                            NULL };
static const char * const rate_pers[] = { "", "year", "quarter", "month", NULL };
static const char * const rate_per_labels[] = { N_("Not set"), N_("A year"), N_("A quarter"), N_("A month"), NULL };
static const char * const bases[] = { "", "registered", "weighted", "cohort", "beds", NULL };
static const char * const base_labels[] = { N_("Not set"), N_("Registered list"), N_("Weighted list"), N_("Cohort"),
                                            N_("Care-home beds"), NULL };
static const char * const settlements[] = { "remainder", "recover", NULL };
static const char * const settlement_labels[] = { N_("Pay the rest on achievement"),
                                                  N_("Recover what was not earned"), NULL };

static const FieldSpec specs[] = {
  { "service_code", FALSE, N_("Code") },
  { "name", FALSE, N_("Name") },
  { "description", FALSE, N_("Description") },
  { "start_date", FALSE, N_("Start date (YYYY-MM-DD, blank: open)") },
  { "end_date", FALSE, N_("End date (YYYY-MM-DD, blank: open)") },
  { "budget", FALSE, N_("Budget (£, blank: none)") },
  { "cap_mode", FALSE, N_("Over budget"), cap_modes, cap_mode_labels },
  { "schedule", FALSE, N_("Scheduled payments"), schedules, schedule_labels },
  { "claim_frequency", FALSE, N_("Claims"), frequencies, frequency_labels },
  { "claim_deadline_days", FALSE, N_("Claim deadline (days after the month, blank: none)") },
  { "rule_code", TRUE, N_("Rule code") },
  { "kind", TRUE, N_("Kind"), kinds, kind_labels },
  { "description", TRUE, N_("Rule description") },
  { "fixed_amount", TRUE, N_("Fixed award per practice a year (£)") },
  { "rate", TRUE, N_("Rate (£)") },
  { "rate_per", TRUE, N_("Rate per"), rate_pers, rate_per_labels },
  { "base", TRUE, N_("Base"), bases, base_labels },
  { "max_units_per_practice", TRUE, N_("Most units per practice a year (blank: no limit)") },
  { "max_per_patient", TRUE, N_("Most per patient a year (blank: no limit)") },
  { "upfront_pct", TRUE, N_("Paid upfront (%)") },
  { "lower_pct", TRUE, N_("Lower threshold (%)") },
  { "upper_pct", TRUE, N_("Upper threshold (%)") },
  { "settlement", TRUE, N_("Settlement"), settlements, settlement_labels },
};

#define N_SPECS G_N_ELEMENTS (specs)

struct _LesServiceEditor
{
  GtkWidget          parent_instance;

  GtkLabel          *title_label;
  GtkButton         *save_button;
  GtkButton         *revert_button;
  GtkButton         *remove_rule_button;
  GtkLabel          *message_label;
  GtkStack          *pages;
  AdwPreferencesGroup *spec_group;
  AdwPreferencesGroup *rules_group;
  AdwPreferencesGroup *example_group;
  AdwActionRow      *example_row;

  GtkWidget         *rows[N_SPECS];
  AdwComboRow       *rule_row;
  GtkStringList     *rule_labels;
  AdwActionRow      *block_note;
  AdwEntryRow       *list_size_row;

  gboolean           saving;       /* a save is being written */
  LesServiceDraft   *draft;
  LesServiceDraft   *saved;
  char              *code;
  guint              rule;
  LesExampleBasis    basis;
  gint64             example_year;
  gboolean           loading;
};

G_DEFINE_FINAL_TYPE (LesServiceEditor, les_service_editor, LES_TYPE_SESSION_WIDGET)

static LesSession *
editor_session (LesServiceEditor *self)
{
  return les_session_widget_get_session (LES_SESSION_WIDGET (self));
}

static void validate (LesServiceEditor *self);

static guint
choice_index (const FieldSpec *spec, const char *value)
{
  for (guint i = 0; spec->values[i] != NULL; i++)
    if (g_strcmp0 (spec->values[i], value) == 0)
      return i;
  return 0;
}

static const char *
field_value (const LesServiceEditor *self, const FieldSpec *spec)
{
  if (spec->is_rule)
    return les_service_draft_get_n_rules (self->draft) > self->rule
             ? les_service_draft_get_rule (self->draft, self->rule, spec->column) : "";
  return les_service_draft_get (self->draft, spec->column);
}

static void
show_field (LesServiceEditor *self, guint i)
{
  const FieldSpec *spec = &specs[i];
  const char *value = field_value (self, spec);

  if (spec->values != NULL)
    adw_combo_row_set_selected (ADW_COMBO_ROW (self->rows[i]), choice_index (spec, value));
  else if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->rows[i])), value) != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->rows[i]), value);
}

/* 12345 as "12,345" */
static char *
format_count (gint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, n);
  GString *s = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0 && g_ascii_isdigit (digits[i - 1]))
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
  return g_string_free (s, FALSE);
}

static char *
rule_label (LesServiceEditor *self, guint rule)
{
  const char *code = les_service_draft_get_rule (self->draft, rule, "rule_code");
  const char *description = les_service_draft_get_rule (self->draft, rule, "description");
  const char *kind = les_service_draft_get_rule (self->draft, rule, "kind");
  const FieldSpec *kind_spec = &specs[11];

  g_assert (g_str_equal (kind_spec->column, "kind"));
  return description[0] != '\0'
           ? g_strdup_printf ("%s — %s (%s)", code[0] ? code : "?", description,
                              _(kind_spec->labels[choice_index (kind_spec, kind)]))
           : g_strdup_printf ("%s (%s)", code[0] ? code : "?", _(kind_spec->labels[choice_index (kind_spec, kind)]));
}

static void
update_rule_labels (LesServiceEditor *self)
{
  guint n = les_service_draft_get_n_rules (self->draft);
  g_autoptr(GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  gboolean was_loading = self->loading;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (labels, rule_label (self, i));
  g_ptr_array_add (labels, NULL);
  self->loading = TRUE;
  gtk_string_list_splice (self->rule_labels, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rule_labels)),
                          (const char * const *) labels->pdata);
  if (n > 0)
    adw_combo_row_set_selected (self->rule_row, self->rule);
  self->loading = was_loading;
}

/* Shows the selected rule's fields, only those its kind has */
static void
show_rule (LesServiceEditor *self)
{
  gboolean has_rule = self->rule < les_service_draft_get_n_rules (self->draft);
  const char *kind = has_rule ? les_service_draft_get_rule (self->draft, self->rule, "kind") : NULL;
  const char *rule_code = has_rule ? les_service_draft_get_rule (self->draft, self->rule, "rule_code") : NULL;
  gboolean was_loading = self->loading;

  self->loading = TRUE;
  for (guint i = 0; i < N_SPECS; i++)
    if (specs[i].is_rule)
      {
        gtk_widget_set_visible (self->rows[i], has_rule && les_rule_kind_uses (kind, specs[i].column));
        if (has_rule)
          show_field (self, i);
      }
  gtk_widget_set_visible (GTK_WIDGET (self->rule_row), has_rule);
  gtk_widget_set_visible (GTK_WIDGET (self->block_note), g_strcmp0 (kind, "block") == 0);
  gtk_widget_set_sensitive (GTK_WIDGET (self->remove_rule_button), has_rule);
  if (has_rule)
    gtk_editable_set_editable (GTK_EDITABLE (les_service_editor_get_row (self, TRUE, "rule_code")),
                               !les_service_draft_rule_is_stored (self->draft, self->rule));
  self->loading = was_loading;

  /* The typical practice for this rule: its units claimed, the service's cohorts, allocations, achievement */
  if (editor_session (self) != NULL && has_rule)
    {
      g_autofree char *registered = NULL;
      g_autofree char *title = NULL;

      les_service_example_basis (les_session_get_store (editor_session (self)), self->code, les_service_draft_get_year (self->draft), rule_code,
                                 &self->basis);
      if (self->basis.registered >= 0)
        {
          registered = format_count (self->basis.registered);
          title = g_strdup_printf (_("List size (blank: the median practice’s, %s)"), registered);
        }
      else
        title = g_strdup (_("List size"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->list_size_row), title);
    }
}

static void
show_draft (LesServiceEditor *self)
{
  const char *name = les_service_draft_get (self->draft, "name");
  const char *code = les_service_draft_get (self->draft, "service_code");
  g_autofree char *title = NULL;

  self->loading = TRUE;
  for (guint i = 0; i < N_SPECS; i++)
    if (!specs[i].is_rule)
      show_field (self, i);
  gtk_editable_set_editable (GTK_EDITABLE (les_service_editor_get_row (self, FALSE, "service_code")),
                             les_service_draft_is_new (self->draft));
  if (les_service_draft_is_new (self->draft) && code[0] == '\0')
    title = g_strdup (_("New Service"));
  else
    title = g_strdup_printf ("%s — %s", code, name);
  gtk_label_set_text (self->title_label, title);
  update_rule_labels (self);
  show_rule (self);
  self->loading = FALSE;
  validate (self);
}

static const char *
column_title (gboolean is_rule, const char *column)
{
  for (guint i = 0; i < N_SPECS; i++)
    if (specs[i].is_rule == is_rule && g_str_equal (specs[i].column, column))
      return _(specs[i].title);
  return column;
}

static void
update_example (LesServiceEditor *self)
{
  g_autoptr(GError) error = NULL;
  LesExampleBasis basis = self->basis;
  LesRuleExample example = { 0 };
  const char *list_size = gtk_editable_get_text (GTK_EDITABLE (self->list_size_row));

  self->example_year = -1;
  gtk_widget_remove_css_class (GTK_WIDGET (self->list_size_row), "error");
  if (list_size[0] != '\0')
    {
      gint64 n;

      if (!les_count_parse (list_size, 10000000, &n, &error))
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->list_size_row), "error");
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->example_row), error->message);
          adw_action_row_set_subtitle (self->example_row, "");
          return;
        }
      /* the median practice's activity, in proportion to the list size asked about */
      if (basis.units_per_year > 0 && basis.registered > 0)
        basis.units_per_year = les_round_div ((__int128) basis.units_per_year * n, basis.registered);
      basis.registered = n;
      basis.weighted = n * 100;
    }

  if (self->rule >= les_service_draft_get_n_rules (self->draft))
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->example_row), _("The service has no rules yet"));
      adw_action_row_set_subtitle (self->example_row, _("Add a rule with the + button above"));
      return;
    }
  if (!les_rule_example (self->draft, self->rule, &basis, &example, &error))
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->example_row), error->message);
      adw_action_row_set_subtitle (self->example_row, "");
      return;
    }

  {
    g_autofree char *month = les_money_format_display (example.month);
    g_autofree char *quarter = les_money_format_display (example.quarter);
    g_autofree char *year = les_money_format_display (example.year);
    g_autofree char *title = example.has_month
      /* Translators: what the example practice is paid a month, a quarter, a year */
      ? g_strdup_printf (_("%s a month · %s a quarter · %s a year"), month, quarter, year)
      : g_strdup_printf (_("%s a quarter · %s a year"), quarter, year);

    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->example_row), title);
    adw_action_row_set_subtitle (self->example_row, example.explanation);
  }
  self->example_year = example.year;
  les_rule_example_clear (&example);
}

/* Checks as typed: each value shown, then the whole service as the importer would */
static void
validate (LesServiceEditor *self)
{
  g_autoptr(GError) error = NULL;
  const char *column = NULL;
  int rule = -1;
  gboolean ok, dirty;

  if (self->draft == NULL)
    return;
  for (guint i = 0; i < N_SPECS; i++)
    {
      gboolean bad = FALSE;

      if (specs[i].values == NULL && gtk_widget_get_visible (self->rows[i]))
        bad = !les_service_check_value (specs[i].is_rule, specs[i].column, field_value (self, &specs[i]), NULL);
      if (bad)
        gtk_widget_add_css_class (self->rows[i], "error");
      else
        gtk_widget_remove_css_class (self->rows[i], "error");
    }

  ok = les_service_draft_check (self->draft, &rule, &column, &error);
  if (!ok)
    {
      g_autofree char *message = NULL;

      if (rule >= 0)
        message = g_strdup_printf (_("Rule %s, %s: %s"), les_service_draft_get_rule (self->draft, rule, "rule_code"),
                                   column_title (TRUE, column), error->message);
      else
        message = g_strdup_printf ("%s: %s", column_title (FALSE, column), error->message);
      gtk_label_set_text (self->message_label, message);
      /* the field concerned, when it is shown */
      for (guint i = 0; i < N_SPECS; i++)
        if (g_strcmp0 (specs[i].column, column) == 0 && specs[i].is_rule == (rule >= 0)
            && (rule < 0 || (guint) rule == self->rule))
          gtk_widget_add_css_class (self->rows[i], "error");
    }
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), !ok);

  dirty = self->saved == NULL || !les_service_draft_equal (self->draft, self->saved);
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), ok && dirty && !self->saving);
  gtk_widget_set_sensitive (GTK_WIDGET (self->revert_button), dirty && self->saved != NULL);
  update_example (self);
}

static void
field_changed (LesServiceEditor *self, guint i, const char *text)
{
  const FieldSpec *spec = &specs[i];

  if (self->loading || self->draft == NULL)
    return;
  if (spec->is_rule)
    {
      if (self->rule >= les_service_draft_get_n_rules (self->draft))
        return;
      les_service_draft_set_rule (self->draft, self->rule, spec->column, text);
      if (g_str_equal (spec->column, "kind"))
        show_rule (self);
      if (g_str_equal (spec->column, "kind") || g_str_equal (spec->column, "rule_code")
          || g_str_equal (spec->column, "description"))
        update_rule_labels (self);
    }
  else
    les_service_draft_set (self->draft, spec->column, text);
  validate (self);
}

static void
entry_changed_cb (GtkEditable *editable, LesServiceEditor *self)
{
  field_changed (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (editable), "spec")),
                 gtk_editable_get_text (editable));
}

static void
combo_selected_cb (AdwComboRow *row, GParamSpec *pspec, LesServiceEditor *self)
{
  guint i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "spec"));
  guint selected = adw_combo_row_get_selected (row);

  if (selected == GTK_INVALID_LIST_POSITION)
    return;
  field_changed (self, i, specs[i].values[selected]);
}

static void
rule_selected_cb (AdwComboRow *row, GParamSpec *pspec, LesServiceEditor *self)
{
  guint selected = adw_combo_row_get_selected (row);

  if (self->loading || selected == GTK_INVALID_LIST_POSITION || selected == self->rule)
    return;
  self->rule = selected;
  show_rule (self);
  validate (self);
}

static void
list_size_changed_cb (GtkEditable *editable, LesServiceEditor *self)
{
  if (!self->loading && self->draft != NULL)
    update_example (self);
}

static void
add_rule_clicked_cb (GtkButton *button, LesServiceEditor *self)
{
  if (self->draft == NULL)
    return;
  self->rule = les_service_draft_add_rule (self->draft, "item");
  gtk_stack_set_visible_child_name (self->pages, "rules");
  update_rule_labels (self);
  show_rule (self);
  validate (self);
  gtk_widget_grab_focus (les_service_editor_get_row (self, TRUE, "rule_code"));
}

static void
remove_rule_clicked_cb (GtkButton *button, LesServiceEditor *self)
{
  if (self->draft == NULL || self->rule >= les_service_draft_get_n_rules (self->draft))
    return;
  les_service_draft_remove_rule (self->draft, self->rule);
  if (self->rule > 0)
    self->rule--;
  update_rule_labels (self);
  show_rule (self);
  validate (self);
}

static void
revert_clicked_cb (GtkButton *button, LesServiceEditor *self)
{
  if (self->saved == NULL)
    return;
  g_clear_pointer (&self->draft, les_service_draft_free);
  self->draft = les_service_draft_copy (self->saved);
  if (self->rule >= les_service_draft_get_n_rules (self->draft))
    self->rule = 0;
  show_draft (self);
}

static void
save_clicked_cb (GtkButton *button, LesServiceEditor *self)
{
  les_service_editor_save (self);
}

/* Reads the service edited again, keeping the rule shown */
static void
reload_service (LesServiceEditor *self, const char *code, int fy)
{
  g_autofree char *rule_code = NULL;

  if (self->draft != NULL && self->rule < les_service_draft_get_n_rules (self->draft))
    rule_code = g_strdup (les_service_draft_get_rule (self->draft, self->rule, "rule_code"));
  if (les_service_editor_load (self, code, fy) && rule_code != NULL)
    les_service_editor_select_rule (self, rule_code);
}

static void
les_service_editor_changed (LesSessionWidget *widget, LesChange what)
{
  LesServiceEditor *self = LES_SERVICE_EDITOR (widget);

  /* An undo or an import: follow the database unless there are edits not yet saved */
  if (self->code == NULL || self->saved == NULL || !les_service_draft_equal (self->draft, self->saved))
    return;
  if (what & LES_CHANGE_SERVICES)
    reload_service (self, self->code, les_service_draft_get_year (self->draft));
}

static GtkWidget *
make_row (LesServiceEditor *self, guint i)
{
  const FieldSpec *spec = &specs[i];
  GtkWidget *row;

  if (spec->values != NULL)
    {
      g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);

      for (guint j = 0; spec->labels[j] != NULL; j++)
        gtk_string_list_append (labels, _(spec->labels[j]));
      row = adw_combo_row_new ();
      adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (labels));
      g_signal_connect (row, "notify::selected", G_CALLBACK (combo_selected_cb), self);
    }
  else
    {
      row = adw_entry_row_new ();
      g_signal_connect (row, "changed", G_CALLBACK (entry_changed_cb), self);
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(spec->title));
  g_object_set_data (G_OBJECT (row), "spec", GUINT_TO_POINTER (i));
  return row;
}

static void
les_service_editor_dispose (GObject *object)
{
  LesServiceEditor *self = (LesServiceEditor *) object;

  gtk_widget_dispose_template (GTK_WIDGET (self), LES_TYPE_SERVICE_EDITOR);

  G_OBJECT_CLASS (les_service_editor_parent_class)->dispose (object);
}

static void
les_service_editor_finalize (GObject *object)
{
  LesServiceEditor *self = (LesServiceEditor *) object;

  les_service_draft_free (self->draft);
  les_service_draft_free (self->saved);
  g_free (self->code);

  G_OBJECT_CLASS (les_service_editor_parent_class)->finalize (object);
}

static void
les_service_editor_class_init (LesServiceEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = les_service_editor_dispose;
  object_class->finalize = les_service_editor_finalize;
  LES_SESSION_WIDGET_CLASS (klass)->changed = les_service_editor_changed;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/lesclaims/LesClaims/les-service-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, LesServiceEditor, title_label);
  gtk_widget_class_bind_template_child (widget_class, LesServiceEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, LesServiceEditor, revert_button);
  gtk_widget_class_bind_template_child (widget_class, LesServiceEditor, remove_rule_button);
  gtk_widget_class_bind_template_child (widget_class, LesServiceEditor, message_label);
  gtk_widget_class_bind_template_child (widget_class, LesServiceEditor, pages);
  gtk_widget_class_bind_template_child (widget_class, LesServiceEditor, spec_group);
  gtk_widget_class_bind_template_child (widget_class, LesServiceEditor, rules_group);
  gtk_widget_class_bind_template_child (widget_class, LesServiceEditor, example_group);
  gtk_widget_class_bind_template_child (widget_class, LesServiceEditor, example_row);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, revert_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_rule_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_rule_clicked_cb);

}

static void
les_service_editor_init (LesServiceEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rule_labels = gtk_string_list_new (NULL);
  self->rule_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->rule_row), _("Rule"));
  adw_combo_row_set_model (self->rule_row, G_LIST_MODEL (self->rule_labels));
  g_object_unref (self->rule_labels);   /* the row keeps it */
  g_signal_connect (self->rule_row, "notify::selected", G_CALLBACK (rule_selected_cb), self);
  adw_preferences_group_add (self->rules_group, GTK_WIDGET (self->rule_row));

  for (guint i = 0; i < N_SPECS; i++)
    {
      self->rows[i] = make_row (self, i);
      adw_preferences_group_add (specs[i].is_rule ? self->rules_group : self->spec_group, self->rows[i]);
      if (specs[i].is_rule && g_str_equal (specs[i].column, "kind"))
        {
          self->block_note = ADW_ACTION_ROW (adw_action_row_new ());
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->block_note),
                                         _("Each practice is paid its block amount from the allocations, "
                                           "in instalments; import allocations to set them"));
          adw_action_row_set_title_lines (self->block_note, 3);
          gtk_widget_add_css_class (GTK_WIDGET (self->block_note), "dim-label");
          adw_preferences_group_add (self->rules_group, GTK_WIDGET (self->block_note));
        }
    }

  self->list_size_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->list_size_row), _("List size"));
  g_signal_connect (self->list_size_row, "changed", G_CALLBACK (list_size_changed_cb), self);
  adw_preferences_group_add (self->example_group, GTK_WIDGET (self->list_size_row));
  /* the result under the figure it depends on */
  g_object_ref (self->example_row);
  adw_preferences_group_remove (self->example_group, GTK_WIDGET (self->example_row));
  adw_preferences_group_add (self->example_group, GTK_WIDGET (self->example_row));
  g_object_unref (self->example_row);
  self->example_year = -1;
}

gboolean
les_service_editor_load (LesServiceEditor *self, const char *service_code, int fy)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = g_strdup (service_code);   /* may be self->code */
  LesServiceDraft *draft;

  g_return_val_if_fail (LES_IS_SERVICE_EDITOR (self), FALSE);
  g_return_val_if_fail (editor_session (self) != NULL, FALSE);

  if (code != NULL)
    {
      draft = les_service_draft_load (les_session_get_store (editor_session (self)), code, fy, &error);
      if (draft == NULL)
        {
          g_debug ("Cannot read service %s: %s", code, error->message);
          return FALSE;
        }
    }
  else
    {
      draft = les_service_draft_new (fy);
      les_service_draft_add_rule (draft, "item");
    }

  if (g_strcmp0 (self->code, code) != 0)
    {
      self->rule = 0;
      self->loading = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->list_size_row), "");
      self->loading = FALSE;
    }
  g_free (self->code);
  self->code = g_steal_pointer (&code);
  g_clear_pointer (&self->draft, les_service_draft_free);
  g_clear_pointer (&self->saved, les_service_draft_free);
  self->draft = draft;
  self->saved = self->code != NULL ? les_service_draft_copy (draft) : NULL;
  if (self->code == NULL)
    gtk_stack_set_visible_child_name (self->pages, "specification");
  if (self->rule >= les_service_draft_get_n_rules (draft))
    self->rule = 0;
  show_draft (self);
  return TRUE;
}

const char *
les_service_editor_get_code (LesServiceEditor *self)
{
  g_return_val_if_fail (LES_IS_SERVICE_EDITOR (self), NULL);
  return self->code;
}

gboolean
les_service_editor_select_rule (LesServiceEditor *self, const char *rule_code)
{
  g_return_val_if_fail (LES_IS_SERVICE_EDITOR (self), FALSE);

  if (self->draft == NULL)
    return FALSE;
  for (guint i = 0; i < les_service_draft_get_n_rules (self->draft); i++)
    if (g_ascii_strcasecmp (les_service_draft_get_rule (self->draft, i, "rule_code"), rule_code) == 0)
      {
        adw_combo_row_set_selected (self->rule_row, i);
        gtk_stack_set_visible_child_name (self->pages, "rules");
        return TRUE;
      }
  return FALSE;
}

GtkWidget *
les_service_editor_get_row (LesServiceEditor *self, gboolean is_rule, const char *column)
{
  g_return_val_if_fail (LES_IS_SERVICE_EDITOR (self), NULL);

  if (g_strcmp0 (column, "example_list_size") == 0)
    return GTK_WIDGET (self->list_size_row);
  for (guint i = 0; i < N_SPECS; i++)
    if (specs[i].is_rule == is_rule && g_str_equal (specs[i].column, column))
      return self->rows[i];
  return NULL;
}

gboolean
les_service_editor_get_can_save (LesServiceEditor *self)
{
  g_return_val_if_fail (LES_IS_SERVICE_EDITOR (self), FALSE);
  return gtk_widget_get_sensitive (GTK_WIDGET (self->save_button));
}

static void
save_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(LesServiceEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *code = NULL;
  int fy = 0;

  self->saving = FALSE;
  if (!les_session_edit_service_finish (LES_SESSION (object), result, &code, &fy, &error))
    {
      gtk_label_set_text (self->message_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->message_label), TRUE);
      validate (self);
      return;
    }
  /* what was written, as the database has it now */
  reload_service (self, code, fy);
}

/* Starts writing the service through the session (undoable); FALSE when it cannot be saved. */
gboolean
les_service_editor_save (LesServiceEditor *self)
{
  g_return_val_if_fail (LES_IS_SERVICE_EDITOR (self), FALSE);

  if (self->draft == NULL || editor_session (self) == NULL || !les_service_editor_get_can_save (self))
    return FALSE;
  self->saving = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), FALSE);
  les_session_save_service_async (editor_session (self), self->draft, save_done_cb, g_object_ref (self));
  return TRUE;
}

gint64
les_service_editor_get_example_year (LesServiceEditor *self)
{
  g_return_val_if_fail (LES_IS_SERVICE_EDITOR (self), -1);
  return self->example_year;
}

const char *
les_service_editor_get_message (LesServiceEditor *self)
{
  g_return_val_if_fail (LES_IS_SERVICE_EDITOR (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->message_label)) ? gtk_label_get_text (self->message_label) : NULL;
}
