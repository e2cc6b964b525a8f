#!/usr/bin/env bash
# The gateway's HTTP figures of this checkout beside those of another commit, in one run on this machine:
# both built in release, each stack started fresh on the same ports, measured alternately (A B A B …) with the
# same clinic-bench http, so machine noise falls on both alike. Prints a table with ratios and writes
# bench-results/http-compare.json (and each run's http-<label>-<round>.json).
# Usage: deploy/bench-against.sh REF [seconds-per-case] [rounds]   (defaults: 10 s, 2 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."
ref=${1:?usage: deploy/bench-against.sh REF [seconds] [rounds]}
seconds=${2:-10}
rounds=${3:-2}
sha=$(git rev-parse --short "$ref")
other=".build-ref-$sha"   # a worktree of REF (ignored by git), built once and reused
[ -d "$other" ] || git worktree add -q "$other" "$sha"
# The other commit's stack is the list of this one (an older commit may not have `clinic stack`), less the
# executables that commit does not have yet (an older stack runs without them).
here_bin=$(deploy/stack-products.sh release clinic-bench)
for product in clinic $("$here_bin/clinic" stack); do
  grep -q "name: \"$product\"" "$other/Package.swift" || { echo "($sha has no $product)"; continue; }
  (cd "$other" && swift build -c release --product "$product")
done
other_bin=$(cd "$other" && swift build -c release --show-bin-path)
mkdir -p bench-results

measure() {  # label bin round
  local state; state=$(mktemp -d /tmp/clinic-compare.XXXXXX); chmod 755 "$state"
  "$2/clinic" up --state-dir "$state" --http-port 18081 --bus-port 15565 --pg-port 15442 --log-level warning \
    > "$state/stack.log" 2>&1 &
  local stack=$!
  for _ in $(seq 1 300); do
    curl -fs http://127.0.0.1:18081/readyz >/dev/null 2>&1 && break
    kill -0 $stack 2>/dev/null || { cat "$state/stack.log"; exit 1; }
    sleep 0.2
  done
  echo "== $1, round $3"
  # A stack with sign-in made its admin: the bench then reads and writes as a signed-in desk member.
  "$here_bin/clinic-bench" http --gateway http://127.0.0.1:18081 --seconds "$seconds" --admin-password-file "$state/admin-password" \
    --output "bench-results/http-$1-$3.json"
  kill -INT $stack; wait $stack 2>/dev/null || true; rm -rf "$state"
}
for round in $(seq 1 "$rounds"); do
  measure "$sha" "$other_bin" "$round"
  measure current "$here_bin" "$round"
done

python3 - "$sha" "$rounds" <<'PY'
import json, statistics, sys
ref, rounds = sys.argv[1], int(sys.argv[2])
def runs(label):
    return [json.load(open(f"bench-results/http-{label}-{r}.json")) for r in range(1, rounds + 1)]
summary = {}
for label in (ref, "current"):
    rs = runs(label)
    summary[label] = {case: {"requestsPerSecond": statistics.mean(r[case]["requestsPerSecond"] for r in rs),
                             "p99Milliseconds": statistics.mean(r[case]["p99Milliseconds"] for r in rs),
                             "runs": [r[case]["requestsPerSecond"] for r in rs]}
                      for case in ("helloWorld", "gatewayGet", "gatewayPost")}
print(f"\n{'case':<14}{ref + ' req/s':>16}{'current req/s':>16}{'current/' + ref:>16}{ref + ' p99':>12}{'current p99':>13}")
for case in ("helloWorld", "gatewayGet", "gatewayPost"):
    a, b = summary[ref][case], summary["current"][case]
    print(f"{case:<14}{a['requestsPerSecond']:>16.0f}{b['requestsPerSecond']:>16.0f}{b['requestsPerSecond'] / a['requestsPerSecond']:>16.3f}"
          f"{a['p99Milliseconds']:>10.1f}ms{b['p99Milliseconds']:>11.1f}ms")
summary["ratios"] = {case: summary["current"][case]["requestsPerSecond"] / summary[ref][case]["requestsPerSecond"]
                     for case in ("helloWorld", "gatewayGet", "gatewayPost")}
json.dump(summary, open("bench-results/http-compare.json", "w"), indent=2)
PY
