#!/usr/bin/env bash
# Schema fuzzing: schemathesis (from PyPI), every check, against /openapi.json of `clinic up --demo`, started here on
# its own ports and state folder and stopped afterwards. Extra arguments go to `schemathesis run`
# (e.g. --max-examples 200, --include-path /v1/patients). Reports land in bench-results/fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v schemathesis >/dev/null || python3 -m pip install -q schemathesis
config=${CLINIC_BUILD:-debug}
bin=$(deploy/stack-products.sh "$config")

port=${CLINIC_FUZZ_HTTP_PORT:-18080}
state=$(mktemp -d /tmp/clinic-fuzz.XXXXXX)
chmod 755 "$state"
"$bin/clinic" up --demo --state-dir "$state" --http-port "$port" --bus-port "${CLINIC_FUZZ_BUS_PORT:-15555}" \
  --pg-port "${CLINIC_FUZZ_PG_PORT:-54339}" --log-level warning > "$state/up.log" 2>&1 &
stack=$!
stop() { kill -INT "$stack" 2>/dev/null || true; wait "$stack" 2>/dev/null || true; rm -rf "$state"; }
trap stop EXIT
for _ in $(seq 1 240); do
  grep -q "ClinicDesk is up" "$state/up.log" 2>/dev/null && break
  kill -0 "$stack" 2>/dev/null || { cat "$state/up.log" >&2; exit 1; }
  sleep 0.5
done
grep -q "ClinicDesk is up" "$state/up.log" || { echo "the stack did not come up:" >&2; cat "$state/up.log" >&2; exit 1; }

mkdir -p bench-results/fuzz
schemathesis run "http://127.0.0.1:$port/openapi.json" --checks all --max-examples "${CLINIC_FUZZ_EXAMPLES:-60}" \
  --report junit,ndjson --report-dir bench-results/fuzz "$@"
