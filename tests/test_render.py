"""A page built with the book's own configuration renders offline in headless Chromium:
math typeset by the local MathJax, figures present, no raw $$ left, citations resolved, a code
line of 88 characters (the chapters' limit) not clipped at a laptop width, the chapter summary
box drawn as a box, and the page drawn at a phone width."""
from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

PAGE = r"""# Rendering check

Inline math $H[s] = -\sum_s \frac{k_s}{M}\log_2 \frac{k_s}{M}$ and a display:

$$
H[k] = -\sum_k \frac{k\, m_k}{M} \log_2 \frac{k\, m_k}{M}
$$ (eq-relevance)

Equation {eq}`eq-relevance` is the relevance {cite:p}`song2018resolution`.

```{figure} figure.png
:name: fig-check

A figure (Fig. 2a of the paper).
```

A code line as wide as the style check allows (88 characters):

```python
LINE
```

(report-p1)=
## The report's rows (the summary box links here)

SUMMARY_BOX

```{raw} html
<script>
window.addEventListener("load", () => setTimeout(() => {
  const pre = [...document.querySelectorAll("pre")];
  const wide = pre.filter(p => p.scrollWidth > p.clientWidth + 1).length;
  document.body.setAttribute("data-overflowing-code", String(wide));
  document.body.setAttribute("data-code-blocks", String(pre.length));
  document.body.setAttribute("data-code-width", pre.map(p => p.scrollWidth + "/" + p.clientWidth).join(","));
}, 500));
</script>
```

```{bibliography}
```
"""


def _serve(directory: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(directory))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (make sysdeps installs Debian's chromium)")
def test_page_renders_math_offline(tmp_path):
    mathjax = ROOT / "_static" / "mathjax" / "tex-chtml.js"
    assert mathjax.is_file(), "MathJax is missing: run `make setup` (fetches npm mathjax into _static/mathjax)"
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(ROOT / "_config.yml", book / "_config.yml")
    (book / "book").mkdir()
    shutil.copy(ROOT / "book" / "references.bib", book / "book" / "references.bib")
    (book / "_static").symlink_to(ROOT / "_static")
    (book / "_toc.yml").write_text("format: jb-book\nroot: page\n")
    from deepinfo.report import summary_box

    doc = {"paper": "P1", "chapter": "page", "preset": "smoke", "seed": 0, "scale": {"M": 100},
           "claims": [{"id": "P1.a", "kind": "paper", "status": "holds"}]}
    line = "x = " + "1 + " * 21  # an 88-character line
    line = (line + "1" * 88)[:88]
    (book / "page.md").write_text(PAGE.replace("LINE", line).replace("SUMMARY_BOX", summary_box(doc)))
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, 1])
    fig.savefig(book / "figure.png")
    plt.close(fig)
    from deepinfo.run import jupyter_book_command

    proc = subprocess.run([*jupyter_book_command(), "build", str(book), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    html_dir = book / "_build" / "html"
    page_html = (html_dir / "page.html").read_text()
    assert "cdn.jsdelivr" not in page_html and "_static/mathjax/tex-chtml.js" in page_html

    httpd = _serve(html_dir)
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/page.html"

        def chromium(*extra):
            return subprocess.run(
                [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={tmp_path / 'chrome'}", "--virtual-time-budget=15000", *extra, url],
                capture_output=True, text=True, timeout=120).stdout

        dom = chromium("--window-size=1280,900", "--dump-dom")  # a laptop
        chromium("--window-size=400,900", f"--screenshot={tmp_path / 'phone.png'}")  # a phone: the page still draws
        chromium("--window-size=1280,900", f"--screenshot={tmp_path / 'laptop.png'}")
    finally:
        httpd.shutdown()
    assert (tmp_path / "phone.png").is_file() and (tmp_path / "phone.png").stat().st_size > 1000
    assert 'data-overflowing-code="0"' in dom and 'data-code-blocks="0"' not in dom, \
        "a code line of 88 characters is clipped at 1280 px"
    assert "At a glance" in dom and "admonition" in dom  # the chapter summary box renders as a box
    assert "<mjx-container" in dom, "MathJax did not typeset the page"
    assert len(re.findall(r"<mjx-container", dom)) >= 2        # the inline and the display equation
    body = re.sub(r"<script.*?</script>", "", dom, flags=re.S)
    assert "$$" not in body and "\\sum" not in re.sub(r"<mjx-assistive-mml.*?</mjx-assistive-mml>", "", body,
                                                      flags=re.S)
    assert re.search(r"<img[^>]+figure\.png", dom), "the figure is not on the page"
    assert "Song" in dom and "Fig. 1" in dom                   # citation resolved, figure numbered
