/* les-key-file.h: a database key kept in a private file, for batch jobs with no keyring (a server, CI). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "les-key-provider.h"

G_BEGIN_DECLS

#define LES_TYPE_KEY_FILE (les_key_file_get_type ())
G_DECLARE_FINAL_TYPE (LesKeyFile, les_key_file, LES, KEY_FILE, GObject)

/* The environment variable that names a key file when --key-file is not given. */
#define LES_KEY_FILE_ENV "LES_CLAIMS_KEY_FILE"

LesKeyFile *les_key_file_new   (const char  *path);
const char *les_key_file_get_path (LesKeyFile *self);

/* One key in one file, created 0600 (never over an existing file); read only when
 * no one but its owner can read it. */
gboolean    les_key_file_write (const char  *path,
                                const char  *key_id,
                                GBytes      *key,
                                GError     **error);
gboolean    les_key_file_read  (const char  *path,
                                char       **key_id,
                                GBytes     **key,
                                GError     **error);

G_END_DECLS
