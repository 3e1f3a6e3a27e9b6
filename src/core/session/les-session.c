/* les-session.c: one context for every screen — the store, the year and month, undo, work off the main thread, change notices by domain. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "les-error.h"
#include "les-session.h"
#include "les-store-private.h"
#include "les-value.h"
#include "les-year-status.h"

/* Reader connections: a page, a count and a screen's load at once, with
 * one to spare, on a 2-core desk.  More reads wait their turn. */
#define N_READERS 4
/* A long history of undos is not what people expect from a toast */
#define MAX_UNDO 20

typedef struct
{
  char           *title;
  LesChange       changes;
  LesUndoFunc     func;
  gpointer        data;
  GDestroyNotify  data_free;
} Command;

typedef struct _Write Write;

struct _Write
{
  LesJob     *job;
  LesChange   changes;      /* what it touched, when it committed */
  LesChange  *partial;      /* (nullable) what a failed write committed anyway, set by its worker */
  /* (nullable) on the main thread just before it runs; FALSE fails it unrun */
  gboolean  (*start)    (LesSession *self, Write *write, GError **error);
  /* (nullable) on the main thread when it ended, before "changed" */
  void      (*finished) (LesSession *self, Write *write, gboolean ok);
  GTask      *task;         /* the caller's; its task data is the job */
};

/* A read asked for: the outer task's data */
typedef struct
{
  LesReadFunc     func;
  gpointer        data;
  GDestroyNotify  data_free;
  GDestroyNotify  result_free;
} ReadRequest;

/* A read under way: the worker task's data */
typedef struct
{
  LesReadFunc     func;
  gpointer        data;          /* the request's, which outlives this */
  GDestroyNotify  result_free;
  char           *location;      /* the store's, as opened: may hold a server password */
  LesStore       *reader;        /* NULL: opened on the worker */
} ReadWork;

struct _LesSession
{
  GObject        parent_instance;

  LesStore      *store;
  gulong         store_changed_id;   /* others' changes, on a server */
  gulong         reachable_id;       /* the server lost and back */
  char          *server_problem;     /* why the server is unreachable; NULL while it is */
  GMainContext  *context;
  int            year;
  gint32         to_period;
  LesTeamRoles   roles;          /* 0: a file, every role */

  /* Reads (main thread) */
  GPtrArray     *idle_readers;   /* LesStore */
  guint          n_readers;      /* opened, in use or being opened */
  GQueue         pending_reads;  /* GTask, oldest first */
  gboolean       dispatching;

  /* Writes (main thread) */
  LesStore      *writer;
  GQueue         writes;         /* Write, waiting, oldest first */
  Write         *current;
  gboolean       starting;
  gboolean       busy;
  LesJob        *notified_job;

  /* Undo (main thread) */
  GQueue         undo;           /* Command, latest first */

  guint          n_unfinished;   /* reads and writes whose callback has not run */
};

G_DEFINE_FINAL_TYPE (LesSession, les_session, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_YEAR,
  PROP_TO_PERIOD,
  PROP_JOB,
  PROP_BUSY,
  PROP_CAN_UNDO,
  PROP_UNDO_TITLE,
  PROP_SERVER_PROBLEM,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

GType
les_change_get_type (void)
{
  static gsize type = 0;
  static const GFlagsValue values[] = {
    { LES_CHANGE_CLAIMS, "LES_CHANGE_CLAIMS", "claims" },
    { LES_CHANGE_PAYMENTS, "LES_CHANGE_PAYMENTS", "payments" },
    { LES_CHANGE_RUNS, "LES_CHANGE_RUNS", "runs" },
    { LES_CHANGE_SERVICES, "LES_CHANGE_SERVICES", "services" },
    { LES_CHANGE_REFERENCE, "LES_CHANGE_REFERENCE", "reference" },
    { 0, NULL, NULL },
  };

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_flags_register_static (g_intern_static_string ("LesChange"), values));
  return type;
}

/**
 * les_change_for_kind:
 *
 * Returns: what importing a file of @kind changes.
 */
LesChange
les_change_for_kind (LesKind kind)
{
  switch (kind)
    {
    case LES_KIND_CLAIMS:
    case LES_KIND_PATIENT_ACTIVITY:
      return LES_CHANGE_CLAIMS;
    case LES_KIND_SERVICES:
    case LES_KIND_RULES:
      return LES_CHANGE_SERVICES;
    case LES_KIND_PRACTICES:
    case LES_KIND_LIST_SIZES:
    case LES_KIND_SIGNUPS:
    case LES_KIND_COHORTS:
    case LES_KIND_ALLOCATIONS:
    case LES_KIND_ACHIEVEMENTS:
    case LES_KIND_LEDGER:
      return LES_CHANGE_REFERENCE;
    case LES_N_KINDS:
    case LES_KIND_INVALID:
    default:
      return LES_CHANGE_ALL;
    }
}

static void
emit_changed (LesSession *self, LesChange what)
{
  if (what != 0)
    g_signal_emit (self, signals[CHANGED], 0, what);
}

/* What another client's change to @table_name touched (on a server) */
static LesChange
change_for_table (const char *table_name)
{
  static const struct { const char *table; LesChange change; } tables[] = {
    { "claims", LES_CHANGE_CLAIMS },
    { "patient_lines", LES_CHANGE_CLAIMS },
    { "payment_lines", LES_CHANGE_PAYMENTS },
    { "findings", LES_CHANGE_PAYMENTS },
    { "adjustments", LES_CHANGE_PAYMENTS },
    { "computes", LES_CHANGE_PAYMENTS },
    { "service_totals", LES_CHANGE_PAYMENTS },
    { "payment_runs", LES_CHANGE_RUNS },
    { "paid_lines", LES_CHANGE_RUNS },
    { "services", LES_CHANGE_SERVICES },
    { "rules", LES_CHANGE_SERVICES },
    { "pcns", LES_CHANGE_REFERENCE },
    { "practices", LES_CHANGE_REFERENCE },
    { "list_sizes", LES_CHANGE_REFERENCE },
    { "signups", LES_CHANGE_REFERENCE },
    { "cohorts", LES_CHANGE_REFERENCE },
    { "allocations", LES_CHANGE_REFERENCE },
    { "achievements", LES_CHANGE_REFERENCE },
    { "ledger", LES_CHANGE_REFERENCE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    if (g_strcmp0 (table_name, tables[i].table) == 0)
      return tables[i].change;
  return LES_CHANGE_ALL;
}

static void
store_changed_cb (LesStore *store, const char *table_name, LesSession *self)
{
  emit_changed (self, change_for_table (table_name));
}

/* The server went away, or came back: while away, the screens say so; once
 * back, what others changed meanwhile was never told, so everything is
 * read again */
static void
store_reachable_changed_cb (LesStore *store, gboolean reachable, const char *problem, LesSession *self)
{
  g_autofree char *old = g_steal_pointer (&self->server_problem);

  if (!reachable)
    self->server_problem = g_strdup (problem != NULL && problem[0] != '\0' ? problem : _("the connection was lost"));
  if (g_strcmp0 (old, self->server_problem) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVER_PROBLEM]);
  if (reachable)
    emit_changed (self, LES_CHANGE_ALL);
}

/* Calls and tasks not yet finished, for les_session_wait() */

static void
unfinished_done_cb (gpointer data, GObject *where_the_task_was)
{
  LesSession *self = data;

  g_assert (self->n_unfinished > 0);
  self->n_unfinished--;
}

/* @task (the caller's, on this thread) is finished once it is finalized,
 * after its callback; it holds the session until then */
static void
track (LesSession *self, GTask *task)
{
  self->n_unfinished++;
  g_object_weak_ref (G_OBJECT (task), unfinished_done_cb, self);
}

/* Undo */

static void
command_free (Command *command)
{
  if (command->data_free != NULL && command->data != NULL)
    command->data_free (command->data);
  g_free (command->title);
  g_free (command);
}

/* After the undo stack changed at its top */
static void
undo_changed (LesSession *self, gboolean could_undo, const char *old_title)
{
  if (could_undo != les_session_get_can_undo (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  if (g_strcmp0 (old_title, les_session_get_undo_title (self)) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNDO_TITLE]);
}

/* @restored: a command put back after its undo failed, not a new edit */
static void
push_command (LesSession *self, Command *command, gboolean restored)
{
  gboolean could_undo = les_session_get_can_undo (self);
  g_autofree char *old_title = g_strdup (les_session_get_undo_title (self));

  g_queue_push_head (&self->undo, command);
  while (g_queue_get_length (&self->undo) > MAX_UNDO)
    command_free (g_queue_pop_tail (&self->undo));
  /* A new edit is a new title even in the same words ("3 claims approved"
   * twice): the window offers Undo for each */
  if (!restored && g_strcmp0 (old_title, command->title) == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_UNDO_TITLE]);
  undo_changed (self, could_undo, old_title);
}

static Command *
pop_command (LesSession *self)
{
  gboolean could_undo = les_session_get_can_undo (self);
  g_autofree char *old_title = g_strdup (les_session_get_undo_title (self));
  Command *command = g_queue_pop_head (&self->undo);

  undo_changed (self, could_undo, old_title);
  return command;
}

/* Reads */

static void
read_request_free (gpointer data)
{
  ReadRequest *request = data;

  if (request->data_free != NULL && request->data != NULL)
    request->data_free (request->data);
  g_free (request);
}

static void
read_work_free (gpointer data)
{
  ReadWork *work = data;

  g_clear_object (&work->reader);
  g_free (work->location);
  g_free (work);
}

static void
read_in_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ReadWork *work = task_data;
  GError *error = NULL;
  gpointer result;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (work->reader == NULL && (work->reader = les_store_open (work->location, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  les_store_set_cancellable (work->reader, cancellable);
  result = work->func (work->reader, work->data, cancellable, &error);
  les_store_set_cancellable (work->reader, NULL);
  if (error != NULL)
    {
      if (result != NULL && work->result_free != NULL)
        work->result_free (result);
      /* a statement stopped by the cancel reads as the cancel */
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_clear_error (&error);
          g_cancellable_set_error_if_cancelled (cancellable, &error);
        }
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, result, work->result_free);
}

static void dispatch_reads (LesSession *self);

static void
read_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) outer = user_data;
  LesSession *self = g_task_get_source_object (outer);
  ReadRequest *request = g_task_get_task_data (outer);
  ReadWork *work = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;
  gpointer value;

  /* the reader comes back to the pool (or its place, when it did not open) */
  if (work->reader != NULL)
    g_ptr_array_add (self->idle_readers, g_steal_pointer (&work->reader));
  else
    self->n_readers--;

  value = g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    g_task_return_error (outer, error);
  else
    g_task_return_pointer (outer, value, request->result_free);
  dispatch_reads (self);
}

/* Starts the reads waiting, oldest first, while readers are free */
static void
dispatch_reads (LesSession *self)
{
  GTask *head;

  /* a caller told of a read cancelled before it started may ask for another */
  if (self->dispatching)
    return;
  self->dispatching = TRUE;
  while ((head = g_queue_peek_head (&self->pending_reads)) != NULL)
    {
      g_autoptr(GTask) outer = NULL;
      g_autoptr(GTask) task = NULL;
      ReadRequest *request = g_task_get_task_data (head);
      GCancellable *cancellable;
      LesStore *reader = NULL;
      ReadWork *work;

      if (g_cancellable_is_cancelled (g_task_get_cancellable (head)))
        {
          outer = g_queue_pop_head (&self->pending_reads);
          g_task_return_error_if_cancelled (outer);
          continue;
        }
      if (self->idle_readers->len > 0)
        reader = g_ptr_array_steal_index_fast (self->idle_readers, self->idle_readers->len - 1);
      else if (self->n_readers < N_READERS)
        self->n_readers++;
      else
        break;
      outer = g_queue_pop_head (&self->pending_reads);

      work = g_new0 (ReadWork, 1);
      work->func = request->func;
      work->data = request->data;
      work->result_free = request->result_free;
      work->location = les_store_dup_open_location (self->store);
      work->reader = reader;
      cancellable = g_task_get_cancellable (outer);
      task = g_task_new (NULL, cancellable, read_done_cb, g_steal_pointer (&outer));
      g_task_set_source_tag (task, read_in_thread);
      g_task_set_task_data (task, work, read_work_free);
      g_task_set_check_cancellable (task, FALSE);
      g_task_run_in_thread (task, read_in_thread);
    }
  self->dispatching = FALSE;
}

/* Writes */

static void
write_free (Write *write)
{
  g_clear_object (&write->job);
  g_clear_object (&write->task);
  g_free (write);
}

static void
update_busy (LesSession *self)
{
  gboolean busy = self->current != NULL || !g_queue_is_empty (&self->writes);

  if (busy == self->busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* After the write under way changed */
static void
update_job (LesSession *self)
{
  /* a reference, so that a new job at a freed one's address still notifies */
  if (g_set_object (&self->notified_job, les_session_get_job (self)))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JOB]);
}

/* A write ended (or failed to start): tell the screens, then the caller */
static void
complete_write (LesSession *self, Write *write, gboolean ok, GError *error)
{
  LesChange what;

  if (write->finished != NULL)
    write->finished (self, write, ok);
  what = ok ? write->changes : write->partial != NULL ? *write->partial : 0;
  emit_changed (self, what);
  if (ok)
    g_task_return_boolean (write->task, TRUE);
  else
    g_task_return_error (write->task, error);
}

static void start_next_write (LesSession *self);

static void
write_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Write *write = user_data;
  g_autoptr(LesSession) self = g_object_ref (g_task_get_source_object (write->task));
  GError *error = NULL;
  gboolean ok;

  g_assert (self->current == write);
  ok = les_job_finish (LES_JOB (object), result, &error);
  /* still the current one while the caller hears of it: a write it asks
   * for then waits behind those asked for before */
  complete_write (self, write, ok, error);
  self->current = NULL;
  write_free (write);
  start_next_write (self);
}

/* Starts the oldest write waiting, when none runs */
static void
start_next_write (LesSession *self)
{
  Write *write;

  /* a caller told of a write that could not start may ask for another */
  if (self->starting)
    return;
  self->starting = TRUE;
  while (self->current == NULL && (write = g_queue_pop_head (&self->writes)) != NULL)
    {
      GError *error = NULL;

      if (les_job_is_cancelled (write->job))
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
      else if (self->writer == NULL)
        self->writer = les_store_dup (self->store, &error);
      if (error == NULL && write->start != NULL)
        write->start (self, write, &error);
      if (error != NULL)
        {
          complete_write (self, write, FALSE, error);
          write_free (write);
          continue;
        }
      self->current = write;
      les_job_run_async (write->job, self->writer, write_done_cb, write);
    }
  self->starting = FALSE;
  update_job (self);
  update_busy (self);
}

/* Queues @job as a write; the caller's task gets the job as its data */
static Write *
write_new (LesSession          *self,
           LesJob              *job,
           LesChange            changes,
           gpointer             source_tag,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  Write *write = g_new0 (Write, 1);

  write->job = g_object_ref (job);
  write->changes = changes;
  write->task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (write->task, source_tag);
  g_task_set_task_data (write->task, g_object_ref (job), g_object_unref);
  track (self, write->task);
  return write;
}

static void
queue_write (LesSession *self, Write *write)
{
  g_queue_push_tail (&self->writes, write);
  start_next_write (self);
  update_busy (self);
}

/* The job of a write's task, and through it the write's data */
static gpointer
finish_write (LesSession *self, GAsyncResult *result, gpointer source_tag, GError **error)
{
  LesJob *job;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  job = g_task_get_task_data (G_TASK (result));
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  return job != NULL ? les_job_get_data (job) : NULL;
}

/* GObject */

static void
les_session_dispose (GObject *object)
{
  LesSession *self = (LesSession *) object;

  /* every read and write holds the session: none is under way here */
  g_assert (self->current == NULL && g_queue_is_empty (&self->writes));
  g_assert (g_queue_is_empty (&self->pending_reads));

  g_clear_signal_handler (&self->store_changed_id, self->store);
  g_clear_signal_handler (&self->reachable_id, self->store);
  g_queue_clear_full (&self->undo, (GDestroyNotify) command_free);
  if (self->idle_readers != NULL)
    g_ptr_array_set_size (self->idle_readers, 0);
  g_clear_object (&self->writer);
  g_clear_object (&self->notified_job);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (les_session_parent_class)->dispose (object);
}

static void
les_session_finalize (GObject *object)
{
  LesSession *self = (LesSession *) object;

  g_clear_pointer (&self->idle_readers, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->server_problem);

  G_OBJECT_CLASS (les_session_parent_class)->finalize (object);
}

static void
les_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LesSession *self = LES_SESSION (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_YEAR:
      g_value_set_int (value, self->year);
      break;
    case PROP_TO_PERIOD:
      g_value_set_int (value, self->to_period);
      break;
    case PROP_JOB:
      g_value_set_object (value, les_session_get_job (self));
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, les_session_get_can_undo (self));
      break;
    case PROP_UNDO_TITLE:
      g_value_set_string (value, les_session_get_undo_title (self));
      break;
    case PROP_SERVER_PROBLEM:
      g_value_set_string (value, self->server_problem);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
les_session_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  LesSession *self = LES_SESSION (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_YEAR:
      les_session_set_year (self, g_value_get_int (value));
      break;
    case PROP_TO_PERIOD:
      les_session_set_to_period (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
les_session_constructed (GObject *object)
{
  LesSession *self = (LesSession *) object;
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (les_session_parent_class)->constructed (object);

  g_assert (LES_IS_STORE (self->store));
  self->store_changed_id = g_signal_connect (self->store, "changed", G_CALLBACK (store_changed_cb), self);
  self->reachable_id = g_signal_connect (self->store, "reachable-changed", G_CALLBACK (store_reachable_changed_cb),
                                         self);
  /* on a server, other people's changes reach the screens as this session's own do */
  if (!les_store_watch_others (self->store, self->context, &error))
    g_debug ("%s: others' changes will not show until read again: %s", les_store_get_location (self->store),
             error->message);
}

static void
les_session_class_init (LesSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = les_session_constructed;
  object_class->dispose = les_session_dispose;
  object_class->finalize = les_session_finalize;
  object_class->get_property = les_session_get_property;
  object_class->set_property = les_session_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, LES_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_YEAR] =
    g_param_spec_int ("year", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_TO_PERIOD] =
    g_param_spec_int ("to-period", NULL, NULL, 0, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_JOB] =
    g_param_spec_object ("job", NULL, NULL, LES_TYPE_JOB,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_UNDO_TITLE] =
    g_param_spec_string ("undo-title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /* why a team database's server cannot be reached, NULL while it can */
  properties[PROP_SERVER_PROBLEM] =
    g_param_spec_string ("server-problem", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LesSession::changed:
   * @what: a #LesChange: the parts of the domain a committed write touched
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, LES_TYPE_CHANGE);
}

static void
les_session_init (LesSession *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->idle_readers = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&self->pending_reads);
  g_queue_init (&self->writes);
  g_queue_init (&self->undo);
}

/* Public API */

/**
 * les_session_new:
 * @store: the main thread's connection
 *
 * Readers and the writer are opened on the same file when first needed.
 */
LesSession *
les_session_new (LesStore *store)
{
  g_return_val_if_fail (LES_IS_STORE (store), NULL);

  return g_object_new (LES_TYPE_SESSION, "store", store, NULL);
}

LesStore *
les_session_get_store (LesSession *self)
{
  g_return_val_if_fail (LES_IS_SESSION (self), NULL);

  return self->store;
}

int
les_session_get_year (LesSession *self)
{
  g_return_val_if_fail (LES_IS_SESSION (self), 0);

  return self->year;
}

/* The month @year is worked to, as the database keeps it (les-year-status.h) */
static void
load_to_period (LesSession *self)
{
  g_autoptr(GError) error = NULL;
  gint32 to;

  if (self->year == 0)
    return;
  to = les_year_get_to_period (self->store, self->year, NULL, &error);
  if (to == 0)
    {
      g_warning ("%s: %s", les_store_get_location (self->store), error->message);
      return;
    }
  if (self->to_period == to)
    return;
  self->to_period = to;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TO_PERIOD]);
}

/**
 * les_session_set_year:
 *
 * Shows @year (0: none); the to-period becomes the month the database
 * keeps for it (chosen, or last computed to, or the default).
 */
void
les_session_set_year (LesSession *self, int year)
{
  g_return_if_fail (LES_IS_SESSION (self));
  g_return_if_fail (year >= 0);

  if (self->year == year)
    return;
  self->year = year;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_YEAR]);
  load_to_period (self);
}

gint32
les_session_get_to_period (LesSession *self)
{
  g_return_val_if_fail (LES_IS_SESSION (self), 0);

  return self->to_period;
}

typedef struct
{
  int    fy;
  gint32 to_period;
} MonthData;

static gboolean
keep_month_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  MonthData *d = data;

  return les_year_set_to_period (store, d->fy, d->to_period, error);
}

static void
keep_month_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;

  if (!finish_write (LES_SESSION (object), result, les_session_set_to_period, &error))
    g_warning ("Cannot keep the month to compute to: %s", error->message);
}

/**
 * les_session_set_to_period:
 * @to_period: YYYYMM, a month of the session's year; 0 for the whole year
 *
 * The month the year is worked to, kept in the database for the year (as
 * a write, after those already asked for).  The figures are then out of
 * date until computed to it (les_year_status_get()); "changed" tells the
 * screens (LES_CHANGE_PAYMENTS) once it is kept.
 */
void
les_session_set_to_period (LesSession *self, gint32 to_period)
{
  g_autoptr(LesJob) job = NULL;
  MonthData *d;

  g_return_if_fail (LES_IS_SESSION (self));
  g_return_if_fail (to_period >= 0);

  if (self->to_period == to_period)
    return;
  self->to_period = to_period;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TO_PERIOD]);
  if (self->year == 0 || (to_period != 0 && les_period_fy (to_period) != self->year))
    return;

  d = g_new0 (MonthData, 1);
  d->fy = self->year;
  d->to_period = to_period != 0 ? to_period : les_fy_period (self->year, 12);
  job = les_job_new (_("Keeping the month to compute to…"), keep_month_func, d, g_free);
  queue_write (self, write_new (self, job, LES_CHANGE_PAYMENTS, les_session_set_to_period, keep_month_done_cb,
                                NULL));
}

/**
 * les_session_get_job:
 *
 * Returns: (transfer none) (nullable): the write under way
 */
LesJob *
les_session_get_job (LesSession *self)
{
  g_return_val_if_fail (LES_IS_SESSION (self), NULL);

  return self->current != NULL ? self->current->job : NULL;
}

/**
 * les_session_set_roles:
 * @roles: the team roles the user holds on a server (les_team_get_roles()),
 *   0 for a file, where one person does everything
 *
 * Set before the screens are given the session: they read it to offer only
 * what the user may do.  The server enforces the roles whatever is set here.
 */
void
les_session_set_roles (LesSession *self, LesTeamRoles roles)
{
  g_return_if_fail (LES_IS_SESSION (self));
  self->roles = roles;
}

LesTeamRoles
les_session_get_roles (LesSession *self)
{
  g_return_val_if_fail (LES_IS_SESSION (self), 0);
  return self->roles;
}

/**
 * les_session_get_server_problem:
 *
 * Returns: (nullable): on a team database whose server the session lost
 * (it restarted, the network dropped), why, while it tries again in the
 * background; NULL while the server is there (and always on a file)
 */
const char *
les_session_get_server_problem (LesSession *self)
{
  g_return_val_if_fail (LES_IS_SESSION (self), NULL);
  return self->server_problem;
}

gboolean
les_session_get_busy (LesSession *self)
{
  g_return_val_if_fail (LES_IS_SESSION (self), FALSE);

  return self->busy;
}

void
les_session_notify_changed (LesSession *self, LesChange what)
{
  g_return_if_fail (LES_IS_SESSION (self));

  emit_changed (self, what & LES_CHANGE_ALL);
}

void
les_session_read_async (LesSession          *self,
                        LesReadFunc          func,
                        gpointer             data,
                        GDestroyNotify       data_free,
                        GDestroyNotify       result_free,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  ReadRequest *request;
  GTask *task;

  g_return_if_fail (LES_IS_SESSION (self));
  g_return_if_fail (func != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  request = g_new0 (ReadRequest, 1);
  request->func = func;
  request->data = data;
  request->data_free = data_free;
  request->result_free = result_free;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, les_session_read_async);
  g_task_set_task_data (task, request, read_request_free);
  track (self, task);
  g_queue_push_tail (&self->pending_reads, task);
  dispatch_reads (self);
}

gpointer
les_session_read_finish (LesSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (LES_IS_SESSION (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == les_session_read_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * les_session_run_async:
 * @job: the write; its function gets the writer connection
 * @changes: what it touches, announced by "changed" once it succeeded
 *
 * Queues @job behind the writes asked for before it.  A write that fails
 * is taken to have left the database as it was.
 */
void
les_session_run_async (LesSession          *self,
                       LesJob              *job,
                       LesChange            changes,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_return_if_fail (LES_IS_SESSION (self));
  g_return_if_fail (LES_IS_JOB (job));
  g_return_if_fail (!les_job_is_running (job));

  queue_write (self, write_new (self, job, changes & LES_CHANGE_ALL, les_session_run_async, callback, user_data));
}

gboolean
les_session_run_finish (LesSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (LES_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Import */

typedef struct
{
  GPtrArray *files;        /* GFile */
  GArray    *kinds;        /* LesKind */
  GArray    *stats;        /* LesImportStats, one per file imported */
  LesChange  committed;    /* what the files imported so far changed */
  LesJob    *job;          /* (not owned) for the progress of each file */
  guint      file;         /* the one being imported */
  char      *label;        /* "Importing NAME (2 of 5)…", with several */
} ImportData;

static void
import_data_free (gpointer data)
{
  ImportData *d = data;

  g_ptr_array_unref (d->files);
  g_array_unref (d->kinds);
  g_array_unref (d->stats);
  g_free (d->label);
  g_free (d);
}

/* A file's progress as a share of all of them */
static void
import_progress_cb (double fraction, const char *label, gpointer data)
{
  ImportData *d = data;

  les_job_progress (d->job, (d->file + fraction) / d->files->len, d->label != NULL ? d->label : label);
}

static void
import_message_cb (const char *message, gpointer data)
{
  ImportData *d = data;

  les_job_message (d->job, message);
}

static gboolean
import_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  ImportData *d = data;

  d->job = job;
  for (d->file = 0; d->file < d->files->len; d->file++)
    {
      GFile *file = g_ptr_array_index (d->files, d->file);
      LesKind kind = g_array_index (d->kinds, LesKind, d->file);
      g_autofree char *name = g_file_get_basename (file);
      LesImportStats stats = { 0 };

      if (d->files->len > 1)
        {
          g_free (d->label);
          d->label = g_strdup_printf (_("Importing %s (%u of %u)…"), name, d->file + 1, d->files->len);
          les_job_progress (job, (double) d->file / d->files->len, d->label);
        }
      if (!les_import_file (store, kind, file, name, import_message_cb, import_progress_cb, d, cancellable,
                            &stats, error))
        return FALSE;
      g_array_append_val (d->stats, stats);
      d->committed |= les_change_for_kind (kind);
    }
  les_job_progress (job, 1.0, NULL);
  return TRUE;
}

/**
 * les_session_import_async:
 * @files: (array length=n_files): the files, imported in this order
 * @kinds: (array length=n_files): the kind of each
 *
 * Returns: (transfer none): the import's job, for its messages and progress
 *   (the session holds it until the callback has run)
 */
LesJob *
les_session_import_async (LesSession          *self,
                          GFile              **files,
                          const LesKind       *kinds,
                          guint                n_files,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(LesJob) job = NULL;
  LesChange changes = 0;
  ImportData *d;
  Write *write;

  g_return_val_if_fail (LES_IS_SESSION (self), NULL);
  g_return_val_if_fail (files != NULL || n_files == 0, NULL);
  g_return_val_if_fail (kinds != NULL || n_files == 0, NULL);

  d = g_new0 (ImportData, 1);
  d->files = g_ptr_array_new_with_free_func (g_object_unref);
  d->kinds = g_array_sized_new (FALSE, FALSE, sizeof (LesKind), n_files);
  d->stats = g_array_sized_new (FALSE, TRUE, sizeof (LesImportStats), n_files);
  for (guint i = 0; i < n_files; i++)
    {
      g_ptr_array_add (d->files, g_object_ref (files[i]));
      g_array_append_val (d->kinds, kinds[i]);
      changes |= les_change_for_kind (kinds[i]);
    }
  job = les_job_new (_("Importing…"), import_func, d, import_data_free);
  write = write_new (self, job, changes, les_session_import_async, callback, user_data);
  write->partial = &d->committed;
  queue_write (self, write);
  return job;
}

/**
 * les_session_import_finish:
 * @stats: (out) (optional) (element-type LesImportStats) (transfer full): one
 *   per file imported, those imported before a failure included
 */
gboolean
les_session_import_finish (LesSession    *self,
                           GAsyncResult  *result,
                           GArray       **stats,
                           GError       **error)
{
  LesJob *job;
  ImportData *d;

  g_return_val_if_fail (LES_IS_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  job = g_task_get_task_data (G_TASK (result));
  d = les_job_get_data (job);
  if (stats != NULL)
    *stats = g_array_ref (d->stats);
  return finish_write (self, result, les_session_import_async, error) != NULL;
}

/* Compute */

typedef struct
{
  int               fy;
  gint32            to_period;
  LesComputeSummary summary;
} ComputeData;

static gboolean
compute_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  ComputeData *d = data;

  return les_compute_year (store, d->fy, d->to_period, les_job_progress_cb, job, cancellable, &d->summary, error);
}

void
les_session_compute_async (LesSession          *self,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(LesJob) job = NULL;
  ComputeData *d;

  g_return_if_fail (LES_IS_SESSION (self));

  if (self->year == 0)
    {
      g_task_report_new_error (self, callback, user_data, les_session_compute_async, LES_ERROR, LES_ERROR_INVALID,
                               _("Choose a financial year first"));
      return;
    }
  d = g_new0 (ComputeData, 1);
  d->fy = self->year;
  d->to_period = self->to_period;
  job = les_job_new (_("Computing payments…"), compute_func, d, g_free);
  queue_write (self, write_new (self, job, LES_CHANGE_PAYMENTS, les_session_compute_async, callback, user_data));
}

/**
 * les_session_compute_finish:
 * @summary: (out caller-allocates) (optional): what the compute found
 */
gboolean
les_session_compute_finish (LesSession         *self,
                            GAsyncResult       *result,
                            LesComputeSummary  *summary,
                            GError            **error)
{
  ComputeData *d;

  g_return_val_if_fail (LES_IS_SESSION (self), FALSE);

  d = finish_write (self, result, les_session_compute_async, error);
  if (d == NULL)
    return FALSE;
  if (summary != NULL)
    *summary = d->summary;
  return TRUE;
}

/* Claim status */

typedef struct
{
  GArray          *ids;      /* these claims, or … */
  GArray          *seen;     /* (nullable) the status each of @ids showed */
  LesClaimQuery   *query;    /* … every claim it matches */
  LesClaimStatus   status;
  char            *reason;
  LesClaimsChange *change;
  gint64           n_changed;
  GArray          *refused;  /* LesClaimsRefusal, once finished */
} StatusData;

static void
status_data_free (gpointer data)
{
  StatusData *d = data;

  g_clear_pointer (&d->ids, g_array_unref);
  g_clear_pointer (&d->seen, g_array_unref);
  g_clear_pointer (&d->query, les_claim_query_unref);
  g_clear_pointer (&d->change, les_claims_change_free);
  g_clear_pointer (&d->refused, g_array_unref);
  g_free (d->reason);
  g_free (d);
}

static gboolean
status_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  StatusData *d = data;

  if (d->ids == NULL && (d->ids = les_claim_query_dup_ids (d->query, store, error)) == NULL)
    return FALSE;
  les_job_progress (job, 0.5, _("Writing the changes and the audit trail…"));
  d->change = les_claims_set_status (store, (const gint64 *) (gpointer) d->ids->data,
                                     d->seen != NULL ? (const LesClaimStatus *) (gpointer) d->seen->data : NULL,
                                     d->ids->len, d->status, d->reason, error);
  return d->change != NULL;
}

static gboolean
undo_status (LesStore *store, gpointer data, GCancellable *cancellable, GError **error)
{
  return les_claims_change_undo (store, data, error);
}

/* "3 claims approved", for the Undo button */
static char *
status_title (LesClaimStatus status, guint n)
{
  switch (status)
    {
    case LES_CLAIM_STATUS_APPROVED:
      return g_strdup_printf (ngettext ("%u claim approved", "%u claims approved", n), n);
    case LES_CLAIM_STATUS_QUERIED:
      return g_strdup_printf (ngettext ("%u claim queried", "%u claims queried", n), n);
    case LES_CLAIM_STATUS_REJECTED:
      return g_strdup_printf (ngettext ("%u claim rejected", "%u claims rejected", n), n);
    case LES_CLAIM_STATUS_WITHDRAWN:
      return g_strdup_printf (ngettext ("%u claim withdrawn", "%u claims withdrawn", n), n);
    case LES_CLAIM_STATUS_SUBMITTED:
    case LES_N_CLAIM_STATUSES:
    default:
      return g_strdup_printf (ngettext ("%u claim reopened", "%u claims reopened", n), n);
    }
}

static void
status_finished (LesSession *self, Write *write, gboolean ok)
{
  StatusData *d = les_job_get_data (write->job);
  g_autofree char *title = NULL;
  guint n;

  if (!ok)
    return;
  n = les_claims_change_get_n_changed (d->change);
  d->n_changed = n;
  d->refused = g_array_ref (les_claims_change_get_refused (d->change));
  if (n == 0)
    {
      /* every claim had that status already: nothing to tell, nothing to undo */
      write->changes = 0;
      return;
    }
  title = status_title (d->status, n);
  les_session_push_undo (self, title, LES_CHANGE_CLAIMS, undo_status, g_steal_pointer (&d->change),
                         (GDestroyNotify) les_claims_change_free);
}

/**
 * les_session_set_status_async:
 * @ids: (nullable) (element-type gint64): the claims
 * @seen: (nullable) (element-type LesClaimStatus): with @ids, what each showed
 * @query: (nullable): with @ids NULL, every claim it matches
 * @reason: (nullable): required for every status but submitted and approved
 */
void
les_session_set_status_async (LesSession          *self,
                              GArray              *ids,
                              GArray              *seen,
                              LesClaimQuery       *query,
                              LesClaimStatus       status,
                              const char          *reason,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(LesJob) job = NULL;
  StatusData *d;
  Write *write;

  g_return_if_fail (LES_IS_SESSION (self));
  g_return_if_fail (ids != NULL || query != NULL);
  g_return_if_fail (seen == NULL || (ids != NULL && seen->len == ids->len));
  g_return_if_fail (status < LES_N_CLAIM_STATUSES);

  d = g_new0 (StatusData, 1);
  d->ids = ids != NULL ? g_array_ref (ids) : NULL;
  d->seen = seen != NULL ? g_array_ref (seen) : NULL;
  d->query = ids == NULL ? les_claim_query_ref (query) : NULL;
  d->status = status;
  d->reason = g_strdup (reason);
  job = les_job_new (_("Changing claims…"), status_func, d, status_data_free);
  write = write_new (self, job, LES_CHANGE_CLAIMS, les_session_set_status_async, callback, user_data);
  write->finished = status_finished;
  queue_write (self, write);
}

gint64
les_session_set_status_finish (LesSession *self, GAsyncResult *result, GArray **refused, GError **error)
{
  StatusData *d;

  g_return_val_if_fail (LES_IS_SESSION (self), -1);

  d = finish_write (self, result, les_session_set_status_async, error);
  if (d != NULL && refused != NULL)
    *refused = d->refused != NULL ? g_array_ref (d->refused) : NULL;
  return d != NULL ? d->n_changed : -1;
}

/* Payment runs */

typedef struct
{
  int     fy;
  gint32  month;
  LesRun  run;
  gint64  run_id;
  char   *reason;
} RunData;

static void
run_data_free (gpointer data)
{
  RunData *d = data;

  les_run_clear (&d->run);
  g_free (d->reason);
  g_free (d);
}

static gboolean
close_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  RunData *d = data;

  return les_runs_close_month (store, d->fy, d->month, les_job_progress_cb, job, cancellable, &d->run, error);
}

/**
 * les_session_close_month_async:
 * @month: YYYYMM, in the session's year
 *
 * Pays what is due and approved up to @month and freezes it as a run.
 */
void
les_session_close_month_async (LesSession          *self,
                               gint32               month,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(LesJob) job = NULL;
  g_autofree char *title = NULL;
  char text[8];
  RunData *d;

  g_return_if_fail (LES_IS_SESSION (self));

  if (self->year == 0)
    {
      g_task_report_new_error (self, callback, user_data, les_session_close_month_async, LES_ERROR,
                               LES_ERROR_INVALID, _("Choose a financial year first"));
      return;
    }
  d = g_new0 (RunData, 1);
  d->fy = self->year;
  d->month = month;
  les_period_format (month, text);
  title = g_strdup_printf (_("Closing %s…"), text);
  job = les_job_new (title, close_func, d, run_data_free);
  queue_write (self, write_new (self, job, LES_CHANGE_RUNS | LES_CHANGE_PAYMENTS, les_session_close_month_async,
                                callback, user_data));
}

/**
 * les_session_close_month_finish:
 * @run: (out caller-allocates) (optional): the run made; clear it with les_run_clear()
 */
gboolean
les_session_close_month_finish (LesSession    *self,
                                GAsyncResult  *result,
                                LesRun        *run,
                                GError       **error)
{
  RunData *d;

  g_return_val_if_fail (LES_IS_SESSION (self), FALSE);

  d = finish_write (self, result, les_session_close_month_async, error);
  if (d == NULL)
    return FALSE;
  if (run != NULL)
    {
      *run = d->run;
      memset (&d->run, 0, sizeof d->run);
    }
  return TRUE;
}

static gboolean
reopen_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  RunData *d = data;

  return les_runs_reopen (store, d->run_id, d->reason, cancellable, error);
}

/**
 * les_session_reopen_async:
 * @reason: why, for the audit trail (required)
 *
 * Re-opens the latest run of its year: what it paid is owed again.
 */
void
les_session_reopen_async (LesSession          *self,
                          gint64               run_id,
                          const char          *reason,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(LesJob) job = NULL;
  g_autofree char *title = NULL;
  RunData *d;

  g_return_if_fail (LES_IS_SESSION (self));

  d = g_new0 (RunData, 1);
  d->run_id = run_id;
  d->reason = g_strdup (reason);
  title = g_strdup_printf (_("Re-opening run %" G_GINT64_FORMAT "…"), run_id);
  job = les_job_new (title, reopen_func, d, run_data_free);
  /* its adjustments are worked out again */
  queue_write (self, write_new (self, job, LES_CHANGE_RUNS | LES_CHANGE_PAYMENTS, les_session_reopen_async,
                                callback, user_data));
}

gboolean
les_session_reopen_finish (LesSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (LES_IS_SESSION (self), FALSE);

  return finish_write (self, result, les_session_reopen_async, error) != NULL;
}

/* Services */

typedef enum {
  SERVICE_SAVE,
  SERVICE_DUPLICATE,
  SERVICE_RETIRE,
} ServiceEdit;

typedef struct
{
  ServiceEdit       edit;
  LesServiceDraft  *draft;      /* save */
  char             *code;       /* duplicate, retire */
  int               fy;
  char             *end_date;   /* retire; NULL: the end of the year */
  LesServiceChange *change;
  char             *saved_code; /* what was written, for the caller */
  int               saved_year;
} ServiceData;

static void
service_data_free (gpointer data)
{
  ServiceData *d = data;

  g_clear_pointer (&d->draft, les_service_draft_free);
  g_clear_pointer (&d->change, les_service_change_free);
  g_free (d->code);
  g_free (d->end_date);
  g_free (d->saved_code);
  g_free (d);
}

static gboolean
service_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  ServiceData *d = data;

  switch (d->edit)
    {
    case SERVICE_SAVE:
      d->change = les_service_save (store, d->draft, error);
      break;
    case SERVICE_DUPLICATE:
      d->change = les_service_duplicate (store, d->code, d->fy, error);
      break;
    case SERVICE_RETIRE:
    default:
      d->change = les_service_retire (store, d->code, d->fy, d->end_date, error);
      break;
    }
  if (d->change == NULL)
    return FALSE;
  d->saved_code = g_strdup (les_service_change_get_code (d->change));
  d->saved_year = les_service_change_get_year (d->change);
  return TRUE;
}

static gboolean
undo_service (LesStore *store, gpointer data, GCancellable *cancellable, GError **error)
{
  return les_service_change_undo (store, data, error);
}

static void
service_finished (LesSession *self, Write *write, gboolean ok)
{
  ServiceData *d = les_job_get_data (write->job);
  g_autofree char *title = NULL;

  if (!ok)
    return;
  switch (d->edit)
    {
    case SERVICE_SAVE:
      /* Translators: the Undo toast after saving a service, such as "Saved DOAC" */
      title = g_strdup_printf (_("Saved %s"), d->saved_code);
      break;
    case SERVICE_DUPLICATE:
      {
        g_autofree char *year = les_year_format (d->saved_year);

        /* Translators: "Copied DOAC to 2025/26" */
        title = g_strdup_printf (_("Copied %s to %s"), d->saved_code, year);
      }
      break;
    case SERVICE_RETIRE:
    default:
      /* Translators: "Retired DOAC" */
      title = g_strdup_printf (_("Retired %s"), d->saved_code);
      break;
    }
  les_session_push_undo (self, title, LES_CHANGE_SERVICES, undo_service, g_steal_pointer (&d->change),
                         (GDestroyNotify) les_service_change_free);
}

static void
queue_service_edit (LesSession *self, ServiceData *d, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(LesJob) job = les_job_new (_("Saving the service…"), service_func, d, service_data_free);
  Write *write = write_new (self, job, LES_CHANGE_SERVICES, les_session_save_service_async, callback, user_data);

  write->finished = service_finished;
  queue_write (self, write);
}

/**
 * les_session_save_service_async:
 * @draft: the service and its rules, checked (a copy is written)
 *
 * Writes the service and its rules in one transaction, undoably.
 */
void
les_session_save_service_async (LesSession            *self,
                                const LesServiceDraft *draft,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data)
{
  ServiceData *d;

  g_return_if_fail (LES_IS_SESSION (self));
  g_return_if_fail (draft != NULL);

  d = g_new0 (ServiceData, 1);
  d->edit = SERVICE_SAVE;
  d->draft = les_service_draft_copy (draft);
  queue_service_edit (self, d, callback, user_data);
}

/* A copy or retirement of service @code of the session's year */
static void
queue_service_change (LesSession          *self,
                      ServiceEdit          edit,
                      const char          *code,
                      const char          *end_date,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  ServiceData *d = g_new0 (ServiceData, 1);

  d->edit = edit;
  d->code = g_strdup (code);
  d->fy = self->year;
  d->end_date = g_strdup (end_date);
  queue_service_edit (self, d, callback, user_data);
}

/* Copies service @code of the session's year to the next year, undoably. */
void
les_session_duplicate_service_async (LesSession          *self,
                                     const char          *code,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (LES_IS_SESSION (self));
  g_return_if_fail (code != NULL);

  queue_service_change (self, SERVICE_DUPLICATE, code, NULL, callback, user_data);
}

/**
 * les_session_retire_service_async:
 * @end_date: (nullable): YYYY-MM-DD; NULL for the end of the session's year
 *
 * Ends service @code of the session's year on @end_date, undoably.
 */
void
les_session_retire_service_async (LesSession          *self,
                                  const char          *code,
                                  const char          *end_date,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (LES_IS_SESSION (self));
  g_return_if_fail (code != NULL);

  queue_service_change (self, SERVICE_RETIRE, code, end_date, callback, user_data);
}

/**
 * les_session_edit_service_finish:
 * @code: (out) (optional) (transfer full): the service written
 * @year: (out) (optional): its year (the next one for a copy)
 *
 * Finishes a save, copy or retirement of a service.
 */
gboolean
les_session_edit_service_finish (LesSession    *self,
                                 GAsyncResult  *result,
                                 char         **code,
                                 int           *year,
                                 GError       **error)
{
  ServiceData *d;

  g_return_val_if_fail (LES_IS_SESSION (self), FALSE);

  d = finish_write (self, result, les_session_save_service_async, error);
  if (d == NULL)
    return FALSE;
  if (code != NULL)
    *code = g_strdup (d->saved_code);
  if (year != NULL)
    *year = d->saved_year;
  return TRUE;
}

/* Undo */

/**
 * les_session_push_undo:
 * @title: what undoing undoes ("3 claims approved")
 * @changes: what undoing it touches
 * @func: undoes it on the writer connection, in a transaction of its own
 * @data: (transfer full): given to @func, freed with @data_free
 *
 * Makes @title the latest command, for an edit made outside the typed
 * operations (which push their own).
 */
void
les_session_push_undo (LesSession     *self,
                       const char     *title,
                       LesChange       changes,
                       LesUndoFunc     func,
                       gpointer        data,
                       GDestroyNotify  data_free)
{
  Command *command;

  g_return_if_fail (LES_IS_SESSION (self));
  g_return_if_fail (title != NULL);
  g_return_if_fail (func != NULL);

  command = g_new0 (Command, 1);
  command->title = g_strdup (title);
  command->changes = changes & LES_CHANGE_ALL;
  command->func = func;
  command->data = data;
  command->data_free = data_free;
  push_command (self, command, FALSE);
}

gboolean
les_session_get_can_undo (LesSession *self)
{
  g_return_val_if_fail (LES_IS_SESSION (self), FALSE);

  return !g_queue_is_empty (&self->undo);
}

/**
 * les_session_get_undo_title:
 *
 * Returns: (nullable): the latest command's title
 */
const char *
les_session_get_undo_title (LesSession *self)
{
  Command *command;

  g_return_val_if_fail (LES_IS_SESSION (self), NULL);

  command = g_queue_peek_head (&self->undo);
  return command != NULL ? command->title : NULL;
}

typedef struct
{
  Command *command;   /* taken from the stack when the undo starts */
} UndoData;

static void
undo_data_free (gpointer data)
{
  UndoData *d = data;

  g_clear_pointer (&d->command, command_free);
  g_free (d);
}

static gboolean
undo_func (LesJob *job, LesStore *store, GCancellable *cancellable, gpointer data, GError **error)
{
  UndoData *d = data;

  return d->command->func (store, d->command->data, cancellable, error);
}

/* The latest command when the undo's turn comes, not when it was asked
 * for: an edit still being written when Undo was pressed is the one undone */
static gboolean
undo_start (LesSession *self, Write *write, GError **error)
{
  UndoData *d = les_job_get_data (write->job);

  d->command = pop_command (self);
  if (d->command == NULL)
    {
      g_set_error_literal (error, LES_ERROR, LES_ERROR_NOT_FOUND, _("Nothing to undo"));
      return FALSE;
    }
  write->changes = d->command->changes;
  return TRUE;
}

static void
undo_finished (LesSession *self, Write *write, gboolean ok)
{
  UndoData *d = les_job_get_data (write->job);

  /* not undone: the database is as it was, so the command still stands */
  if (!ok && d->command != NULL)
    push_command (self, g_steal_pointer (&d->command), TRUE);
}

void
les_session_undo_async (LesSession          *self,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(LesJob) job = NULL;
  Write *write;

  g_return_if_fail (LES_IS_SESSION (self));

  job = les_job_new (_("Undoing…"), undo_func, g_new0 (UndoData, 1), undo_data_free);
  write = write_new (self, job, 0, les_session_undo_async, callback, user_data);
  write->start = undo_start;
  write->finished = undo_finished;
  queue_write (self, write);
}

gboolean
les_session_undo_finish (LesSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (LES_IS_SESSION (self), FALSE);

  return finish_write (self, result, les_session_undo_async, error) != NULL;
}

void
les_session_wait (LesSession *self)
{
  g_return_if_fail (LES_IS_SESSION (self));

  g_object_ref (self);
  while (self->n_unfinished > 0)
    g_main_context_iteration (self->context, TRUE);
  g_object_unref (self);
}
