#!/usr/bin/env bash
# screenshots.sh: regenerates data/screenshots/*.png, the metainfo's screenshots, from the demo data under Xvfb.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: build-aux/screenshots.sh [BUILD_DIR]
#   Builds BUILD_DIR (default _build), then runs tests/app/screenshots.c on
#   the demo data set: overview, services, claims and payments at 1000×700
#   (Flathub: at most 1000×700, the default window decoration, no toast).
#   Needs xvfb-run, xauth and dbus-run-session.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-_build}
out=$PWD/data/screenshots

ninja -C "$build" tests/app/screenshots data/gschemas.compiled
runtime=$(mktemp -d)
trap 'rm -rf "$runtime"' EXIT
chmod 700 "$runtime"
# the same settings as the widget tests: memory settings, the build's schema,
# its own key file, and the cairo renderer that Xvfb has
export GSETTINGS_BACKEND=memory GSETTINGS_SCHEMA_DIR="$PWD/$build/data" GSK_RENDERER=cairo NO_AT_BRIDGE=1
export LC_ALL=C.UTF-8 LES_CLAIMS_KEY_FILE="$runtime/screenshots.key"
XDG_RUNTIME_DIR=$runtime dbus-run-session -- \
  xvfb-run -a -s "-screen 0 1280x800x24" "$build/tests/app/screenshots" "$PWD/data/demo" "$out"
for png in "$out"/*.png; do
  file "$png"
done
