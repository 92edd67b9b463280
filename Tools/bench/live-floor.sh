#!/usr/bin/env bash
# The live-read floor on this machine: the same long-poll (or SSE) case against Tools/bench/live-floor.c (a server
# that does nothing but the kernel's share of each delivery) and against our server, interleaved, same load
# generator.
#
#   Tools/bench/live-floor.sh                 # 3 rounds at one append per 100 ms and per 10 ms, 8 s each
#   ROUNDS=5 INTERVALS="100" Tools/bench/live-floor.sh
#   SCENARIOS="long-poll sse" Tools/bench/live-floor.sh
#
# Prints, per run, the last reader's latency (p50 and max over the appends, by the kernel's receive timestamp) and
# each process's CPU per delivery over the middle of the run. Builds release binaries; needs gcc.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
INTERVALS=${INTERVALS:-"100 10"}
SCENARIOS=${SCENARIOS:-long-poll}
READERS=${READERS:-1000}
DURATION=${DURATION:-8}
FLOOR_PORT=${FLOOR_PORT:-4499}
OUR_PORT=${OUR_PORT:-4498}
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

gcc -O2 -Wall -pthread -o "$WORK/live-floor" Tools/bench/live-floor.c
swift build -c release --product durable-streams-server >&2
swift build -c release --product durable-streams-bench >&2
BIN=$(swift build -c release --show-bin-path)

# run NAME PORT SCENARIO INTERVAL COMMAND...: one case against a freshly started server.
run() {
    local name=$1 port=$2 scenario=$3 interval=$4; shift 4
    "$@" >"$WORK/server.log" 2>&1 &
    local server=$!
    sleep 1
    "$BIN/durable-streams-bench" run --url "http://127.0.0.1:$port/v1/stream/" --scenario "$scenario" \
        --append-interval-ms "$interval" --duration "$DURATION" --readers "$READERS" --live-threads 2 >"$WORK/bench.log" 2>&1 &
    local bench=$!
    sleep $((DURATION / 2))
    local s1 c1 s2 c2
    s1=$(awk '{print $14 + $15}' "/proc/$server/stat"); c1=$(awk '{print $14 + $15}' "/proc/$bench/stat")
    sleep 2
    s2=$(awk '{print $14 + $15}' "/proc/$server/stat"); c2=$(awk '{print $14 + $15}' "/proc/$bench/stat")
    wait "$bench"
    kill "$server"; wait "$server" 2>/dev/null || true
    python3 - "$name $scenario" "$interval" "$READERS" "$s1" "$s2" "$c1" "$c2" "$WORK/bench.log" <<'PY'
import re, sys
name, interval, readers, s1, s2, c1, c2, log = sys.argv[1:]
deliveries = 2 * int(readers) * 1000 / int(interval)
tick_us = 1e6 / 100  # clock ticks of /proc/PID/stat
line = next((l for l in open(log) if 'readers-every' in l), '')
value = lambda key: (re.search(' ' + key + r'=([0-9.]+)', line) or [None, '?'])[1]
print(f"{name:<14} every {interval:>3} ms  last reader p50 {value('all_readers_p50_ms'):>7} ms  max {value('all_readers_max_ms'):>7} ms"
      f"  | CPU per delivery: server {(int(s2) - int(s1)) * tick_us / deliveries:5.1f} us, client {(int(c2) - int(c1)) * tick_us / deliveries:5.1f} us")
PY
}

for round in $(seq "$ROUNDS"); do
    for scenario in $SCENARIOS; do
        for interval in $INTERVALS; do
            run floor "$FLOOR_PORT" "$scenario" "$interval" "$WORK/live-floor" "$FLOOR_PORT"
            run ours "$OUR_PORT" "$scenario" "$interval" "$BIN/durable-streams-server" dev --port "$OUR_PORT" --access-log false --no-registry
        done
    done
done
