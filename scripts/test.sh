#!/bin/sh
# Install everything the tests need, then run the linter and the whole test suite.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install.sh dev
.venv/bin/ruff check .
exec .venv/bin/python -m pytest "$@"
