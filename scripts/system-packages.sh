#!/usr/bin/env bash
# The Debian packages the portal needs outside Python, in one list used by `make run`,
# `make test` and `.ci/run`. Installs what is missing when it can (root, or sudo without
# a password prompt); otherwise stops with the exact command to run.
#
#   scripts/system-packages.sh          PDFs (WeasyPrint), PDF reading, browser journeys
#   scripts/system-packages.sh --ci     the same plus PostgreSQL and Redis (CI services)
set -euo pipefail

# WeasyPrint's libraries (harfbuzz-subset: without it PDFs render 4x slower and warn)
# and a font; poppler for the tests that read PDFs back; Debian's Chromium for the
# browser journeys; make and venv for the two README commands.
PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0
  fonts-dejavu-core poppler-utils chromium make python3-venv)
if [[ "${1:-}" == "--ci" ]]; then
  PACKAGES+=(postgresql redis-server)
elif [[ -n "${1:-}" ]]; then
  echo "usage: $0 [--ci]" >&2
  exit 2
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "system-packages: not a Debian system; make sure the equivalents of these are" \
    "installed: ${PACKAGES[*]}" >&2
  exit 0
fi

MISSING=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || MISSING+=("$package")
done
if (( ${#MISSING[@]} == 0 )); then
  exit 0
fi

INSTALL=(apt-get install -y -qq --no-install-recommends "${MISSING[@]}")
if [[ "$(id -u)" == 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  {
    echo "Paquets système manquants : ${MISSING[*]}"
    echo "Installez-les avec :"
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${MISSING[*]}"
  } >&2
  exit 1
fi

echo "Installation des paquets système : ${MISSING[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive "${INSTALL[@]}" >/dev/null
