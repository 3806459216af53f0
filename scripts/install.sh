#!/bin/sh
# Install Routix into ./.venv, with the Debian packages its renderer needs.
#   sh scripts/install.sh        the bot
#   sh scripts/install.sh dev    the bot and everything the tests need (tesseract for the legibility test,
#                                docker-compose to validate compose.yaml)
set -eu
cd "$(dirname "$0")/.."
extra="${1:-}"

packages="fonts-dejavu-core fonts-noto-core fonts-farsiweb libfribidi0 libraqm0"
[ "$extra" = "dev" ] && packages="$packages tesseract-ocr tesseract-ocr-eng tesseract-ocr-fas docker-compose"

if command -v apt-get >/dev/null 2>&1 && command -v dpkg >/dev/null 2>&1; then
  missing=""
  for package in $packages; do
    dpkg -s "$package" >/dev/null 2>&1 || missing="$missing $package"
  done
  python3 -c "import ensurepip" 2>/dev/null || missing="$missing python3-venv"  # Debian splits venv out
  if [ -n "$missing" ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "Installing system packages:$missing"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
  fi
else
  echo "No apt-get here: install fonts (DejaVu, Noto, a Persian font), fribidi and raqm with your package manager." >&2
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "$extra" = "dev" ]; then
  .venv/bin/python -m pip install --quiet -e ".[dev]"
else
  .venv/bin/python -m pip install --quiet -e .
fi
echo "Routix is installed: .venv/bin/routix --help"
