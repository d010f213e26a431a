#!/usr/bin/env bash
# Install the Debian packages the tests need (PostgreSQL server, Chromium) and PDF
# bulletins need at run time (Pango for WeasyPrint, a font with Arabic glyphs) if absent,
# and poppler-utils (pdftoppm, pdftotext), which the bulletin tests read PDFs with; Go and
# golang.org/x/mod, which tests/interop checks our transparency-log tiles with;
# with --bench, also the HTTP load generator the benchmarks use (wrk).
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
for lib in libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core golang-go \
    golang-golang-x-mod-dev; do
  dpkg-query -W -f='${Status}' "$lib" 2>/dev/null | grep -q "ok installed" || need+=("$lib")
done
if [ "${1:-}" = "--bench" ]; then command -v wrk >/dev/null || need+=(wrk); fi
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]}; install them with: sudo apt-get install -y ${need[*]}" >&2
  exit 1
fi
echo "installing Debian packages: ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
