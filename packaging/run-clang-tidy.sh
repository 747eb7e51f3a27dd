#!/usr/bin/env bash
# Runs clang-tidy (Debian's clang-tidy-14, configuration in .clang-tidy) over every source of the
# tree, as many at a time as there are processors, and fails when it finds anything. Takes the
# compilation databases of configured build directories (default: build/default); from any
# directory after the first, only the sources the earlier ones lack are taken (e.g. build/fuzz
# for tests/fuzz/). Generated sources (moc, rcc, protoc, QML type registration) are skipped; the
# unity-build sources CMake generates are checked, which checks the files they include.
#   packaging/run-clang-tidy.sh                        # after cmake --preset default
#   packaging/run-clang-tidy.sh build/default build/fuzz
#   TIDY_FILES='app/ctl/.*' packaging/run-clang-tidy.sh  # some sources only (a regex)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tidy=$(command -v clang-tidy-14 || command -v clang-tidy)
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(build/default)

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One line per translation unit: build directory <TAB> source.
python3 - "$root" "${TIDY_FILES:-.*}" "${dirs[@]}" >"$out/units" <<'PY'
import json, os, re, sys
root, only, dirs = sys.argv[1], re.compile(sys.argv[2]), sys.argv[3:]
generated = re.compile(r'(_autogen/|/qrc_|\.pb\.cc$|\.rcc/|_qmltyperegistrations|qmlcache|_init\.cpp$|'
                       r'_plugin\.cpp$|plugin_init\.dir/|plugin\.dir/)')
seen = set()
for d in dirs:
    units = json.load(open(os.path.join(d, 'compile_commands.json')))
    unity = [u for u in units if '/Unity/' in u['file']]
    for u in units:
        f = os.path.normpath(os.path.join(u['directory'], u['file']))
        if generated.search(f):
            continue
        if '/Unity/' in f:
            # A unity source stands for the sources it includes.
            members = [os.path.normpath(m) for m in re.findall(r'#include "([^"]+)"', open(f).read())]
        else:
            members = [f]
        members = [m for m in members if m.startswith(root + '/') and '/build/' not in m[len(root):]]
        key = tuple(members)
        if not members or key in seen or all(m in seen for m in members):
            continue
        if not any(only.search(os.path.relpath(m, root)) for m in members):
            continue
        seen.add(key)
        seen.update(members)
        print(f"{d}\t{f}")
PY
count=$(wc -l <"$out/units")
if [ "$count" -eq 0 ]; then
  echo "clang-tidy: no translation unit matches (build directories: ${dirs[*]}; TIDY_FILES: ${TIDY_FILES:-all})"
  exit 1
fi
echo "clang-tidy: $count translation units ($("$tidy" --version | sed -n 's/.*version \([0-9.]*\).*/\1/p' | head -n 1))"

filter="^${root}/(app|ui|xr|security|tests|resources)/"
start=$SECONDS
n=0
while IFS=$'\t' read -r dir file; do
  n=$((n + 1))
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do
    wait -n || true
  done
  ( "$tidy" -p "$dir" --quiet --header-filter="$filter" --extra-arg=-Wno-unknown-warning-option \
      "$file" >"$out/$n.log" 2>&1 || echo "$file" >"$out/$n.failed" ) &
done <"$out/units"
wait

# Each finding once (a header's is reported by every unit that includes it).
find "$out" -name '*.log' -exec cat {} + | { grep -E '^/.*: (warning|error): ' || true; } |
  sort -u >"$out/findings"
findings=$(wc -l <"$out/findings")
failed=$(find "$out" -name '*.failed' | wc -l)
if [ "$findings" -gt 0 ] || [ "$failed" -gt 0 ]; then
  cat "$out/findings"
  if [ "$findings" -eq 0 ]; then
    # clang-tidy failed without a finding (e.g. a compile error): show why.
    find "$out" -name '*.failed' | while read -r f; do cat "${f%.failed}.log"; done
  fi
  echo "clang-tidy: $findings findings, $failed of $count units failed ($((SECONDS - start)) s)"
  exit 1
fi
echo "clang-tidy: no findings in $count units ($((SECONDS - start)) s)"
