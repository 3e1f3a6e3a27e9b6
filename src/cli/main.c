/* main.c: entry point of les-claims-cli. */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include "config.h"

#include "les-cli.h"

int
main (int argc, char **argv)
{
  return les_cli_run (argc, argv);
}
