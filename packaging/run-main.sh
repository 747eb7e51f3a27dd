#!/usr/bin/env bash
# Sets everything up and runs TwinSeal's main job: installs the Debian packages, builds, and
# starts the desktop client with a home network embedded in it (twinseal-homenet on 127.0.0.1,
# SQLite) and a demo subscription, so the first page offers the demo profile and a new user
# reaches My Twin in under a minute.
#
#   bash packaging/run-main.sh [--data-dir DIR] [any twinseal option]
#   bash packaging/run-main.sh --cli-demo [--dir DIR]   # the end-to-end surgeon scenario in a terminal
#
# Without a display (no DISPLAY / WAYLAND_DISPLAY, e.g. over ssh) the terminal demo runs, then
# the client starts under a virtual display and saves a picture of its first page.
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/setup.sh
cmake --preset default
cmake --build --preset default -j "$(nproc)" --target twinseal twinsealctl

if [ "${1:-}" = "--cli-demo" ]; then
  shift
  exec ./build/default/app/ctl/twinsealctl demo "$@"
fi

data_dir="${HOME:-/root}/.local/share/TwinSeal/local-demo"
args=("$@")
for a in "$@"; do
  if [ "$a" = "--data-dir" ]; then data_dir=""; fi
done
[ -n "$data_dir" ] && args=(--data-dir "$data_dir" "${args[@]}")

if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  echo "Starting the TwinSeal client with its local home network (data in ${data_dir:-your --data-dir})."
  exec ./build/default/app/client/twinseal --local-homenet "${args[@]}"
fi

echo "No display here: running the end-to-end demo in the terminal, then the client on a virtual display."
./build/default/app/ctl/twinsealctl demo
shot="${TMPDIR:-/tmp}/twinseal-first-page.png"
xvfb-run -a -s "-screen 0 1280x800x24" \
  ./build/default/app/client/twinseal --local-homenet "${args[@]}" --screenshot "$shot"
echo "The client's first page is in $shot. Run this command on a desktop to use the client."
