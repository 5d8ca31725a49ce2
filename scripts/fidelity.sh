#!/usr/bin/env bash
# Extraction fidelity benchmark: Docket's text against reference tools on a real-world corpus
# (public test fixtures of kept projects from PyPI and crates.io, plus Debian's documentation
# on this machine). Reports per format: files read, failed with the reason, silently empty,
# U+FFFD where the reference has none, mean word recall and precision. Results go into
# docs/benchmarks.md ("Extraction fidelity").
#
#   scripts/fidelity.sh [--format pdf ...] [--json FILE] [--worst N]
#
# Needs the network (the first run downloads the corpus into ~/.cache/docket/fidelity), python3
# (a cached virtualenv with BeautifulSoup, python-docx and Python-Markdown) and pdftotext (Debian's
# poppler-utils). Not part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${DOCKET_BIN:-target/debug/docket}"
cache="${DOCKET_FIDELITY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/docket/fidelity}"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/docket/fidelity-venv-2"

if ! command -v pdftotext >/dev/null; then
  echo "pdftotext is missing: apt-get install poppler-utils" >&2
  exit 2
fi
if [ ! -x "$venv/bin/python" ]; then
  echo "installing the reference tools into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "beautifulsoup4==4.13.4" "python-docx==1.2.0" "markdown==3.7"
fi
[ -x "$bin" ] || cargo build -p docket --locked

exec "$venv/bin/python" scripts/fidelity/fidelity.py --docket "$bin" --cache "$cache" "$@"
