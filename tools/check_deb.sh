#!/usr/bin/env bash
# Builds the .deb from a configured and built tree (CPack) and checks what it holds: the binary
# in /usr/bin, the unit in /lib/systemd/system naming that binary and the installed docs, the
# docs, manifest, example settings and alert rules, the maintainer scripts, and Depends with the
# libraries the binary links.
#   bash tools/check_deb.sh build/release
set -euo pipefail
build="$(cd "${1:?a configured and built tree}" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
fail() {
  echo "check_deb: $*" >&2
  exit 1
}
(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || {
  cat "$out/cpack.log" >&2
  fail "cpack -G DEB failed"
}
deb=$(ls "$out"/*.deb)
contents=$(dpkg-deb -c "$deb")
for path in ./usr/bin/itpm-bot ./lib/systemd/system/itpm-bot.service \
  ./usr/share/doc/itpm-bot/README.md ./usr/share/doc/itpm-bot/LICENSE \
  ./usr/share/doc/itpm-bot/CHANGELOG.md ./usr/share/doc/itpm-bot/manifest.yaml \
  ./usr/share/doc/itpm-bot/itpm-bot.env.example ./usr/share/doc/itpm-bot/alerts.yml; do
  grep -q " $path\$" <<<"$contents" || fail "$(basename "$deb") lacks $path"
done
depends=$(dpkg-deb -f "$deb" Depends)
for dep in librocksdb7.8 libssl3 libdate-tz3 libspdlog1.10 libcairo2 tzdata ca-certificates adduser \
  fonts-dejavu-core; do
  grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
dpkg-deb -e "$deb" "$out/control"
[[ -x "$out/control/postinst" && -x "$out/control/postrm" ]] || fail "no postinst/postrm"
dpkg-deb -x "$deb" "$out/root"
unit="$out/root/lib/systemd/system/itpm-bot.service"
grep -q '^ExecStart=/usr/bin/itpm-bot$' "$unit" || fail "the unit does not start /usr/bin/itpm-bot"
grep -q '^Documentation=file:///usr/share/doc/itpm-bot/README.md$' "$unit" ||
  fail "the unit's Documentation= is not the installed README"
echo "check_deb: $(basename "$deb") ($(dpkg-deb -f "$deb" Version)): $(grep -c . <<<"$contents") entries; Depends: $depends"
