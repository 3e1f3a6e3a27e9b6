/* les-key-provider.c: the key provider interface, the process default, and key material. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/random.h>

#include "les-error.h"
#include "les-key-provider.h"

G_DEFINE_INTERFACE (LesKeyProvider, les_key_provider, G_TYPE_OBJECT)

static LesKeyProvider *default_provider;
G_LOCK_DEFINE_STATIC (default_provider);

static void
les_key_provider_default_init (LesKeyProviderInterface *iface)
{
}

GBytes *
les_key_provider_lookup (LesKeyProvider *self, const char *key_id, GError **error)
{
  g_return_val_if_fail (LES_IS_KEY_PROVIDER (self), NULL);
  g_return_val_if_fail (key_id != NULL, NULL);

  return LES_KEY_PROVIDER_GET_IFACE (self)->lookup (self, key_id, error);
}

gboolean
les_key_provider_create (LesKeyProvider *self, const char *db_path, char **key_id, GBytes **key, GError **error)
{
  g_return_val_if_fail (LES_IS_KEY_PROVIDER (self), FALSE);
  g_return_val_if_fail (key_id != NULL && key != NULL, FALSE);

  return LES_KEY_PROVIDER_GET_IFACE (self)->create (self, db_path, key_id, key, error);
}

gboolean
les_key_provider_save (LesKeyProvider *self, const char *db_path, const char *key_id, GBytes *key, GError **error)
{
  g_return_val_if_fail (LES_IS_KEY_PROVIDER (self), FALSE);
  g_return_val_if_fail (key_id != NULL && key != NULL, FALSE);

  return LES_KEY_PROVIDER_GET_IFACE (self)->save (self, db_path, key_id, key, error);
}

/**
 * les_key_provider_set_default:
 * @provider: (nullable): the provider, or NULL for none
 *
 * Sets where every store of this process finds and keeps database keys.
 */
void
les_key_provider_set_default (LesKeyProvider *provider)
{
  g_return_if_fail (provider == NULL || LES_IS_KEY_PROVIDER (provider));

  G_LOCK (default_provider);
  if (provider != NULL)
    g_object_ref (provider);
  g_clear_object (&default_provider);
  default_provider = provider;
  G_UNLOCK (default_provider);
}

/**
 * les_key_provider_get_default:
 *
 * Returns: (transfer full) (nullable): the provider set, or NULL
 */
LesKeyProvider *
les_key_provider_get_default (void)
{
  LesKeyProvider *provider;

  G_LOCK (default_provider);
  provider = default_provider ? g_object_ref (default_provider) : NULL;
  G_UNLOCK (default_provider);
  return provider;
}

gboolean
les_key_random (guint8 *buffer, gsize n, GError **error)
{
  gsize done = 0;

  /* the kernel's generator, not GLib's g_random_*, which is not meant for keys */
  while (done < n)
    {
      ssize_t got = getrandom (buffer + done, n - done, 0);

      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          int saved = errno;

          g_set_error (error, LES_ERROR, LES_ERROR_FAILED, _("Cannot make a random key: %s"), g_strerror (saved));
          return FALSE;
        }
      done += (gsize) got;
    }
  return TRUE;
}

static char *
to_hex (const guint8 *data, gsize n)
{
  static const char digits[] = "0123456789abcdef";
  char *hex = g_malloc (2 * n + 1);

  for (gsize i = 0; i < n; i++)
    {
      hex[2 * i] = digits[data[i] >> 4];
      hex[2 * i + 1] = digits[data[i] & 0xf];
    }
  hex[2 * n] = '\0';
  return hex;
}

char *
les_key_new_id (GError **error)
{
  guint8 id[16];

  if (!les_key_random (id, sizeof id, error))
    return NULL;
  return to_hex (id, sizeof id);
}

gboolean
les_key_new (char **key_id, GBytes **key, GError **error)
{
  g_autofree char *id = les_key_new_id (error);
  guint8 bytes[LES_KEY_SIZE];

  if (id == NULL || !les_key_random (bytes, sizeof bytes, error))
    return FALSE;
  *key = g_bytes_new (bytes, sizeof bytes);
  memset (bytes, 0, sizeof bytes);
  *key_id = g_steal_pointer (&id);
  return TRUE;
}

char *
les_key_to_hex (GBytes *key)
{
  gsize n;
  const guint8 *data = g_bytes_get_data (key, &n);

  return to_hex (data, n);
}

GBytes *
les_key_from_hex (const char *hex)
{
  guint8 *key;

  if (hex == NULL || strlen (hex) != 2 * LES_KEY_SIZE)
    return NULL;
  key = g_malloc (LES_KEY_SIZE);
  for (gsize i = 0; i < LES_KEY_SIZE; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        {
          g_free (key);
          return NULL;
        }
      key[i] = (guint8) (hi << 4 | lo);
    }
  return g_bytes_new_take (key, LES_KEY_SIZE);
}

char *
les_key_check_value (GBytes *key)
{
  static const char label[] = "LES Claims key check";
  gsize n;
  const guint8 *data = g_bytes_get_data (key, &n);

  return g_compute_hmac_for_data (G_CHECKSUM_SHA256, data, n, (const guchar *) label, strlen (label));
}
