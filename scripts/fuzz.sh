#!/usr/bin/env bash
# Fuzzes the manifest loader with libFuzzer: scripts/fuzz.sh [SECONDS] (default 1800).
# Crashing inputs are written to fuzz-crashes/ and replay with .build/debug/manifest-fuzzer FILE.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-1800}"
swift build --scratch-path .build-fuzz --product manifest-fuzzer \
  -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -use-ld=lld
mkdir -p .build-fuzz/corpus fuzz-crashes
# Seed the corpus with the example manifests and every fixture task definition.
for f in manifests/berth.yaml manifests/environments/*/*.yaml manifests/services/*/*.yaml ../shared/fixtures/taskdefs/*.json; do
  [ -f "$f" ] && cp "$f" ".build-fuzz/corpus/$(basename "$(dirname "$f")")-$(basename "$f")"
done
# Leak detection is off: Swift keeps enum case tags in the spare bits of pointers, so
# LeakSanitizer cannot see the schema's global shapes it allocates once and reports them.
ASAN_OPTIONS=detect_leaks=0 exec .build-fuzz/debug/manifest-fuzzer .build-fuzz/corpus -max_total_time="$seconds" -detect_leaks=0 -artifact_prefix=fuzz-crashes/ -print_final_stats=1
