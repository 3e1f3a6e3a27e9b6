#!/usr/bin/env bash
# build.sh: configures (once) and builds LES Claims into _build, warnings as errors.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f _build/build.ninja ]; then
  meson setup _build -Dwerror=true --prefix=/usr/local
fi
ninja -C _build
