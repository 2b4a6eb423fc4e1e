#!/usr/bin/env bash
# npm run writeup: every notebook (as committed, with its outputs) → a readable HTML page in out/writeup/.
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
export JUPYTER_PATH="$PWD/jupyter" PYDEVD_DISABLE_FILE_VALIDATION=1
mkdir -p out/writeup
files=("$@"); [ ${#files[@]} -gt 0 ] || files=(notebooks/*.ipynb)
for nb in "${files[@]}"; do
  jupyter nbconvert --to html --output-dir out/writeup "$nb"
done
echo "wrote $(ls out/writeup/*.html | wc -l) pages to out/writeup/"
