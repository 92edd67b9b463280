#!/usr/bin/env bash
# Checks the file store against a real full disk and a real read-only file system (needs root: it mounts a
# 1 MiB tmpfs). The unit tests cover the same paths through the store's fault-injection seam everywhere;
# this script shows the real errors behave the same.
#
#   sudo Tools/file-store-disk-full.sh            # uses .build/release/durable-streams-server (BIN= to change)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/durable-streams-server}
MOUNT=$(mktemp -d)
LOG=$(mktemp)
URL=""
pid=""

cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    umount "$MOUNT" 2>/dev/null || true
    rmdir "$MOUNT"
    rm -f "$LOG"
}
trap cleanup EXIT

start() {
    : >"$LOG"
    "$BIN" run --data-dir "$MOUNT/data" --port 0 --no-compression >"$LOG" 2>&1 &
    pid=$!
    for _ in $(seq 100); do
        if grep -q "listening on" "$LOG"; then
            URL="$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$LOG" | sed 's/listening on //')/v1/stream"
            return
        fi
        sleep 0.1
    done
    echo "server did not start"; cat "$LOG"; exit 1
}

stop() { kill -TERM "$pid"; wait "$pid" || true; pid=""; }

mount -t tmpfs -o size=1m tmpfs "$MOUNT"
start
curl -sf -o /dev/null -X PUT -H 'Content-Type: text/plain' "$URL/full"
chunk=$(head -c 8192 /dev/zero | tr '\0' 'x')
acked=0
status=204
while [ "$status" = 204 ]; do
    status=$(curl -s -o /tmp/ds-disk-full-body -w '%{http_code}' -X POST -H 'Content-Type: text/plain' --data-binary "$chunk" "$URL/full")
    [ "$status" = 204 ] && acked=$((acked + 8192))
done
echo "disk full after $acked acknowledged bytes: HTTP $status: $(cat /tmp/ds-disk-full-body)"
rm -f /tmp/ds-disk-full-body
[ "$status" = 507 ] || { echo "FAIL: expected 507"; exit 1; }
served=$(curl -sf "$URL/full" | wc -c)
echo "reads still work while full: GET returned $served bytes"
[ "$served" = "$acked" ] || { echo "FAIL: served $served bytes, acknowledged $acked"; exit 1; }

stop
start
served=$(curl -sf "$URL/full" | wc -c)
echo "after a restart: GET returned $served bytes"
[ "$served" = "$acked" ] || { echo "FAIL: served $served bytes after restart, acknowledged $acked"; exit 1; }
stop

mount -o remount,ro "$MOUNT"
start
grep -o 'read-only file system[^[]*' "$LOG" | head -n 1
served=$(curl -sf "$URL/full" | wc -c)
status=$(curl -s -o /tmp/ds-disk-full-body -w '%{http_code}' -X POST -H 'Content-Type: text/plain' --data-binary x "$URL/full")
echo "read-only file system: GET returned $served bytes; POST answered HTTP $status: $(cat /tmp/ds-disk-full-body)"
rm -f /tmp/ds-disk-full-body
[ "$served" = "$acked" ] && [ "$status" = 503 ] || { echo "FAIL"; exit 1; }
stop
echo "OK"
