#!/usr/bin/env bash
# Schema fuzzing: schemathesis (from PyPI), every check, against /openapi.json of `clinic up --demo`, started here on
# its own ports and state folder and stopped afterwards. Extra arguments go to `schemathesis run`
# (e.g. --max-examples 200, --include-path /v1/patients). Reports land in bench-results/fuzz/.
# The fuzzer signs in as a member holding every role (made with the admin's token), so no route refuses it for its
# roles; signing out is left out, as it would revoke that token mid-run.
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

api="http://127.0.0.1:$port"
sign_in() { curl -fs -X POST "$api/v1/sessions" -d "{\"account\":\"$1\",\"password\":\"$2\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'; }
admin=$(sign_in admin "$(cat "$state/admin-password")")
roles='["STAFF_ROLE_DESK","STAFF_ROLE_CASHIER","STAFF_ROLE_NURSE","STAFF_ROLE_DOCTOR","STAFF_ROLE_CONSULTANT","STAFF_ROLE_CUSTOMER_SERVICE","STAFF_ROLE_SUPERVISOR","STAFF_ROLE_DIRECTOR","STAFF_ROLE_ADMIN"]'
curl -s -o /dev/null -X POST "$api/v1/staff" -H "Authorization: Bearer $admin" \
  -d "{\"account\":\"fuzz.all\",\"name\":\"fuzz\",\"roles\":$roles,\"password\":\"fuzz-every-role\"}"
token=$(sign_in fuzz.all fuzz-every-role)

mkdir -p bench-results/fuzz
schemathesis run "$api/openapi.json" --checks all --max-examples "${CLINIC_FUZZ_EXAMPLES:-60}" \
  --header "Authorization: Bearer $token" --exclude-path /v1/sessions/current \
  --report junit,ndjson --report-dir bench-results/fuzz "$@"
