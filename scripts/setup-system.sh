#!/usr/bin/env bash
# Install the Debian packages policybook needs, only those that are missing.
#   fonts-noto-cjk            Noto Serif/Sans CJK (body and heading fonts)
#   poppler-utils, qpdf       pdftotext/pdffonts/pdftoppm and qpdf --check (tests)
#   poppler-data              Poppler's CJK CMaps: form fields name a standard Adobe-GB1 font
#   pdftk-java                pdftk as a real programmatic form filler (tests)
#   fonts-urw-base35          the standard 14 fonts (ZapfDingbats ticks other viewers write) for Poppler
#   libreoffice-writer-nogui  DOCX pagination and the "real client" check of DOCX output
#   libreoffice-calc-nogui    the ledger's XLSX reports opened in a real spreadsheet (tests/data/ledger exports)
#   chromium, chromium-driver the HTML site tested in a real browser (tests)
#   postgresql                the 签收 ledger tested against a real PostgreSQL server (tests)
#   nodejs, npm               pdf.js (pdfjs-dist) as a real PDF client for forms (tests)
set -euo pipefail

missing=()
# (grep without -q: with pipefail, -q would stop early and fail fc-list with SIGPIPE)
fc-list 2>/dev/null | grep "Noto Serif CJK SC" >/dev/null || missing+=(fonts-noto-cjk fontconfig)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v qpdf >/dev/null || missing+=(qpdf)
[ -f /usr/share/poppler/cMap/Adobe-GB1/UniGB-UCS2-H ] || missing+=(poppler-data)
fc-list 2>/dev/null | grep "D050000L" >/dev/null || missing+=(fonts-urw-base35)
command -v soffice >/dev/null || missing+=(libreoffice-writer-nogui)
[ -e /usr/lib/libreoffice/program/libsclo.so ] || missing+=(libreoffice-calc-nogui)
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v pdftk >/dev/null || missing+=(pdftk-java)
# `make bench` also wants Pandoc, the baseline HR would otherwise use for DOCX
if [ "${1:-}" = "--bench" ]; then command -v pandoc >/dev/null || missing+=(pandoc); fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup: please install these Debian packages first: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
