#!/usr/bin/env bash
# Benchmarks our server against baselines measured in the same run, and writes Docs/benchmarks.md.
#
#   Tools/bench.sh                 # full run (~20 minutes on the 2-core machine)
#   DURATION=3 QUICK=1 Tools/bench.sh   # a short run (smaller live/read/create sizes)
#
# Builds release binaries, starts our server (memory store), nginx (`return 204` on a loopback port) and a plain
# SwiftNIO server answering 204 (the framework ceiling), drives them with durable-streams-bench (same tool, same
# connection count, interleaved), cross-checks the append rate with wrk, runs every scenario against our server
# on the memory store and the read, live and create scenarios on the file store, a steady-state RSS run on a
# fresh server, and renders the tables.
# Everything runs on 127.0.0.1, bounded in time; the servers are stopped on exit.
#
# Environment: DURATION (s per case, default 10), REPEAT (interleaved append runs, default 5),
# CONNECTIONS (default 64), LIVE_THREADS (epoll threads the 1,000 long-poll and SSE readers are spread over,
# default 2; every other case uses one), SOAK (measured seconds of the RSS stability run, default 60, 0 to skip),
# SOAK_WARMUP (seconds of the same load before it, default 20), PIN=1 (taskset:
# servers on CPU 0, load generators on CPU 1), OUT (results directory, default .build/bench-results),
# DOC (markdown output, default Docs/benchmarks.md), QUICK=1 (smaller sizes, for trying the script),
# ACCESS_LOG (our server's request log, default false like nginx's here),
# ONLY (space- or comma-separated parts to run, default all of: create file-create append wrk scenarios idle
# floor file soak; e.g. ONLY=file,soak DOC=/tmp/b.md to try a change).
set -euo pipefail
cd "$(dirname "$0")/.."
. Tools/bench/nginx-204.sh

DURATION=${DURATION:-10}
REPEAT=${REPEAT:-5}
CONNECTIONS=${CONNECTIONS:-64}
LIVE_THREADS=${LIVE_THREADS:-2}
SOAK=${SOAK:-60}
SOAK_WARMUP=${SOAK_WARMUP:-20}
PIN=${PIN:-0}
OUT=${OUT:-.build/bench-results}
DOC=${DOC:-Docs/benchmarks.md}
ONLY=" ${ONLY:-create file-create append wrk scenarios idle floor file soak} "
ONLY=${ONLY//,/ }
OUR_PORT=${OUR_PORT:-4480}
NGINX_PORT=${NGINX_PORT:-4481}
NIO_PORT=${NIO_PORT:-4482}
FILE_PORT=${FILE_PORT:-4483}
FILE_CREATE_PORT=${FILE_CREATE_PORT:-4484}
SOAK_PORT=${SOAK_PORT:-4485}
FLOOR_PORT=${FLOOR_PORT:-4486}
if [ "${QUICK:-0}" = 1 ]; then
    SIZES=(--readers 200 --read-mb 20 --create-count 20000)
    IDLE_READERS=${IDLE_READERS:-1000}
else
    SIZES=(--readers 1000 --read-mb 100 --create-count 100000)
    IDLE_READERS=${IDLE_READERS:-5000}
fi
want() { [[ "$ONLY" == *" $1 "* ]]; }

need() {
    command -v "$1" >/dev/null 2>&1 && return
    echo "installing $2 (Debian)" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "$2" >/dev/null
}
Tools/install-system-deps.sh
need nginx nginx
need wrk wrk
need python3 python3

echo "building release binaries" >&2
swift build -c release --product durable-streams-server >&2
swift build -c release --product durable-streams-bench >&2
BIN=$(swift build -c release --show-bin-path)

mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/*.txt
SERVER_CPU=()
CLIENT_CPU=()
if [ "$PIN" = 1 ]; then
    SERVER_CPU=(taskset -c 0)
    CLIENT_CPU=(taskset -c 1)
fi
# Thousands of connections need more descriptors than the usual soft limit of 1024.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

PIDS=()
DIRS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    for dir in "${DIRS[@]}"; do rm -rf "$dir"; done
}
trap cleanup EXIT

# Refuses a port something already listens on: a server left over, or another run's, would be measured instead.
port_free() {
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
        echo "port $1 is already in use on 127.0.0.1; stop what listens there or choose other *_PORT values" >&2
        exit 1
    fi
}

# Waits (bounded) until every URL answers.
wait_up() {
    for url in "$@"; do
        for _ in $(seq 1 100); do
            curl -s -o /dev/null "$url" && break
            sleep 0.2
        done
    done
}

# Starts our server: start_ours LOG ARGS… (dev, or run --data-dir DIR); sets STARTED_PID. The request log is
# off, as nginx's access_log is below; ACCESS_LOG=true keeps it (one line per request to stderr, into LOG).
start_ours() {
    local log=$1 port
    shift
    port=$(printf '%s\n' "$@" | sed -n '/^--port$/{n;p;}')
    port_free "$port"
    "${SERVER_CPU[@]}" "$BIN/durable-streams-server" "$@" --host 127.0.0.1 --access-log "${ACCESS_LOG:-false}" >"$log" 2>&1 &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
}

# Stops a server started above and waits for it to exit.
stop_server() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

OURS="http://127.0.0.1:$OUR_PORT/v1/stream/"
FILE="http://127.0.0.1:$FILE_PORT/v1/stream/"
NGINX="http://127.0.0.1:$NGINX_PORT/"
NIO="http://127.0.0.1:$NIO_PORT/"
bench() { "${CLIENT_CPU[@]}" "$BIN/durable-streams-bench" --duration "$DURATION" --connections "$CONNECTIONS" --live-threads "$LIVE_THREADS" "$@"; }

# Our server, memory store.
if want create || want append || want wrk || want scenarios || want idle; then
    start_ours "$OUT/server.log" dev --port "$OUR_PORT"
    OUR_PID=$STARTED_PID
    wait_up "$OURS"
fi

# The same server on the file store (every append acknowledged after fdatasync), on a throw-away data directory.
if want append || want file; then
    FILE_DIR=$(mktemp -d)
    DIRS+=("$FILE_DIR")
    start_ours "$OUT/file-server.log" run --data-dir "$FILE_DIR/data" --port "$FILE_PORT"
    FILE_PID=$STARTED_PID
    wait_up "$FILE"
fi

if want append || want wrk; then
    # nginx answering every request with 204, in a throw-away prefix.
    NGINX_DIR=$(mktemp -d)
    DIRS+=("$NGINX_DIR")
    port_free "$NGINX_PORT"
    port_free "$NIO_PORT"
    write_nginx_204_conf "$NGINX_DIR" "$NGINX_PORT"
    "${SERVER_CPU[@]}" nginx -c "$NGINX_DIR/nginx.conf" -p "$NGINX_DIR" -g 'daemon off;' &
    PIDS+=("$!")

    # A plain SwiftNIO HTTP/1.1 server answering 204 (same pipeline configuration as ours): the framework ceiling.
    "${SERVER_CPU[@]}" "$BIN/durable-streams-bench" baseline-server --port "$NIO_PORT" >"$OUT/nio-baseline.log" 2>&1 &
    PIDS+=("$!")
    wait_up "$NGINX" "$NIO"
fi

uptime | tee "$OUT/load-start.txt" >&2

# 0. Memory per empty stream and creation rate, first, while the server is fresh (freed memory from other
#    scenarios would otherwise absorb the new streams and hide their cost).
if want create; then
    bench --url "$OURS" --scenario create "${SIZES[@]}" --server-pid "$OUR_PID" --json "$OUT/ours-create.json" >&2
fi

# 0b. The same on the file store, on a server and directory of its own (so that its streams do not sit in the
#     metadata the later file-store runs use), stopped before anything else runs.
if want file-create; then
    CREATE_DIR=$(mktemp -d)
    DIRS+=("$CREATE_DIR")
    start_ours "$OUT/file-create-server.log" run --data-dir "$CREATE_DIR/data" --port "$FILE_CREATE_PORT"
    CREATE_PID=$STARTED_PID
    wait_up "http://127.0.0.1:$FILE_CREATE_PORT/v1/stream/"
    bench --url "http://127.0.0.1:$FILE_CREATE_PORT/v1/stream/" --scenario create "${SIZES[@]}" --server-pid "$CREATE_PID" \
        --json "$OUT/file-create.json" >&2
    du -sk "$CREATE_DIR/data" | cut -f1 >"$OUT/file-create-disk-kib.txt"
    stop_server "$CREATE_PID"
    rm -rf "$CREATE_DIR"
fi

# 1. Append rate: nginx, the plain NIO server, ours and ours on the file store, same tool and connection count,
#    interleaved REPEAT times.
if want append; then
    for run in $(seq 1 "$REPEAT"); do
        echo "== append run $run/$REPEAT" >&2
        bench --url "$NGINX" --scenario append --no-create --json "$OUT/nginx-append-$run.json" >&2
        bench --url "$NIO" --scenario append --no-create --json "$OUT/nio-append-$run.json" >&2
        bench --url "$OURS" --scenario append --server-pid "$OUR_PID" --json "$OUT/ours-append-$run.json" >&2
        bench --url "$FILE" --scenario append --server-pid "$FILE_PID" --json "$OUT/file-append-$run.json" >&2
    done
fi

# 1b. Catch-up and last-message reads and live readers on the file store, after the appends (alone on the
#     machine, like every case). The read stream is written just before, so its pages are in the page cache.
if want file; then
    bench --url "$FILE" --scenario read,long-poll,sse "${SIZES[@]}" --server-pid "$FILE_PID" --json "$OUT/file-scenarios.json" >&2
fi
if [ -n "${FILE_PID:-}" ]; then
    stop_server "$FILE_PID"
    rm -rf "$FILE_DIR"
fi

# 2. wrk cross-check of the same two rates (one stream; nginx ignores the path).
if want wrk; then
    cat >"$OUT/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = string.rep("x", 100)
wrk.headers["Content-Type"] = "application/octet-stream"
LUA
    curl -s -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' "${OURS}bench-wrk"
    for run in $(seq 1 "$REPEAT"); do
        "${CLIENT_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$OUT/post.lua" "${NGINX}bench-wrk" >"$OUT/wrk-nginx-$run.txt"
        "${CLIENT_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$OUT/post.lua" "${NIO}bench-wrk" >"$OUT/wrk-nio-$run.txt"
        "${CLIENT_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$OUT/post.lua" "${OURS}bench-wrk" >"$OUT/wrk-ours-$run.txt"
    done
fi

# 3. Every other scenario against our server.
if want scenarios; then
    bench --url "$OURS" --scenario append-producer,append-json,read,long-poll,sse "${SIZES[@]}" \
        --server-pid "$OUR_PID" --json "$OUT/ours-scenarios.json" >&2
fi

# 3b. What an idle live reader costs: long-poll waiters, then SSE connections, then all of them hang up.
if want idle; then
    bench --url "$OURS" --scenario idle --idle-readers "$IDLE_READERS" --server-pid "$OUR_PID" --json "$OUT/ours-idle.json" >&2
fi
if [ -n "${OUR_PID:-}" ]; then stop_server "$OUR_PID"; fi

# 3c. The live-read floor: the same long-poll and SSE cases against Tools/bench/live-floor.c, a server that does
#     only the kernel's share of a delivery (one read, one write), so the report can say how much of the latency is ours.
if want floor; then
    need gcc gcc
    gcc -O2 -pthread -o "$OUT/live-floor" Tools/bench/live-floor.c
    port_free "$FLOOR_PORT"
    "${SERVER_CPU[@]}" "$OUT/live-floor" "$FLOOR_PORT" >"$OUT/live-floor.log" 2>&1 &
    FLOOR_PID=$!
    PIDS+=("$FLOOR_PID")
    sleep 0.5
    bench --url "http://127.0.0.1:$FLOOR_PORT/v1/stream/" --scenario long-poll,sse "${SIZES[@]}" --server-pid "$FLOOR_PID" \
        --json "$OUT/floor-live.json" >&2
    stop_server "$FLOOR_PID"
fi

# 4. RSS at steady state: a fresh memory-store server, SOAK_WARMUP seconds of long-poll load (readers at the
#    tail, one append every 10 ms) and then SOAK measured seconds of the same, with RSS read when measuring
#    starts, halfway and at the end. The stream's own growth (the appended bytes) is subtracted in the report.
if want soak && [ "$SOAK" -gt 0 ]; then
    start_ours "$OUT/soak-server.log" dev --port "$SOAK_PORT"
    SOAK_PID=$STARTED_PID
    wait_up "http://127.0.0.1:$SOAK_PORT/v1/stream/"
    bench --url "http://127.0.0.1:$SOAK_PORT/v1/stream/" --scenario long-poll --warmup "$SOAK_WARMUP" --duration "$SOAK" \
        --append-interval-ms 10 "${SIZES[@]}" --server-pid "$SOAK_PID" --json "$OUT/ours-soak.json" >&2
    stop_server "$SOAK_PID"
fi

uptime | tee "$OUT/load-end.txt" >&2
echo "${ACCESS_LOG:-false}" >"$OUT/access-log.txt"
# Sections written by hand below the generated ones (from "## File store durability" on) are kept.
KEPT=$(mktemp)
[ -f "$DOC" ] && sed -n '/^## File store durability/,$p' "$DOC" >"$KEPT"
python3 Tools/bench_report.py "$OUT" >"$DOC"
if [ -s "$KEPT" ]; then { echo; cat "$KEPT"; } >>"$DOC"; fi
rm -f "$KEPT"
echo "wrote $DOC" >&2
