/* les-job.c: long work (imports, computes, changes) on a worker thread, with progress, messages and cancel. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-job.h"

struct _LesJob
{
  GObject         parent_instance;

  char           *title;
  LesJobFunc      func;
  gpointer        data;
  GDestroyNotify  destroy;
  GCancellable   *cancellable;
  gboolean        running;
  gboolean        ran;
  LesStore       *store;          /* while running */
  GMainContext   *context;        /* where the job was started */

  /* Shown on the main thread */
  double          fraction;
  char           *label;

  /* Written by the worker, under the lock */
  GMutex          lock;
  double          pending_fraction;
  char           *pending_label;
  GPtrArray      *pending_messages;
  GSource        *delivery;
};

G_DEFINE_FINAL_TYPE (LesJob, les_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_FRACTION,
  PROP_LABEL,
  N_PROPS
};

enum {
  MESSAGE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
deliver_cb (gpointer user_data)
{
  LesJob *self = user_data;
  g_autoptr(GPtrArray) messages = NULL;
  g_autofree char *label = NULL;
  double fraction;

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->delivery, g_source_unref);
  messages = g_steal_pointer (&self->pending_messages);
  self->pending_messages = g_ptr_array_new_with_free_func (g_free);
  fraction = self->pending_fraction;
  label = g_strdup (self->pending_label);
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < messages->len; i++)
    g_signal_emit (self, signals[MESSAGE], 0, g_ptr_array_index (messages, i));
  if (fraction != self->fraction)
    {
      self->fraction = fraction;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
    }
  if (g_strcmp0 (label, self->label) != 0)
    {
      g_free (self->label);
      self->label = g_steal_pointer (&label);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
    }
  return G_SOURCE_REMOVE;
}

/* With the lock held: one delivery at most every 50 ms, never stuck */
static void
schedule_delivery (LesJob *self)
{
  if (self->delivery != NULL || self->context == NULL)
    return;
  self->delivery = g_timeout_source_new (50);
  g_source_set_callback (self->delivery, deliver_cb, g_object_ref (self), g_object_unref);
  g_source_set_static_name (self->delivery, "[les] job progress");
  g_source_attach (self->delivery, self->context);
}

static void
run_in_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  LesJob *self = task_data;
  GError *error = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->func (self, self->store, cancellable, self->data, &error))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (error == NULL)
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "The job failed without saying why");
  /* whatever the failure, after a cancel it reads as the cancel */
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_clear_error (&error);
      g_cancellable_set_error_if_cancelled (cancellable, &error);
    }
  g_task_return_error (task, error);
}

static void
les_job_dispose (GObject *object)
{
  LesJob *self = (LesJob *) object;

  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (les_job_parent_class)->dispose (object);
}

static void
les_job_finalize (GObject *object)
{
  LesJob *self = (LesJob *) object;

  if (self->destroy != NULL && self->data != NULL)
    self->destroy (self->data);
  g_free (self->title);
  g_free (self->label);
  g_free (self->pending_label);
  g_ptr_array_unref (self->pending_messages);
  if (self->delivery != NULL)
    {
      g_source_destroy (self->delivery);
      g_source_unref (self->delivery);
    }
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (les_job_parent_class)->finalize (object);
}

static void
les_job_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  LesJob *self = LES_JOB (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_LABEL:
      g_value_set_string (value, self->label);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
les_job_class_init (LesJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = les_job_dispose;
  object_class->finalize = les_job_finalize;
  object_class->get_property = les_job_get_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * LesJob::message:
   * @message: what the work found ("FILE:LINE: COLUMN: message" for an import)
   */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
les_job_init (LesJob *self)
{
  g_mutex_init (&self->lock);
  self->pending_messages = g_ptr_array_new_with_free_func (g_free);
  self->cancellable = g_cancellable_new ();
}

/**
 * les_job_new:
 * @title: what the job does, for people ("Importing…")
 * @func: the work, run on a worker thread
 * @data: (transfer full): given to @func, freed with @destroy when the job is
 */
LesJob *
les_job_new (const char     *title,
             LesJobFunc      func,
             gpointer        data,
             GDestroyNotify  destroy)
{
  LesJob *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (LES_TYPE_JOB, NULL);
  self->title = g_strdup (title);
  self->func = func;
  self->data = data;
  self->destroy = destroy;
  return self;
}

const char *
les_job_get_title (LesJob *self)
{
  g_return_val_if_fail (LES_IS_JOB (self), NULL);
  return self->title;
}

double
les_job_get_fraction (LesJob *self)
{
  g_return_val_if_fail (LES_IS_JOB (self), 0);
  return self->fraction;
}

const char *
les_job_get_label (LesJob *self)
{
  g_return_val_if_fail (LES_IS_JOB (self), NULL);
  return self->label;
}

gpointer
les_job_get_data (LesJob *self)
{
  g_return_val_if_fail (LES_IS_JOB (self), NULL);
  return self->data;
}

static void
job_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GTask) outer = user_data;
  LesJob *self = g_task_get_source_object (outer);

  self->running = FALSE;
  g_clear_object (&self->store);
  /* Flush what the worker said last before the caller hears the end */
  g_mutex_lock (&self->lock);
  if (self->delivery != NULL)
    {
      g_source_destroy (self->delivery);
      g_clear_pointer (&self->delivery, g_source_unref);
    }
  g_mutex_unlock (&self->lock);
  deliver_cb (self);

  g_task_return_pointer (outer, g_object_ref (result), g_object_unref);
}

void
les_job_run_async (LesJob              *self,
                   LesStore            *store,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GTask *outer;

  g_return_if_fail (LES_IS_JOB (self));
  g_return_if_fail (LES_IS_STORE (store));
  g_return_if_fail (!self->ran);

  self->ran = TRUE;
  self->running = TRUE;
  self->store = g_object_ref (store);
  self->context = g_main_context_ref_thread_default ();
  outer = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (outer, les_job_run_async);
  /* The worker's task holds no reference to the job (the caller's does,
   * until the end): a worker dropping the last one would finalize the job
   * on its thread, and after the caller's callback */
  task = g_task_new (NULL, self->cancellable, job_done_cb, outer);
  g_task_set_source_tag (task, run_in_thread);
  g_task_set_task_data (task, self, NULL);
  /* the function's result stands: a commit is not undone by a late cancel */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, run_in_thread);
}

gboolean
les_job_finish (LesJob *self, GAsyncResult *result, GError **error)
{
  g_autoptr(GAsyncResult) inner = NULL;

  g_return_val_if_fail (LES_IS_JOB (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  inner = g_task_propagate_pointer (G_TASK (result), error);
  if (inner == NULL)
    return FALSE;
  return g_task_propagate_boolean (G_TASK (inner), error);
}

void
les_job_cancel (LesJob *self)
{
  g_return_if_fail (LES_IS_JOB (self));
  g_cancellable_cancel (self->cancellable);
}

gboolean
les_job_is_cancelled (LesJob *self)
{
  g_return_val_if_fail (LES_IS_JOB (self), FALSE);
  return g_cancellable_is_cancelled (self->cancellable);
}

gboolean
les_job_is_running (LesJob *self)
{
  g_return_val_if_fail (LES_IS_JOB (self), FALSE);
  return self->running;
}

void
les_job_progress (LesJob *self, double fraction, const char *label)
{
  g_return_if_fail (LES_IS_JOB (self));

  g_mutex_lock (&self->lock);
  self->pending_fraction = CLAMP (fraction, 0.0, 1.0);
  if (g_strcmp0 (label, self->pending_label) != 0)
    {
      g_free (self->pending_label);
      self->pending_label = g_strdup (label);
    }
  schedule_delivery (self);
  g_mutex_unlock (&self->lock);
}

void
les_job_message (LesJob *self, const char *message)
{
  g_return_if_fail (LES_IS_JOB (self));

  g_mutex_lock (&self->lock);
  /* Thousands of bad rows are reported, but a person reads the first few hundred */
  if (self->pending_messages->len < 1000)
    g_ptr_array_add (self->pending_messages, g_strdup (message));
  schedule_delivery (self);
  g_mutex_unlock (&self->lock);
}

void
les_job_progress_cb (double fraction, const char *label, gpointer job)
{
  les_job_progress (job, fraction, label);
}

void
les_job_message_cb (const char *message, gpointer job)
{
  les_job_message (job, message);
}
