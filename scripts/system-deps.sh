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
# FangSong (仿宋) for the PDFs of official documents: FandolFang, unpacked from Debian's texlive-lang-chinese .deb
# (TeX itself is not installed) into the system font directory that fontconfig reads.
FANDOL_DIR=/usr/local/share/fonts/fandol
fandol() {
  [ -f "$FANDOL_DIR/FandolFang-Regular.otf" ] && return 0
  echo "Unpacking FandolFang (仿宋) from texlive-lang-chinese"
  local work
  work=$(mktemp -d)
  (cd "$work" && apt-get download -qq texlive-lang-chinese 2>/dev/null \
    && dpkg-deb --fsys-tarfile texlive-lang-chinese_*.deb \
       | tar -x --wildcards '*/fandol/FandolFang-*.otf' \
    && mkdir -p "$FANDOL_DIR" && cp usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/FandolFang-*.otf "$FANDOL_DIR/" \
    && fc-cache -f "$FANDOL_DIR" >/dev/null) || echo "FandolFang not installed: PDFs use Noto Serif CJK SC for 仿宋"
  rm -rf "$work"
}
root_apt=false
[ "$(id -u)" = "0" ] && command -v apt-get >/dev/null && root_apt=true
if [ ${#missing[@]} -gt 0 ]; then
  if $root_apt; then
    echo "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Not installed (tests that need them will be skipped): ${missing[*]}"
  fi
fi
if $root_apt; then
  fandol
elif [ ! -f "$FANDOL_DIR/FandolFang-Regular.otf" ]; then
  echo "FandolFang (仿宋) not installed: run make as root with apt to unpack it"
fi
exit 0
