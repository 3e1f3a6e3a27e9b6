/* les-row.c: one row of a read-only table from the store, as cells of text and numbers. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-row.h"

typedef struct
{
  char   *text;
  gint64  number;
} Cell;

struct _LesRow
{
  GObject  parent_instance;

  guint    n_cells;
  Cell    *cells;
};

G_DEFINE_FINAL_TYPE (LesRow, les_row, G_TYPE_OBJECT)

static void
les_row_finalize (GObject *object)
{
  LesRow *self = (LesRow *) object;

  for (guint i = 0; i < self->n_cells; i++)
    g_free (self->cells[i].text);
  g_free (self->cells);

  G_OBJECT_CLASS (les_row_parent_class)->finalize (object);
}

static void
les_row_class_init (LesRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = les_row_finalize;
}

static void
les_row_init (LesRow *self)
{
}

LesRow *
les_row_new (guint n_cells)
{
  LesRow *self = g_object_new (LES_TYPE_ROW, NULL);

  self->n_cells = n_cells;
  self->cells = g_new0 (Cell, n_cells);
  return self;
}

guint
les_row_get_n_cells (LesRow *self)
{
  g_return_val_if_fail (LES_IS_ROW (self), 0);

  return self->n_cells;
}

void
les_row_take_text (LesRow *self, guint index, char *text, gint64 number)
{
  g_return_if_fail (LES_IS_ROW (self));
  g_return_if_fail (index < self->n_cells);

  g_free (self->cells[index].text);
  self->cells[index].text = text;
  self->cells[index].number = number;
}

void
les_row_set (LesRow *self, guint index, const char *text, gint64 number)
{
  les_row_take_text (self, index, g_strdup (text), number);
}

const char *
les_row_get_text (LesRow *self, guint index)
{
  g_return_val_if_fail (LES_IS_ROW (self), NULL);
  g_return_val_if_fail (index < self->n_cells, NULL);

  return self->cells[index].text != NULL ? self->cells[index].text : "";
}

gint64
les_row_get_number (LesRow *self, guint index)
{
  g_return_val_if_fail (LES_IS_ROW (self), 0);
  g_return_val_if_fail (index < self->n_cells, 0);

  return self->cells[index].number;
}

/* Whether @a and @b have the same cells, text and number. */
gboolean
les_row_equal (LesRow *a, LesRow *b)
{
  g_return_val_if_fail (LES_IS_ROW (a), FALSE);
  g_return_val_if_fail (LES_IS_ROW (b), FALSE);

  if (a == b)
    return TRUE;
  if (a->n_cells != b->n_cells)
    return FALSE;
  for (guint i = 0; i < a->n_cells; i++)
    if (a->cells[i].number != b->cells[i].number || g_strcmp0 (a->cells[i].text, b->cells[i].text) != 0)
      return FALSE;
  return TRUE;
}
