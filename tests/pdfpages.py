"""Text of a PDF through poppler: per page (pdftotext -f N -l N) for the layout tests of issue 17, and whole once
its CJK font is seen embedded."""

import re
import shutil
import subprocess
import tempfile

import pytest

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


def pages(content: bytes) -> list[str]:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        info = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True, check=True).stdout
        count = int(re.search(r"Pages:\s+(\d+)", info).group(1))
        return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), f.name, "-"],
                               capture_output=True, text=True, check=True).stdout for n in range(1, count + 1)]


def stranded(texts: list[str], *, table_words: tuple[str, ...]) -> list[str]:
    """The pages (as "page N: text") that show none of ``table_words`` (a table's header or a title): a page
    of only a footer, a subtotal or a signature block."""
    return [f"page {n}: {' '.join(t.split())[:200]}" for n, t in enumerate(texts, start=1)
            if not any(w in t for w in table_words)]


def cjk_text(content: bytes) -> str:
    """The text of a PDF (pdftotext -layout), once pdffonts shows its CJK font embedded (the "emb" column), so the
    Chinese reads the same on a machine without the font."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        fonts = subprocess.run(["pdffonts", f.name], capture_output=True, text=True, check=True).stdout
        # poppler may print the embedded name with hyphens ("XXXXXX+Source-Han-Sans-SC")
        cjk = [line for line in fonts.replace("-", "").splitlines() if "SourceHanSans" in line or "CJK" in line]
        assert cjk, fonts
        assert all(line.split()[-5] == "yes" for line in cjk), fonts
        return subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, text=True,
                              check=True).stdout


FOOTER = re.compile(r"^第\s*\d+\s*页")


def last_lines(texts: list[str]) -> list[str]:
    """The last line of each page but the page-number footer: a heading or a table's header row there means
    it was left behind by its rows."""
    out = []
    for text in texts:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not FOOTER.match(ln.strip())]
        out.append(lines[-1] if lines else "")
    return out
