#!/usr/bin/env bash
# Builds the stack's executables in one configuration and prints the folder they are in: `clinic` first, then
# whatever `clinic stack` lists (broker, every service, gateway; the one list lives in Sources/ClinicService/Stack.swift),
# then any extra products named. Product by product: a bare `swift build` would also compile swift-protobuf's C++
# protoc, which we never use.
# Usage: deploy/stack-products.sh CONFIG [extra products…]   (run from the package's folder; build output goes to stderr)
set -euo pipefail
config=${1:?usage: deploy/stack-products.sh debug|release [products…]}
shift
swift build -c "$config" --product clinic >&2
bin=$(swift build -c "$config" --show-bin-path)
for product in $("$bin/clinic" stack) "$@"; do swift build -c "$config" --product "$product" >&2; done
echo "$bin"
