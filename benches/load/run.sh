#!/usr/bin/env bash
# The load benchmark: builds the floor (benches/floor: a bare actix handler, a pooled SQLite point
# read, an insert of 1 row + 8 children) and Attest (release), runs both side by side with
# `wrk -t2 -c64` and prints each figure with its ratio to the floor. Machines are noisy: only a
# ratio measured in one run means anything. See docs/performance.md.
#
#   benches/load/run.sh [SECONDS]          (default 10 s per figure)
#   ATTEST_BENCH_NO_BUILD=1 benches/load/run.sh   (no build: the release binaries already there)
#
# Needs wrk, curl, python3; PostgreSQL figures when ATTEST_BENCH_POSTGRES_URL names a server
# whose user may create databases (e.g. postgres://postgres@127.0.0.1:5432/postgres).
# Only loopback traffic; every process started here is stopped by its PID.
set -euo pipefail
S=${1:-10}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
export CARGO_TARGET_DIR=$TARGET
# ATTEST_BENCH_NO_BUILD=1 uses the binaries already built (ATTEST_BENCH_FLOOR names the floor's
# when it was built elsewhere).
if [ -z "${ATTEST_BENCH_NO_BUILD:-}" ]; then
    (cd "$ROOT" && cargo build --release --quiet --bin attest)
    cargo build --release --quiet --manifest-path "$ROOT/benches/floor/Cargo.toml"
fi
BIN=$TARGET/release/attest FLOOR=${ATTEST_BENCH_FLOOR:-$TARGET/release/floor} STD=$ROOT/standards
W="wrk -t2 -c64 -d${S}s --latency"
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
rps() { awk '/Requests\/sec/{printf "%.0f", $2}'; }
p99() { awk '/^ +99%/{print $2}'; }
bad() { awk '/Non-2xx/{print $NF} END{}' | head -1; }
rss() { ps -o rss= -p "$1" | awk '{printf "%.0f MB", $1/1024}'; }
ratio() { python3 -c "print(f'{$1/$2*100:.1f}%')"; }
D=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
ROWS=()
row() { ROWS+=("$(printf '| %s | %s | %s | %s |' "$1" "$2" "$3" "$4")"); echo "$1: $3 (floor $2) $4"; }

FP=$(port)
"$FLOOR" serve "$FP" "$D/floor.db" >"$D/floor.log" 2>&1 & PIDS+=($!)

# Attest on SQLite with the demo provider.
start_attest() { # DATA_DIR PORT [DATABASE_URL] -> pid in APID
    # `env`: a word that expands to nothing before the assignments would make RUST_LOG=warn the command.
    env ATTEST_DATA_DIR="$1" ATTEST_STANDARDS_DIR="$STD" ATTEST_BIND="127.0.0.1:$2" ${3:+ATTEST_DATABASE_URL=$3} \
        RUST_LOG=warn "$BIN" serve >"$1.log" 2>&1 & APID=$!
    PIDS+=($APID)
    until curl -fs "http://127.0.0.1:$2/readyz" >/dev/null; do
        kill -0 "$APID" 2>/dev/null || { cat "$1.log"; exit 1; }
        sleep 0.05
    done
}
cred() { grep -E "^ +$2 " "$1" | head -1 | awk '{print $(NF-1), $NF}'; }
login() { # PORT EMAIL PASSWORD
    curl -fs -H 'content-type: application/json' -d "{\"email\":\"$2\",\"password\":\"$3\"}" \
        "http://127.0.0.1:$1/api/auth/login" | python3 -c 'import json,sys;print(json.load(sys.stdin)["token"])'
}
enrolment_28268() { # PORT TOKEN
    curl -fs -H "Authorization: Bearer $2" "http://127.0.0.1:$1/api/enrolments" | python3 -c '
import json,sys; d=json.load(sys.stdin); d=d.get("items",d) if isinstance(d,dict) else d
print([e["id"] for e in d if e["standard_code"]=="28268"][0])'
}
post_lua() { # FILE TOKEN [PATHS_FILE]
    cat >"$1" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $2"
wrk.body = io.open("$ROOT/benches/load/observation.json"):read("*a")
LUA
    if [ -n "${3:-}" ]; then
        cat >>"$1" <<LUA
local paths = {}
for line in io.lines("$3") do paths[#paths + 1] = "/api/enrolments/" .. line .. "/evidence" end
request = function() return wrk.format(nil, paths[math.random(#paths)]) end
LUA
    fi
}

AD=$D/a AP=$(port)
ATTEST_DATA_DIR=$AD ATTEST_STANDARDS_DIR=$STD "$BIN" demo >"$D/demo.txt" 2>&1
start_attest "$AD" "$AP"; A=$APID
sleep 1
IDLE=$(rss "$A")
read -r AE AW <<<"$(cred "$D/demo.txt" assessor)"
TOK=$(login "$AP" "$AE" "$AW")
ENR=$(enrolment_28268 "$AP" "$TOK")
URL=http://127.0.0.1:$AP
AUTH=(-H "Authorization: Bearer $TOK")
SIZE=$(curl -fs "${AUTH[@]}" -o /dev/null -w '%{size_download}' "$URL/api/enrolments/$ENR/progress")
TAG=$(curl -fs -D - -o /dev/null "${AUTH[@]}" "$URL/api/enrolments/$ENR/progress" | awk 'tolower($1)=="etag:"{print $2}' | tr -d '\r')

echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -sr); wrk -t2 -c64 -d${S}s"
f=$($W "http://127.0.0.1:$FP/select"); FS=$(echo "$f" | rps); FSP=$(echo "$f" | p99)
a=$($W "${AUTH[@]}" "$URL/api/enrolments/$ENR/progress")
row "progress read (28268 demo, ${SIZE} B) vs point read" "$FS req/s, p99 $FSP" "$(echo "$a" | rps) req/s, p99 $(echo "$a" | p99)" "$(ratio "$(echo "$a" | rps)" "$FS")"
PR=$(echo "$a" | rps)
# The same read by a client that takes gzip, as browsers and HTTP libraries do (wrk sends no
# Accept-Encoding): the report's gzip, kept beside its JSON, goes as it is.
GZ=(-H "Accept-Encoding: gzip")
GSIZE=$(curl -fs "${AUTH[@]}" "${GZ[@]}" -o /dev/null -w '%{size_download}' "$URL/api/enrolments/$ENR/progress")
a=$($W "${AUTH[@]}" "${GZ[@]}" "$URL/api/enrolments/$ENR/progress")
row "progress read, Accept-Encoding: gzip (${GSIZE} B sent) vs point read" "$FS req/s, p99 $FSP" "$(echo "$a" | rps) req/s, p99 $(echo "$a" | p99)" "$(ratio "$(echo "$a" | rps)" "$FS")"
# The same read against the floor's point read of a row as large as the report: the share of the
# gap that is the bytes sent, not what Attest does to send them.
f=$($W "http://127.0.0.1:$FP/report"); FR=$(echo "$f" | rps)
row "progress read vs the floor's point read of a 33,431 B row" "$FR req/s, p99 $(echo "$f" | p99)" "$PR req/s" "$(ratio "$PR" "$FR")"
a=$($W "${AUTH[@]}" -H "If-None-Match: $TAG" "$URL/api/enrolments/$ENR/progress")
row "progress 304 (If-None-Match) vs point read" "$FS req/s" "$(echo "$a" | rps) req/s, p99 $(echo "$a" | p99)" "$(ratio "$(echo "$a" | rps)" "$FS")"

# Pages: the portfolio page of the demo enrolment and an assessor caseload of 200 enrolments.
PAGE=(-H "Cookie: attest_session=$TOK")
a=$($W "${PAGE[@]}" "$URL/enrolments/$ENR")
row "candidate portfolio page vs point read" "$FS req/s" "$(echo "$a" | rps) req/s, p99 $(echo "$a" | p99)" "$(ratio "$(echo "$a" | rps)" "$FS")"
python3 "$ROOT/benches/load/seed.py" "$AD/attest.db" enrolments "$ENR" 199 --with-evidence >"$D/copies.txt"
# A copy of the demo portfolio no writer touches, for the growth figures.
REF=$(python3 "$ROOT/benches/load/seed.py" "$AD/attest.db" enrolments "$ENR" 1 --with-evidence)
while read -r id; do curl -fs -o /dev/null "${AUTH[@]}" "$URL/api/enrolments/$id/progress"; done <"$D/copies.txt"
a=$($W "${PAGE[@]}" "$URL/caseload")
row "assessor caseload (200 enrolments) vs point read" "$FS req/s" "$(echo "$a" | rps) req/s, p99 $(echo "$a" | p99)" "$(ratio "$(echo "$a" | rps)" "$FS")"

# Writes: an observation with 8 criteria, against an insert of 1 row + 8 children.
echo 'wrk.method = "POST"' >"$D/fpost.lua"
f=$($W -s "$D/fpost.lua" "http://127.0.0.1:$FP/insert"); FI=$(echo "$f" | rps); FIP=$(echo "$f" | p99)
post_lua "$D/spread.lua" "$TOK" "$D/copies.txt"
a=$($W -s "$D/spread.lua" "$URL/")
row "observation write, 64 writers over 199 portfolios vs 1+8 insert" "$FI req/s, p99 $FIP" "$(echo "$a" | rps) req/s, p99 $(echo "$a" | p99), non-2xx ${BAD:-$(echo "$a" | bad)}" "$(ratio "$(echo "$a" | rps)" "$FI")"
post_lua "$D/one.lua" "$TOK"
a=$($W -s "$D/one.lua" "$URL/api/enrolments/$ENR/evidence")
BUSY=$(rss "$A")
row "observation write, 64 writers on one portfolio vs 1+8 insert" "$FI req/s" "$(echo "$a" | rps) req/s, p99 $(echo "$a" | p99), non-2xx $(echo "$a" | bad)" "$(ratio "$(echo "$a" | rps)" "$FI")"
# Sampled as the one-portfolio load ends: the service is then evaluating the portfolio that load
# made thousands of records long. The goal under load (< 150 MB) is soak.sh's, which samples its
# load throughout.
row "memory: idle / as the one-portfolio load ends" "—" "$IDLE / $BUSY" "idle goal <40 MB; under load: soak.sh"

# Growth: progress read as a portfolio grows (evidence records per enrolment).
GROW=$(python3 "$ROOT/benches/load/seed.py" "$AD/attest.db" enrolments "$ENR" 1 | head -1)
have=0
for n in 10 100 1000; do
    python3 - "$URL" "$TOK" "$GROW" $((n - have)) "$ROOT/benches/load/observation.json" <<'PY'
import http.client, sys, urllib.parse
url, tok, enr, count, body = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), open(sys.argv[5]).read()
c = http.client.HTTPConnection(urllib.parse.urlparse(url).netloc)
for _ in range(count):
    c.request("POST", f"/api/enrolments/{enr}/evidence", body, {"Authorization": f"Bearer {tok}", "Content-Type": "application/json"})
    r = c.getresponse(); r.read()
    assert r.status == 201, r.status
PY
    have=$n
    size=$(curl -fs "${AUTH[@]}" -o /dev/null -w '%{size_download}' "$URL/api/enrolments/$GROW/progress")
    a=$($W -d$((S / 2 + 1))s "${AUTH[@]}" "$URL/api/enrolments/$GROW/progress")
    row "growth: progress read, $n observations ($size B)" "$FS req/s" "$(echo "$a" | rps) req/s, p99 $(echo "$a" | p99)" "$(ratio "$(echo "$a" | rps)" "$FS")"
    # What a client that takes gzip gets, beside the client above that does not (a report of a
    # megabyte or more is kept as gzip alone, and unpacked for that one).
    size=$(curl -fs "${AUTH[@]}" "${GZ[@]}" -o /dev/null -w '%{size_download}' "$URL/api/enrolments/$GROW/progress")
    a=$($W -d$((S / 2 + 1))s "${AUTH[@]}" "${GZ[@]}" "$URL/api/enrolments/$GROW/progress")
    row "growth: progress read, $n observations, Accept-Encoding: gzip ($size B sent)" "$FS req/s" "$(echo "$a" | rps) req/s, p99 $(echo "$a" | p99)" "$(ratio "$(echo "$a" | rps)" "$FS")"
done
# Growth: progress read as the number of enrolments grows (copies without evidence).
total=$(sqlite3 "$AD/attest.db" 'SELECT COUNT(*) FROM enrolments' 2>/dev/null || python3 -c "import sqlite3;print(sqlite3.connect('$AD/attest.db').execute('SELECT COUNT(*) FROM enrolments').fetchone()[0])")
for n in 1000 10000 100000; do
    python3 "$ROOT/benches/load/seed.py" "$AD/attest.db" enrolments "$ENR" $((n - total)) >/dev/null
    total=$n
    a=$($W -d$((S / 2 + 1))s "${AUTH[@]}" "$URL/api/enrolments/$REF/progress")
    row "growth: progress read with $n enrolments" "$FS req/s" "$(echo "$a" | rps) req/s, p99 $(echo "$a" | p99)" "$(ratio "$(echo "$a" | rps)" "$FS")"
done
kill "$A"; wait "$A" 2>/dev/null || true

# PostgreSQL: the same observation write.
if [ -n "${ATTEST_BENCH_POSTGRES_URL:-}" ]; then
    DB=attest_bench_$$
    psql -q "$ATTEST_BENCH_POSTGRES_URL" -c "CREATE DATABASE $DB"
    PG=${ATTEST_BENCH_POSTGRES_URL%/*}/$DB
    PD=$D/pg PP=$(port)
    ATTEST_DATA_DIR=$PD ATTEST_DATABASE_URL=$PG "$BIN" migrate >/dev/null
    ATTEST_DATA_DIR=$PD ATTEST_DATABASE_URL=$PG ATTEST_STANDARDS_DIR=$STD "$BIN" demo >"$D/pgdemo.txt" 2>&1
    start_attest "$PD" "$PP" "$PG"
    read -r PE PW <<<"$(cred "$D/pgdemo.txt" assessor)"
    PTOK=$(login "$PP" "$PE" "$PW")
    PENR=$(enrolment_28268 "$PP" "$PTOK")
    # The read first: the write load below makes the portfolio thousands of records long.
    a=$($W -H "Authorization: Bearer $PTOK" "http://127.0.0.1:$PP/api/enrolments/$PENR/progress")
    row "PostgreSQL: progress read vs SQLite point read" "$FS req/s" "$(echo "$a" | rps) req/s, p99 $(echo "$a" | p99)" "$(ratio "$(echo "$a" | rps)" "$FS")"
    post_lua "$D/pgone.lua" "$PTOK"
    a=$($W -s "$D/pgone.lua" "http://127.0.0.1:$PP/api/enrolments/$PENR/evidence")
    row "PostgreSQL: observation write, 64 writers on one portfolio vs SQLite 1+8 insert" "$FI req/s" "$(echo "$a" | rps) req/s, p99 $(echo "$a" | p99), non-2xx $(echo "$a" | bad)" "$(ratio "$(echo "$a" | rps)" "$FI")"
    kill "$APID"; wait "$APID" 2>/dev/null || true
    psql -q "$ATTEST_BENCH_POSTGRES_URL" -c "DROP DATABASE $DB"
fi

echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| figure | floor | Attest | ratio |"
echo "|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
