/* les-claim-row.c: one claim as the claims table shows it, with its findings. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-claim-row.h"

struct _LesClaimRow
{
  GObject  parent_instance;

  gint64   id;
  char    *fields[LES_N_CLAIM_FIELDS];
};

G_DEFINE_FINAL_TYPE (LesClaimRow, les_claim_row, G_TYPE_OBJECT)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
les_claim_row_finalize (GObject *object)
{
  LesClaimRow *self = (LesClaimRow *) object;

  for (guint i = 0; i < LES_N_CLAIM_FIELDS; i++)
    g_free (self->fields[i]);

  G_OBJECT_CLASS (les_claim_row_parent_class)->finalize (object);
}

static void
les_claim_row_class_init (LesClaimRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = les_claim_row_finalize;

  /**
   * LesClaimRow::changed:
   *
   * The row was filled in or updated (a placeholder whose page arrived).
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
les_claim_row_init (LesClaimRow *self)
{
}

/* @fields: LES_N_CLAIM_FIELDS strings (NULL for blank), copied */
LesClaimRow *
les_claim_row_new (gint64 id, const char **fields)
{
  LesClaimRow *self = g_object_new (LES_TYPE_CLAIM_ROW, NULL);

  self->id = id;
  for (guint i = 0; i < LES_N_CLAIM_FIELDS; i++)
    self->fields[i] = g_strdup (fields[i]);
  return self;
}

/* A row still to be read: blank, id 0, filled in later with les_claim_row_set() */
LesClaimRow *
les_claim_row_new_placeholder (void)
{
  return g_object_new (LES_TYPE_CLAIM_ROW, NULL);
}

/* Replaces the row's values and emits ::changed */
void
les_claim_row_set (LesClaimRow *self, gint64 id, const char **fields)
{
  g_return_if_fail (LES_IS_CLAIM_ROW (self));

  self->id = id;
  for (guint i = 0; i < LES_N_CLAIM_FIELDS; i++)
    {
      g_free (self->fields[i]);
      self->fields[i] = g_strdup (fields[i]);
    }
  g_signal_emit (self, signals[CHANGED], 0);
}

/* Whether the row has been read (a placeholder has not, yet) */
gboolean
les_claim_row_is_loaded (LesClaimRow *self)
{
  g_return_val_if_fail (LES_IS_CLAIM_ROW (self), FALSE);

  return self->id != 0;
}

gint64
les_claim_row_get_id (LesClaimRow *self)
{
  g_return_val_if_fail (LES_IS_CLAIM_ROW (self), 0);

  return self->id;
}

const char *
les_claim_row_get (LesClaimRow *self, LesClaimField field)
{
  g_return_val_if_fail (LES_IS_CLAIM_ROW (self), NULL);
  g_return_val_if_fail (field < LES_N_CLAIM_FIELDS, NULL);

  return self->fields[field] != NULL ? self->fields[field] : "";
}
