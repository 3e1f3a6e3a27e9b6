#!/usr/bin/env bash
# check-po.sh: every translatable string in the C sources is listed for translation and
# translated in the British English catalogue (prints TAP).
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: check-po.sh SOURCE_ROOT
set -uo pipefail
root=$1
n=0
failed=0
ok () {
  n=$((n + 1))
  if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi
}
skip () {
  n=$((n + 1))
  echo "ok $n # SKIP $1"
}

cd "$root" || exit 1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# every C file that marks strings is in POTFILES.in
missing=""
for f in $(grep -rlE '(^|[^a-z_])(N?_|C_|ngettext) ?\("' src --include=*.c | sort); do
  grep -qx "$f" po/POTFILES.in || missing="$missing $f"
done
[ -z "$missing" ]
ok $? "every C file with translatable strings is in po/POTFILES.in${missing:+ (missing:$missing)}"

if ! command -v xgettext >/dev/null || ! command -v msgmerge >/dev/null; then
  skip "gettext tools not installed"
  echo "1..$n"
  exit $failed
fi

# the C sources' strings, as meson's glib preset extracts them, against the catalogue
grep -v '^#' po/POTFILES.in | grep '\.c$' > "$work/files"
xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
  --keyword=ngettext:1,2 --keyword=g_dngettext:2,3 -f "$work/files" -o "$work/c.pot" 2>"$work/err"
ok $? "xgettext reads the C sources"
msgmerge --quiet --no-fuzzy-matching po/en_GB.po "$work/c.pot" -o "$work/en_GB.po" 2>>"$work/err"
stats=$(LC_ALL=C msgfmt --statistics -o /dev/null "$work/en_GB.po" 2>&1)
case "$stats" in
  *untranslated*|*fuzzy*) false ;;
  *) true ;;
esac
ok $? "po/en_GB.po translates every string of the C sources ($stats; run ninja les-claims-update-po)"

echo "1..$n"
exit $failed
