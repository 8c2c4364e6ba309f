#!/usr/bin/env bash
# Installs what is needed, builds the `processes` example (examples/processes.cpp) in the release
# build (build/release) and runs it. Extra arguments are passed to the example.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target example_processes -j "$(nproc 2>/dev/null || echo 2)"
echo "==== build/release/examples/example_processes ===="
exec ./build/release/examples/example_processes "$@"
