/* les-job.h: long work (imports, computes, changes) on a worker thread, with progress, messages and cancel. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "les-store.h"

G_BEGIN_DECLS

#define LES_TYPE_JOB (les_job_get_type ())
G_DECLARE_FINAL_TYPE (LesJob, les_job, LES, JOB, GObject)

/* Runs on the worker thread with the connection given to les_job_run_async(). */
typedef gboolean (*LesJobFunc) (LesJob        *job,
                                LesStore      *store,
                                GCancellable  *cancellable,
                                gpointer       data,
                                GError       **error);

LesJob       *les_job_new          (const char          *title,
                                    LesJobFunc           func,
                                    gpointer             data,
                                    GDestroyNotify       destroy);
const char   *les_job_get_title    (LesJob              *self);
double        les_job_get_fraction (LesJob              *self);
const char   *les_job_get_label    (LesJob              *self);
gpointer      les_job_get_data     (LesJob              *self);
/* Runs the job's function on a worker thread with @store, which nothing
 * else may use until the job has finished (a session's writer, or a
 * connection of the caller's own).  A job runs once. */
void          les_job_run_async    (LesJob              *self,
                                    LesStore            *store,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
/* The function's own result: a job that committed before a late cancel
 * succeeded; a failure after a cancel is G_IO_ERROR_CANCELLED. */
gboolean      les_job_finish       (LesJob              *self,
                                    GAsyncResult        *result,
                                    GError             **error);
/* Thread-safe; a job cancelled before it runs fails without running. */
void          les_job_cancel       (LesJob              *self);
gboolean      les_job_is_cancelled (LesJob              *self);
gboolean      les_job_is_running   (LesJob              *self);

/* Thread-safe, for the worker: reported on the main thread as notify::fraction
 * and the "message" signal, at most every 50 ms so the main loop never floods. */
void          les_job_progress     (LesJob              *self,
                                    double               fraction,
                                    const char          *label);
void          les_job_message      (LesJob              *self,
                                    const char          *message);
/* A LesProgressFunc / LesImportMessageFunc forwarding to the two above. */
void          les_job_progress_cb  (double               fraction,
                                    const char          *label,
                                    gpointer             job);
void          les_job_message_cb   (const char          *message,
                                    gpointer             job);

G_END_DECLS
