#!/usr/bin/env bash
# Every row of BENCHMARKS.md from one run on this machine:
#   1. decision search p50/p99 on a store of RECORDS decisions (filled once, then reused),
#   2. the null client and the bot side by side under the same load (N commands, W in
#      flight) with CPU time per command and peak RSS,
#   3. the bot's start-up time on the store of step 1.
# With a Bolt peer set up (`npm install` in bench/bolt_peer, which needs Node.js and the npm
# registry), step 2 also runs it side by side: a Bolt-for-JavaScript app answering `help`
# and `risk list` with the same replies.
# Usage: bench/run.sh [DIR] [N] [W] [RECORDS]   (defaults: /tmp/itpm-bench 20000 64 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-/tmp/itpm-bench}"
n="${2:-20000}"
w="${3:-64}"
records="${4:-1000000}"
cmake --preset release >/dev/null
cmake --build --preset release --target itpm-bot itpm-null-client itpm-load-bench \
  itpm-storage-bench >/dev/null
mkdir -p "$dir"
echo "== $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(date -u +%F)"
build/release/bench/itpm-storage-bench search "$dir/records" "$records" 1000
if [[ -d bench/bolt_peer/node_modules ]] && command -v node >/dev/null; then
  export ITPM_BOLT_PEER="$PWD/bench/bolt_peer/app.js"
fi
build/release/bench/itpm-load-bench build/release/bot/itpm-bot \
  build/release/bench/itpm-null-client "$dir/load" "$n" "$w" "$dir/records"
