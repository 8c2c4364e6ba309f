#!/usr/bin/env bash
# OTP++ side by side with Erlang/OTP (BEAM) and CAF on the same workloads, in the same run
# (bench/README.md). Installs what is missing (scripts/setup.sh), builds the `bench` preset
# (otp_bench, caf_bench), compiles the BEAM side, runs every workload of
# bench/peers/workloads.txt for each scheduler count, rep and implementation (the
# implementations take turns inside each rep, so drift hits all of them alike), appends each
# run's RESULT line to a results file and prints the table of bench/report.py.
#
# Usage: scripts/bench.sh [--reps N] [--schedulers "1 2"] [--only W1,W2,...] [--impl otp,erl,caf]
#                         [--tiny] [--out FILE] [--keep-going] [--no-setup] [--no-build]
#   --reps N          runs of each case (default 5); the table shows the median and min-max
#   --schedulers L    scheduler counts to run with (default "1 2")
#   --only LIST       only these workloads (names of bench/peers/workloads.txt)
#   --impl LIST       only these implementations (default otp,erl,caf)
#   --tiny            the tiny arguments (about 1000x smaller: checks, not measurements)
#   --out FILE        the results file (default build/bench/results-<date>.txt); appended to
#   --keep-going      after a failed run, go on with the others (the exit status is still 1)
#   --no-setup, --no-build   skip scripts/setup.sh, or the configure+build step
# An implementation whose binary or tool is missing is reported and skipped. A run that fails its
# own check (exit status != 0, a FAILED line, or not exactly one RESULT line) stops the script
# with status 1 and prints that run's output. Needs the 2 cores to itself: run nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

reps=5
schedulers="1 2"
only=""
impls="otp,erl,caf"
size=full
out=""
keep_going=0
do_setup=1
do_build=1
while (($#)); do
  case "$1" in
    --reps) reps=$2; shift 2 ;;
    --reps=*) reps=${1#--reps=}; shift ;;
    --schedulers) schedulers=$2; shift 2 ;;
    --schedulers=*) schedulers=${1#--schedulers=}; shift ;;
    --only) only=$2; shift 2 ;;
    --only=*) only=${1#--only=}; shift ;;
    --impl) impls=$2; shift 2 ;;
    --impl=*) impls=${1#--impl=}; shift ;;
    --tiny) size=tiny; shift ;;
    --out) out=$2; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    --keep-going) keep_going=1; shift ;;
    --no-setup) do_setup=0; shift ;;
    --no-build) do_build=0; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ $reps =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: --reps wants a positive number" >&2; exit 2; }
for s in $schedulers; do
  [[ $s =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: --schedulers wants positive numbers" >&2; exit 2; }
done
IFS=, read -r -a want_impls <<<"$impls"
for i in "${want_impls[@]}"; do
  case "$i" in otp|erl|caf) ;; *) echo "bench.sh: unknown implementation '$i'" >&2; exit 2 ;; esac
done

WORKLOADS=$ROOT/bench/peers/workloads.txt
BUILD=$ROOT/build/bench
EBIN=$BUILD/bench/peers/ebin
OTP_BIN=$BUILD/bench/otp_bench
CAF_BIN=$BUILD/bench/peers/caf_bench
CORE_RTT_BIN=$BUILD/bench/core_rtt
log() { printf '%s\n' "$*" >&2; }

# ---- the workloads: name, arguments (comma-separated), implementations ---------------------------
names=() args=() runs_by=()
while read -r name full tiny who _; do
  [[ -z $name || $name == \#* ]] && continue
  if [[ -n $only && ",$only," != *",$name,"* ]]; then continue; fi
  names+=("$name")
  if [[ $size == tiny ]]; then args+=("$tiny"); else args+=("$full"); fi
  runs_by+=("$who")
done <"$WORKLOADS"
if [[ -n $only ]]; then
  IFS=, read -r -a only_list <<<"$only"
  for w in "${only_list[@]}"; do
    grep -qE "^$w[[:space:]]" "$WORKLOADS" || { echo "bench.sh: unknown workload '$w' (see $WORKLOADS)" >&2; exit 2; }
  done
fi
((${#names[@]})) || { echo "bench.sh: no workload selected" >&2; exit 2; }

# ---- setup and build ------------------------------------------------------------------------------
# Everything but the table goes to stderr.
if ((do_setup)); then "$ROOT/scripts/setup.sh" >&2; fi

has_impl() { [[ ",$impls," == *",$1,"* ]]; }
if ((do_build)); then
  cmake --preset bench >"$ROOT/build/bench-configure.log" 2>&1 ||
    { cat "$ROOT/build/bench-configure.log" >&2; echo "bench.sh: configure FAILED" >&2; exit 1; }
  targets=$(ninja -C "$BUILD" -t targets all 2>/dev/null | sed -n 's/^\([a-z_]*\): .*/\1/p' || true)
  for t in otp_bench caf_bench; do
    impl=${t%%_*}
    has_impl "$impl" || continue
    if ! grep -qx "$t" <<<"$targets"; then
      log "bench.sh: no $t target in this build: the ${impl} column stays empty"
      continue
    fi
    log "bench.sh: building $t"
    cmake --build --preset bench --target "$t" >&2 || { echo "bench.sh: building $t FAILED" >&2; exit 1; }
  done
  cmake --build --preset bench --target core_rtt >&2 || { echo "bench.sh: building core_rtt FAILED" >&2; exit 1; }
fi

# The host's core-to-core round trip (bench/host/core_rtt.cpp), probed before and after each run:
# the larger of the two goes into the run's RESULT line, and the report names the runs made while
# the host had moved the vCPUs far apart. Empty when there is no probe (or one CPU).
core_rtt() { if [[ -x $CORE_RTT_BIN ]]; then "$CORE_RTT_BIN" 2>/dev/null | sed -n 's/^core_rtt_ns=//p'; fi; }

available=()
if has_impl otp; then
  if [[ -x $OTP_BIN ]]; then available+=(otp); else log "bench.sh: $OTP_BIN missing: skipping OTP++"; fi
fi
if has_impl erl; then
  if command -v erl >/dev/null && command -v erlc >/dev/null; then
    mkdir -p "$EBIN"
    erlc -o "$EBIN" bench/peers/erlang/abench.erl bench/peers/erlang/abench_gs.erl
    available+=(erl)
  else
    log "bench.sh: erl/erlc missing (apt-get install erlang-base): skipping the BEAM"
  fi
fi
if has_impl caf; then
  if [[ -x $CAF_BIN ]]; then available+=(caf); else log "bench.sh: $CAF_BIN missing (libcaf-dev?): skipping CAF"; fi
fi
((${#available[@]})) || { echo "bench.sh: no implementation to run" >&2; exit 1; }

# Workloads each binary knows (its usage text lists them), so a workload not written yet is skipped.
declare -A knows
[[ " ${available[*]} " == *" otp "* ]] && knows[otp]=$("$OTP_BIN" --help 2>&1 || true)
[[ " ${available[*]} " == *" caf "* ]] && knows[caf]=$("$CAF_BIN" --help 2>&1 || true)
knows[erl]=$(grep -o '{"[a-z_]*", [0-9]}' bench/peers/erlang/abench.erl | tr -d '{}",' || true)

# ---- the runs -------------------------------------------------------------------------------------
stamp=$(date +%Y%m%d-%H%M%S)
out=${out:-$BUILD/results-$stamp.txt}
mkdir -p "$(dirname "$out")"
erl_version=$(erl -noshell -eval 'io:put_chars(erlang:system_info(otp_release) ++ " erts-" ++ erlang:system_info(version)), halt().' 2>/dev/null || echo "?")
caf_version=$(dpkg-query -W -f='${Version}' libcaf-dev 2>/dev/null || echo "?")
{
  echo "# scripts/bench.sh $stamp: size=$size reps=$reps schedulers=\"$schedulers\" impls=${available[*]}"
  echo "# host: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "# Erlang/OTP $erl_version; CAF $caf_version; $(${CXX:-c++} --version | head -n1)"
} >>"$out"
if [[ $size == tiny ]]; then timeout_s=120; else timeout_s=1800; fi

# The command line of one run: prints it as one word per line.
command_for() {  # impl workload args(comma-separated) schedulers
  local impl=$1 w=$2 a=${3//,/ } s=$4
  case "$impl" in
    otp)
      printf '%s\n' "$OTP_BIN" "$w" $a "--schedulers=$s"
      # OTP++'s client against a BEAM peer node starts erl with abench's ebin.
      if [[ $w == dist_beam ]]; then printf '%s\n' "--ebin=$EBIN"; fi ;;
    caf) printf '%s\n' "$CAF_BIN" "$w" $a "--schedulers=$s" ;;
    erl)
      if [[ $w == dist ]]; then
        printf '%s\n' bash "$ROOT/bench/peers/erlang/run_dist.sh" "$EBIN" $a "$s"
      else
        printf '%s\n' erl +S "$s:$s" +P 4000000 -noshell -pa "$EBIN" -s abench main "$w" $a -s init stop
      fi ;;
  esac
}

# What runs, in order: workload x schedulers x rep x implementation.
plan=()
for i in "${!names[@]}"; do
  for impl in "${available[@]}"; do
    if [[ ",${runs_by[$i]}," != *",$impl,"* ]]; then continue; fi
    if ! grep -qw -- "${names[$i]}" <<<"${knows[$impl]}"; then
      log "bench.sh: $impl has no workload ${names[$i]} yet: skipped"
    fi
  done
  for s in $schedulers; do
    for ((rep = 1; rep <= reps; rep++)); do
      for impl in "${available[@]}"; do
        [[ ",${runs_by[$i]}," == *",$impl,"* ]] || continue
        grep -qw -- "${names[$i]}" <<<"${knows[$impl]}" || continue
        plan+=("$i $s $rep $impl")
      done
    done
  done
done

failures=0
n=0
total=${#plan[@]}
log "bench.sh: $total runs, results in $out"
for step in "${plan[@]}"; do
  read -r i s rep impl <<<"$step"
  n=$((n + 1))
  w=${names[$i]} a=${args[$i]}
  mapfile -t cmd < <(command_for "$impl" "$w" "$a" "$s")
  t0=$SECONDS
  rtt_before=$(core_rtt)
  rc=0
  output=$(timeout --kill-after=10 "$timeout_s" "${cmd[@]}" 2>&1) || rc=$?
  rtt_after=$(core_rtt)
  result=$(grep '^RESULT ' <<<"$output" || true)
  nresult=$(grep -c '^RESULT ' <<<"$output" || true)
  if ((rc != 0)) || grep -q 'FAILED' <<<"$output" || [[ $nresult != 1 ]]; then
    log ""
    log "==== FAILED: $w ${a//,/ } schedulers=$s rep $rep impl=$impl (exit status $rc$( ((rc == 124)) && echo ": timed out after ${timeout_s} s")) ===="
    log "command: ${cmd[*]}"
    log "$output"
    log "===="
    failures=$((failures + 1))
    ((keep_going)) || { log "bench.sh: stopped at the first failed run (--keep-going goes on); results so far: $out"; exit 1; }
    continue
  fi
  [[ $result == *" args="* ]] || result="$result args=$a"
  if [[ -n $rtt_before && -n $rtt_after ]]; then
    result="$result core_rtt_ns=$(awk -v a="$rtt_before" -v b="$rtt_after" 'BEGIN { print (a > b ? a : b) }')"
  fi
  echo "$result" >>"$out"
  log "[$n/$total] $w ${a//,/ } s=$s rep $rep/$reps $impl ($((SECONDS - t0)) s): ${result#RESULT }"
done

# ---- the table ------------------------------------------------------------------------------------
table=${out%.txt}.md
{
  grep '^# ' "$out" | tail -n 3 | sed 's/^# //'
  echo
  python3 "$ROOT/bench/report.py" "$out"
} | tee "$table"
log "bench.sh: results $out, table $table"
if ((failures)); then
  echo "bench.sh: $failures runs FAILED their check" >&2
  exit 1
fi
