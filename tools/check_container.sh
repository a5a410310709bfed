#!/usr/bin/env bash
# Checks deploy/Containerfile against a built binary, since CI cannot pull base images to build
# the image: the runtime stage installs every Debian package that holds a shared library the
# binary links (ldd, dpkg -S), runs as a non-root user, keeps its data on a VOLUME, has a
# HEALTHCHECK through `itpm-bot healthcheck`, and the build context leaves build/ out.
#   bash tools/check_container.sh build/release/bot/itpm-bot
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:?the itpm-bot binary}"
file=deploy/Containerfile
fail() {
  echo "check_container: $*" >&2
  exit 1
}
# The runtime stage's package list: the ARG RUNTIME_PACKAGES="…" lines (continued with \).
listed=$(sed -n '/^ARG RUNTIME_PACKAGES="/,/"$/p' "$file" | tr -d '\\"' | sed 's/^ARG RUNTIME_PACKAGES=//')
[[ -n "$listed" ]] || fail "$file has no ARG RUNTIME_PACKAGES=\"…\" list"
needed=()
while read -r lib; do
  pkg=$(dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || true)
  [[ -n "$pkg" ]] || fail "no Debian package holds $lib (ldd $bin)"
  needed+=("${pkg%%:*}")
done < <(ldd "$bin" | awk '$3 ~ /^\// {print $3}')
missing=()
for pkg in $(printf '%s\n' "${needed[@]}" | sort -u); do
  # Sanitizer builds link their runtimes; the image holds a release build.
  [[ "$pkg" == libasan* || "$pkg" == libubsan* ]] && continue
  grep -qw -- "$pkg" <<<"$listed" || missing+=("$pkg")
done
# Not a library, but charts draw their text in it (commands/render/chart_png.hpp).
for pkg in fonts-dejavu-core tzdata ca-certificates; do
  grep -qw -- "$pkg" <<<"$listed" || missing+=("$pkg")
done
((${#missing[@]} == 0)) || fail "the runtime stage of $file does not install: ${missing[*]}"
grep -q '^USER itpm' "$file" || fail "$file does not run as the itpm user"
grep -q '^VOLUME \["/var/lib/itpm-bot"\]' "$file" || fail "$file has no VOLUME for the data"
grep -q 'itpm-bot", "healthcheck"' "$file" || fail "$file has no HEALTHCHECK through itpm-bot healthcheck"
grep -q '^build/$' .containerignore || fail ".containerignore does not leave build/ out"
cmp -s .containerignore .dockerignore || fail ".dockerignore differs from .containerignore"
echo "check_container: $file installs all $(printf '%s\n' "${needed[@]}" | sort -u | wc -l) library packages of $bin"
