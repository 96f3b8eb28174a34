#!/usr/bin/env bash
# Install the browser the explorer's browser test drives: Debian's Chromium and its ChromeDriver
# (/usr/bin/chromium, /usr/bin/chromedriver). Nothing is downloaded outside the system's package manager.
#
# Idempotent: does nothing when both are installed. Where they cannot be installed (no apt-get, or
# neither root nor passwordless sudo), it says so and exits 0: the browser test then skips with the same
# message. Where installing is possible but fails, it exits 1 under CI=true (a CI run must not pass
# without the browser test quietly) and warns otherwise.
#
# BROWSER_CHROMIUM, BROWSER_CHROMEDRIVER and BROWSER_APT_GET replace the two paths and apt-get (for the
# script's own test, tests/infra/test_install_browser.py).
set -euo pipefail

CHROMIUM="${BROWSER_CHROMIUM:-/usr/bin/chromium}"
DRIVER="${BROWSER_CHROMEDRIVER:-/usr/bin/chromedriver}"
APT_GET="${BROWSER_APT_GET:-apt-get}"
PACKAGES=(chromium chromium-driver)

if [ -x "${CHROMIUM}" ] && [ -x "${DRIVER}" ]; then
  echo "browser: $(${CHROMIUM} --version 2>/dev/null || echo chromium) and chromedriver already installed"
  exit 0
fi

if ! command -v "${APT_GET}" >/dev/null 2>&1; then
  echo "browser: cannot install ${PACKAGES[*]}: no apt-get on this machine; the browser test will be skipped." >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  AS_ROOT=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  AS_ROOT=(sudo -n)
else
  echo "browser: cannot install ${PACKAGES[*]}: not root and no passwordless sudo; the browser test will be skipped" \
       "(install them yourself: sudo apt-get install ${PACKAGES[*]})." >&2
  exit 0
fi

echo "browser: installing ${PACKAGES[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
apt() { "${AS_ROOT[@]}" "${APT_GET}" -o DPkg::Lock::Timeout=300 "$@"; }
apt -qq update || true   # an outdated list may still install; the result is checked below
apt -qq install -y --no-install-recommends "${PACKAGES[@]}" >/dev/null || true
if [ -x "${CHROMIUM}" ] && [ -x "${DRIVER}" ]; then
  echo "browser: $(${CHROMIUM} --version 2>/dev/null || echo chromium) and chromedriver installed"
  exit 0
fi
if [ "${CI:-}" = "true" ]; then
  echo "browser: installing ${PACKAGES[*]} failed (apt-get is available); failing under CI=true." >&2
  exit 1
fi
echo "browser: installing ${PACKAGES[*]} failed; the browser test will be skipped." >&2
exit 0
