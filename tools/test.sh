#!/usr/bin/env bash
# Builds everything (release, warnings as errors) and runs every test: unit tests and the
# integration tests (the real bot against the Slack simulator over TLS on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
cmake --preset release -DBUILD_TESTING=ON >/dev/null
cmake --build --preset release
ctest --preset release -j2
