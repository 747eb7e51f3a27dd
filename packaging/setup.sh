#!/usr/bin/env bash
# Installs every Debian 12 package TwinSeal needs to build, run and test.
# Idempotent and non-interactive; run as root (or through sudo).
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git ca-certificates
  # security core
  libssl-dev openssl libprotobuf-dev protobuf-compiler nlohmann-json3-dev
  # Qt 6 (core, network, SQL, QML, 3D, HTTP server, WebSockets, tests)
  qt6-base-dev qt6-base-dev-tools qt6-declarative-dev qt6-quick3d-dev
  qt6-httpserver-dev qt6-websockets-dev qt6-shadertools-dev
  libqt6sql6-sqlite libqt6sql6-psql
  qml6-module-qtqml qml6-module-qtqml-workerscript qml6-module-qtqml-models
  qml6-module-qtquick qml6-module-qtquick-controls qml6-module-qtquick-templates
  qml6-module-qtquick-layouts qml6-module-qtquick-window qml6-module-qtquick-dialogs
  qml6-module-quick3d qml6-module-quick3d-assetutils qml6-module-quick3d-helpers
  qml6-module-qttest qml6-module-qtcore qml6-module-qt-labs-platform
  # the file and folder dialogs where the platform has none of its own (offscreen, plain X11)
  qml6-module-qt-labs-folderlistmodel
  # the client's SVG icons (Qt's SVG image format plugin)
  libqt6svg6
  # XR
  libopenxr-dev libopenxr-loader1
  # tests, benchmarks, GUI tests without a display
  libbenchmark-dev python3 python3-jwcrypto xvfb xauth
  # the Prometheus project's own parser of the metrics text (the monitoring test)
  python3-prometheus-client
  # PostgreSQL for the service's second storage backend (integration tests); HAProxy in front of
  # two service instances (the PROXY protocol test)
  postgresql haproxy
  # the libFuzzer targets (packaging/run-fuzz.sh): clang with its fuzzer runtime, compiler cache;
  # static analysis (packaging/run-clang-tidy.sh)
  clang-14 libclang-rt-14-dev ccache clang-tidy-14
  # the Debian package's checks (packaging/test-package.sh): AppStream, desktop entry, man pages
  appstream desktop-file-utils man-db
)

if [ "$(id -u)" -ne 0 ]; then
  exec sudo -E bash "$0" "$@"
fi

missing=()
for p in "${PACKAGES[@]}"; do
  case "$p" in \#*) continue ;; esac
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "setup: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
