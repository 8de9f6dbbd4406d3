"""民主程序与公示 and 导入审阅意见 in a real browser (headless Chromium): the publisher's page with a
consultation under way, the editor uploading a reviewed DOCX through the form; each page looked at
1280 and 768 px wide (``POLICYBOOK_SCREENSHOTS=folder`` keeps the screenshots)."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.studio_support import Studio, make_studio, token
from tests.test_html_browser import browser, viewport  # noqa: F401 - the session's one browser
from tests.test_studio_browser import _serve, loaded, login, main_text, mark
from tests.test_studio_review_import import reviewed  # noqa: F401 - the lawyer's DOCX

SHOTS = os.environ.get("POLICYBOOK_SCREENSHOTS", "")


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Studio:
    return make_studio(tmp_path_factory.mktemp("procedure-browser"), release_formats=("pdf",))


def opinions_and_meeting(studio: Studio, until: str) -> None:
    publisher = studio.client("qian")
    csrf = token(publisher.get("/procedure/3.2").get_data(as_text=True))
    for path, data in [
        (
            "opinion",
            {"who": "陈静", "article": "art-late", "opinion": "<script>alert(1)</script>罚款过高", "answer": "维持"},
        ),
        ("meeting", {"kind": "congress", "held": until, "attendees": "45", "resolution": "讨论通过修订草案"}),
    ]:
        assert publisher.post(f"/procedure/3.2/{path}", data={**data, "csrf_token": csrf}).status_code == 302


@pytest.fixture
def served(studio: Studio) -> Iterator[str]:
    yield from _serve(studio)


def shots(driver: Any, name: str, folder: Path) -> None:
    """The page at 1280 and 768 px: nothing wider than the window, and a screenshot of each."""
    target = Path(SHOTS) if SHOTS else folder
    target.mkdir(parents=True, exist_ok=True)
    for width in (1280, 768):
        viewport(driver, width, 1000)
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} at {width} px is {overflow} px too wide"
        height = driver.execute_script("return document.documentElement.scrollHeight")
        viewport(driver, width, min(int(height), 5000))  # the whole page in one picture
        driver.save_screenshot(str(target / f"{name}-{width}.png"))


def test_the_two_pages_in_a_browser(
    browser: Any,  # noqa: F811
    studio: Studio,
    served: str,
    reviewed: bytes,  # noqa: F811
    tmp_path: Path,
) -> None:
    login(browser, served, "qian")
    browser.get(f"{served}/procedure/")
    assert "尚未公开征求意见" in main_text(browser)
    shots(browser, "procedure-open", tmp_path)
    until = (datetime.date.today() + datetime.timedelta(days=14)).isoformat()
    browser.execute_script("document.querySelector('[name=until]').value = arguments[0]", until)
    mark(browser)
    browser.find_element(By.XPATH, "//main//button[normalize-space()='公开征求意见']").click()
    loaded(browser)
    assert "征求意见稿已生成" in main_text(browser)
    opinions_and_meeting(studio, until)
    browser.get(f"{served}/procedure/")
    text = main_text(browser)
    assert "发布前还缺什么" in text and "<script>alert(1)</script>罚款过高" in text and "职工代表大会" in text
    assert browser.execute_script("return window.alerted === undefined")
    shots(browser, "procedure", tmp_path)

    login(browser, served, "li")
    browser.get(f"{served}/review-import/")
    docx = tmp_path / "审阅稿.docx"
    docx.write_bytes(reviewed)
    browser.find_element(By.NAME, "docx").send_keys(str(docx))
    mark(browser)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    loaded(browser)
    text = main_text(browser)
    assert "审阅意见导入报告" in text and "李律师" in text and "生成草稿" in text, text[:2000]
    shots(browser, "review-import", tmp_path)
    mark(browser)
    browser.find_element(By.ID, "make-draft").click()
    loaded(browser)
    assert "/drafts/" in browser.current_url and "审阅意见：审阅稿.docx" in main_text(browser)
