#!/usr/bin/env bash
# Installs everything xxgk-archive needs on a fresh Debian machine (idempotent, quick when done):
# Debian packages for DOC/WPS conversion (LibreOffice), CJK fonts, headless Chromium for the site
# tests, Redis for distributed crawling, systemd (systemd-analyze checks deploy/systemd), Tesseract's
# Chinese models for image-only reports; then this project with its pinned Python dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(libreoffice-writer-nogui fonts-noto-cjk fonts-wqy-zenhei chromium chromium-driver redis-server systemd
              tesseract-ocr tesseract-ocr-chi-sim)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
