#!/usr/bin/env bash
# Build the standalone app into dist/briefreader/ and smoke-test it.
#
# PyInstaller is a build-time dependency only: it goes into its own environment
# (.venv-build, with the app's pinned dependencies and the `build` extra), never into the
# app or the development .venv. Re-running reuses that environment until pyproject.toml
# changes. Set SMOKE=0 to skip the smoke test.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=.venv-build
STAMP=$VENV/.installed

if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  echo "build: preparing $VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet '.[build]'
  touch "$STAMP"
fi

echo "build: running PyInstaller on briefreader.spec"
start=$(date +%s)
"$VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN briefreader.spec
if [ "$(uname -s)" = Linux ]; then
  # The one folder carries its own desktop-integration installer.
  install -m 755 packaging/install-linux.sh dist/briefreader/install-linux.sh
fi
echo "build: done in $(( $(date +%s) - start )) s; dist/briefreader is $(du -sh dist/briefreader | cut -f1)"

if [ "${SMOKE:-1}" != 0 ]; then
  packaging/smoke.sh
fi
