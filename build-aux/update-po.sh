#!/usr/bin/env bash
# update-po.sh: brings po/ up to date with the sources; British English keeps its translations
# and takes the source English for new strings (the sources are written in British English).
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: build-aux/update-po.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-_build}
ninja -C "$build" les-claims-pot >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
msgattrib --no-fuzzy --translated po/en_GB.po -o "$work/kept.po"
msgen po/les-claims.pot -o "$work/source.po"
msgcat --use-first "$work/kept.po" "$work/source.po" -o "$work/both.po"
msgmerge --quiet --no-fuzzy-matching "$work/both.po" po/les-claims.pot -o po/en_GB.po
msgattrib --no-obsolete po/en_GB.po -o po/en_GB.po
LC_ALL=C msgfmt --statistics -o /dev/null po/en_GB.po
