#!/usr/bin/env bash
# Sets everything up and runs TwinSeal's main job: installs the Debian packages, builds, and
# runs the end-to-end demo (dev operator, holder key, signed avatar, credential, call
# assertion, peer verification and four attacks).
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/setup.sh
cmake --preset default
cmake --build --preset default -j "$(nproc)" --target twinsealctl
exec ./build/default/app/ctl/twinsealctl demo "$@"
