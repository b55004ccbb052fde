#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and ThreadSanitizer, each in its own scratch path
# (.build-asan, .build-tsan) so the normal .build is untouched. The CLI tests then run the
# sanitized binary too, so the bad-input corpus and the signal tests are checked by them.
#
#   tools/sanitize.sh [address|thread]... [-- swift test options, e.g. --filter PipelineTests]
#
# Exit status: non-zero if any run failed. Logs: .build-asan/test.log, .build-tsan/test.log.
set -uo pipefail
cd "$(dirname "$0")/.."
KINDS=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do KINDS+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#KINDS[@]} -eq 0 ] && KINDS=(address thread)
FAILED=0
for kind in "${KINDS[@]}"; do
    case $kind in
    address) scratch=.build-asan ;;
    thread) scratch=.build-tsan ;;
    *) echo "unknown sanitizer $kind (address or thread)"; exit 2 ;;
    esac
    mkdir -p "$scratch"
    echo "== $kind: build ($scratch)"
    if ! swift build --build-tests --sanitize="$kind" --scratch-path "$scratch" > "$scratch/build.log" 2>&1; then
        echo "== $kind: build failed (see $scratch/build.log)"; FAILED=1; continue
    fi
    echo "== $kind: test"
    # halt_on_error=0 keeps going after a report so one run lists them all.
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0} \
        swift test --skip-build --sanitize="$kind" --scratch-path "$scratch" "$@" > "$scratch/test.log" 2>&1
    status=$?
    reports=$(grep -c 'ERROR: AddressSanitizer\|WARNING: ThreadSanitizer' "$scratch/test.log")
    summary=$(grep -E 'Test run with|Executed' "$scratch/test.log" | tail -2 | tr '\n' ' ')
    echo "== $kind: exit $status, $reports sanitizer report(s); $summary"
    [ $status -eq 0 ] && [ "$reports" -eq 0 ] || FAILED=1
done
exit $FAILED
