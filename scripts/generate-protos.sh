#!/bin/sh
# Regenerates the protobuf-c code from protos/ with protoc-c (Debian protobuf-c-compiler):
# Sources/CPrompb from remote.proto (remote write) and Sources/CProcessAgent from
# process_agent.proto (the process agent's messages). The output is committed; builds do not
# need protoc-c, only libprotobuf-c.
set -eu
cd "$(dirname "$0")/.."
command -v protoc-c >/dev/null || { echo "protoc-c not found: apt-get install -y protobuf-c-compiler" >&2; exit 1; }
out=$(mktemp -d)
protoc-c --proto_path=protos --c_out="$out" protos/remote.proto protos/process_agent.proto
mv "$out/remote.pb-c.h" Sources/CPrompb/include/remote.pb-c.h
mv "$out/remote.pb-c.c" Sources/CPrompb/remote.pb-c.c
mv "$out/process_agent.pb-c.h" Sources/CProcessAgent/include/process_agent.pb-c.h
mv "$out/process_agent.pb-c.c" Sources/CProcessAgent/process_agent.pb-c.c
rmdir "$out"
echo "generated Sources/CPrompb and Sources/CProcessAgent from protos/ with $(protoc-c --version | head -1)"
