/* les-job.h: long work (imports, computes) on a worker thread with its own database connection. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "les-store.h"

G_BEGIN_DECLS

#define LES_TYPE_JOB (les_job_get_type ())
G_DECLARE_FINAL_TYPE (LesJob, les_job, LES, JOB, GObject)

/* Runs on the worker thread with a connection of its own. */
typedef gboolean (*LesJobFunc) (LesJob        *job,
                                LesStore      *store,
                                GCancellable  *cancellable,
                                gpointer       data,
                                GError       **error);

LesJob       *les_job_new          (const char          *title,
                                    LesStore            *store,
                                    LesJobFunc           func,
                                    gpointer             data,
                                    GDestroyNotify       destroy);
const char   *les_job_get_title    (LesJob              *self);
double        les_job_get_fraction (LesJob              *self);
const char   *les_job_get_label    (LesJob              *self);
gpointer      les_job_get_data     (LesJob              *self);
void          les_job_run_async    (LesJob              *self,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
gboolean      les_job_finish       (LesJob              *self,
                                    GAsyncResult        *result,
                                    GError             **error);
void          les_job_cancel       (LesJob              *self);
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
