"""HTML site in a real browser: headless Chromium (Debian chromium + chromedriver) via selenium.

The sample's sites are built once and served on 127.0.0.1 (the same server as
``policybook serve``); one browser for the whole session. Missing chromium or
chromedriver is a failure, not a skip: the site's search and layout are only
proven in a browser.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from policybook.build import check
from policybook.dates import long_date
from policybook.language import language
from policybook.language import of as language_of
from policybook.model import Article, Document
from policybook.writers.html import write
from policybook.writers.html.server import make_server
from policybook.writers.html.site import article_text

REPO = Path(__file__).parent.parent
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
# HR terms employees search for; the expected hits come from the model's text
TERMS = [
    "年休假", "病假", "事假", "婚假", "产假", "陪产假", "丧假", "育儿假", "请假", "加班",
    "迟到", "早退", "旷工", "补卡", "考勤", "试用期", "劳动合同", "解除劳动合同", "工资", "社会保险",
    "住房公积金", "绩效", "申诉", "警告", "记过", "保密", "知识产权", "培训", "服务期", "安全",
    "工伤", "投诉", "客户", "交接班", "奖励", "人力资源部", "总经理", "部门负责人", "签收", "附件",
]  # fmt: skip
SITES = ("sh", "sz", "hk")
PHONE, DESKTOP = 360, 1280


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Document]]]:
    """The sample's sites under one local server: http://127.0.0.1:PORT/<sub>/html/…"""
    out = tmp_path_factory.mktemp("site")
    docs = check(REPO / "handbook", SITES, formats=[]).documents
    for sub_id, doc in docs.items():
        write(doc, out / sub_id)
    server = make_server(out, 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}", docs
    finally:
        server.close()
        thread.join(10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: install chromium and chromium-driver (scripts/setup-system.sh)")
    os.environ["SE_OFFLINE"] = "true"  # selenium-manager must never download a browser or driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="policybook-chromium-")
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def viewport(driver: Any, width: int, height: int = 800) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def full_text(article: Article) -> str:
    return f"{article.number} {article.title}\n{article_text(article)}"


def test_landing_page(browser: Any, served: tuple[str, dict[str, Document]]) -> None:
    base, docs = served
    viewport(browser, DESKTOP)
    browser.get(f"{base}/sh/html/index.html")
    doc = docs["sh"]
    assert browser.execute_script("return document.documentElement.lang") == "zh-CN"
    body = browser.find_element("tag name", "main").text
    for value in (doc.meta.title, doc.meta.version, long_date(doc.meta.effective), doc.subsidiary.name):
        assert value in body.replace(" ", "") or value in body
    logo_width = browser.execute_script("return document.querySelector('.cover-logo').naturalWidth")
    assert logo_width > 0, "the logo did not load"


def test_cross_reference_is_followed(browser: Any, served: tuple[str, dict[str, Document]]) -> None:
    base, docs = served
    browser.get(f"{base}/sz/html/ch-leave.html")
    link = browser.find_element("css selector", "#art-leave-apply a.xref[href='appendices.html#leave-request']")
    shown = link.text
    link.click()
    assert browser.current_url.endswith("/sz/html/appendices.html#leave-request")
    heading = browser.find_element("css selector", "#leave-request h2").text
    number = next(a.number for a in docs["sz"].appendices if a.form.id == "leave-request")
    assert number in shown and number in heading
    target = browser.execute_script("return document.querySelector(':target').id")
    assert target == "leave-request"


def test_permanent_link_finds_the_article_on_its_page(browser: Any, served: tuple[str, dict[str, Document]]) -> None:
    base, _docs = served
    browser.get(f"{base}/sh/html/index.html#art-leave-apply")
    assert browser.current_url.endswith("/sh/html/ch-leave.html#art-leave-apply")


def test_skip_link_and_focus(browser: Any, served: tuple[str, dict[str, Document]]) -> None:
    from selenium.webdriver.common.keys import Keys

    base, _docs = served
    browser.get(f"{base}/hk/html/ch-leave.html")
    browser.find_element("tag name", "body").send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    assert "skip" in active.get_attribute("class")
    assert browser.execute_script("return arguments[0].getBoundingClientRect().top >= 0", active)
    outline = browser.execute_script("return getComputedStyle(arguments[0]).outlineStyle", active)
    assert outline != "none", "the focused skip link shows no focus ring"
    active.send_keys(Keys.ENTER)
    assert browser.switch_to.active_element.get_attribute("id") == "main"


def found_ids(browser: Any, query: str) -> list[str]:
    """Type ``query`` into the open search page's field, submit, and read the result list."""
    return browser.execute_script(  # type: ignore[no-any-return]
        "const q = document.getElementById('q'); q.value = arguments[0];"
        "document.getElementById('search-form').requestSubmit();"
        "return Array.from(document.querySelectorAll('#results li')).map(li => li.dataset.id)",
        query,
    )


def site_ids(browser: Any, base: str, sub: str) -> dict[str, str]:
    """article number → element id, as the site's index has it."""
    browser.get(f"{base}/{sub}/html/search.html")
    pairs = browser.execute_script("return window.PB_SEARCH.docs.map(d => [d[2], d[0]])")
    return dict(pairs)


@pytest.mark.parametrize("sub", SITES)
def test_search_finds_every_article_containing_the_term(
    browser: Any, served: tuple[str, dict[str, Document]], sub: str
) -> None:
    """Recall on the term list, in the site's own script and (zh-Hant) in Simplified too."""
    base, docs = served
    doc = docs[sub]
    convert = language_of(doc.meta, doc.subsidiary).words  # the variant's phrase converter
    ids = site_ids(browser, base, sub)
    articles = [a for c in doc.chapters for a in c.articles()]
    expected_total = found_total = 0
    for term in TERMS:
        local = convert(term)
        expected = {ids[a.number] for a in articles if local in full_text(a)}
        queries = {local, term}  # a Hong Kong reader may type Simplified, a Shanghai reader Traditional
        queries.add(language("zh-Hant", "HK").words(term))
        for query in queries:
            found = set(found_ids(browser, query))
            missed = expected - found
            assert not missed, f"{sub}: '{query}' missed {sorted(missed)}"
            expected_total += len(expected)
            found_total += len(expected & found)
    print(f"recall {sub}: {len(TERMS)} terms, {expected_total} expected article hits, {found_total} found")
    assert expected_total > 200, "the term list hardly occurs in the text"
    assert found_total == expected_total  # recall 100 %


def test_search_results_contain_the_term(browser: Any, served: tuple[str, dict[str, Document]]) -> None:
    """No false hits: every result's text holds the query (after the site's own folding)."""
    base, docs = served
    browser.get(f"{base}/hk/html/search.html?q=%E8%AF%B7%E5%81%87")  # 请假, Simplified, on a Traditional site
    status = browser.find_element("id", "search-status").text
    hits = browser.execute_script("return window.PB_FIND('请假')")
    assert hits and str(len(hits)) in status
    texts = browser.execute_script(
        "const f = window.PB_SEARCH.fold; const fold = s => Array.from(s).map(c => f[c] || c).join('');"
        "return window.PB_SEARCH.docs.filter(d => arguments[0].includes(d[0]))"
        ".map(d => fold(d[2] + ' ' + d[3] + '\\n' + d[5]))",
        hits,
    )
    assert all("请假" in t for t in texts)
    marks = browser.execute_script(
        "return Array.from(document.querySelectorAll('#results mark')).map(m => m.textContent)"
    )
    assert marks and all(m == "請假" for m in marks)


def pixels_vary(png: bytes) -> float:
    from PIL import Image, ImageStat

    image = Image.open(io.BytesIO(png)).convert("L")
    return float(ImageStat.Stat(image).stddev[0])


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize(
    "sub,page", [("sh", "index.html"), ("sh", "ch-leave.html"), ("hk", "ch-leave.html"), ("hk", "search.html?q=請假")]
)
def test_screenshots_not_blank_and_no_sideways_scroll(
    browser: Any, served: tuple[str, dict[str, Document]], sub: str, page: str, width: int
) -> None:
    base, _docs = served
    viewport(browser, width, 1400)
    browser.get(f"{base}/{sub}/html/{page}")
    png = browser.get_screenshot_as_png()
    keep = os.environ.get("POLICYBOOK_SCREENSHOTS")
    if keep:
        name = f"{sub}-{page.split('?')[0].removesuffix('.html')}-{width}.png"
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / name).write_bytes(png)
    assert pixels_vary(png) > 20, "the screenshot is (nearly) blank"
    overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px"
    viewport(browser, DESKTOP)


COLUMNS_JS = """
return [...document.querySelectorAll('main table')].map(t => {
  const n = t.rows[0].cells.length;
  return [...t.rows[0].cells].map((head, i) => {
    const style = getComputedStyle(head);
    const inner = head.getBoundingClientRect().width - 2 * parseFloat(style.paddingLeft);
    const texts = [...t.rows].filter(r => r.cells.length === n).map(r => r.cells[i].textContent.trim().length);
    return [Math.round(10 * inner / parseFloat(style.fontSize)) / 10, Math.max(...texts)];
  });
});
"""


def test_table_columns_stay_readable_on_a_phone(browser: Any, served: tuple[str, dict[str, Document]]) -> None:
    """At 360 px no table column with text is squeezed below five characters (it was squeezed to
    three; a wide table scrolls sideways inside its frame instead); the page never does."""
    base, docs = served
    viewport(browser, PHONE, 1400)
    narrow = []
    for sub in SITES:
        for chapter in docs[sub].chapters:
            browser.get(f"{base}/{sub}/html/{chapter.anchor}.html")
            columns = browser.execute_script(COLUMNS_JS)  # [width in em, longest text in characters]
            narrow += [(sub, chapter.anchor, w, n) for table in columns for w, n in table if w < min(n, 5) - 0.6]
    assert not narrow, f"columns narrower than their text needs (up to 5 characters) at {PHONE}px: {narrow}"
    assert browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth") <= 0
    viewport(browser, DESKTOP)
