#!/usr/bin/env bash
# npm run bench: each benchmark prints its own figures (and ratios); nothing here asserts a time.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
files=("$@"); [ ${#files[@]} -gt 0 ] || files=(test/bench/*.bench.ts)
[ ${#files[@]} -gt 0 ] || { echo "no benchmarks under test/bench/" >&2; exit 1; }
for f in "${files[@]}"; do
  echo "== $f"
  node --import tsx --expose-gc "$f"
  echo
done
