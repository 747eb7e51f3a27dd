#!/usr/bin/env bash
# Renders the application icon (resources/app-icon/twinseal.svg) to the PNG sizes of the
# freedesktop hicolor theme, as committed beside it: drawn 4x larger, then scaled down.
# Needs ImageMagick (Debian: imagemagick). Run from anywhere: bash resources/tools/make_app_icons.sh
set -euo pipefail
dir="$(cd "$(dirname "$0")/../app-icon" && pwd)"
for size in 16 24 32 48 64 128 256 512; do
  convert -background none -density $((96 * size / 64)) "$dir/twinseal.svg" \
    -resize "${size}x${size}" -depth 8 -strip "PNG32:$dir/twinseal-$size.png"
done
