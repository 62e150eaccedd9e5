#!/usr/bin/env bash
# No lost work under pressure: 64 writers record observations (spread over 64 copies of the demo
# portfolio) while 48 clients try to sign in with unknown emails, for 60 s (or SECONDS). Then checks:
# no answer was 5xx, every acknowledged (201) write is in the database, and `attest audit verify`
# passes; prints PASS or FAIL (exit 1). Also prints the peak memory in use under this load.
#
#   benches/load/soak.sh [SECONDS]
#
# Needs wrk, curl, python3. Builds Attest (release) first (not with ATTEST_BENCH_NO_BUILD=1). Every process started here is stopped by
# its PID.
set -euo pipefail
S=${1:-60}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
[ -n "${ATTEST_BENCH_NO_BUILD:-}" ] || (cd "$ROOT" && cargo build --release --quiet --bin attest)
BIN=$CARGO_TARGET_DIR/release/attest STD=$ROOT/standards
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
D=$(mktemp -d) AD=$(mktemp -d)/a P=$(port)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
ATTEST_DATA_DIR=$AD ATTEST_STANDARDS_DIR=$STD "$BIN" demo >"$D/demo.txt" 2>&1
ATTEST_DATA_DIR=$AD ATTEST_STANDARDS_DIR=$STD ATTEST_BIND=127.0.0.1:$P RUST_LOG=warn "$BIN" serve >"$D/serve.log" 2>&1 &
A=$!; PIDS+=($A)
until curl -fs "http://127.0.0.1:$P/readyz" >/dev/null; do sleep 0.05; done
read -r AE AW <<<"$(grep -E '^ +assessor ' "$D/demo.txt" | head -1 | awk '{print $(NF-1), $NF}')"
TOK=$(curl -fs -H 'content-type: application/json' -d "{\"email\":\"$AE\",\"password\":\"$AW\"}" \
    "http://127.0.0.1:$P/api/auth/login" | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
ENR=$(curl -fs -H "Authorization: Bearer $TOK" "http://127.0.0.1:$P/api/enrolments" | python3 -c '
import json,sys; d=json.load(sys.stdin); d=d.get("items",d) if isinstance(d,dict) else d
print([e["id"] for e in d if e["standard_code"]=="28268"][0])')
python3 "$ROOT/benches/load/seed.py" "$AD/attest.db" enrolments "$ENR" 64 --with-evidence >"$D/copies.txt"
count() { python3 -c "import sqlite3;print(sqlite3.connect('$AD/attest.db').execute('SELECT COUNT(*) FROM evidence').fetchone()[0])"; }
BEFORE=$(count)

COUNTING='
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; fivexx = 0; other = 0 end
function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1
  elseif status >= 500 then fivexx = fivexx + 1
  else other = other + 1 end
end
function done(summary, latency, requests)
  local o, f, x = 0, 0, 0
  for _, t in ipairs(threads) do o = o + t:get("ok"); f = f + t:get("fivexx"); x = x + t:get("other") end
  io.write(string.format("COUNTS %d %d %d\n", o, f, x))
end'
cat >"$D/write.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOK"
wrk.body = io.open("$ROOT/benches/load/observation.json"):read("*a")
local paths = {}
for line in io.lines("$D/copies.txt") do paths[#paths + 1] = "/api/enrolments/" .. line .. "/evidence" end
request = function() return wrk.format(nil, paths[math.random(#paths)]) end
$COUNTING
LUA
cat >"$D/login.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, string.format('{"email":"nobody%d@example.org","password":"not the password"}', n))
end
$COUNTING
LUA
wrk -t2 -c64 -d"${S}s" --latency -s "$D/write.lua" "http://127.0.0.1:$P/" >"$D/write.txt" &
WW=$!; PIDS+=($WW)
wrk -t1 -c48 -d"${S}s" --latency -s "$D/login.lua" "http://127.0.0.1:$P/api/auth/login" >"$D/login.txt" &
WL=$!; PIDS+=($WL)
# The service's resident memory every half second while the load runs: its peak.
PEAK=0
while kill -0 "$WW" 2>/dev/null; do
    now=$(ps -o rss= -p "$A" | awk '{printf "%.0f", $1/1024}')
    [ "${now:-0}" -gt "$PEAK" ] && PEAK=$now
    sleep 0.5
done
wait "$WW" "$WL"
read -r W_OK W_5XX W_OTHER <<<"$(awk '/^COUNTS/{print $2, $3, $4}' "$D/write.txt")"
read -r L_OK L_5XX L_OTHER <<<"$(awk '/^COUNTS/{print $2, $3, $4}' "$D/login.txt")"
sleep 1
PRESENT=$(( $(count) - BEFORE ))
kill "$A"; wait "$A" 2>/dev/null || true
VERIFY=$(ATTEST_DATA_DIR=$AD ATTEST_STANDARDS_DIR=$STD "$BIN" audit verify 2>&1) && VERIFIED=yes || VERIFIED=no
echo "writes: $W_OK acknowledged (201), $W_5XX 5xx, $W_OTHER other; $(awk '/Requests\/sec/{printf "%.0f req/s", $2}' "$D/write.txt"), p99 $(awk '/^ +99%/{print $2}' "$D/write.txt")"
echo "sign-ins: $L_OK 2xx, $L_5XX 5xx, $L_OTHER refused (401/429); p99 $(awk '/^ +99%/{print $2}' "$D/login.txt")"
echo "evidence records added: $PRESENT (acknowledged $W_OK)"
echo "memory under load: peak ${PEAK} MB (sampled every 0.5 s; goal < 150 MB)"
echo "audit verify: $(echo "$VERIFY" | tail -1)"
if [ "$W_5XX" = 0 ] && [ "$L_5XX" = 0 ] && [ "$PRESENT" -ge "$W_OK" ] && [ "$VERIFIED" = yes ] && [ "$W_OK" -gt 0 ]; then
    echo PASS
else
    echo FAIL
    exit 1
fi
