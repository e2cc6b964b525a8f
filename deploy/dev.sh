#!/usr/bin/env bash
# ClinicDesk on a fresh Debian 12 machine, in one command each:
#   deploy/dev.sh up [--demo] [clinic up options]   installs what is missing, builds, runs the whole stack (CURVE on
#                                                   the bus, keys in .clinic/keys; --insecure-plain-bus for none)
#   deploy/dev.sh test                              installs what is missing, builds, runs the whole test suite
#   deploy/dev.sh bench                             builds release and runs the benchmarks (writes bench-results/)
set -euo pipefail
cd "$(dirname "$0")/.."

# gcc: the interop test compiles a C bus client (protoc-c code on libprotobuf-c and libzmq).
packages=(libzmq3-dev libpq-dev postgresql protobuf-compiler protobuf-c-compiler libprotobuf-c-dev gcc wrk curl)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian starts a system-wide cluster on install; ClinicDesk runs its own, so leave the system one alone.
}

command -v swift >/dev/null || { echo "Swift 6.1 or newer is required (swift not found on PATH)" >&2; exit 1; }

cmd=${1:-help}
[ $# -gt 0 ] && shift
case "$cmd" in
  up)
    install_missing
    config=${CLINIC_BUILD:-debug}
    bin=$(deploy/stack-products.sh "$config")
    exec "$bin/clinic" up "$@"
    ;;
  test)
    install_missing
    # The end-to-end test target depends on the executables, so one `swift test` builds everything it starts.
    # Suites run one after another: on 2 cores, parallel suites that start brokers, clusters and processes
    # only fight over the CPU and turn heartbeats and deadlines into flaky timing.
    exec swift test --disable-xctest --no-parallel "$@"
    ;;
  bench)
    install_missing
    exec deploy/bench.sh "$@"
    ;;
  *)
    sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
