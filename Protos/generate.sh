#!/usr/bin/env bash
# Regenerates Sources/ClinicProto from Protos/clinic/**/*.proto with Debian's protoc and protoc-gen-swift.
# protoc-gen-swift is built once from the swift-protobuf package (the version Package.swift names)
# into .build-protoc-gen-swift/ and reused afterwards.
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
out=Sources/ClinicProto
find "$out" -name "*.pb.swift" -delete
protos=$(cd Protos && find clinic -name '*.proto' | sort)
(cd Protos && protoc --plugin=protoc-gen-swift="$plugin" \
  --swift_opt=Visibility=Public --swift_opt=FileNaming=PathToUnderscores \
  --swift_out="$root/$out" $protos)
echo "generated $(ls $out/*.pb.swift | wc -l) files into $out" >&2
python3 Protos/methods.py "$out/Methods.generated.swift"
