/* les-keyring.h: database keys kept in the user's keyring (the Secret Service, through libsecret). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "les-key-provider.h"

G_BEGIN_DECLS

#define LES_TYPE_KEYRING (les_keyring_get_type ())
G_DECLARE_FINAL_TYPE (LesKeyring, les_keyring, LES, KEYRING, GObject)

LesKeyring     *les_keyring_new              (void);

/* The provider the CLI and the application use: a key file when @key_file (or the
 * environment's LES_CLAIMS_KEY_FILE) names one, the keyring otherwise. */
LesKeyProvider *les_keyring_choose_provider  (const char *key_file);

/* A team database's password, kept under the schema
 * "org.lesclaims.LesClaims.Server" by host, port, database and user.  Both
 * block on the Secret Service: call them off the main thread. */
char           *les_keyring_lookup_server_password (const char    *host,
                                                    const char    *port,
                                                    const char    *database,
                                                    const char    *user,
                                                    GCancellable  *cancellable,
                                                    GError       **error);
gboolean        les_keyring_save_server_password   (const char    *host,
                                                    const char    *port,
                                                    const char    *database,
                                                    const char    *user,
                                                    const char    *password,
                                                    GCancellable  *cancellable,
                                                    GError       **error);

G_END_DECLS
