#!/usr/bin/env bash
# BEAM <-> BEAM run of `abench dist`: starts a peer node (-sname, loopback), runs the client
# node against it, then stops the peer by its pid. Used by scripts/bench.sh and by the ctest
# bench.erl.dist. Prints the client's RESULT line; exit status is the client's.
# Usage: run_dist.sh EBIN_DIR N SCHEDULERS
set -euo pipefail
if (($# != 3)); then
  echo "usage: $0 EBIN_DIR N SCHEDULERS" >&2
  exit 2
fi
ebin=$1 n=$2 s=$3
ERL=${ERL:-erl}
tag=$$_$RANDOM
peer=abench_peer_$tag
cookie=abench_$tag

# erl -sname starts epmd when none runs; one started for this run is stopped with the peer
# (epmd refuses -kill while other nodes are still registered, so a user's nodes are safe).
epmd_was_running=1
if ! epmd -names >/dev/null 2>&1; then epmd_was_running=0; fi

"$ERL" +S "$s:$s" -sname "$peer" -setcookie "$cookie" -noshell -pa "$ebin" -s abench dist_peer &
peer_pid=$!
stop_peer() {
  if kill -0 "$peer_pid" 2>/dev/null; then kill "$peer_pid" 2>/dev/null || true; fi
  wait "$peer_pid" 2>/dev/null || true
  if ((epmd_was_running == 0)); then epmd -kill >/dev/null 2>&1 || true; fi
}
trap stop_peer EXIT

# The client waits (up to 10 s) until it can reach the peer's registered processes.
rc=0
"$ERL" +S "$s:$s" -sname "abench_client_$tag" -setcookie "$cookie" -noshell -pa "$ebin" \
  -abench_peer "$peer" -s abench main dist "$n" -s init stop || rc=$?
exit "$rc"
