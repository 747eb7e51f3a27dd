#!/usr/bin/env bash
# Sets everything up and runs the whole test suite: installs the Debian packages, builds
# warning-free (-Wall -Wextra -Werror), runs every test (not the benchmarks), then builds
# again with AddressSanitizer + UndefinedBehaviorSanitizer and runs every test again (but the
# PostgreSQL repeats of the home-network tests, label "postgres", which the first pass runs).
# Set TWINSEAL_SKIP_ASAN=1 to skip the second pass locally. Between the two, the Debian package
# is built, installed and its service started and stopped through its unit
# (packaging/test-package.sh; TWINSEAL_SKIP_PACKAGE=1 skips it). Last, the libFuzzer targets run
# briefly (packaging/run-fuzz.sh, FUZZ_SECONDS each); TWINSEAL_SKIP_FUZZ=1 skips them.
# clang-tidy (packaging/run-clang-tidy.sh, .clang-tidy) checks every source and fails the run on
# any finding (TWINSEAL_SKIP_TIDY=1 skips it). It and the fuzz targets' build (then clang-tidy
# over the fuzz targets' own sources) run at the lowest CPU priority from the end of the normal
# build on, beside the tests, which leave processors idle while they wait on the network and
# timers.
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
# Beside the tests, at the lowest CPU priority (they leave processors idle while they wait on the
# network and timers): clang-tidy over every source, then the fuzz targets' build.
skip_tidy=${TWINSEAL_SKIP_TIDY:-0}
skip_fuzz=${TWINSEAL_SKIP_FUZZ:-0}
background() {
  renice -n 19 -p "$BASHPID" >/dev/null # inherited by everything it starts
  # setsid made it a scheduling group of its own where the kernel groups by session
  # (sched_autogroup): that group, too, yields to the tests.
  [ -w /proc/self/autogroup ] && echo 19 >/proc/self/autogroup 2>/dev/null || true
  if [ "$skip_tidy" != "1" ]; then
    rc=0
    bash packaging/run-clang-tidy.sh build/default >build/clang-tidy.log 2>&1 || rc=$?
    echo "$rc" >build/clang-tidy.rc
  fi
  if [ "$skip_fuzz" != "1" ]; then
    rc=0
    FUZZ_BUILD_ONLY=1 bash packaging/run-fuzz.sh >build/fuzz-build.log 2>&1 || rc=$?
    echo "$rc" >build/fuzz-build.rc
    # The fuzz targets' sources are only in the fuzz build.
    if [ "$skip_tidy" != "1" ] && [ "$rc" = "0" ]; then
      rc=0
      TIDY_FILES='^tests/fuzz/' bash packaging/run-clang-tidy.sh build/fuzz >build/clang-tidy-fuzz.log 2>&1 || rc=$?
      echo "$rc" >build/clang-tidy-fuzz.rc
    fi
  fi
}
rm -f build/clang-tidy.rc build/fuzz-build.rc build/clang-tidy-fuzz.rc
background_pid=
if [ "$skip_tidy" != "1" ] || [ "$skip_fuzz" != "1" ]; then
  export -f background
  export skip_tidy skip_fuzz
  # A process group of its own, so that a failing run stops all of it.
  setsid bash -c background &
  background_pid=$!
  trap '[ -n "$background_pid" ] && kill -- "-$background_pid" 2>/dev/null || true' EXIT
fi

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

if [ -n "$background_pid" ]; then
  stage "waiting for clang-tidy and the fuzz build (started after the normal build)"
  wait "$background_pid" || true
  background_pid=
fi

if [ "$skip_fuzz" != "1" ]; then
  stage "fuzzing (libFuzzer + ASan + UBSan, ${FUZZ_SECONDS:-15} s per target)"
  if [ "$(cat build/fuzz-build.rc 2>/dev/null)" != "0" ]; then
    cat build/fuzz-build.log
    echo "the fuzz targets did not build"
    exit 1
  fi
  bash packaging/run-fuzz.sh
fi

if [ "$skip_tidy" != "1" ]; then
  stage "static analysis (clang-tidy)"
  cat build/clang-tidy.log
  [ "$(cat build/clang-tidy.rc 2>/dev/null)" = "0" ] || exit 1
  if [ "$skip_fuzz" != "1" ]; then
    cat build/clang-tidy-fuzz.log
    [ "$(cat build/clang-tidy-fuzz.rc 2>/dev/null)" = "0" ] || exit 1
  fi
fi
stage "done"
