#!/usr/bin/env bash
# Installs what is needed, builds the examples in the release build (build/release) and runs three:
# `processes` (examples/processes.cpp: processes, links, monitors, exits), `supervision`
# (examples/supervision.cpp: a supervision tree restarting crashed children) and `erlang_cluster`
# (examples/erlang_cluster.cpp: a real Erlang node calls a C++ gen_server, and C++ calls it).
# Extra arguments are passed to the processes example.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target example_processes example_supervision example_erlang_cluster -j "$(nproc 2>/dev/null || echo 2)"
echo "==== build/release/examples/example_processes ===="
./build/release/examples/example_processes "$@"
echo
echo "==== build/release/examples/example_supervision ===="
./build/release/examples/example_supervision
echo
echo "==== build/release/examples/example_erlang_cluster ===="
exec ./build/release/examples/example_erlang_cluster
