#!/usr/bin/env bash
# One-time set-up for development and CI on Debian: system packages, npm packages, build.
set -euo pipefail
cd "$(dirname "$0")/.."

# ffmpeg: writes .mp3, .ogg/.opus and .flac files (decision 0021); WAV needs nothing.
apt_packages=(chromium alsa-utils libasound2 sox espeak-ng python3 util-linux speech-dispatcher ffmpeg)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Electron 45 and electron-builder's helpers (@electron/asar, @electron/get, @electron/rebuild, node-abi) declare
# Node >= 22.12: they are needed only to run and package the tray app. On Node 20.19 npm prints one EBADENGINE
# warning per package; they are summed up in one line instead (README: "Set up and test").
log=$(mktemp)
npm ci --no-audit --no-fund 2>"$log" || { cat "$log" >&2; rm -f "$log"; exit 1; }
grep -v 'EBADENGINE' "$log" >&2 || true
engines=$(grep -c "EBADENGINE Unsupported engine" "$log" || true)
rm -f "$log"
if [ "${engines:-0}" -gt 0 ]; then
  echo "note: $engines development packages (Electron and its packaging tools) ask for Node >= 22.12; on $(node --version) everything but 'npm start' and packaging works" >&2
fi
npm run build
