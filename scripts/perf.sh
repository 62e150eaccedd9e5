#!/usr/bin/env bash
# Attest against the floor harness, side by side in one run (docs/performance.md).
#
#   scripts/perf.sh FLOOR_DIR [SECONDS]
#
# FLOOR_DIR is the floor harness's source folder (shared tooling kept outside this repository,
# e.g. ../shared/tools/floor; read-only is fine). Builds it and Attest in release mode, starts both
# on free loopback ports with a fresh demo provider, loads each with `wrk -t2 -c64` (Debian
# package `wrk`) and prints a Markdown table of figures and ratios. Only ratios from one run mean
# anything on a shared machine. Every process started here is stopped by its PID on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

FLOOR_SRC=${1:?usage: scripts/perf.sh FLOOR_DIR [SECONDS]}
SECONDS_EACH=${2:-10}
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "perf.sh needs $tool (Debian package $tool)" >&2; exit 2; }
done

TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release --locked --quiet
CARGO_TARGET_DIR="$TARGET/floor" cargo build --release --locked --quiet --manifest-path "$FLOOR_SRC/Cargo.toml"
BIN=$TARGET/release/attest
FLOOR=$TARGET/floor/release/floor

WRK="wrk -t2 -c64 -d${SECONDS_EACH}s --latency"
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
rps() { awk '/Requests\/sec/{print $2}'; }
p99() { awk '/^ +99%/{print $2}'; }
errors() { awk '/Non-2xx|Socket errors/{printf "%s ", $0}'; }
rss() { ps -o rss= -p "$1" | awk '{printf "%.0f MB", $1/1024}'; }
ratio() { python3 -c "print(f'{$1/$2:.1%}')"; }

WORK=$(mktemp -d)
FPORT=$(free_port)
APORT=$(free_port)
"$FLOOR" serve "$FPORT" "$WORK/floor.db" >"$WORK/floor.log" 2>&1 &
FPID=$!
export ATTEST_DATA_DIR=$WORK/attest ATTEST_STANDARDS_DIR=$PWD/standards
"$BIN" demo >"$WORK/demo.txt" 2>&1
ATTEST_BIND=127.0.0.1:$APORT RUST_LOG=warn "$BIN" serve >"$WORK/attest.log" 2>&1 &
APID=$!
trap 'kill $FPID $APID 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
until curl -fs "http://127.0.0.1:$APORT/readyz" >/dev/null; do sleep 0.05; done
until curl -fs "http://127.0.0.1:$FPORT/hello" >/dev/null; do sleep 0.05; done
IDLE=$(rss $APID)

# The demo's assessor, and their NZQA 28268 enrolment.
read -r EMAIL PASSWORD <<<"$(grep -E '^ +assessor ' "$WORK/demo.txt" | head -1 | awk '{print $(NF-1), $NF}')"
TOKEN=$(curl -fs -H 'content-type: application/json' -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" \
  "http://127.0.0.1:$APORT/api/auth/login" | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])')
ENROLMENT=$(curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$APORT/api/enrolments" | python3 -c '
import json,sys; d=json.load(sys.stdin); d=d.get("items",d) if isinstance(d,dict) else d
print([e["id"] for e in d if "28268" in json.dumps(e)][0])')
PROGRESS=http://127.0.0.1:$APORT/api/enrolments/$ENROLMENT/progress
ETAG=$(curl -fsI -H "Authorization: Bearer $TOKEN" "$PROGRESS" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')
SIZE=$(curl -fs -H "Authorization: Bearer $TOKEN" "$PROGRESS" | wc -c)

cat >"$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $TOKEN"
wrk.body = io.open("$PWD/scripts/perf-observation.json"):read("*a")
LUA
echo 'wrk.method = "POST"' >"$WORK/floor-post.lua"

SELECT=$($WRK "http://127.0.0.1:$FPORT/select")
READ=$($WRK -H "Authorization: Bearer $TOKEN" "$PROGRESS")
CACHED=$($WRK -H "Authorization: Bearer $TOKEN" -H "If-None-Match: $ETAG" "$PROGRESS")
INSERT=$($WRK -s "$WORK/floor-post.lua" "http://127.0.0.1:$FPORT/insert")
WRITE=$($WRK -s "$WORK/post.lua" "http://127.0.0.1:$APORT/api/enrolments/$ENROLMENT/evidence")
BUSY=$(rss $APID)

row() { # name, floor output, attest output
  printf '| %s | %s req/s, p99 %s | %s req/s, p99 %s %s| %s |\n' "$1" \
    "$(echo "$2" | rps)" "$(echo "$2" | p99)" "$(echo "$3" | rps)" "$(echo "$3" | p99)" \
    "$(echo "$3" | errors)" "$(ratio "$(echo "$3" | rps)" "$(echo "$2" | rps)")"
}
echo "| figure | floor | Attest | ratio |"
echo "|---|---|---|---|"
row "GET progress (28268 demo portfolio, $SIZE B) vs pooled point read" "$SELECT" "$READ"
row "GET progress with If-None-Match (304) vs pooled point read" "$SELECT" "$CACHED"
row "record an observation with 8 criteria vs insert 1+8 rows" "$INSERT" "$WRITE"
echo
echo "Attest memory: idle $IDLE, after the load $BUSY. wrk -t2 -c64, ${SECONDS_EACH} s each, SQLite."
