/* les-error.h: the core's error domain and codes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define LES_ERROR (les_error_quark ())

typedef enum {
  LES_ERROR_FAILED,
  LES_ERROR_INVALID,      /* a value that does not parse or is out of range */
  LES_ERROR_BAD_INPUT,    /* an import file with bad rows */
  LES_ERROR_NOT_FOUND,
  LES_ERROR_DATABASE,
  LES_ERROR_TOO_NEW,      /* a database made by a newer version */
  LES_ERROR_CANCELLED,
  LES_ERROR_CONFLICT,
  LES_ERROR_OVERFLOW,     /* a figure past what is kept exactly: refused, never wrapped */
  LES_ERROR_NO_KEY,       /* the database's key is not on this desk (or no keyring to hold it) */
  LES_ERROR_WRONG_KEY,    /* a key that is not the database's */
  LES_ERROR_READ_ONLY,    /* the database cannot be written */
  LES_ERROR_DISK_FULL,    /* no space left for the database */
  LES_ERROR_PERMISSION,   /* the server refuses it to this user's role (a team database) */
  LES_ERROR_SEPARATION_OF_DUTIES,   /* refused: whoever approved a claim closing the run that pays it */
  LES_ERROR_UNREACHABLE,  /* a team database's server is not there, or the connection to it was lost */
} LesError;

GQuark les_error_quark (void);

G_END_DECLS
