#!/usr/bin/env bash
# One-time set-up for development and CI on Debian: system packages, npm packages, build.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(chromium alsa-utils libasound2 sox espeak-ng python3 util-linux speech-dispatcher)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

npm ci --no-audit --no-fund
npm run build
