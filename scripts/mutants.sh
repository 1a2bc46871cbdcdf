#!/usr/bin/env bash
# Pre-release step (too slow for CI on 2 cores): mutation testing of the code that keeps doses
# within limits, with cargo-mutants. Every mutant of the safety gate must be killed; survivors
# elsewhere are listed in the release note with a reason.
#
#   scripts/mutants.sh            # the gate, the limits and the units
#   scripts/mutants.sh gate       # the gate alone
#
# Results go to target/mutants/mutants.out (caught.txt, missed.txt, …) unless MUTANTS_OUT is set.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-mutants >/dev/null || cargo install --locked cargo-mutants

case "${1:-all}" in
  gate) files=(-f src/eval/gate.rs) ;;
  all) files=(-f src/eval/gate.rs -f src/eval/limits.rs -f 'src/units/*.rs') ;;
  *) echo "usage: $0 [gate|all]" >&2; exit 2 ;;
esac

# The tests that hold doses against limits: the gate's unit tests, the safety fixtures, the
# property test, the examples of the bundled protocols and their cases. They go in `-C` (every
# cargo call) rather than after `--` (the test run only) so that each mutant builds just these
# test binaries, not all twenty.
tests=(-C --lib -C --test=safety -C --test=gate_property -C --test=examples -C --test=protocol_cases)
cargo mutants "${files[@]}" "${tests[@]}" --timeout 300 -o "${MUTANTS_OUT:-target/mutants}"
