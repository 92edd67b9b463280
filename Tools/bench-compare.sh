#!/usr/bin/env bash
# Compares two builds of our server against each other and against nginx `return 204`, in one run.
#
#   Tools/bench-compare.sh BEFORE_BIN_DIR AFTER_BIN_DIR
#
# Each *_BIN_DIR holds a release `durable-streams-server`; the load generator is AFTER_BIN_DIR's
# `durable-streams-bench` for both, so only the server differs. Starts nginx (`return 204`), the "before" and the
# "after" server (memory store, access log off like nginx's), and runs, REPEAT times and interleaved
# (nginx, before, after, nginx, …): `append` (one stream and 64 streams), then `long-poll` and `sse` fan-out
# against both servers. Prints a table of ratios (Tools/bench_compare.py). Loopback only, bounded in time.
#
# Environment: DURATION (s per case, default 10), REPEAT (default 3), CONNECTIONS (default 64), READERS (live
# readers, default 1000), INTERVALS (append intervals of the live cases in ms, comma- or space-separated, default
# 100), LIVE_DURATION (default DURATION), SCENARIOS_LIVE (default long-poll,sse; empty to skip), APPEND (0 skips the
# append runs), SERVER_FLAGS (extra flags for both servers), OUT (default .build/bench-compare).
set -euo pipefail
cd "$(dirname "$0")/.."
. Tools/bench/nginx-204.sh
BEFORE=$1
AFTER=$2
DURATION=${DURATION:-10}
REPEAT=${REPEAT:-3}
CONNECTIONS=${CONNECTIONS:-64}
READERS=${READERS:-1000}
INTERVALS=${INTERVALS:-100}
INTERVALS=$(echo "$INTERVALS" | tr -s ' ,' ',' | sed 's/^,//; s/,$//')  # "100 10" and "100,10" both work
APPEND=${APPEND:-1}
LIVE_DURATION=${LIVE_DURATION:-$DURATION}
SCENARIOS_LIVE=${SCENARIOS_LIVE-long-poll,sse}
OUT=${OUT:-.build/bench-compare}
NGINX_PORT=${NGINX_PORT:-4491}
BEFORE_PORT=${BEFORE_PORT:-4492}
AFTER_PORT=${AFTER_PORT:-4493}
read -r -a EXTRA <<<"${SERVER_FLAGS:-}"

mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.txt
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
PIDS=()
NGINX_DIR=$(mktemp -d)
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$NGINX_DIR"
}
trap cleanup EXIT

"$BEFORE/durable-streams-server" dev --host 127.0.0.1 --port "$BEFORE_PORT" --access-log false "${EXTRA[@]}" >"$OUT/before-server.log" 2>&1 &
BEFORE_PID=$!
PIDS+=("$BEFORE_PID")
"$AFTER/durable-streams-server" dev --host 127.0.0.1 --port "$AFTER_PORT" --access-log false "${EXTRA[@]}" >"$OUT/after-server.log" 2>&1 &
AFTER_PID=$!
PIDS+=("$AFTER_PID")
write_nginx_204_conf "$NGINX_DIR" "$NGINX_PORT"
nginx -c "$NGINX_DIR/nginx.conf" -p "$NGINX_DIR" -g 'daemon off;' &
PIDS+=("$!")
for _ in $(seq 1 50); do
    kill -0 "$BEFORE_PID" 2>/dev/null && kill -0 "$AFTER_PID" 2>/dev/null || { echo "a server did not start (port in use?)" >&2; exit 1; }
    curl -s -o /dev/null "http://127.0.0.1:$BEFORE_PORT/v1/stream/" && curl -s -o /dev/null "http://127.0.0.1:$AFTER_PORT/v1/stream/" \
        && curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && break
    sleep 0.2
done

bench() { "$AFTER/durable-streams-bench" run --duration "$DURATION" --connections "$CONNECTIONS" "$@"; }
uptime | tee "$OUT/load-start.txt" >&2
for run in $(seq 1 "$REPEAT"); do
    [ "$APPEND" = 1 ] || break
    echo "== append run $run/$REPEAT" >&2
    bench --url "http://127.0.0.1:$NGINX_PORT/" --scenario append --no-create --json "$OUT/nginx-append-$run.json" >&2
    bench --url "http://127.0.0.1:$BEFORE_PORT/v1/stream/" --scenario append --server-pid "$BEFORE_PID" --json "$OUT/before-append-$run.json" >&2
    bench --url "http://127.0.0.1:$AFTER_PORT/v1/stream/" --scenario append --server-pid "$AFTER_PID" --json "$OUT/after-append-$run.json" >&2
done
if [ -n "$SCENARIOS_LIVE" ]; then
    for run in $(seq 1 "$REPEAT"); do
        for side in before after; do
            port=$BEFORE_PORT; pid=$BEFORE_PID
            [ "$side" = after ] && { port=$AFTER_PORT; pid=$AFTER_PID; }
            echo "== live run $run/$REPEAT ($side)" >&2
            "$AFTER/durable-streams-bench" run --url "http://127.0.0.1:$port/v1/stream/" --scenario "$SCENARIOS_LIVE" \
                --duration "$LIVE_DURATION" --readers "$READERS" --append-interval-ms "$INTERVALS" \
                --server-pid "$pid" --json "$OUT/$side-live-$run.json" >&2
        done
    done
fi
uptime | tee "$OUT/load-end.txt" >&2
python3 Tools/bench_compare.py "$OUT" | tee "$OUT/summary.md"
