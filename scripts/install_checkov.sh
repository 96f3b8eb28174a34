#!/usr/bin/env bash
# Install checkov into its own virtual environment (.tools/checkov).
#
# checkov pins dependencies that clash with the app's, so it never goes into .venv.
# checkov 3.3.30 pins pycep-parser 0.5.1, which cannot parse `extension` declarations or
# nested child resources; pycep-parser 0.7.1 is therefore installed over it with --no-deps.
# Idempotent: does nothing when the pinned versions are already present.
set -euo pipefail

CHECKOV_VERSION="3.3.30"
PYCEP_VERSION="0.7.1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ROOT}/.tools/checkov"
PYTHON="${PYTHON:-python3}"
# pip and checkov keep their caches inside the project (or skip them): nothing under $HOME.
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-${ROOT}/.cache/pip}" PIP_DISABLE_PIP_VERSION_CHECK=1

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

if [ ! -x "${VENV}/bin/python" ]; then
  "${PYTHON}" -m venv "${VENV}"
fi
"${VENV}/bin/python" -m pip install --quiet --upgrade pip
"${VENV}/bin/python" -m pip install --quiet "checkov==${CHECKOV_VERSION}"
"${VENV}/bin/python" -m pip install --quiet --no-deps "pycep-parser==${PYCEP_VERSION}"
installed
echo "checkov ${CHECKOV_VERSION} (pycep-parser ${PYCEP_VERSION}) installed in ${VENV}"
