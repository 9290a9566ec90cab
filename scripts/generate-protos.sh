#!/bin/sh
# Regenerates Sources/CPrompb from protos/remote.proto with protoc-c (Debian protobuf-c-compiler).
# The output is committed; builds do not need protoc-c, only libprotobuf-c.
set -eu
cd "$(dirname "$0")/.."
command -v protoc-c >/dev/null || { echo "protoc-c not found: apt-get install -y protobuf-c-compiler" >&2; exit 1; }
out=$(mktemp -d)
protoc-c --proto_path=protos --c_out="$out" protos/remote.proto
mv "$out/remote.pb-c.h" Sources/CPrompb/include/remote.pb-c.h
mv "$out/remote.pb-c.c" Sources/CPrompb/remote.pb-c.c
rmdir "$out"
echo "generated Sources/CPrompb from protos/remote.proto with $(protoc-c --version | head -1)"
