#!/usr/bin/env bash
# Installs the Debian 12 packages itpm-bot needs to build and test, only those missing.
# Idempotent; used by the README quick start, tools/demo.sh, tools/test.sh and .ci/run.
# --fuzz adds clang 16 and its runtime (libFuzzer) for tools/fuzz.sh.
set -euo pipefail

packages=(g++ cmake ninja-build ccache libboost1.81-dev libboost-url1.81-dev libssl-dev openssl
  ca-certificates tzdata nlohmann-json3-dev librocksdb-dev catch2 libhowardhinnant-date-dev
  libspdlog-dev libfmt-dev libcli11-dev clang-format dpkg-dev file
  python3-yaml pkg-config libcairo2-dev fonts-dejavu-core chromium)
if [ "${1:-}" = "--fuzz" ]; then packages+=(clang-16 libclang-rt-16-dev); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "setup: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
# Never install libboost-dev / libboost-all-dev (1.74): apt would remove the 1.81 headers.
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
