/* les-key-file.c: a database key kept in a private file, for batch jobs with no keyring (a server, CI). */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "les-error.h"
#include "les-key-file.h"

#define GROUP "LES Claims key"

struct _LesKeyFile
{
  GObject  parent_instance;

  char    *path;
};

static void les_key_file_provider_init (LesKeyProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LesKeyFile, les_key_file, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LES_TYPE_KEY_PROVIDER, les_key_file_provider_init))

gboolean
les_key_file_read (const char *path, char **key_id, GBytes **key, GError **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local = NULL;
  g_autofree char *id = NULL;
  g_autofree char *hex = NULL;
  g_autofree char *contents = NULL;
  gsize len = 0;
  struct stat st;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, LES_ERROR, saved == ENOENT ? LES_ERROR_NO_KEY : LES_ERROR_FAILED,
                   _("Cannot read the key file %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  /* the key lets anyone who holds it test NHS numbers against the database */
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || (st.st_mode & 0077) != 0)
    {
      close (fd);
      g_set_error (error, LES_ERROR, LES_ERROR_FAILED,
                   _("The key file %s can be read by other people (or is not a plain file), so it is not used: "
                     "make it private with “chmod 600 %s”"), path, path);
      return FALSE;
    }
  {
    g_autoptr(GIOChannel) channel = g_io_channel_unix_new (fd);

    g_io_channel_set_close_on_unref (channel, TRUE);
    if (g_io_channel_set_encoding (channel, NULL, &local) != G_IO_STATUS_NORMAL
        || g_io_channel_read_to_end (channel, &contents, &len, &local) != G_IO_STATUS_NORMAL)
      {
        g_set_error (error, LES_ERROR, LES_ERROR_FAILED, _("Cannot read the key file %s: %s"), path,
                     local->message);
        return FALSE;
      }
  }
  if (!g_key_file_load_from_data (file, contents, len, G_KEY_FILE_NONE, NULL)
      || (id = g_key_file_get_string (file, GROUP, "id", NULL)) == NULL
      || (hex = g_key_file_get_string (file, GROUP, "key", NULL)) == NULL
      || (*key = les_key_from_hex (hex)) == NULL)
    {
      g_set_error (error, LES_ERROR, LES_ERROR_FAILED,
                   _("%s is not a LES Claims key file (one written by “les-claims-cli key export”)"), path);
      return FALSE;
    }
  *key_id = g_steal_pointer (&id);
  return TRUE;
}

gboolean
les_key_file_write (const char *path, const char *key_id, GBytes *key, GError **error)
{
  g_autofree char *hex = les_key_to_hex (key);
  g_autofree char *text = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *tmp = g_build_filename (dir, ".les-claims-key-XXXXXX", NULL);
  gsize len, done = 0;
  int fd;

  text = g_strdup_printf ("# A LES Claims database key. Keep it private (chmod 600): with it, NHS numbers can be\n"
                          "# checked against the database. Bring it to another desk with “les-claims-cli key import”.\n"
                          "[" GROUP "]\nid=%s\nkey=%s\n", key_id, hex);
  len = strlen (text);
  if (g_file_test (path, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK))
    {
      g_set_error (error, LES_ERROR, LES_ERROR_CONFLICT, _("Cannot write the key file %s: %s"), path,
                   g_strerror (EEXIST));
      return FALSE;
    }
  /* its folder made when missing (~/.config/les-claims on a first run), private */
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, LES_ERROR, LES_ERROR_FAILED, _("Cannot write the key file %s: %s"), path,
                   g_strerror (saved));
      return FALSE;
    }
  /* written whole beside it, then linked in place: a job that finds the file
   * finds all of it, and an existing file is never replaced */
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, LES_ERROR, LES_ERROR_FAILED, _("Cannot write the key file %s: %s"), path,
                   g_strerror (saved));
      return FALSE;
    }
  while (done < len)
    {
      ssize_t n = write (fd, text + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;
      done += (gsize) n;
    }
  memset (text, 0, len);
  if (done < len || fsync (fd) != 0 || close (fd) != 0 || link (tmp, path) != 0)
    {
      int saved = errno;

      if (done < len)
        close (fd);
      g_unlink (tmp);
      g_set_error (error, LES_ERROR, saved == EEXIST ? LES_ERROR_CONFLICT : LES_ERROR_FAILED,
                   _("Cannot write the key file %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  g_unlink (tmp);
  return TRUE;
}

static GBytes *
les_key_file_lookup (LesKeyProvider *provider, const char *key_id, GError **error)
{
  LesKeyFile *self = LES_KEY_FILE (provider);
  g_autofree char *id = NULL;
  g_autoptr(GBytes) key = NULL;

  if (!les_key_file_read (self->path, &id, &key, error))
    return NULL;
  if (strcmp (id, key_id) != 0)
    {
      g_set_error (error, LES_ERROR, LES_ERROR_NO_KEY,
                   _("The key file %s holds another database’s key (%s, not %s)"), self->path, id, key_id);
      return NULL;
    }
  return g_steal_pointer (&key);
}

static gboolean
les_key_file_create (LesKeyProvider *provider, const char *db_path, char **key_id, GBytes **key, GError **error)
{
  LesKeyFile *self = LES_KEY_FILE (provider);
  g_autoptr(GError) local = NULL;
  g_autofree char *id = NULL;

  /* a job's databases share the key its file holds: made once, with the first */
  if (g_file_test (self->path, G_FILE_TEST_EXISTS))
    return les_key_file_read (self->path, key_id, key, error);
  if (!les_key_new (&id, key, error))
    return FALSE;
  if (!les_key_file_write (self->path, id, *key, &local))
    {
      g_clear_pointer (key, g_bytes_unref);
      /* another job made it first */
      if (g_error_matches (local, LES_ERROR, LES_ERROR_CONFLICT))
        return les_key_file_read (self->path, key_id, key, error);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  *key_id = g_steal_pointer (&id);
  return TRUE;
}

static gboolean
les_key_file_save (LesKeyProvider *provider, const char *db_path, const char *key_id, GBytes *key, GError **error)
{
  LesKeyFile *self = LES_KEY_FILE (provider);
  g_autofree char *id = NULL;
  g_autoptr(GBytes) held = NULL;

  if (!g_file_test (self->path, G_FILE_TEST_EXISTS))
    return les_key_file_write (self->path, key_id, key, error);
  if (!les_key_file_read (self->path, &id, &held, error))
    return FALSE;
  if (strcmp (id, key_id) != 0 || !g_bytes_equal (held, key))
    {
      g_set_error (error, LES_ERROR, LES_ERROR_CONFLICT,
                   _("The key file %s already holds another key; name a new file for the key of %s"), self->path,
                   db_path != NULL ? db_path : _("this database"));
      return FALSE;
    }
  return TRUE;
}

static void
les_key_file_provider_init (LesKeyProviderInterface *iface)
{
  iface->lookup = les_key_file_lookup;
  iface->create = les_key_file_create;
  iface->save = les_key_file_save;
}

static void
les_key_file_finalize (GObject *object)
{
  LesKeyFile *self = (LesKeyFile *) object;

  g_free (self->path);

  G_OBJECT_CLASS (les_key_file_parent_class)->finalize (object);
}

static void
les_key_file_class_init (LesKeyFileClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = les_key_file_finalize;
}

static void
les_key_file_init (LesKeyFile *self)
{
}

/**
 * les_key_file_new:
 * @path: the key file; made (0600) with a new key when a first database is created
 *
 * A key provider for batch jobs: the one key in @path serves every database
 * created with it, and an older database's key moves into it when the file
 * does not exist yet.
 */
LesKeyFile *
les_key_file_new (const char *path)
{
  LesKeyFile *self;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (LES_TYPE_KEY_FILE, NULL);
  self->path = g_strdup (path);
  return self;
}

const char *
les_key_file_get_path (LesKeyFile *self)
{
  g_return_val_if_fail (LES_IS_KEY_FILE (self), NULL);

  return self->path;
}
