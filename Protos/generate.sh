#!/usr/bin/env bash
# Regenerates everything the contract (Protos/clinic/**/*.proto) says, from the compiled descriptors:
#   Sources/ClinicProto     the messages (protoc-gen-swift, from the swift-protobuf version Package.swift names)
#   Sources/ClinicContract  typed method descriptors with HTTP routes and OpenAPI pieces, and every message's
#                           field-rule check (protoc-gen-clinic, this repo's plugin in Protos/Generator)
# protoc-gen-swift is built once into .build-protoc-gen-swift/ and reused afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v protoc >/dev/null || { echo "protoc missing: apt-get install -y protobuf-compiler" >&2; exit 1; }
version=$(sed -n 's/.*swift-protobuf.git", exact: "\([0-9.]*\)".*/\1/p' Package.swift)
tooldir="$root/.build-protoc-gen-swift"
plugin="$tooldir/protoc-gen-swift"
if [ ! -x "$plugin" ]; then
  echo "building protoc-gen-swift $version (once, ~1-2 min)" >&2
  src=$(mktemp -d)
  git clone -q --depth 1 --branch "$version" https://github.com/apple/swift-protobuf.git "$src/swift-protobuf"
  swift build -c release --package-path "$src/swift-protobuf" --product protoc-gen-swift >&2
  mkdir -p "$tooldir"
  cp "$src/swift-protobuf/.build/release/protoc-gen-swift" "$plugin"
  rm -rf "$src"
fi
protos=$(cd Protos && find clinic -name '*.proto' | sort)

out=Sources/ClinicProto
find "$out" -name "*.pb.swift" -delete
(cd Protos && protoc --plugin=protoc-gen-swift="$plugin" \
  --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
  --swift_out="$root/$out" $protos)
echo "generated $(ls $out/*.pb.swift | wc -l) message files into $out" >&2

# The contract plugin reads the options through the messages just generated, so it is built after them.
swift build --product protoc-gen-clinic >&2
contract=Sources/ClinicContract
find "$contract" -name "*.contract.swift" -delete
rm -f "$contract/ContractIndex.generated.swift"
(cd Protos && protoc --plugin=protoc-gen-clinic="$(swift build --show-bin-path)/protoc-gen-clinic" \
  --clinic_out="$root/$contract" $protos)
echo "generated $(ls $contract/*.contract.swift | wc -l) contract files into $contract" >&2
