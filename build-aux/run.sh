#!/usr/bin/env bash
# run.sh: the README's first command — installs what is missing, builds, and opens the application
# on the default database (which gets the demo data when it is empty).
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."

bash build-aux/deps.sh
bash build-aux/build.sh

export GSETTINGS_SCHEMA_DIR="$PWD/_build/data"
export LES_DEMO_DIR="$PWD/data/demo"
exec ./_build/src/app/les-claims "$@"
