/* les-cli.h: the les-claims-cli commands. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Exit statuses of FORMATS.md */
#define LES_CLI_OK        0
#define LES_CLI_BAD_INPUT 1
#define LES_CLI_USAGE     2

int les_cli_run (int    argc,
                 char **argv);

G_END_DECLS
