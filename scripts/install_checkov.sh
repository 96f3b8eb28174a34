#!/usr/bin/env bash
# Install checkov into its own virtual environment (.tools/checkov).
#
# checkov pins dependencies that clash with the app's, so it never goes into .venv.
# checkov 3.3.30 pins pycep-parser 0.5.1, which cannot parse `extension` declarations or
# nested child resources; pycep-parser 0.7.1 is therefore installed over it with --no-deps.
# Idempotent: does nothing when the pinned versions are already present.
# UV: the path of a uv executable (the Makefile passes the project's): it installs instead of pip, faster.
set -euo pipefail

CHECKOV_VERSION="3.3.30"
PYCEP_VERSION="0.7.1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ROOT}/.tools/checkov"
PYTHON="${PYTHON:-python3}"
# pip, uv and checkov keep their caches inside the project (or skip them): nothing under $HOME.
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-${ROOT}/.cache/pip}" PIP_DISABLE_PIP_VERSION_CHECK=1
export UV_CACHE_DIR="${UV_CACHE_DIR:-${ROOT}/.cache/uv}"
UV="${UV:-}"

installed() {
  "${VENV}/bin/python" - "$CHECKOV_VERSION" "$PYCEP_VERSION" <<'PY' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(0 if (version("checkov"), version("pycep-parser")) == (sys.argv[1], sys.argv[2]) else 1)
PY
}

if [ -x "${VENV}/bin/checkov" ] && installed; then
  echo "checkov ${CHECKOV_VERSION} (pycep-parser ${PYCEP_VERSION}) already installed in ${VENV}"
  exit 0
fi

if [ -n "${UV}" ]; then
  [ -x "${VENV}/bin/python" ] || "${UV}" venv --quiet --python "${PYTHON}" "${VENV}"
  pip_install() { "${UV}" pip install --quiet --python "${VENV}/bin/python" "$@"; }
else
  [ -x "${VENV}/bin/python" ] || "${PYTHON}" -m venv "${VENV}"
  "${VENV}/bin/python" -m pip install --quiet --upgrade pip
  pip_install() { "${VENV}/bin/python" -m pip install --quiet "$@"; }
fi
pip_install "checkov==${CHECKOV_VERSION}"
pip_install --no-deps "pycep-parser==${PYCEP_VERSION}"
installed
echo "checkov ${CHECKOV_VERSION} (pycep-parser ${PYCEP_VERSION}) installed in ${VENV}"
