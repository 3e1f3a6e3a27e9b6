#!/usr/bin/env bash
# test.sh: the README's second command — installs what is missing, builds with warnings as errors,
# and runs every test under a headless display and a private session bus; with CI=true or
# LES_TEST_SANITIZE=1, then the core and CLI suites under ASan/UBSan and the fuzz targets.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."

# CI, or LES_TEST_SANITIZE=1, adds a second pass: the core and CLI suites under
# AddressSanitizer and UBSan, and every libFuzzer target for a bounded time
sanitize=0
if [ "${CI:-}" = true ] || [ "${LES_TEST_SANITIZE:-0}" = 1 ]; then
  sanitize=1
  export LES_TEST_SANITIZE=1
fi

bash build-aux/deps.sh
bash build-aux/build.sh

# A runtime directory of our own: the accessibility bus the session starts
# puts its socket there, and another session on the machine must not replace it
runtime=$(mktemp -d)
chmod 700 "$runtime"
trap 'rm -rf "$runtime"' EXIT
export XDG_RUNTIME_DIR=$runtime

status=0
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
  meson test -C _build --print-errorlogs --num-processes 2 || status=$?

logs=(_build/meson-logs/testlog.json)
if [ $sanitize = 1 ]; then
  # clang, so that one build serves both: ASan and UBSan everywhere, libFuzzer's
  # coverage in the core (meson's fuzzing option); no GTK, warnings not fatal
  # (clang warns where gcc, the build of record, does not)
  if [ ! -f _build-san/build.ninja ]; then
    CC=clang meson setup _build-san -Dapp=false -Db_sanitize=address,undefined -Dfuzzing=enabled \
      --prefix=/usr/local
  fi
  ninja -C _build-san
  # any report ends the program: a leak, an overflow, a use after free
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  # 'slow' (the statements test) passes ten minutes under ASan; the first pass ran it
  meson test -C _build-san --suite core --suite cli --no-suite slow --timeout-multiplier 4 \
    --print-errorlogs --num-processes 2 --logbase sanitizers || status=$?
  LES_FUZZ_SECONDS=${LES_FUZZ_SECONDS:-15} meson test -C _build-san --suite fuzz \
    --print-errorlogs --num-processes 2 --logbase fuzz || status=$?
  logs+=(_build-san/meson-logs/sanitizers.json _build-san/meson-logs/fuzz.json)
fi

# one closing line for people and CI: every test, as meson counted it
python3 - "${logs[@]}" <<'PY'
import json, sys
passed = failed = skipped = 0
for log in sys.argv[1:]:
    for line in open(log):
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"): passed += 1
        elif r == "SKIP": skipped += 1
        else: failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
