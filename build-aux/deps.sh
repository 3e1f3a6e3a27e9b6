#!/usr/bin/env bash
# deps.sh: installs the Debian 12 packages LES Claims builds, runs and tests with (only the missing ones).
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

packages=(
  meson ninja-build pkg-config gcc libc6-dev
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev libsqlite3-dev libcsv-dev
  libpq-dev
  gettext desktop-file-utils appstream python3 sqlite3 time
  xvfb xauth dbus dbus-x11 poppler-utils
  postgresql
  xdg-desktop-portal fuse3
)
# postgresql: the tests start throwaway servers of their own (tests/pg/pg-server.sh),
# as the unprivileged postgres user it creates when they run as root

# the sanitizer pass and the fuzz targets (build-aux/test.sh, CI=true or LES_TEST_SANITIZE=1)
if [ "${CI:-}" = true ] || [ "${LES_TEST_SANITIZE:-0}" = 1 ]; then
  packages+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    sudo=sudo
  else
    sudo=
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
