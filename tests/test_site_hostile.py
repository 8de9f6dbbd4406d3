"""The site under hostile names and queries, in headless Chromium (issue 25).

A model whose chapter ids are a URL scheme, a path out of the folder or one of the
site's own page names (the source reader refuses the first two; a model can come
from elsewhere) is written and opened: every file stays in the output folder, no
link has another scheme, index.html and search.html stay the site's own pages. The
pages run under their Content-Security-Policy (no violation, inline script blocked),
the search query is shown only as text, and fragments such as ``#constructor``
never resolve through Object.prototype.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from policybook.build import check
from policybook.writers.html import write
from policybook.writers.html.policy import CSP
from policybook.writers.html.server import make_server
from tests.test_html_browser import browser  # noqa: F401 - the fixture (one Chromium for these tests)

ROOT = Path(__file__).parent / "roots" / "basic"
HOSTILE_IDS = ["javascript:alert(1)//", "index", "../../escaped/x"]
WATCH = """
window.__violations = [];
window.__errors = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
window.addEventListener('error', e => window.__errors.push(String(e.message)));
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    top = tmp_path_factory.mktemp("hostile-site")
    source = top / "project"
    shutil.copytree(ROOT, source)
    chapter = source / "handbook" / "chapters" / "01.md"
    text = chapter.read_text(encoding="utf-8").replace("### 目的 {#art-purpose}", "### 目的$&$'$` {#constructor}")
    chapter.write_text(text, encoding="utf-8")
    doc = check(source / "handbook", ["a"], formats=[]).documents["a"]
    doc.chapters.append(doc.chapters[0])  # a third chapter: three hostile ids
    doc.chapters[0:3] = [_relabel(c, label) for c, label in zip(doc.chapters, HOSTILE_IDS, strict=True)]
    out = top / "out" / "a"
    write(doc, out)
    server = make_server(top / "out", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/a/html", out / "html"
    finally:
        server.close()
        thread.join(10)


def _relabel(chapter: Any, label: str) -> Any:
    import copy

    new = copy.copy(chapter)
    new.label = label
    return new


def watched(driver: Any) -> Any:
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH})
    return driver


def test_files_stay_inside_and_reserved_pages_stay(site: tuple[str, Path]) -> None:
    _base, html = site
    top = html.parent.parent.parent
    assert not (top / "escaped").exists()
    inside = {p.resolve() for p in html.rglob("*")}
    assert all(str(p).startswith(str(html.resolve())) for p in inside)
    assert not [p for p in html.iterdir() if ":" in p.name]
    index = (html / "index.html").read_text(encoding="utf-8")
    assert 'class="page-index"' in index  # the landing page, not a chapter
    assert f'content="{CSP}"'.replace("'", "&#39;") in index or "Content-Security-Policy" in index
    for page in html.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "javascript:" not in text.lower(), page.name
        assert "<script>" not in text, page.name  # no inline script at all


def test_no_link_leaves_the_site_or_runs_script(browser: Any, site: tuple[str, Path]) -> None:  # noqa: F811
    base, _html = site
    watched(browser).get(f"{base}/index.html")
    schemes = browser.execute_script(
        "return Array.from(document.querySelectorAll('a[href]')).map(a => a.protocol + ' ' + a.getAttribute('href'))"
    )
    assert schemes and all(s.split()[0] in ("http:", "https:", "mailto:") for s in schemes), schemes
    for link in browser.find_elements("css selector", "nav.side a"):
        assert not link.get_attribute("href").lower().startswith("javascript")
    first_chapter = browser.find_elements("css selector", "nav.side a")[1]  # the chapter labelled javascript:
    browser.execute_script("arguments[0].click()", first_chapter)
    assert browser.execute_script("return window.__violations") == []
    assert "/a/html/" in browser.current_url


def test_csp_holds_and_blocks_inline_script(browser: Any, site: tuple[str, Path]) -> None:  # noqa: F811
    base, _html = site
    for page in ("index.html", "appendices.html", "revisions.html", "search.html?q=%E8%BF%9F%E5%88%B0"):
        watched(browser).get(f"{base}/{page}")
        assert browser.execute_script("return window.__violations") == [], page
        assert browser.execute_script("return window.__errors") == [], page
    assert browser.execute_script("return window.PB_FIND('迟到').length") > 0  # scripts from files run
    browser.execute_script(
        "document.body.insertAdjacentHTML('beforeend', '<img src=\"x\" onerror=\"window.__ran = 1\">');"
        "var s = document.createElement('script'); s.textContent = 'window.__ran = 2'; document.body.appendChild(s);"
    )
    browser.implicitly_wait(0)
    import time

    time.sleep(0.5)  # let the image fail and the (blocked) handlers not run
    assert browser.execute_script("return window.__ran === undefined")
    assert any("script-src" in v for v in browser.execute_script("return window.__violations"))


@pytest.mark.parametrize(
    "query",
    ["$&$'$`$1", "<img src=x onerror=window.__ran=1>", "{n}{q}$$", "\u202e迟到", "constructor", "__proto__"],
)
def test_search_query_is_text(browser: Any, site: tuple[str, Path], query: str) -> None:  # noqa: F811
    from urllib.parse import quote

    base, _html = site
    watched(browser).get(f"{base}/search.html?q={quote(query)}")
    status = browser.find_element("id", "search-status").get_attribute("textContent")
    assert query.strip() in status
    assert browser.execute_script("return window.__ran === undefined && window.__errors.length === 0")
    assert browser.execute_script("return document.querySelectorAll('#search-status *').length") == 0


def test_title_with_dollar_patterns_found_as_written(browser: Any, site: tuple[str, Path]) -> None:  # noqa: F811
    base, _html = site
    watched(browser).get(f"{base}/search.html?q=%24%26%24'")
    titles = browser.execute_script(
        "return Array.from(document.querySelectorAll('.hit-title')).map(a => a.textContent)"
    )
    assert any("目的$&$'$`" in t for t in titles), titles


FRAGMENTS = ["__proto__", "toString", "valueOf", "hasOwnProperty", "__defineGetter__", "%E0%A4%A", "%00"]


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_fragment_never_resolves_through_prototype(browser: Any, site: tuple[str, Path], fragment: str) -> None:  # noqa: F811
    base, _html = site
    watched(browser).get(f"{base}/revisions.html#{fragment}")
    assert browser.current_url.split("#")[0].endswith("/revisions.html")
    assert browser.execute_script("return window.__errors") == []


def test_permanent_link_to_a_label_named_constructor(browser: Any, site: tuple[str, Path]) -> None:  # noqa: F811
    """An own entry named like an Object.prototype member still leads to its page."""
    base, _html = site
    watched(browser).get(f"{base}/revisions.html#constructor")
    assert not browser.current_url.split("#")[0].endswith("/revisions.html")
    assert browser.execute_script("return document.getElementById('constructor') !== null")
    assert browser.execute_script("return window.__errors") == []


def test_site_from_a_file_share_runs_under_its_policy(browser: Any, site: tuple[str, Path]) -> None:  # noqa: F811
    """Opened as file:// (a file share), the policy's 'self' still lets the site's own scripts run."""
    _base, html = site
    watched(browser).get((html / "search.html").as_uri() + "?q=%E8%BF%9F%E5%88%B0")
    assert browser.execute_script("return window.PB_FIND('迟到').length") > 0
    assert int(browser.find_element("id", "search-status").get_attribute("data-count")) > 0
    assert browser.execute_script("return window.__violations") == []
