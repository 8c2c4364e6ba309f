#!/usr/bin/env bash
# Installs what OTP++ needs to build, test and run its demo on Debian 12 (bookworm).
# Idempotent and quick when everything is there: it asks dpkg first, and runs apt-get (update,
# then install) only for packages that are missing. Needs root or sudo.
set -euo pipefail

PACKAGES=(
  build-essential g++ cmake ninja-build pkg-config   # toolchain
  libboost-context-dev zlib1g-dev                    # runtime fibers, ETF compression
  libgtest-dev libgmock-dev libbenchmark-dev         # tests, benchmarks
  erlang-base                                        # a real Erlang peer: interop tests, benchmarks
  elixir                                             # a real Elixir peer: interop tests
  libcaf-dev                                         # the CAF peer of the benchmarks (scripts/bench.sh)
  python3                                            # bench/report.py
  clang-format                                       # scripts/format.sh
)

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "setup: missing packages (${missing[*]}) and not root, no sudo: install them as root" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
echo "setup: done"
