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
