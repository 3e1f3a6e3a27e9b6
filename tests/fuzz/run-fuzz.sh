#!/usr/bin/env bash
# run-fuzz.sh: runs one libFuzzer target for a bounded time from its seed corpus; fails on any crash, leak,
# UBSan report, GLib critical or failed assertion, keeping the input that did it.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: run-fuzz.sh TARGET SEED_CORPUS_DIR   (LES_FUZZ_SECONDS, default 20: how long to fuzz)
set -uo pipefail
target=$1
seeds=$2
name=$(basename "$target")
seconds=${LES_FUZZ_SECONDS:-20}
keep=${LES_FUZZ_ARTIFACTS:-$(dirname "$target")/artifacts}

# databases and CSV files are written for every input: in memory when the machine has /dev/shm
base=/dev/shm
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
work=$(mktemp -d "$base/les-fuzz-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$work/artifacts" "$work/tmp"

export TMPDIR=$work/tmp
export GIO_USE_VFS=local
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export G_DEBUG=fatal-criticals

# new inputs go to a scratch corpus; the seeds in the source tree are only read
status=0
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus" "$seeds" >"$work/log" 2>&1 || status=$?

runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -1)
ft=$(grep -o 'ft: [0-9]*' "$work/log" | tail -1)
corpus=$(grep -o 'corp: [0-9]*/[0-9]*[a-zA-Z]*' "$work/log" | tail -1)
echo "$name: ${runs:-0} runs in ${seconds} s, ${cov:-cov: ?}, ${ft:-ft: ?}, ${corpus:-corp: ?}, exit $status"

if [ "$status" != 0 ]; then
  tail -n 60 "$work/log"
  mkdir -p "$keep"
  for a in "$work/artifacts"/*; do
    [ -f "$a" ] || continue
    cp "$a" "$keep/$name-$(basename "$a")"
    echo "kept $keep/$name-$(basename "$a") ($(wc -c < "$a") bytes), base64:"
    base64 -w 76 "$a" | head -n 40
  done
fi
exit "$status"
