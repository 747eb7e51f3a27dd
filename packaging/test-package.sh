#!/usr/bin/env bash
# The Debian package, checked as an operator would use it (run as root, after a build):
#   bash packaging/test-package.sh [build/default]
# Builds the .deb with cpack, checks its contents and metadata (dependencies, desktop entry,
# AppStream metainfo, man pages, unit), installs it with apt, runs the three executables'
# --version, then starts and stops twinseal-homenet through its unit: with systemctl where
# systemd runs, else by running the unit's ExecStart line as the unit's User= with the unit's
# credential in place. Everything it created is removed at the end, the package too. It refuses
# to run on a machine where twinseal-homenet is already set up (it would not touch that).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build/default}"
app_id=net.twinseal.TwinSeal
unit_name=twinseal-homenet.service
state_dir=/var/lib/twinseal-homenet
passphrase=/etc/twinseal/passphrase
fail() { echo "test-package: FAILED: $*" >&2; exit 1; }
say() { echo "test-package: $*"; }

[ "$(id -u)" -eq 0 ] || fail "run as root (it installs the package)"
[ -f "$build/CPackConfig.cmake" ] || fail "no $build/CPackConfig.cmake: build first (cmake --preset default)"
if [ -e "$state_dir" ] || [ -e "$passphrase" ]; then
  fail "$state_dir or $passphrase exists: this machine has a twinseal-homenet set-up, which this test would not touch"
fi

was_installed=0
dpkg-query -W -f='${Status}' twinseal 2>/dev/null | grep -q "install ok" && was_installed=1
user_existed=0
getent passwd twinseal-homenet >/dev/null && user_existed=1
work="$(mktemp -d)"
server_pid=""
cleanup() {
  set +e
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null; fi
  if [ -d /run/systemd/system ]; then systemctl stop "$unit_name" 2>/dev/null; fi
  if [ "$was_installed" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq twinseal >/dev/null 2>&1
  fi
  rm -rf "$state_dir" "$passphrase" "$work"
  rmdir /etc/twinseal 2>/dev/null
  if [ "$user_existed" = 0 ]; then
    deluser --quiet --system twinseal-homenet >/dev/null 2>&1
    delgroup --quiet --system twinseal-homenet >/dev/null 2>&1
  fi
  return 0
}
trap cleanup EXIT

# --- build ---------------------------------------------------------------------------------
rm -rf "$build/package"
(cd "$build" && cpack -G DEB >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
deb="$(ls "$build"/package/twinseal_*_amd64.deb 2>/dev/null | head -n 1)"
[ -n "$deb" ] || fail "cpack made no twinseal_*_amd64.deb"
version="$(dpkg-deb -f "$deb" Version)"
say "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB), version $version"

# --- contents and metadata ------------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/files"
for f in /usr/bin/twinseal /usr/bin/twinsealctl /usr/bin/twinseal-homenet \
         /usr/share/applications/$app_id.desktop /usr/share/metainfo/$app_id.metainfo.xml \
         /usr/share/icons/hicolor/scalable/apps/$app_id.svg \
         /usr/share/man/man1/twinseal.1.gz /usr/share/man/man1/twinsealctl.1.gz \
         /usr/share/man/man8/twinseal-homenet.8.gz /usr/lib/systemd/system/$unit_name \
         /etc/twinseal/homenet.ini /usr/share/twinseal/avatar/avatar.json \
         /usr/share/doc/twinseal/copyright; do
  grep -qx "$f" "$work/files" || fail "the package lacks $f"
done
for size in 16 24 32 48 64 128 256 512; do
  grep -qx "/usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png" "$work/files" ||
    fail "the package lacks the ${size}x${size} icon"
done
depends="$(dpkg-deb -f "$deb" Depends)"
for d in libc6 libssl3 libqt6core6 libqt6quick6 libopenxr-loader1 adduser qt6-qpa-plugins \
         qml6-module-qtquick-controls qml6-module-quick3d libqt6sql6-sqlite; do
  echo "$depends" | grep -Eq "(^|, )$d( |,|$)" || fail "Depends lacks $d: $depends"
done
dpkg-deb -I "$deb" conffiles | grep -qx /etc/twinseal/homenet.ini || fail "homenet.ini is not a conffile"
dpkg-deb -x "$deb" "$work/root"
for exe in twinseal twinsealctl twinseal-homenet; do
  if readelf -S "$work/root/usr/bin/$exe" | grep -q '\.symtab'; then fail "$exe is not stripped"; fi
done
appstreamcli validate --no-net "$work/root/usr/share/metainfo/$app_id.metainfo.xml"
desktop-file-validate "$work/root/usr/share/applications/$app_id.desktop" || fail "desktop-file-validate"
for page in man1/twinseal.1 man1/twinsealctl.1 man8/twinseal-homenet.8; do
  warnings="$(MANWIDTH=80 man --warnings -l "$work/root/usr/share/man/$page.gz" 2>&1 >/dev/null)"
  [ -z "$warnings" ] || fail "man page $page: $warnings"
done
say "contents, dependencies, desktop entry, metainfo and man pages checked"

# --- install --------------------------------------------------------------------------------
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$(realpath "$deb")" \
  >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get install"; }
[ "$(twinsealctl --version)" = "twinsealctl $version" ] || fail "twinsealctl --version: $(twinsealctl --version)"
[ "$(twinseal-homenet --version)" = "twinseal-homenet $version" ] || fail "twinseal-homenet --version"
QT_QPA_PLATFORM=offscreen twinseal --version 2>/dev/null | grep -qx "twinseal $version" || fail "twinseal --version"
user="$(sed -n 's/^User=//p' /usr/lib/systemd/system/$unit_name)"
group="$(sed -n 's/^Group=//p' /usr/lib/systemd/system/$unit_name)"
[ "$user" = twinseal-homenet ] || fail "the unit's User= is '$user'"
entry="$(getent passwd "$user")" || fail "the package did not create the user $user"
uid="$(echo "$entry" | cut -d: -f3)"
[ "$uid" -lt 1000 ] || fail "$user is not a system user (uid $uid)"
say "installed; twinsealctl --version: $(twinsealctl --version); user $user (uid $uid)"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify "/usr/lib/systemd/system/$unit_name" || fail "systemd-analyze verify"
  exposure="$(systemd-analyze security --offline=true "/usr/lib/systemd/system/$unit_name" 2>/dev/null | tail -n 1 || true)"
  if [ -n "$exposure" ]; then say "systemd-analyze security: $exposure"; fi
fi

# --- the service, as the operator sets it up (man twinseal-homenet) -------------------------
install -m 600 /dev/null "$passphrase"
head -c 32 /dev/urandom | base64 >"$passphrase"
twinseal-homenet init --data-dir "$state_dir" --passphrase-file "$passphrase" >/dev/null
chown -R "$user:" "$state_dir"
chmod 700 "$state_dir"
port="$(sed -n 's/^port *= *//p' /etc/twinseal/homenet.ini)"

https_get() {  # prints the status line of GET $1 on the service
  printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$1" |
    timeout 10 openssl s_client -quiet -connect "127.0.0.1:$port" -servername localhost 2>/dev/null |
    head -n 1 | tr -d '\r'
}
wait_listening() {
  for _ in $(seq 1 60); do
    [ "$(https_get /v1/info)" = "HTTP/1.1 200 OK" ] && return 0
    sleep 0.5
  done
  return 1
}

if [ -d /run/systemd/system ]; then
  say "systemd runs: systemctl start $unit_name"
  systemctl daemon-reload
  systemctl start "$unit_name"
  wait_listening || { journalctl -u "$unit_name" --no-pager | tail -n 20; fail "the service does not answer on port $port"; }
  main_user="$(stat -c %U "/proc/$(systemctl show -p MainPID --value "$unit_name")")"
  [ "$main_user" = "$user" ] || fail "the service runs as $main_user"
  systemctl stop "$unit_name"
  [ "$(systemctl show -p ExecMainStatus --value "$unit_name")" = 0 ] || fail "the service did not exit 0 on stop"
else
  say "systemd does not run here: the unit's ExecStart line as $user"
  exec_start="$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/$unit_name)"
  # What systemd provides: the state directory and the credential (a copy only the user reads).
  creds="$work/credentials"
  install -d -o "$user" -g "$group" -m 500 "$creds"
  install -o "$user" -g "$group" -m 400 "$passphrase" "$creds/passphrase"
  cmd="${exec_start//\$\{STATE_DIRECTORY\}/$state_dir}"
  cmd="${cmd//\$\{CREDENTIALS_DIRECTORY\}/$creds}"
  chmod 711 "$work"
  # shellcheck disable=SC2086 # the unit's command line, split as systemd splits it (no quotes there)
  setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs $cmd 2>"$work/service.log" &
  server_pid=$!
  wait_listening || { cat "$work/service.log"; fail "the service does not answer on port $port"; }
  [ "$(stat -c %U "/proc/$server_pid")" = "$user" ] || fail "the service runs as $(stat -c %U "/proc/$server_pid")"
  kill -TERM "$server_pid"
  rc=0; wait "$server_pid" || rc=$?
  server_pid=""
  [ "$rc" -eq 0 ] || { cat "$work/service.log"; fail "the service exited $rc on SIGTERM"; }
  grep -q '"event":"stopped"' "$work/service.log" || fail "the service did not log its stop"
fi
say "twinseal-homenet started through its unit, answered GET /v1/info over TLS, stopped cleanly"
say "ok"
