/* les-keyring.c: database keys kept in the user's keyring (the Secret Service, through libsecret). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>
#include <string.h>

#include "les-error.h"
#include "les-key-file.h"
#include "les-keyring.h"

struct _LesKeyring
{
  GObject parent_instance;
};

static void les_keyring_provider_init (LesKeyProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LesKeyring, les_keyring, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LES_TYPE_KEY_PROVIDER, les_keyring_provider_init))

static const SecretSchema *
key_schema (void)
{
  static const SecretSchema schema = {
    "org.lesclaims.LesClaims.DatabaseKey", SECRET_SCHEMA_NONE,
    {
      { "key-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

static void
set_unreachable (GError **error, const GError *cause)
{
  /* libsecret fails without an error when the keyring's prompt is dismissed */
  g_set_error (error, LES_ERROR, LES_ERROR_NO_KEY,
               _("the keyring cannot be reached (%s); on a server or in a batch job, name a key file "
                 "with --key-file FILE or LES_CLAIMS_KEY_FILE"),
               cause != NULL ? cause->message : _("it is locked, or its prompt was dismissed"));
}

static GBytes *
les_keyring_lookup (LesKeyProvider *provider, const char *key_id, GError **error)
{
  g_autoptr(GError) local = NULL;
  char *hex;
  GBytes *key;

  hex = secret_password_lookup_sync (key_schema (), NULL, &local, "key-id", key_id, NULL);
  if (local != NULL)
    {
      set_unreachable (error, local);
      return NULL;
    }
  if (hex == NULL)
    {
      g_set_error_literal (error, LES_ERROR, LES_ERROR_NO_KEY, _("it is not in your keyring"));
      return NULL;
    }
  key = les_key_from_hex (hex);
  secret_password_free (hex);
  if (key == NULL)
    g_set_error_literal (error, LES_ERROR, LES_ERROR_FAILED, _("the key in your keyring is damaged"));
  return key;
}

static gboolean
les_keyring_save (LesKeyProvider *provider, const char *db_path, const char *key_id, GBytes *key, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *hex = les_key_to_hex (key);
  g_autofree char *label = NULL;

  label = g_strdup_printf (_("LES Claims database key (%s)"), db_path != NULL ? db_path : key_id);
  if (!secret_password_store_sync (key_schema (), SECRET_COLLECTION_DEFAULT, label, hex, NULL, &local,
                                   "key-id", key_id, NULL))
    {
      memset (hex, 0, strlen (hex));
      set_unreachable (error, local);
      return FALSE;
    }
  memset (hex, 0, strlen (hex));
  return TRUE;
}

static gboolean
les_keyring_create (LesKeyProvider *provider, const char *db_path, char **key_id, GBytes **key, GError **error)
{
  g_autofree char *id = NULL;
  g_autoptr(GBytes) made = NULL;

  if (!les_key_new (&id, &made, error))
    return FALSE;
  if (!les_keyring_save (provider, db_path, id, made, error))
    return FALSE;
  *key_id = g_steal_pointer (&id);
  *key = g_steal_pointer (&made);
  return TRUE;
}

static void
les_keyring_provider_init (LesKeyProviderInterface *iface)
{
  iface->lookup = les_keyring_lookup;
  iface->create = les_keyring_create;
  iface->save = les_keyring_save;
}

static void
les_keyring_class_init (LesKeyringClass *klass)
{
}

static void
les_keyring_init (LesKeyring *self)
{
}

LesKeyring *
les_keyring_new (void)
{
  return g_object_new (LES_TYPE_KEYRING, NULL);
}

/**
 * les_keyring_choose_provider:
 * @key_file: (nullable): a key file named on the command line
 *
 * Returns: (transfer full): the key file's provider when one is named
 * (here or in LES_CLAIMS_KEY_FILE), the keyring's otherwise
 */
LesKeyProvider *
les_keyring_choose_provider (const char *key_file)
{
  const char *from_env = g_getenv (LES_KEY_FILE_ENV);

  if (key_file == NULL && from_env != NULL && from_env[0] != '\0')
    key_file = from_env;
  if (key_file != NULL)
    return LES_KEY_PROVIDER (les_key_file_new (key_file));
  return LES_KEY_PROVIDER (les_keyring_new ());
}

/* Team databases' passwords */

static const SecretSchema *
server_schema (void)
{
  static const SecretSchema schema = {
    "org.lesclaims.LesClaims.Server", SECRET_SCHEMA_NONE,
    {
      { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "port", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "database", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };

  return &schema;
}

/**
 * les_keyring_lookup_server_password:
 *
 * Returns: (transfer full) (nullable): the password kept for this server,
 * database and user; NULL without an error when none is kept
 */
char *
les_keyring_lookup_server_password (const char *host, const char *port, const char *database, const char *user,
                                    GCancellable *cancellable, GError **error)
{
  char *secret;
  char *password;

  g_return_val_if_fail (host != NULL && port != NULL && database != NULL && user != NULL, NULL);

  secret = secret_password_lookup_sync (server_schema (), cancellable, error,
                                        "host", host, "port", port, "database", database, "user", user, NULL);
  if (secret == NULL)
    return NULL;
  /* g_free()-able for the caller; libsecret's copy is wiped */
  password = g_strdup (secret);
  secret_password_free (secret);
  return password;
}

gboolean
les_keyring_save_server_password (const char *host, const char *port, const char *database, const char *user,
                                  const char *password, GCancellable *cancellable, GError **error)
{
  g_autofree char *label = NULL;

  g_return_val_if_fail (host != NULL && port != NULL && database != NULL && user != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  /* Translators: the keyring item's name, "LES Claims: alice on db.example.nhs.uk/les_claims" */
  label = g_strdup_printf (_("LES Claims: %s on %s/%s"), user, host, database);
  return secret_password_store_sync (server_schema (), SECRET_COLLECTION_DEFAULT, label, password, cancellable, error,
                                     "host", host, "port", port, "database", database, "user", user, NULL);
}
