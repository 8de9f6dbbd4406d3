"""The studio in a real browser (headless Chromium via selenium): the whole story, and the attacks.

Story: an editor changes 深圳's late fine and an article only 深圳 prints, previews it,
submits; the approver reads the 修订对照表 and approves; the publisher releases 3.3;
only 深圳's employees are re-assigned; the audit log shows each step. Set
``POLICYBOOK_SCREENSHOTS=folder`` to keep a screenshot of each page at 1280 and 768 px.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from policybook import webserver
from policybook.ledger.db import opened
from policybook.ledger.schema import Assignment, Release
from tests.studio_support import PASSWORD, Studio, make_studio, released_32
from tests.test_html_browser import browser, viewport  # noqa: F401 - the session's one browser

LOCAL = "art-sz-breaks"  # printed by 深圳 only
ADDED = "每连续工作两小时，可另行申请十分钟护眼休息。"
FETCH = (
    "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => done(r.status), e => done(String(e)));"
)
SHOTS = os.environ.get("POLICYBOOK_SCREENSHOTS", "")


def _serve(made: Studio) -> Iterator[str]:
    server = webserver.create(made.app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield webserver.url(server, "").rstrip("/")
    finally:
        server.close()
        thread.join(10)


@pytest.fixture
def story(tmp_path: Path) -> Iterator[tuple[Studio, str]]:
    made = make_studio(tmp_path, release_formats=("pdf",))
    released_32(made)
    for base in _serve(made):
        yield made, base


@pytest.fixture
def plain(tmp_path: Path) -> Iterator[tuple[Studio, str]]:
    made = make_studio(tmp_path)
    for base in _serve(made):
        yield made, base


def login(driver: Any, base: str, username: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{base}/login")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    mark(driver)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    loaded(driver)
    assert "退出" in driver.find_element(By.TAG_NAME, "header").text


def click(driver: Any, text: str, navigates: bool = True) -> None:
    """Click the button or link showing ``text`` and wait for the next page."""
    mark(driver)
    driver.find_element(
        By.XPATH, f"//main//button[normalize-space()='{text}'] | //main//a[normalize-space()='{text}']"
    ).click()
    if navigates:
        loaded(driver)


def mark(driver: Any) -> None:
    driver.execute_script("window.policybookOld = true")


def loaded(driver: Any) -> None:
    """Wait until a new page (one without the mark) has loaded."""
    WebDriverWait(driver, 60).until(
        lambda d: d.execute_script("return !window.policybookOld && document.readyState === 'complete'")
    )


def main_text(driver: Any) -> str:
    return str(driver.find_element(By.TAG_NAME, "main").text)


def shot(driver: Any, name: str) -> None:
    if not SHOTS:
        return
    for width in (1280, 768):
        viewport(driver, width, 900)
        driver.save_screenshot(str(Path(SHOTS) / f"{name}-{width}.png"))
    viewport(driver, 1280, 900)


def test_the_whole_story_in_a_browser(browser: Any, story: tuple[Studio, str]) -> None:  # noqa: F811
    studio, base = story
    viewport(browser, 1280, 900)
    login(browser, base, "li")
    shot(browser, "home")
    browser.get(f"{base}/sub/sz/4")
    shot(browser, "chapter")
    browser.get(f"{base}/article/{LOCAL}")
    shot(browser, "article")
    click(browser, "在草稿中修改本条")
    body = browser.find_element(By.NAME, "body")
    body.send_keys("\n" + ADDED)
    assert browser.find_elements(By.CSS_SELECTOR, "#shown .chip")  # variables shown as labelled chips
    WebDriverWait(browser, 30).until(lambda d: ADDED in d.find_element(By.ID, "shown").text)  # htmx, as typed
    click(browser, "保存（并检查）")
    assert "已保存，检查通过" in main_text(browser)
    shot(browser, "edit")
    draft = browser.current_url.split("/drafts/")[1].split("/")[0]

    browser.get(f"{base}/drafts/{draft}/values")
    cell = browser.find_element(By.NAME, "v:sz:attendance.late_fine")
    assert cell.get_attribute("min") == "50"  # 只能加不能减, enforced by the field as you type
    cell.clear()
    cell.send_keys("100")
    shot(browser, "values")
    click(browser, "保存（并检查）")
    assert "已保存 1 个数值" in main_text(browser)

    browser.get(f"{base}/review/{draft}/preview/art-late?sub=sz")
    image = browser.find_element(By.CSS_SELECTOR, ".preview img")
    assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) > 500
    shot(browser, "preview")

    browser.get(f"{base}/drafts/{draft}")
    browser.find_element(By.NAME, "summary").send_keys("调整深圳公司迟到扣款标准，增加护眼休息。")
    click(browser, "提交审批")
    assert "已提交审批" in main_text(browser)

    login(browser, base, "zhao")
    browser.get(f"{base}/review/")
    mark(browser)
    browser.find_element(By.PARTIAL_LINK_TEXT, "工间休息").click()
    loaded(browser)
    text = main_text(browser)
    assert "华远客户服务（深圳）有限公司" in text and ADDED in text
    assert "100" in [e.text for e in browser.find_elements(By.CSS_SELECTOR, "table.changes ins")]
    shot(browser, "review")
    mark(browser)
    browser.find_element(By.CSS_SELECTOR, "button[value=approve]").click()
    loaded(browser)
    assert "已批准" in main_text(browser)

    login(browser, base, "qian")
    browser.get(f"{base}/release/")
    browser.find_element(By.NAME, "version").send_keys("3.3")
    browser.execute_script("document.querySelector('input[name=effective]').value = '2027-01-01'")
    shot(browser, "release")
    mark(browser)
    click(browser, "发布", navigates=False)
    browser.switch_to.alert.accept()  # the publish button asks first
    loaded(browser)
    assert "已发布第 3.3 版" in main_text(browser)

    with opened(studio.db) as ledger, ledger.transaction() as session:
        release = session.scalar(select(Release).where(Release.version == "3.3"))
        assert release is not None
        assigned = session.scalars(select(Assignment).where(Assignment.release_id == release.id)).all()
        assert sorted(a.employee_id for a in assigned) == ["SZ001", "SZ002"]

    login(browser, base, "admin")
    browser.get(f"{base}/admin/")
    shot(browser, "admin")
    browser.get(f"{base}/audit/")
    rows = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "main table tr")]
    for who, what in [("li", "保存"), ("li", "提交审批"), ("zhao", "批准"), ("qian", "发布")]:
        assert any(f" {who} {what} " in f" {row} " for row in rows), (who, what)
    shot(browser, "audit")
    login(browser, base, "sun")
    browser.get(f"{base}/ledger/")
    shot(browser, "ledger")


def test_the_attacks_are_refused(browser: Any, plain: tuple[Studio, str]) -> None:  # noqa: F811
    studio, base = plain
    viewport(browser, 1280, 900)
    browser.delete_all_cookies()
    browser.get(f"{base}/admin/")
    assert browser.current_url.startswith(f"{base}/login")  # no page without a login

    login(browser, base, "li")
    posted = browser.execute_async_script(
        "const done = arguments[0];"
        "fetch('/drafts/new', {method: 'POST', body: new URLSearchParams({title: 'x'})})"
        ".then(r => done(r.status), e => done(String(e)));"
    )
    assert posted == 400  # no CSRF token
    browser.get(f"{base}/admin/")
    assert "没有权限" in main_text(browser)  # wrong role

    browser.get(f"{base}/article/art-dress")
    click(browser, "在草稿中修改本条")
    edit = browser.current_url
    body = browser.find_element(By.NAME, "body")
    body.send_keys("\n<script>alert('x')</script><img src=x onerror=alert(1)>")
    click(browser, "保存（并检查）")
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - no script ran
    assert "<script>alert('x')</script>" in main_text(browser)  # shown as text
    draft = edit.split("/drafts/")[1].split("/")[0]
    browser.get(f"{base}/review/{draft}/preview/art-dress?sub=sh")
    assert browser.find_elements(By.CSS_SELECTOR, ".preview img")
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018

    login(browser, base, "wang")  # another editor
    status = browser.execute_async_script(
        FETCH,
        edit,
    )
    assert status == 403  # another user's draft
    for path in (
        "/sub/..%2F..%2Fetc/",
        "/article/..%2Fhandbook.yaml",
        "/article/chapters%2F..%2F..%2Fpolicybook.db@1",
        f"/review/{draft}/site/sh/..%2F..%2F..%2Fhandbook%2Fhandbook.yaml",
        f"/review/{draft}/site/..%2F..%2Fhandbook/handbook.yaml",
        f"/review/{draft}/page/..%2Fsz/0.png",
        "/ledger/?sub=../../etc",
        "/static/..%2F..%2Fschema.py",
    ):
        got = browser.execute_async_script(
            FETCH,
            base + path,
        )
        assert got in (403, 404), (path, got)
