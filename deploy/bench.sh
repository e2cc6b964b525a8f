#!/usr/bin/env bash
# Benchmarks, release build, bounded in time; prints numbers and writes them to bench-results/:
#   bench-results/bus.json   bus round trips (1 and 64 in flight) beside a raw libzmq DEALER/ROUTER echo, and with
#                            CURVE off and on side by side (alternating rounds)
#   bench-results/http.json  gateway GET/POST /v1/patients with wrk beside a bare Hummingbird hello-world
#   bench-results/queue.json the waiting-queue view (200 waiting over 20 doctors) paced at 500 req/s and flat out
#   bench-results/payments.json  payments through the gateway with 32 in flight, receipts checked gapless afterwards
#   bench-results/follow-ups.json  a person's work list with 1,000,000 tasks in the table; plan generation
#   bench-results/scheduling.json  FindSlots over 200 doctors and 1,000,000 seeded appointments, and booking
#                            throughput, over the bus (its own private cluster; CLINIC_BENCH_APPOINTMENTS to change)
# Usage: deploy/bench.sh [seconds-per-case]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
bin=$(deploy/stack-products.sh release clinic-bench)
mkdir -p bench-results

"$bin/clinic-bench" bus --seconds "$seconds" --output bench-results/bus.json
"$bin/clinic-bench" scheduling --appointments "${CLINIC_BENCH_APPOINTMENTS:-1000000}" --output bench-results/scheduling.json

# The whole stack on private ports and its own throwaway state folder.
state=$(mktemp -d /tmp/clinic-bench.XXXXXX)
chmod 755 "$state"
http_port=18080
"$bin/clinic" up --state-dir "$state" --http-port $http_port --bus-port 15555 --pg-port 15432 \
  --log-level warning > "$state/stack.log" 2>&1 &
stack=$!
trap 'kill -INT $stack 2>/dev/null; wait $stack 2>/dev/null; rm -rf "$state"' EXIT
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$http_port/readyz" >/dev/null 2>&1 && break
  kill -0 $stack 2>/dev/null || { cat "$state/stack.log"; exit 1; }
  sleep 0.2
done
"$bin/clinic-bench" http --gateway "http://127.0.0.1:$http_port" --seconds "$seconds" --admin-password-file "$state/admin-password" \
  --output bench-results/http.json
"$bin/clinic-bench" queue --gateway "http://127.0.0.1:$http_port" --seconds "$seconds" --admin-password-file "$state/admin-password" \
  --output bench-results/queue.json
"$bin/clinic-bench" payments --gateway "http://127.0.0.1:$http_port" --seconds "$seconds" --admin-password-file "$state/admin-password" \
  --output bench-results/payments.json
"$bin/clinic-bench" follow-ups --gateway "http://127.0.0.1:$http_port" --seconds "$seconds" --admin-password-file "$state/admin-password" \
  --state-dir "$state" --pg-port 15432 --output bench-results/follow-ups.json
