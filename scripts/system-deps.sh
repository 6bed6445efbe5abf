#!/usr/bin/env bash
# Debian packages for the browser (Chromium) and document (LibreOffice, poppler) tests, CJK fonts, and wrk (bench).
# Installs what is missing when run as root with apt-get; otherwise only reports, and the test run names
# the groups it skips (with CI=true nothing may be skipped, so the run fails instead).
set -u
packages=(chromium chromium-driver libreoffice-writer-nogui poppler-utils fonts-noto-cjk fonts-arphic-ukai wrk)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Not installed (tests that need them will be skipped): ${missing[*]}"
fi
exit 0
