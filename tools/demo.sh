#!/usr/bin/env bash
# The demo: builds itpm-bot and the local Slack simulator, starts both, and lets you type
# /itpm commands as a Slack user would. Replies, channel posts and DMs print as text.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target itpm-bot itpm-slack-sim
exec build/release/tools/slack_sim/itpm-slack-sim --spawn-bot build/release/bot/itpm-bot \
  --data-dir demo-data --interactive "$@"
