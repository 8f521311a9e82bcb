#!/usr/bin/env bash
# Discovery benchmark against the simulator on loopback (release build).
#
#   scripts/bench-discovery.sh            # everything
#   scripts/bench-discovery.sh demo       # (a) floor vs (b) full, demo
#   scripts/bench-discovery.sh latency    # 150 ms latency: K=4 vs serial
#   scripts/bench-discovery.sh large      # peak RSS, large company
#
# Prints one JSON line per measurement (see benches/discovery.rs). Numbers go to
# docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."

what="${1:-all}"
bench() { cargo bench -q -p concur-discovery --bench discovery -- "$@"; }

if [[ "$what" == all || "$what" == demo ]]; then
  echo "# (a) floor and (b) full discovery, demo company, concurrency 4 (run twice, warm)"
  bench --company demo --mode floor,full,floor,full
fi

if [[ "$what" == all || "$what" == latency ]]; then
  echo "# 150 ms added latency per request: concurrency 4 vs one request at a time (tiny)"
  bench --company tiny --latency-ms 150 --mode full,serial
fi

if [[ "$what" == all || "$what" == large ]]; then
  echo "# peak RSS of the discovery process, large company (simulator in its own process)"
  cargo build -q --release -p concur-sim
  cargo bench -q -p concur-discovery --bench discovery --no-run
  out="$(mktemp)"
  target/release/concur-sim --port 0 --tenant large >"$out" &
  sim_pid=$!
  trap 'kill "$sim_pid" 2>/dev/null || true; rm -f "$out"' EXIT
  for _ in $(seq 1 600); do
    grep -q '^CONCUR_BASE_URL=' "$out" && break
    sleep 0.2
  done
  base="$(grep '^CONCUR_BASE_URL=' "$out" | cut -d= -f2-)"
  bin="$(ls -t target/release/deps/discovery-* | grep -v '\.d$' | head -1)"
  /usr/bin/time -v "$bin" --bench --company large --base-url "$base" --mode full 2>&1 \
    | grep -E '^\{|Maximum resident set size|Elapsed \(wall clock\)'
fi
