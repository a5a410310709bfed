#!/usr/bin/env bash
# Load run: the simulator pushes N slash commands with W in flight through a real TLS
# WebSocket to the real bot, and reports acks/s, p50/p99 ack latency and the bot's peak RSS.
# Usage: bench/load.sh [N] [W] [command text] [--setup "command" ...]   (defaults: 5000 64 help)
# Setup commands run (and are acked) before the timed run, e.g. to create the program that
# `risk add ... --program dr-2027` needs.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-5000}"
w="${2:-64}"
text="${3:-help}"
shift $(($# < 3 ? $# : 3))
cmake --preset release >/dev/null
cmake --build --preset release --target itpm-bot itpm-slack-sim >/dev/null
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
build/release/tools/slack_sim/itpm-slack-sim --spawn-bot build/release/bot/itpm-bot \
  --data-dir "$dir" --load "$n" --window "$w" --text "$text" "$@" | grep -E '^load:'
