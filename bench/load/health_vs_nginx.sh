#!/usr/bin/env bash
# Load benchmark: Portcullis's health endpoint against nginx returning a fixed 200, side by side in one run.
# Both servers get the same worker count and are driven by identical wrk runs; prints req/s, p50, p99, ratio.
#
# Usage: bench/load/health_vs_nginx.sh [options]
#   -w, --workers N       worker threads for Portcullis / worker_processes for nginx (env BENCH_WORKERS, default 1)
#   -d, --duration D      wrk duration of each measured run, e.g. 10s, 1m (env BENCH_DURATION, default 10s)
#   -c, --connections C   wrk keep-alive connections (env BENCH_CONNECTIONS, default 50)
#   -t, --threads T       wrk threads (env BENCH_THREADS, default 1)
#   -r, --rounds R        measured rounds; each round runs nginx then Portcullis (env BENCH_ROUNDS, default 2)
#       --warmup D        unmeasured wrk run against each server before round 1 (env BENCH_WARMUP, default 2s; 0 = none)
#       --binary PATH     the portcullis binary (env PORTCULLIS_BIN, default build/portcullis)
#       --no-pin          do not pin the servers and wrk to separate cores
#
# wrk runs on the same machine and competes for CPU with the server under test. When there are more cores
# than workers (and taskset exists) the server is pinned to cores 0..N-1 and wrk to the rest, e.g. with the
# default N=1 on a 2-core machine the server gets core 0 and wrk core 1. Otherwise nothing is pinned and the
# numbers include that contention for both targets alike; compare the ratio, not the absolute rates.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_root=$(cd "$script_dir/../.." && pwd)

workers=${BENCH_WORKERS:-1}
duration=${BENCH_DURATION:-10s}
connections=${BENCH_CONNECTIONS:-50}
threads=${BENCH_THREADS:-1}
rounds=${BENCH_ROUNDS:-2}
warmup=${BENCH_WARMUP:-2s}
portcullis_bin=${PORTCULLIS_BIN:-$repo_root/build/portcullis}
pin=1
health_path=/_portcullis/health

die() { echo "health_vs_nginx: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    -w|--workers) workers=${2:?}; shift 2 ;;
    -d|--duration) duration=${2:?}; shift 2 ;;
    -c|--connections) connections=${2:?}; shift 2 ;;
    -t|--threads) threads=${2:?}; shift 2 ;;
    -r|--rounds) rounds=${2:?}; shift 2 ;;
    --warmup) warmup=${2:?}; shift 2 ;;
    --binary) portcullis_bin=${2:?}; shift 2 ;;
    --no-pin) pin=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
for opt in workers connections threads rounds; do
  if ! is_uint "${!opt}" || [ "${!opt}" -lt 1 ]; then die "$opt must be a positive integer, got '${!opt}'"; fi
done
[ "$connections" -ge "$threads" ] || die "connections ($connections) must be >= threads ($threads)"

# Seconds in a wrk duration (plain number = seconds; s, m, h suffixes).
to_seconds() {
  local d=$1
  [[ $d =~ ^([0-9]+)([smh]?)$ ]] || die "bad duration '$d' (use e.g. 10s, 1m)"
  local n=${BASH_REMATCH[1]}
  case "${BASH_REMATCH[2]}" in
    m) echo $((n * 60)) ;;
    h) echo $((n * 3600)) ;;
    *) echo "$n" ;;
  esac
}
duration_s=$(to_seconds "$duration")
[ "$duration_s" -ge 1 ] || die "duration must be at least 1s"
warmup_s=$(to_seconds "$warmup")

nginx_bin=$(command -v nginx || true)
[ -n "$nginx_bin" ] || [ ! -x /usr/sbin/nginx ] || nginx_bin=/usr/sbin/nginx
[ -n "$nginx_bin" ] || die "nginx not found (Debian package nginx-light)"
command -v wrk >/dev/null || die "wrk not found (Debian package wrk)"
command -v timeout >/dev/null || die "timeout not found (coreutils)"
[ -x "$portcullis_bin" ] || die "portcullis binary not found at $portcullis_bin (build it first)"

# --- processes and cleanup ------------------------------------------------------------------------------

tmp=$(mktemp -d "${TMPDIR:-/tmp}/portcullis-bench.XXXXXX")
nginx_pid=""
portcullis_pid=""
wrk_pid=""

# Stop one process we started: SIGTERM, up to 5 s, then SIGKILL, then reap.
stop_pid() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    # Children first (nginx workers), while they are still children of $pid.
    pkill -KILL -P "$pid" 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_pid "$wrk_pid"
  stop_pid "$portcullis_pid"
  stop_pid "$nginx_pid"
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- CPU pinning ----------------------------------------------------------------------------------------

cores=$(nproc 2>/dev/null || echo 1)
server_pin=()
wrk_pin=()
pin_note="not pinned"
if [ "$pin" = 1 ]; then
  if ! command -v taskset >/dev/null; then
    pin_note="not pinned (taskset not found; package util-linux)"
  elif [ "$cores" -gt "$workers" ]; then
    server_cores="0"; [ "$workers" -gt 1 ] && server_cores="0-$((workers - 1))"
    wrk_cores="$workers"; [ "$cores" -gt $((workers + 1)) ] && wrk_cores="$workers-$((cores - 1))"
    server_pin=(taskset -c "$server_cores")
    wrk_pin=(taskset -c "$wrk_cores")
    pin_note="servers on cpu $server_cores, wrk on cpu $wrk_cores"
  else
    pin_note="not pinned ($cores cores, $workers workers: wrk shares cores with the server)"
  fi
fi

# --- helpers --------------------------------------------------------------------------------------------

# A port that nothing listens on right now (the server binding it may still race; nginx start retries).
free_port() {
  local p i
  for ((i = 0; i < 100; i++)); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# Status code of GET http://127.0.0.1:PORT/PATH, bounded to 3 s; empty if no answer.
http_status() {
  local port=$1 path=$2
  # shellcheck disable=SC2016  # $1 and $2 are the inner shell's arguments
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" "$2" >&3
    IFS=" " read -r _ code _ <&3 && echo "$code"' _ "$port" "$path" 2>/dev/null || true
}

# Wait up to 10 s until GET PATH answers 200 while PID lives.
wait_ready() {
  local name=$1 pid=$2 port=$3 deadline=$((SECONDS + 10))
  while [ "$SECONDS" -lt "$deadline" ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$(http_status "$port" "$health_path")" = 200 ] && return 0
    sleep 0.1
  done
  echo "health_vs_nginx: $name on port $port did not answer 200 within 10 s" >&2
  return 1
}

start_nginx() {
  local attempt port
  mkdir -p "$tmp/nginx"
  for ((attempt = 0; attempt < 5; attempt++)); do
    port=$(free_port) || die "no free port for nginx"
    cat >"$tmp/nginx/nginx.conf" <<EOF
$( [ "$(id -u)" = 0 ] && echo "user root root;" )
worker_processes $workers;
daemon off;
master_process on;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events {
  worker_connections $((connections + 1024));
}
http {
  access_log off;
  client_body_temp_path $tmp/nginx/client_body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$port;
    server_name localhost;
    default_type application/json;
    location / {
      return 200 '{"status":"ok"}';
    }
  }
}
EOF
    : >"$tmp/nginx/error.log"
    # -e: the error log before the config is read; -p: prefix, so nothing outside $tmp is used.
    "${server_pin[@]}" "$nginx_bin" -p "$tmp/nginx/" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" \
      >>"$tmp/nginx/stdout.log" 2>&1 &
    nginx_pid=$!
    if wait_ready nginx "$nginx_pid" "$port"; then
      nginx_port=$port
      return 0
    fi
    stop_pid "$nginx_pid"; nginx_pid=""
    grep -q "Address already in use" "$tmp/nginx/error.log" "$tmp/nginx/stdout.log" 2>/dev/null || break
  done
  cat "$tmp/nginx/error.log" "$tmp/nginx/stdout.log" >&2 2>/dev/null || true
  die "nginx failed to start"
}

start_portcullis() {
  local i
  mkdir -p "$tmp/portcullis"
  # Fixed admin credentials so the server prints no generated secret; log level info because the
  # "listening on" line (with the port chosen for --listen :0) is an info message. No access log.
  PORTCULLIS_ADMIN_ACCESS_KEY_ID=AKIABENCHMARK0000001 \
  PORTCULLIS_ADMIN_SECRET_ACCESS_KEY=benchmark-secret-not-for-real-use \
    "${server_pin[@]}" "$portcullis_bin" serve --listen 127.0.0.1:0 --state-dir "$tmp/portcullis/state" \
      --workers "$workers" --access-log false --log-level info --drain-timeout-ms 1000 \
      >"$tmp/portcullis/stdout.log" 2>"$tmp/portcullis/stderr.log" &
  portcullis_pid=$!
  portcullis_port=""
  for ((i = 0; i < 100; i++)); do
    portcullis_port=$(grep -o 'listening on 127\.0\.0\.1:[0-9]*' "$tmp/portcullis/stderr.log" 2>/dev/null |
                      head -n1 | sed 's/.*://' || true)
    [ -n "$portcullis_port" ] && break
    kill -0 "$portcullis_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$portcullis_port" ] || ! wait_ready portcullis "$portcullis_pid" "$portcullis_port"; then
    cat "$tmp/portcullis/stderr.log" >&2 || true
    die "portcullis failed to start (no 'listening on 127.0.0.1:PORT' within 10 s, or health not 200)"
  fi
}

# Microseconds in a wrk latency figure such as 512.00us, 1.23ms, 2.00s.
to_us() {
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) print n
    else if (v ~ /ms$/) print n * 1000
    else if (v ~ /m$/) print n * 60000000
    else if (v ~ /s$/) print n * 1000000
    else print n
  }'
}

# Run wrk once; sets rps, p50_us, p99_us. Fails on errors or non-200 answers.
run_wrk() {
  local name=$1 port=$2 secs=$3 out="$tmp/wrk-$1-$RANDOM.txt"
  # In the background so that a signal to this script is handled at once, not after the run.
  timeout -k 5 $((secs + 30)) "${wrk_pin[@]}" wrk --latency -t "$threads" -c "$connections" \
    -d "${secs}s" "http://127.0.0.1:$port$health_path" >"$out" 2>&1 &
  wrk_pid=$!
  local rc=0
  wait "$wrk_pid" || rc=$?
  wrk_pid=""
  if [ "$rc" != 0 ]; then
    cat "$out" >&2
    die "wrk against $name failed or timed out"
  fi
  if grep -q "Non-2xx or 3xx responses" "$out"; then
    cat "$out" >&2
    die "$name answered non-2xx responses"
  fi
  if grep -q "Socket errors" "$out"; then
    echo "health_vs_nginx: warning: $name: $(grep 'Socket errors' "$out" | sed 's/^ *//')" >&2
  fi
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50_us=$(to_us "$(awk '$1 == "50%" {print $2}' "$out")")
  p99_us=$(to_us "$(awk '$1 == "99%" {print $2}' "$out")")
  if [ -z "$rps" ] || [ -z "$p50_us" ] || [ -z "$p99_us" ]; then
    cat "$out" >&2
    die "cannot parse wrk output"
  fi
}

# --- run ------------------------------------------------------------------------------------------------

start_nginx
start_portcullis

echo "# health endpoint: portcullis vs nginx (fixed 200), $workers worker(s) each"
echo "# wrk -t$threads -c$connections -d${duration_s}s --latency, $rounds round(s), warmup ${warmup_s}s; $cores cores, $pin_note"
echo "# nginx $("$nginx_bin" -v 2>&1 | sed 's/.*\///') on :$nginx_port, portcullis on :$portcullis_port"
# Anything else busy on the machine (a build) skews both targets, and not necessarily alike.
[ -r /proc/loadavg ] && echo "# load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$warmup_s" -gt 0 ]; then
  run_wrk nginx "$nginx_port" "$warmup_s"
  run_wrk portcullis "$portcullis_port" "$warmup_s"
fi

declare -A sum_rps sum_p50 sum_p99
sum_rps=([nginx]=0 [portcullis]=0); sum_p50=([nginx]=0 [portcullis]=0); sum_p99=([nginx]=0 [portcullis]=0)

printf '%-18s %12s %10s %10s\n' target req/s p50 p99
fmt_ms() { awk -v u="$1" 'BEGIN { printf "%.3fms", u / 1000 }'; }
for ((r = 1; r <= rounds; r++)); do
  for target in nginx portcullis; do
    if [ "$target" = nginx ]; then port=$nginx_port; else port=$portcullis_port; fi
    run_wrk "$target" "$port" "$duration_s"
    printf '%-18s %12.2f %10s %10s\n' "$target#$r" "$rps" "$(fmt_ms "$p50_us")" "$(fmt_ms "$p99_us")"
    sum_rps[$target]=$(awk -v a="${sum_rps[$target]}" -v b="$rps" 'BEGIN { printf "%.6f", a + b }')
    sum_p50[$target]=$(awk -v a="${sum_p50[$target]}" -v b="$p50_us" 'BEGIN { printf "%.6f", a + b }')
    sum_p99[$target]=$(awk -v a="${sum_p99[$target]}" -v b="$p99_us" 'BEGIN { printf "%.6f", a + b }')
  done
done

mean() { awk -v s="$1" -v n="$rounds" 'BEGIN { printf "%.2f", s / n }'; }
if [ "$rounds" -gt 1 ]; then
  echo "mean of $rounds rounds:"
  for target in nginx portcullis; do
    printf '%-18s %12.2f %10s %10s\n' "$target" "$(mean "${sum_rps[$target]}")" \
      "$(fmt_ms "$(mean "${sum_p50[$target]}")")" "$(fmt_ms "$(mean "${sum_p99[$target]}")")"
  done
fi
awk -v p="${sum_rps[portcullis]}" -v n="${sum_rps[nginx]}" \
  'BEGIN { if (n > 0) printf "ratio portcullis/nginx: %.2f\n", p / n; else print "ratio portcullis/nginx: n/a" }'
