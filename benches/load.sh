#!/usr/bin/env bash
# Load benchmark of `adscreen serve`: ingest, screen and search over HTTP.
#
#   benches/load.sh                          # full run: 100,000 adverts, 30 s per wrk run
#   ADVERTS=2000 DURATION=5 benches/load.sh  # quick run
#
# What it does, from any working directory:
#   1. installs wrk (and curl, python3) from Debian's packages when missing;
#   2. builds the release binary (cargo build --release in the repository);
#   3. generates ADVERTS adverts as NDJSON from corpus/labelled/*.jsonl (benches/load/
#      gen_adverts.py, fixed seed) into a temporary directory;
#   4. starts the server on a temporary data directory with rate limiting off and creates an
#      API key with scopes read,write,admin;
#   5. times one POST /v1/adverts of all adverts as one NDJSON stream (adverts/s);
#   6. runs wrk on POST /v1/screen (benches/load/screen.lua, bodies from the corpus);
#   7. runs wrk on GET /v1/search over the stored adverts (benches/load/search.lua with the
#      queries of benches/load/search_paths.txt);
#   8. stops the server (SIGTERM) and prints a markdown summary, also written to $LOAD_REPORT
#      when set.
#
# Settings (environment):
#   ADVERTS=100000        adverts generated and ingested
#   DURATION=30           seconds per wrk run
#   THREADS=2             wrk threads
#   CONNECTIONS=64        wrk connections for /v1/screen
#   SEARCH_CONNECTIONS=64 wrk connections for /v1/search
#   WRK_TIMEOUT=10s       wrk request timeout (slower answers count as timeouts, not latency)
#   SCREEN_BODIES=48      distinct adverts the /v1/screen script rotates among
#   SEED=20260            generator seed
#   PORT=                 port to listen on (default: a free one)
#   READY_TIMEOUT=120     seconds to wait for GET /readyz to answer 200
#   SKIP_BUILD=0          1: use the existing target/release/adscreen
#   KEEP_TMP=0            1: keep the temporary directory (data, logs, responses)
#   LOAD_REPORT=          file to write the summary to
#
# The figures are what this machine measured; wrk runs on the same machine as the server and
# takes CPU from it.

set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd -- "$SCRIPT_DIR/.." && pwd)
LOAD_DIR=$SCRIPT_DIR/load

ADVERTS=${ADVERTS:-100000}
DURATION=${DURATION:-30}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
SEARCH_CONNECTIONS=${SEARCH_CONNECTIONS:-64}
WRK_TIMEOUT=${WRK_TIMEOUT:-10s}
SCREEN_BODIES=${SCREEN_BODIES:-48}
SEED=${SEED:-20260}
PORT=${PORT:-}
READY_TIMEOUT=${READY_TIMEOUT:-120}
SKIP_BUILD=${SKIP_BUILD:-0}
KEEP_TMP=${KEEP_TMP:-0}
LOAD_REPORT=${LOAD_REPORT:-}

# Targets, printed next to the results for reference.
TARGET_SCREEN_P99_US=2000
TARGET_INGEST_PER_S=10000
TARGET_SEARCH_P99_US=20000

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'load.sh: warning: %s\n' "$*" >&2; }
die() {
    printf 'load.sh: error: %s\n' "$*" >&2
    exit 1
}

for var in ADVERTS DURATION THREADS CONNECTIONS SEARCH_CONNECTIONS SCREEN_BODIES SEED \
    READY_TIMEOUT; do
    [[ ${!var} =~ ^[0-9]+$ && ${!var} -gt 0 ]] || die "$var must be a positive integer (got '${!var}')"
done
[[ -z $PORT || $PORT =~ ^[0-9]+$ ]] || die "PORT must be a number (got '$PORT')"
((CONNECTIONS >= THREADS)) || die "CONNECTIONS ($CONNECTIONS) must be at least THREADS ($THREADS)"
((SEARCH_CONNECTIONS >= THREADS)) ||
    die "SEARCH_CONNECTIONS ($SEARCH_CONNECTIONS) must be at least THREADS ($THREADS)"
for f in gen_adverts.py screen.lua search.lua search_paths.txt; do
    [[ -f $LOAD_DIR/$f ]] || die "missing $LOAD_DIR/$f"
done

# ---------------------------------------------------------------------------------------------
# 1. Tools

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    fi
fi

apt_install() {
    local pkg=$1
    if [[ $(id -u) -ne 0 && ${#SUDO[@]} -eq 0 ]]; then
        die "$pkg is missing and this is not root and has no sudo: install it ($pkg) first"
    fi
    command -v apt-get >/dev/null 2>&1 || die "$pkg is missing and there is no apt-get: install it first"
    log "installing $pkg (apt-get install -y $pkg)"
    if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$pkg" >&2; then
        log "apt-get install failed; running apt-get update and trying again"
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update >&2 ||
            die "apt-get update failed"
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "$pkg" >&2 ||
            die "apt-get install -y $pkg failed"
    fi
}

for tool in wrk curl python3; do
    command -v "$tool" >/dev/null 2>&1 || apt_install "$tool"
    command -v "$tool" >/dev/null 2>&1 || die "$tool still missing after installing it"
done
command -v cargo >/dev/null 2>&1 || die "cargo not found: install the Rust toolchain (rustup) first"

# ---------------------------------------------------------------------------------------------
# Temporary directory, and cleanup on any exit

TMP=$(mktemp -d "${TMPDIR:-/tmp}/adscreen-load.XXXXXX")
DATA=$TMP/data
SERVER_PID=
SERVER_LOG=$TMP/server.log

stop_server() {
    # Sends SIGTERM, waits up to $1 seconds, then SIGKILL. Sets SERVER_RC and STOP_SECS.
    local limit=$1 waited=0 start
    SERVER_RC=
    STOP_SECS=
    [[ -n $SERVER_PID ]] || return 0
    start=$(date +%s%N)
    if kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        while kill -0 "$SERVER_PID" 2>/dev/null && ((waited < limit * 10)); do
            sleep 0.1
            waited=$((waited + 1))
        done
        if kill -0 "$SERVER_PID" 2>/dev/null; then
            warn "server (pid $SERVER_PID) still running ${limit}s after SIGTERM; sending SIGKILL"
            kill -KILL "$SERVER_PID" 2>/dev/null || true
        fi
    fi
    SERVER_RC=0
    wait "$SERVER_PID" 2>/dev/null || SERVER_RC=$?
    STOP_SECS=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
    SERVER_PID=
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $SERVER_PID ]]; then
        stop_server 10 || true
    fi
    if [[ $KEEP_TMP == 1 ]]; then
        log "kept $TMP (data, server.log, responses)"
    else
        rm -rf -- "$TMP"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

server_log_tail() {
    if [[ -s $SERVER_LOG ]]; then
        printf -- '--- last lines of the server log (%s) ---\n' "$SERVER_LOG" >&2
        tail -n 40 "$SERVER_LOG" >&2
        printf -- '--- end of server log ---\n' >&2
    fi
}

server_die() {
    printf 'load.sh: error: %s\n' "$*" >&2
    server_log_tail
    exit 1
}

check_server_alive() {
    if [[ -n $SERVER_PID ]] && ! kill -0 "$SERVER_PID" 2>/dev/null; then
        local rc=0
        wait "$SERVER_PID" 2>/dev/null || rc=$?
        SERVER_PID=
        server_die "the server exited (status $rc) during: $1"
    fi
}

ms() { awk -v us="$1" 'BEGIN { printf (us < 10000 ? "%.2f ms" : "%.1f ms"), us / 1000 }'; }
group() { python3 -c 'import sys; print(f"{float(sys.argv[1]):,.0f}")' "$1"; }

# ---------------------------------------------------------------------------------------------
# 2. Build

if [[ -n ${CARGO_TARGET_DIR:-} ]]; then
    case $CARGO_TARGET_DIR in
    /*) TARGET_DIR=$CARGO_TARGET_DIR ;;
    *) TARGET_DIR=$REPO/$CARGO_TARGET_DIR ;;
    esac
else
    TARGET_DIR=$REPO/target
fi
BIN=$TARGET_DIR/release/adscreen
if [[ $SKIP_BUILD == 1 ]]; then
    log "SKIP_BUILD=1: using $BIN as it is"
else
    log "building the release binary (cargo build --release in $REPO)"
    (cd -- "$REPO" && cargo build --release) || die "cargo build --release failed (output above)"
fi
[[ -x $BIN ]] || die "no binary at $BIN"

# ---------------------------------------------------------------------------------------------
# 3. Test data

ADVERTS_FILE=$TMP/adverts.ndjson
BODIES_FILE=$TMP/screen-bodies.ndjson
log "generating $ADVERTS adverts (seed $SEED) into $ADVERTS_FILE"
python3 "$LOAD_DIR/gen_adverts.py" adverts --count "$ADVERTS" --seed "$SEED" --out "$ADVERTS_FILE" ||
    die "generating the adverts failed"
python3 "$LOAD_DIR/gen_adverts.py" screen --count "$SCREEN_BODIES" --seed "$SEED" --out "$BODIES_FILE" ||
    die "generating the /v1/screen bodies failed"
ADVERTS_BYTES=$(wc -c <"$ADVERTS_FILE")
ADVERTS_LINES=$(wc -l <"$ADVERTS_FILE")
((ADVERTS_LINES == ADVERTS)) || die "generator wrote $ADVERTS_LINES adverts, not $ADVERTS"
BODY_COUNT=$(wc -l <"$BODIES_FILE")
ADVERTS_MB=$(awk -v b="$ADVERTS_BYTES" 'BEGIN { printf "%.1f", b / 1e6 }')
log "$ADVERTS adverts, $ADVERTS_MB MB; $BODY_COUNT /v1/screen bodies"

# ---------------------------------------------------------------------------------------------
# 4. Server

if [[ -z $PORT ]]; then
    PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
elif ! python3 -c 'import socket, sys; socket.socket().bind(("127.0.0.1", int(sys.argv[1])))' "$PORT" 2>/dev/null; then
    die "port $PORT on 127.0.0.1 is in use (unset PORT to pick a free one)"
fi
ADDR=127.0.0.1:$PORT
BASE=http://$ADDR
CONFIG=$TMP/adscreen.toml
mkdir -p -- "$DATA"
cat >"$CONFIG" <<EOF
addr = "$ADDR"
data_dir = "$DATA"

[limits]
rate_per_second = 0
EOF

KEY=$("$BIN" keys add --data-dir "$DATA" --scope read,write,admin --name load-benchmark 2>"$TMP/keys.err") ||
    die "adscreen keys add failed: $(cat "$TMP/keys.err")"
KEY=$(printf '%s' "$KEY" | tr -d '[:space:]')
[[ -n $KEY ]] || die "adscreen keys add printed no key (stderr: $(cat "$TMP/keys.err"))"

log "starting $BIN serve --config $CONFIG"
"$BIN" serve --config "$CONFIG" >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

deadline=$((SECONDS + READY_TIMEOUT))
ready=
while ((SECONDS < deadline)); do
    check_server_alive "startup"
    code=$(curl -s --max-time 2 -o "$TMP/readyz.json" -w '%{http_code}' "$BASE/readyz" 2>/dev/null) || code=000
    if [[ $code == 200 ]]; then
        ready=1
        break
    fi
    sleep 0.2
done
[[ -n $ready ]] || server_die "GET $BASE/readyz did not answer 200 within ${READY_TIMEOUT}s (last status $code)"
LISTEN_LINE=$(grep -m1 'adscreen listening on' "$SERVER_LOG" || true)
[[ -n $LISTEN_LINE ]] || warn "the server log has no 'adscreen listening on' line"
log "server ready: ${LISTEN_LINE:-$BASE} (pid $SERVER_PID)"

# ---------------------------------------------------------------------------------------------
# 5. Ingest

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
log "POST /v1/adverts: $ADVERTS adverts as one NDJSON stream ($ADVERTS_MB MB)"
INGEST_RESPONSE=$TMP/ingest-response.json
start_ns=$(date +%s%N)
ingest_code=$(curl -sS -X POST \
    -H 'Content-Type: application/x-ndjson' \
    -H "Authorization: Bearer $KEY" \
    --data-binary @"$ADVERTS_FILE" \
    -o "$INGEST_RESPONSE" -w '%{http_code}' \
    "$BASE/v1/adverts") || {
    check_server_alive "ingest"
    server_die "curl POST /v1/adverts failed (status ${ingest_code:-none})"
}
end_ns=$(date +%s%N)
INGEST_SECS=$(awk -v a="$start_ns" -v b="$end_ns" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
check_server_alive "ingest"

# stored failed errors stopped, from the response (which lists every advert).
read -r STORED FAILED INGEST_NOTE < <(python3 - "$INGEST_RESPONSE" <<'EOF'
import json, sys
try:
    r = json.load(open(sys.argv[1], encoding="utf-8"))
except Exception as e:
    print("0 0", f"response is not JSON ({e})")
    sys.exit()
if not isinstance(r, dict) or "stored" not in r:
    print("0 0", "response has no 'stored': " + json.dumps(r, ensure_ascii=False)[:300])
    sys.exit()
note = []
if r.get("stopped"):
    note.append(f"stopped: {r['stopped']}")
for e in (r.get("errors") or [])[:3]:
    note.append(f"line {e.get('line')}: {e.get('error')}")
print(r.get("stored", 0), r.get("failed", 0), "; ".join(note).replace("\n", " "))
EOF
)
INGEST_RATE=$(awk -v n="$STORED" -v s="$INGEST_SECS" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
log "ingest: HTTP $ingest_code in ${INGEST_SECS}s; stored $STORED of $ADVERTS, failed $FAILED; $INGEST_RATE adverts/s"
if [[ $ingest_code != 200 ]]; then
    warn "POST /v1/adverts answered HTTP $ingest_code; start of the response:"
    head -c 1000 "$INGEST_RESPONSE" >&2 || true
    echo >&2
fi
[[ -z $INGEST_NOTE ]] || warn "ingest: $INGEST_NOTE"
((STORED == ADVERTS)) || warn "ingest stored $STORED adverts, not $ADVERTS"

READY_COUNT=$(curl -s --max-time 30 "$BASE/readyz" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("adverts", "?"))' 2>/dev/null || echo '?')
SEARCH_TOTAL=$(curl -s --max-time 30 -H "Authorization: Bearer $KEY" "$BASE/v1/search?limit=1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("total", "?"))' 2>/dev/null || echo '?')
log "after ingest: /readyz reports $READY_COUNT adverts; /v1/search (no query) total $SEARCH_TOTAL"

# ---------------------------------------------------------------------------------------------
# Checks before the wrk runs: every request the scripts send must answer 200.

SANITY_NOTES=()

log "checking each /v1/screen body once"
n=0
while IFS= read -r body; do
    n=$((n + 1))
    code=$(printf '%s' "$body" | curl -s --max-time 30 -o "$TMP/check.json" -w '%{http_code}' -X POST \
        -H 'Content-Type: application/json' --data-binary @- "$BASE/v1/screen") || code=000
    if [[ $code != 200 ]]; then
        msg="POST /v1/screen body $n -> HTTP $code: $(head -c 300 "$TMP/check.json" 2>/dev/null)"
        warn "$msg"
        SANITY_NOTES+=("$msg")
    fi
done <"$BODIES_FILE"
check_server_alive "the /v1/screen check"

log "checking each /v1/search query (5 sequential requests each, median time)"
SEARCH_PATHS=()
while IFS= read -r line; do
    [[ $line == /* ]] && SEARCH_PATHS+=("$line")
done <"$LOAD_DIR/search_paths.txt"
QUERY_ROWS=()
for path in "${SEARCH_PATHS[@]}"; do
    times=()
    code=000
    for _ in 1 2 3 4 5; do
        out=$(curl -s --max-time 30 -o "$TMP/check.json" -w '%{http_code} %{time_total}' \
            -H "Authorization: Bearer $KEY" "$BASE$path") || out="000 0"
        code=${out%% *}
        times+=("${out#* }")
        [[ $code == 200 ]] || break
    done
    if [[ $code == 200 ]]; then
        total=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("total", "?"))' \
            "$TMP/check.json" 2>/dev/null || echo '?')
        median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ a[NR] = $1 } END { printf "%.2f", a[int((NR + 1) / 2)] * 1000 }')
        QUERY_ROWS+=("| \`${path#/v1/search}\` | $total | $median ms |")
    else
        msg="GET $path -> HTTP $code: $(head -c 300 "$TMP/check.json" 2>/dev/null)"
        warn "$msg"
        SANITY_NOTES+=("$msg")
        QUERY_ROWS+=("| \`${path#/v1/search}\` | HTTP $code | – |")
    fi
done
check_server_alive "the /v1/search check"

# ---------------------------------------------------------------------------------------------
# 6./7. wrk runs

declare -A R
run_wrk() {
    # run_wrk NAME CONNECTIONS wrk-args... ; fills R[NAME.*] from the script's RESULT line.
    local name=$1 conns=$2
    shift 2
    local out=$TMP/wrk-$name.txt
    log "wrk $name: $THREADS threads, $conns connections, ${DURATION}s"
    if ! wrk -t"$THREADS" -c"$conns" -d"${DURATION}s" --timeout "$WRK_TIMEOUT" --latency "$@" >"$out" 2>&1; then
        cat "$out" >&2
        check_server_alive "wrk $name"
        die "wrk $name failed (output above)"
    fi
    cat "$out" >&2
    check_server_alive "wrk $name"
    local line kv
    line=$(grep -m1 '^RESULT ' "$out") || die "wrk $name printed no RESULT line (output above)"
    for kv in ${line#RESULT }; do
        R[$name.${kv%%=*}]=${kv#*=}
    done
    R[$name.rps]=$(awk -v n="${R[$name.requests]}" -v us="${R[$name.duration_us]}" \
        'BEGIN { printf "%.0f", (us > 0 ? n / (us / 1e6) : 0) }')
    R[$name.sock]=$((R[$name.connect_err] + R[$name.read_err] + R[$name.write_err] + R[$name.timeouts]))
    if ((R[$name.non2xx] > 0 || R[$name.sock] > 0)); then
        warn "wrk $name: ${R[$name.non2xx]} non-2xx responses, ${R[$name.sock]} socket errors/timeouts"
    fi
}

run_wrk screen "$CONNECTIONS" -s "$LOAD_DIR/screen.lua" "$BASE" -- "$BODIES_FILE"
run_wrk search "$SEARCH_CONNECTIONS" -H "Authorization: Bearer $KEY" \
    -s "$LOAD_DIR/search.lua" "$BASE" -- "$LOAD_DIR/search_paths.txt"

# ---------------------------------------------------------------------------------------------
# 8. Stop and report

PLAIN_LOG=$TMP/server-plain.log
sed 's/\x1b\[[0-9;]*m//g' "$SERVER_LOG" >"$PLAIN_LOG"
LOG_PROBLEMS=$(grep -Eci 'panic| ERROR | WARN |"level":"(ERROR|WARN)"' "$PLAIN_LOG" || true)
# Server-side latency per route, from the request lines of the log (best effort: empty when
# the log does not have route= and latency_ms= fields).
SERVER_LATENCY=$(python3 - "$PLAIN_LOG" <<'EOF'
import re, sys
routes = {"/v1/adverts": [], "/v1/screen": [], "/v1/search": []}
pat = re.compile(r'route="?([^" ]+)"?.*?latency_ms=([0-9.]+)')
with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    for line in f:
        m = pat.search(line)
        if m and m.group(1) in routes:
            routes[m.group(1)].append(float(m.group(2)))
def pct(v, p):
    return v[min(len(v) - 1, int(len(v) * p / 100))]
out = []
for route, v in routes.items():
    if v:
        v.sort()
        out.append(f"{route} p50 {pct(v, 50):.2f} ms, p99 {pct(v, 99):.2f} ms (n={len(v)})")
print("; ".join(out))
EOF
) || SERVER_LATENCY=

# Request lines with an error status, leaving out the /readyz polls made while the index opens.
grep -v 'route="/readyz"' "$PLAIN_LOG" >"$TMP/server-requests.log" || true
LOG_4XX=$(grep -Ec 'status=4[0-9][0-9]|"status":4[0-9][0-9]' "$TMP/server-requests.log" || true)
LOG_5XX=$(grep -Ec 'status=5[0-9][0-9]|"status":5[0-9][0-9]' "$TMP/server-requests.log" || true)
log "stopping the server (SIGTERM)"
stop_server 30
SERVER_STATUS="exit status $SERVER_RC after SIGTERM, stopped in ${STOP_SECS}s"
log "server: $SERVER_STATUS"

verdict() { # verdict OK? -> met/missed
    if [[ $1 == 1 ]]; then echo "met"; else echo "**missed**"; fi
}
ingest_ok=$(awk -v r="$INGEST_RATE" -v t="$TARGET_INGEST_PER_S" 'BEGIN { print (r >= t) ? 1 : 0 }')
screen_ok=$((R[screen.p99_us] < TARGET_SCREEN_P99_US ? 1 : 0))
search_ok=$((R[search.p99_us] < TARGET_SEARCH_P99_US ? 1 : 0))

CPU_MODEL=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
[[ -n $CPU_MODEL ]] || CPU_MODEL=$(lscpu 2>/dev/null | awk -F': *' '/Model name/ { print $2; exit }')
MEM=$(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || echo '?')
COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')
if [[ -n $(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null) ]]; then
    COMMIT="$COMMIT (with uncommitted changes)"
fi
LOAD_AVG=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')

SUMMARY=$TMP/summary.md
{
    echo "## adscreen load benchmark"
    echo
    echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $COMMIT; release build"
    echo "- Machine: $(nproc) cores (nproc), ${CPU_MODEL:-unknown CPU}, $MEM RAM, $(uname -sr); load average (1, 5, 15 min) $LOAD_BEFORE before the measurements, $LOAD_AVG after"
    echo "- wrk $THREADS threads on the same machine as the server (it shares the CPU); request timeout $WRK_TIMEOUT; rate limiting off"
    echo
    echo "| Test | Load | Throughput | p50 | p99 | Target | Target met | Errors |"
    echo "|---|---|---|---|---|---|---|---|"
    echo "| Ingest \`POST /v1/adverts\` (NDJSON) | $(group "$ADVERTS") adverts ($ADVERTS_MB MB) in one request | $(group "$INGEST_RATE") adverts/s (${INGEST_SECS} s; stored $STORED) | – | – | ≥ $(group "$TARGET_INGEST_PER_S") adverts/s | $(verdict "$ingest_ok") | HTTP $ingest_code, failed $FAILED |"
    echo "| Screen \`POST /v1/screen\` | $CONNECTIONS connections, ${DURATION} s, $BODY_COUNT adverts | $(group "${R[screen.rps]}") req/s | $(ms "${R[screen.p50_us]}") | $(ms "${R[screen.p99_us]}") | p99 < $(ms "$TARGET_SCREEN_P99_US") | $(verdict "$screen_ok") | non-2xx ${R[screen.non2xx]}, socket ${R[screen.sock]} |"
    echo "| Search \`GET /v1/search\` | $SEARCH_CONNECTIONS connections, ${DURATION} s, ${#SEARCH_PATHS[@]} queries over $(group "$STORED") adverts | $(group "${R[search.rps]}") req/s | $(ms "${R[search.p50_us]}") | $(ms "${R[search.p99_us]}") | p99 < $(ms "$TARGET_SEARCH_P99_US") | $(verdict "$search_ok") | non-2xx ${R[search.non2xx]}, socket ${R[search.sock]} |"
    echo
    echo "More latency (wrk): screen p90 $(ms "${R[screen.p90_us]}"), p99.9 $(ms "${R[screen.p999_us]}"), max $(ms "${R[screen.max_us]}"); search p90 $(ms "${R[search.p90_us]}"), p99.9 $(ms "${R[search.p999_us]}"), max $(ms "${R[search.max_us]}")."
    echo
    if [[ -n $SERVER_LATENCY ]]; then
        echo "Server-side latency from the server's request log (includes the checks before the wrk runs): $SERVER_LATENCY."
        echo
    fi
    echo "Search queries, each alone on an idle server (median of 5 sequential requests, curl time_total):"
    echo
    echo "| Query | Total hits | Time |"
    echo "|---|---|---|"
    printf '%s\n' "${QUERY_ROWS[@]}"
    echo
    echo "- After ingest: /readyz reported $READY_COUNT adverts, an empty search $SEARCH_TOTAL."
    echo "- Server: $SERVER_STATUS; log: $LOG_PROBLEMS lines with ERROR/WARN/panic, $LOG_4XX requests (other than /readyz) answered 4xx, $LOG_5XX answered 5xx."
    if ((LOG_4XX + LOG_5XX > 0)); then
        echo "- First 4xx/5xx request lines of the server log:"
        echo
        echo '```'
        grep -E 'status=[45][0-9][0-9]|"status":[45][0-9][0-9]' "$TMP/server-requests.log" | head -n 5 | cut -c1-400
        echo '```'
    fi
    if ((LOG_PROBLEMS > 0)); then
        echo "- First ERROR/WARN/panic lines of the server log:"
        echo
        echo '```'
        grep -Ei 'panic| ERROR | WARN |"level":"(ERROR|WARN)"' "$PLAIN_LOG" | head -n 5 | cut -c1-400
        echo '```'
    fi
    if [[ -n $INGEST_NOTE ]]; then
        echo "- Ingest response: $INGEST_NOTE"
    fi
    for note in "${SANITY_NOTES[@]}"; do
        echo "- Check failed: $note"
    done
} >"$SUMMARY"

echo
cat "$SUMMARY"
if [[ -n $LOAD_REPORT ]]; then
    cp -- "$SUMMARY" "$LOAD_REPORT" || die "cannot write LOAD_REPORT=$LOAD_REPORT"
    log "summary written to $LOAD_REPORT"
fi
