#!/usr/bin/env bash
# Fuzzes the manifest loader, renderer and plan forms with libFuzzer: scripts/fuzz.sh [SECONDS] (default 1800).
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
# Seed it with the hostile values that once crashed or fooled berth (inputs are berth.yaml,
# environment.yaml, the overlay, service.yaml and a task definition file, split at NUL bytes).
env='target: {local: {}}\nrelease: {version: "1"}\n'
seed() { printf "version: 1\0$1\0$2\0$3\0$4" > ".build-fuzz/corpus/seed-$5"; }
svc='taskDefinition:\n  cpu: "256"\n  memory: "512"\n  requiresCompatibilities: [FARGATE]\n  networkMode: awsvpc\n  containerDefinitions:\n    - {name: app, image: "r/a:1"}\n'
seed "$env" 'service: {desiredCount: 1}' "${svc/256/inf vCPU}" '{}' inf-cpu
seed "$env" 'service: {desiredCount: 1}' "${svc/512/nan GB}" '{}' nan-memory
seed "$env" 'service: {desiredCount: 9223372036854775807}' "$svc" '{}' huge-count
seed "$env"'vars: {a: "${vars.b}", b: "${vars.a}"}\n' 'images: {app: "r/a:${vars.a}"}' "$svc" '{}' variable-cycle
seed "$env" 'images: {app: !!binary cmVnaXN0cnk=}' "$svc" '{}' binary-tag
seed "$env" 'service: {desiredCount: 1}' "${svc/r\/a:1/}" '{}' empty-image
seed "$env" 'taskDefinition: {containerDefinitions: [{name: app, environment: [{name: U, value: "postgres://u:p4ssw0rd@db"}]}]}' "$svc" '{}' url-password
# Leak detection is off: Swift keeps enum case tags in the spare bits of pointers, so
# LeakSanitizer cannot see the schema's global shapes it allocates once and reports them.
ASAN_OPTIONS=detect_leaks=0 exec .build-fuzz/debug/manifest-fuzzer .build-fuzz/corpus -max_total_time="$seconds" -detect_leaks=0 -artifact_prefix=fuzz-crashes/ -print_final_stats=1
