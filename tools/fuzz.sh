#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-16, ASan+UBSan, preset "fuzz") and runs each for a while
# on its seed corpus in tests/fuzz/corpus. New inputs go to build/fuzz/corpus/<target> (never
# into the repository); a crash leaves its input in build/fuzz/crashes/ and fails the run.
#   bash tools/fuzz.sh [seconds per target, default 10] [target ...]
# Targets: socket_frame interactive slash_command slack_text recurrence import ical prometheus dashboard_link.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
shift || true
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(socket_frame interactive slash_command slack_text recurrence import ical prometheus dashboard_link)
fi

bash tools/setup.sh --fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

mkdir -p build/fuzz/crashes
for t in "${targets[@]}"; do
  dict=tests/fuzz/json.dict
  case "$t" in
    slash_command) dict=tests/fuzz/slash.dict ;;
    slack_text | recurrence) dict="" ;;
    ical) dict=tests/fuzz/ical.dict ;;
  esac
  mkdir -p "build/fuzz/corpus/$t"
  echo "== fuzz_$t for ${seconds}s"
  build/fuzz/tests/fuzz/fuzz_"$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="build/fuzz/crashes/$t-" ${dict:+-dict=$dict} \
    "build/fuzz/corpus/$t" "tests/fuzz/corpus/$t" 2>&1 | grep -E "^(stat::|#[0-9]+ +DONE|==|\*\*\*|SUMMARY|INFO: Seed)|ERROR|broken" || true
  if ls build/fuzz/crashes/"$t"-* >/dev/null 2>&1; then
    echo "fuzz_$t failed; inputs: $(ls build/fuzz/crashes/"$t"-*)" >&2
    exit 1
  fi
done
