#!/usr/bin/env bash
# Sets everything up and runs the whole test suite: installs the Debian packages, builds
# warning-free (-Wall -Wextra -Werror), runs every test (not the benchmarks), then builds
# again with AddressSanitizer + UndefinedBehaviorSanitizer and runs every test again (but the
# PostgreSQL repeats of the home-network tests, label "postgres", which the first pass runs).
# Set TWINSEAL_SKIP_ASAN=1 to skip the second pass locally. Between the two, the Debian package
# is built, installed and its service started and stopped through its unit
# (packaging/test-package.sh; TWINSEAL_SKIP_PACKAGE=1 skips it). Last, the libFuzzer targets run
# briefly (packaging/run-fuzz.sh, FUZZ_SECONDS each); TWINSEAL_SKIP_FUZZ=1 skips them.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each stage says when it starts, counted from here.
start=$SECONDS
stage() { echo "== $1 (at $(( (SECONDS - start) / 60 )) min $(( (SECONDS - start) % 60 )) s)"; }
stage "set-up"
bash packaging/setup.sh
# The home-network integration tests also run against PostgreSQL (label "postgres").
bash packaging/start-postgres.sh

jobs=$(nproc)
stage "build (RelWithDebInfo)"
cmake --preset default
cmake --build --preset default -j "$jobs"
stage "tests"
ctest --preset default

if [ "${TWINSEAL_SKIP_PACKAGE:-0}" != "1" ]; then
  stage "Debian package"
  bash packaging/test-package.sh build/default
fi

if [ "${TWINSEAL_SKIP_ASAN:-0}" != "1" ]; then
  stage "build (ASan + UBSan)"
  cmake --preset asan
  cmake --build --preset asan -j "$jobs"
  stage "tests under ASan + UBSan"
  ctest --preset asan
fi

if [ "${TWINSEAL_SKIP_FUZZ:-0}" != "1" ]; then
  stage "fuzzing (libFuzzer + ASan + UBSan, ${FUZZ_SECONDS:-15} s per target)"
  bash packaging/run-fuzz.sh
fi
stage "done"
