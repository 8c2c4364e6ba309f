#!/usr/bin/env bash
# Installs what is needed, then builds and runs EVERY test of OTP++:
#   format check (clang-format, scripts/format.sh --check)
#   release  build (-O2, -Werror) + check-headers + all tests + the find_package install test
#   asan     build (AddressSanitizer + UBSan) + all tests
#   tsan     build (ThreadSanitizer) + all tests
# Each build lives in build/<preset> (CMakePresets.json), so a second run is incremental.
#
# Usage: scripts/test.sh [--only PRESET]... [--no-format] [-j N]
#   --only PRESET   run just this preset (release, dev, asan or tsan); may be repeated.
#                   OTP_TEST_PRESETS="release tsan" does the same.
#   --no-format     skip the clang-format check
#   -j N            build and test parallelism (default: number of cores)
# Exit status: 0 only if every step of every selected build passed. The last line is the
# combined count, "total: N passed, M failed" (a failed format/configure/build step counts as
# one failure).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

presets=()
format=1
jobs=$(nproc 2>/dev/null || echo 2)
while (($#)); do
  case "$1" in
    --only) presets+=("$2"); shift 2 ;;
    --only=*) presets+=("${1#--only=}"); shift ;;
    --no-format) format=0; shift ;;
    -j) jobs=$2; shift 2 ;;
    -j*) jobs=${1#-j}; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if ((${#presets[@]} == 0)); then
  read -r -a presets <<<"${OTP_TEST_PRESETS:-release asan tsan}"
fi
for p in "${presets[@]}"; do
  case "$p" in release|dev|asan|tsan) ;; *) echo "test.sh: unknown preset '$p'" >&2; exit 2 ;; esac
done

"$ROOT/scripts/setup.sh"

start_all=$SECONDS
total_passed=0
total_failed=0
summary=()
note() { summary+=("$1"); }
banner() { printf '\n==== %s ====\n' "$*"; }

# ---- clang-format -----------------------------------------------------------------------------
if ((format)); then
  banner "format check"
  if "$ROOT/scripts/format.sh" --check; then
    note "format:  ok"
  else
    note "format:  FAILED (run scripts/format.sh)"
    total_failed=$((total_failed + 1))
  fi
fi

# ---- sanitizer runtime probe --------------------------------------------------------------------
# GCC 12's TSan (and, on some kernels, ASan) cannot cope with the high mmap randomisation of
# recent kernels (vm.mmap_rnd_bits > 28): "FATAL: ThreadSanitizer: unexpected memory mapping".
# Probe with a trivial program; if it fails, run the tests with ASLR off (setarch -R), which the
# test processes inherit. Sets the array `wrapper`.
wrapper=()
probe_sanitizer() {  # $1 = -fsanitize value
  local dir out
  dir=$(mktemp -d)
  printf '#include <thread>\nint main() { std::thread t([] {}); t.join(); return 0; }\n' >"$dir/probe.cpp"
  if ! "${CXX:-c++}" -std=c++20 -pthread -fsanitize="$1" "$dir/probe.cpp" -o "$dir/probe" 2>"$dir/cc.log"; then
    cat "$dir/cc.log" >&2
    rm -rf "$dir"
    echo "test.sh: cannot compile with -fsanitize=$1" >&2
    return 1
  fi
  wrapper=()
  if out=$("$dir/probe" 2>&1); then
    echo "sanitizer probe ($1): runs as is"
  elif setarch "$(uname -m)" -R "$dir/probe" >/dev/null 2>&1; then
    wrapper=(setarch "$(uname -m)" -R)
    echo "sanitizer probe ($1): fails with ASLR (${out%%$'\n'*}); running tests under: ${wrapper[*]}"
  else
    echo "sanitizer probe ($1) fails, also without ASLR:" >&2
    echo "$out" >&2
    rm -rf "$dir"
    return 1
  fi
  rm -rf "$dir"
}

# ---- one build ----------------------------------------------------------------------------------
run_preset() {
  local p=$1 t0=$SECONDS
  local log="$ROOT/build/$p-ctest.log"
  banner "$p: configure"
  if ! cmake --preset "$p"; then
    note "$p: configure FAILED"; total_failed=$((total_failed + 1)); return
  fi
  banner "$p: build"
  if ! cmake --build --preset "$p" -j "$jobs"; then
    note "$p: build FAILED"; total_failed=$((total_failed + 1)); return
  fi
  if [[ $p == release || $p == dev ]]; then
    banner "$p: check-headers"
    if ! cmake --build --preset "$p" -j "$jobs" --target check-headers; then
      note "$p: check-headers FAILED"; total_failed=$((total_failed + 1))
    fi
  fi
  wrapper=()
  case "$p" in
    asan) probe_sanitizer address,undefined || { note "$p: sanitizer unusable"; total_failed=$((total_failed + 1)); return; } ;;
    tsan) probe_sanitizer thread || { note "$p: sanitizer unusable"; total_failed=$((total_failed + 1)); return; } ;;
  esac
  banner "$p: test"
  local rc=0
  "${wrapper[@]}" ctest --preset "$p" -j "$jobs" 2>&1 | tee "$log" || rc=$?
  # ctest's own summary: "100% tests passed, 0 tests failed out of 42"
  local line n f
  line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)
  if [[ -n $line ]]; then
    f=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")
    n=$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")
    total_passed=$((total_passed + n - f))
    total_failed=$((total_failed + f))
    if ((rc != 0 && f == 0)); then total_failed=$((total_failed + 1)); fi
    note "$p: $((n - f)) passed, $f failed ($((SECONDS - t0)) s)"
  elif ((rc != 0)); then
    note "$p: ctest FAILED (exit $rc)"; total_failed=$((total_failed + 1))
  else
    note "$p: no tests ($((SECONDS - t0)) s)"
  fi
}

mkdir -p "$ROOT/build"
for p in "${presets[@]}"; do
  run_preset "$p"
done

banner "summary (${presets[*]}, $((SECONDS - start_all)) s)"
printf '%s\n' "${summary[@]}"
echo "total: $total_passed passed, $total_failed failed"
((total_failed == 0))
