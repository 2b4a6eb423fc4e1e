#!/usr/bin/env bash
# npm test: type-check, then every test file through node:test. With arguments, only those files.
set -euo pipefail
shopt -s nullglob globstar
cd "$(dirname "$0")/.."
node node_modules/typescript/bin/tsc --noEmit
if [ $# -gt 0 ]; then files=("$@"); else files=(test/**/*.test.ts); fi
if [ ${#files[@]} -eq 0 ]; then echo "npm test: no test files found under test/" >&2; exit 1; fi
exec node --import tsx --test --test-concurrency=2 "${files[@]}"
