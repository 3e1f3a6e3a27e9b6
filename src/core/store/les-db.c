/* les-db.c: the backend-neutral face of a connection and its statements. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <string.h>

#include "les-db.h"
#include "les-value.h"

const char *
les_db_get_backend_name (LesDb *db)
{
  return db->backend->name;
}

const char *
les_db_get_location (LesDb *db)
{
  return db->location;
}

void
les_db_close (LesDb *db)
{
  if (db != NULL)
    db->backend->close (db);
}

LesStmt *
les_db_prepare (LesDb *db, const char *sql, GError **error)
{
  return db->backend->prepare (db, sql, error);
}

gboolean
les_db_exec (LesDb *db, const char *sql, GError **error)
{
  return db->backend->exec (db, sql, error);
}

gboolean
les_db_begin (LesDb *db, LesTransaction kind, GError **error)
{
  return db->backend->begin (db, kind, error);
}

gboolean
les_db_commit (LesDb *db, GError **error)
{
  return db->backend->commit (db, error);
}

void
les_db_rollback (LesDb *db)
{
  db->backend->rollback (db);
}

gint64
les_db_changes (LesDb *db)
{
  return db->backend->changes (db);
}

void
les_db_set_cancellable (LesDb *db, GCancellable *cancellable)
{
  db->backend->set_cancellable (db, cancellable);
}

LesDbFailure
les_db_last_failure (LesDb *db)
{
  return db->backend->last_failure (db);
}

gboolean
les_db_transaction_failed (LesDb *db)
{
  return db->backend->transaction_failed (db);
}

void
les_db_set_wait_func (LesDb *db, LesDbWaitFunc func, gpointer user_data)
{
  db->backend->set_wait_func (db, func, user_data);
}

void
les_stmt_finalize (LesStmt *stmt)
{
  if (stmt != NULL)
    stmt->db->backend->finalize (stmt);
}

void
les_stmt_reset (LesStmt *stmt)
{
  stmt->db->backend->reset (stmt);
}

void
les_stmt_clear_bindings (LesStmt *stmt)
{
  stmt->db->backend->clear_bindings (stmt);
}

int
les_stmt_param_count (LesStmt *stmt)
{
  return stmt->db->backend->param_count (stmt);
}

void
les_stmt_bind_int64 (LesStmt *stmt, int index, gint64 value)
{
  stmt->db->backend->bind_int64 (stmt, index, value);
}

void
les_stmt_bind_text (LesStmt *stmt, int index, const char *text)
{
  if (text == NULL)
    stmt->db->backend->bind_null (stmt, index);
  else
    stmt->db->backend->bind_text (stmt, index, text, -1, FALSE);
}

void
les_stmt_bind_static (LesStmt *stmt, int index, const char *text, gssize len)
{
  if (text == NULL)
    stmt->db->backend->bind_null (stmt, index);
  else
    stmt->db->backend->bind_text (stmt, index, text, len, TRUE);
}

void
les_stmt_bind_null (LesStmt *stmt, int index)
{
  stmt->db->backend->bind_null (stmt, index);
}

void
les_stmt_bind_text_or_null (LesStmt *stmt, int index, const char *text)
{
  if (text == NULL || text[0] == '\0')
    stmt->db->backend->bind_null (stmt, index);
  else
    stmt->db->backend->bind_text (stmt, index, text, -1, FALSE);
}

void
les_stmt_bind_int64_or_null (LesStmt *stmt, int index, gboolean present, gint64 value)
{
  if (present)
    stmt->db->backend->bind_int64 (stmt, index, value);
  else
    stmt->db->backend->bind_null (stmt, index);
}

LesStep
les_stmt_step (LesStmt *stmt, GError **error)
{
  return stmt->db->backend->step (stmt, error);
}

gboolean
les_stmt_run (LesStmt *stmt, GError **error)
{
  LesStep rc;

  while ((rc = stmt->db->backend->step (stmt, error)) == LES_STEP_ROW)
    ;
  stmt->db->backend->reset (stmt);
  return rc == LES_STEP_DONE;
}

int
les_stmt_column_count (LesStmt *stmt)
{
  return stmt->db->backend->column_count (stmt);
}

gboolean
les_stmt_is_null (LesStmt *stmt, int col)
{
  return stmt->db->backend->column_is_null (stmt, col);
}

gint64
les_stmt_int64 (LesStmt *stmt, int col)
{
  return stmt->db->backend->column_int64 (stmt, col);
}

int
les_stmt_int (LesStmt *stmt, int col)
{
  return (int) stmt->db->backend->column_int64 (stmt, col);
}

const char *
les_stmt_text (LesStmt *stmt, int col)
{
  return stmt->db->backend->column_text (stmt, col);
}

char *
les_db_describe_holder (LesDb *db)
{
  g_return_val_if_fail (db != NULL, NULL);

  return db->backend->describe_holder != NULL ? db->backend->describe_holder (db) : NULL;
}

gboolean
les_db_can_copy_in (LesDb *db)
{
  g_return_val_if_fail (db != NULL, FALSE);

  return db->backend->copy_in != NULL;
}

gboolean
les_db_copy_in (LesDb *db, const char *sql, const char *data, gsize len, GError **error)
{
  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (db->backend->copy_in != NULL, FALSE);

  return db->backend->copy_in (db, sql, data, len, error);
}

void
les_db_copy_append_text (GString *rows, const char *text)
{
  if (text == NULL)
    {
      g_string_append (rows, "\\N");
      return;
    }
  for (const char *p = text; *p != '\0'; p++)
    {
      /* the plain run up to the next character to escape, in one go */
      gsize plain = strcspn (p, "\\\t\n\r");

      g_string_append_len (rows, p, plain);
      p += plain;
      switch (*p)
        {
        case '\0':
          return;
        case '\\':
          g_string_append (rows, "\\\\");
          break;
        case '\t':
          g_string_append (rows, "\\t");
          break;
        case '\n':
          g_string_append (rows, "\\n");
          break;
        case '\r':
        default:
          g_string_append (rows, "\\r");
          break;
        }
    }
}

gint32
les_stmt_date (LesStmt *stmt, int col)
{
  gint32 ymd = 0;

  if (!les_stmt_is_null (stmt, col))
    les_date_parse (les_stmt_text (stmt, col), &ymd, NULL);
  return ymd;
}

gint32
les_stmt_period (LesStmt *stmt, int col)
{
  gint32 ym = 0;

  if (!les_stmt_is_null (stmt, col))
    les_period_parse (les_stmt_text (stmt, col), &ym, NULL);
  return ym;
}
