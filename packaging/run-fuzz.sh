#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz": clang-14, AddressSanitizer + UndefinedBehavior-
# Sanitizer) and runs each one for FUZZ_SECONDS seconds (default 15), as many at a time as there
# are processors, from its seed corpus in tests/fuzz/corpus/<target>/. New inputs go to
# build/fuzz/corpus/<target>/ (the committed seeds are never modified); a crash, a leak, a timeout
# or a broken invariant fails the run and leaves its input in build/fuzz/artifacts/. Prints a
# summary: target, runs, seconds, new inputs.
#   FUZZ_SECONDS=600 packaging/run-fuzz.sh           # longer runs
#   FUZZ_TARGETS="sframe glb" packaging/run-fuzz.sh  # some targets only
#   FUZZ_BUILD_ONLY=1 packaging/run-fuzz.sh          # build the targets, run none
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-15}
if [ -z "${CMAKE_CXX_COMPILER_LAUNCHER:-}" ] && command -v ccache >/dev/null; then
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache
fi

# target:max_len (the largest input worth mutating; each seed fits).
all_targets=(
  call_message:8192
  sframe:256
  animation_frame:512
  role_credential:4096
  assertion:4096
  manifest:8192
  glb:65536
  gltf:65536
  usim_profile:4096
  home_networks:8192
  status_list:1024
  log_proofs:2048
  activity_log:8192
  audit_anchor:2048
  service_messages:8192
  http_request:1024
  proxy_header:1100
  sealed_file:1024
)

start=$(date +%s)
echo "== build (preset fuzz)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"
built=$(date +%s)
if [ "${FUZZ_BUILD_ONLY:-0}" = "1" ]; then
  echo "== fuzz targets built ($((built - start)) s)"
  exit 0
fi

out=build/fuzz
mkdir -p "$out/artifacts" "$out/logs"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export QT_QPA_PLATFORM=offscreen

# One target: runs it, then writes its summary line to $out/logs/<name>.result.
fuzz_one() {
  local name=$1 max_len=$2
  local seeds=tests/fuzz/corpus/$name work=$out/corpus/$name log=$out/logs/$name.log
  mkdir -p "$work"
  local t0 t1 rc=0 runs units
  t0=$(date +%s)
  "$out/tests/fuzz/twinseal-fuzz-$name" "$work" "$seeds" \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$out/artifacts/$name-" >"$log" 2>&1 || rc=$?
  t1=$(date +%s)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  units=$(find "$work" -type f | wc -l)
  printf '%-18s %10s %6s %8s  %s\n' "$name" "${runs:-?}" "$((t1 - t0))" "$units" \
    "$([ "$rc" = 0 ] && echo ok || echo "FAILED (exit $rc)")" >"$out/logs/$name.result"
}

# As many targets at a time as there are processors.
names=()
for entry in "${all_targets[@]}"; do
  name=${entry%%:*}
  max_len=${entry##*:}
  if [ -n "${FUZZ_TARGETS:-}" ] && [[ " $FUZZ_TARGETS " != *" $name "* ]]; then
    continue
  fi
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do
    wait -n || true
  done
  echo "== fuzz $name (${seconds} s, max_len $max_len)"
  rm -f "$out/logs/$name.result"
  fuzz_one "$name" "$max_len" &
  names+=("$name")
done
wait || true

failed=()
summary=()
for name in "${names[@]}"; do
  line=$(cat "$out/logs/$name.result" 2>/dev/null || echo "$name (no result)  FAILED")
  summary+=("$line")
  if [[ "$line" == *FAILED* ]]; then
    failed+=("$name")
    echo "-- $name failed; the end of $out/logs/$name.log:"
    tail -n 40 "$out/logs/$name.log"
  fi
done
end=$(date +%s)

echo "== fuzzing summary (build $((built - start)) s, total $((end - start)) s)"
printf '%-18s %10s %6s %8s  %s\n' target runs secs corpus result
printf '%s\n' "${summary[@]}"
if [ "${#failed[@]}" != 0 ]; then
  echo "fuzzing found problems in: ${failed[*]} (inputs in $out/artifacts/)"
  exit 1
fi
