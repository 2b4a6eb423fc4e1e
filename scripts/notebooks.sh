#!/usr/bin/env bash
# npm run notebooks: re-execute every notebook in place (outputs are committed so they read on GitHub).
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."
export JUPYTER_PATH="$PWD/jupyter" PYDEVD_DISABLE_FILE_VALIDATION=1
files=("$@"); [ ${#files[@]} -gt 0 ] || files=(notebooks/*.ipynb)
for nb in "${files[@]}"; do
  echo "executing $nb"
  jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.kernel_name=tslab --ExecutePreprocessor.timeout=600 "$nb"
done
