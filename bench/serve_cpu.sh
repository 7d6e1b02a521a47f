#!/bin/bash
# What a `digits serve` costs per request under load: starts the server, warms it with
# io.digits.bench.ServeLoad, then times one load run and reads the server JVM's CPU time
# (/proc/PID/stat, utime + stime) and thread switches (voluntary and involuntary, summed over
# /proc/PID/task/*/status) before and after it. Prints requests/s, p50/p99, CPU us and switches
# per request. Needs `make build` and the bench classes (make bench's javac line).
#
# Usage: bench/serve_cpu.sh BASE PORT CLIENTS [serve options...]
#   e.g. bench/serve_cpu.sh saved_models/double-conv 8601 32 --no-batching --threads 8
set -euo pipefail
cd "$(dirname "$0")/.."
base=$1 port=$2 clients=$3
shift 3
cp="target/bench-classes:target/digits.jar:target/lib/*"
java -jar target/digits.jar serve --model-base-path "$base" --port "$port" "$@" > /dev/null 2>&1 &
launcher=$!
trap 'kill -TERM $launcher 2>/dev/null; wait $launcher 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$port/v1/models/$(basename "$base")" && break
  sleep 0.2
done
# The quiet launcher runs the command in a child JVM: that one serves.
server=$(pgrep -P "$launcher" java || echo "$launcher")
load() { java -cp "$cp" io.digits.bench.ServeLoad "$port" "$(basename "$base")" data/test.csv "$clients" "$1" "$2"; }
ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
switches() { cat /proc/"$server"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s}'; }
load 8 1 > /dev/null
t0=$(ticks) s0=$(switches)
result=$(load 0 "${SECONDS_TIMED:-6}")
t1=$(ticks) s1=$(switches)
python3 - "$result" "$t0" "$t1" "$s0" "$s1" "$(getconf CLK_TCK)" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); t0, t1, s0, s1, hz = map(float, sys.argv[2:])
n = r["requests"]
print(f"{r['requests_s']:,.0f} requests/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms; "
      f"server CPU {(t1 - t0) / hz * 1e6 / n:.0f} us and {(s1 - s0) / n:.1f} thread switches per request")
PY
