#!/bin/sh
# Starts Deno's Jupyter kernel (`deno jupyter --kernel`) with the repository root as its working
# directory, like tslab-at-root.cjs: cells import "./sdk/index.js" and read "datasets/..." the same
# way from every notebook on both kernels. --sloppy-imports lets "./x.js" name the file x.ts (the
# SDK writes relative imports with .js, as NodeNext wants). npm packages come from node_modules
# (package.json is at the root, so Deno uses the existing folder and installs nothing).
# The binary: the optional dependency @deno/linux-x64-glibc, else `deno` on PATH, else $DENO.
root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
deno=${DENO:-$root/node_modules/@deno/linux-x64-glibc/deno}
if [ ! -x "$deno" ]; then
  deno=$(command -v deno) || {
    echo "deno kernel: no Deno binary (npm install the optional @deno/linux-x64-glibc, put deno on PATH, or set DENO)" >&2
    exit 1
  }
fi
cd "$root" || exit 1
export DENO_NO_UPDATE_CHECK=1
exec "$deno" jupyter --kernel --conn "$1" --sloppy-imports
