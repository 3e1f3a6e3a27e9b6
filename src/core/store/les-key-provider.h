/* les-key-provider.h: where a database's key is kept — the keyring, a key file, or (later) the server. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A database key: 32 bytes from the operating system's generator (getrandom). */
#define LES_KEY_SIZE 32

#define LES_TYPE_KEY_PROVIDER (les_key_provider_get_type ())
G_DECLARE_INTERFACE (LesKeyProvider, les_key_provider, LES, KEY_PROVIDER, GObject)

struct _LesKeyProviderInterface
{
  GTypeInterface parent_iface;

  /* The key named @key_id (LES_KEY_SIZE bytes); NULL with LES_ERROR_NO_KEY when not held here. */
  GBytes  *(*lookup) (LesKeyProvider  *self,
                      const char      *key_id,
                      GError         **error);
  /* A key for a new database at @db_path: a new one, or the one a key file already holds. */
  gboolean (*create) (LesKeyProvider  *self,
                      const char      *db_path,
                      char           **key_id,
                      GBytes         **key,
                      GError         **error);
  /* Keeps @key under @key_id (an older database's key moving out of its file, or `key import`). */
  gboolean (*save)   (LesKeyProvider  *self,
                      const char      *db_path,
                      const char      *key_id,
                      GBytes          *key,
                      GError         **error);
};

GBytes         *les_key_provider_lookup      (LesKeyProvider  *self,
                                              const char      *key_id,
                                              GError         **error);
gboolean        les_key_provider_create      (LesKeyProvider  *self,
                                              const char      *db_path,
                                              char           **key_id,
                                              GBytes         **key,
                                              GError         **error);
gboolean        les_key_provider_save        (LesKeyProvider  *self,
                                              const char      *db_path,
                                              const char      *key_id,
                                              GBytes          *key,
                                              GError         **error);

/* The provider every store of this process asks (the CLI and the application set it at start). */
void            les_key_provider_set_default (LesKeyProvider  *provider);
LesKeyProvider *les_key_provider_get_default (void);

/* @n random bytes from getrandom(2); FALSE only when the kernel cannot give them. */
gboolean        les_key_random               (guint8          *buffer,
                                              gsize            n,
                                              GError         **error);
/* A new random key id (32 hex digits): names a key, says nothing about it. */
char           *les_key_new_id               (GError         **error);
/* A new key (LES_KEY_SIZE random bytes) and its new id, for a provider's
 * create(); the bytes are not left on the stack. */
gboolean        les_key_new                  (char           **key_id,
                                              GBytes         **key,
                                              GError         **error);
/* Lower-case hex of @key; FALSE when @hex is not LES_KEY_SIZE bytes of hex. */
char           *les_key_to_hex               (GBytes          *key);
GBytes         *les_key_from_hex             (const char      *hex);
/* What the store keeps to tell the right key from a wrong one (not the key). */
char           *les_key_check_value          (GBytes          *key);

G_END_DECLS
