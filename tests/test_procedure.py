"""The whole story on the sample, on SQLite and PostgreSQL: draft → consultation (two opinions, a meeting)
→ release → 公示 on two channels → online 签收 through the personal link (a real browser on SQLite, the
test client on PostgreSQL) → evidence package for one employee and the late-fine article, opened and checked.
Also: every procedure table is append-only in the database itself."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from policybook.ledger.db import opened
from policybook.ledger.schema import Acknowledgement
from tests.ledger_support import Postgres, Sample, fresh_ledger, make_sample, start_postgres
from tests.test_html_browser import browser as chromium  # noqa: F401 - the one headless Chromium fixture

ROSTER = """工号,姓名,公司,部门,入职日期
SZ001,张伟,sz,客服一部,2023-03-01
SZ002,王芳,sz,客服一部,2024-05-06
SH001,刘洋,sh,研发部,2022-07-01
"""
OPINIONS = """提出人,条款,意见,答复,日期
张伟,第四十二条,迟到扣款由80元提高到100元过高，建议维持80元,深圳公司统一考勤纪律，维持100元；宽限规则不变,2026-11-28
客服一部,第四十二条,建议写明每月宽限次数,每月宽限3次，条文已写明,2026-12-01
"""
QUIZ = """procedure: required
quiz:
  - question: 迟到超过多少分钟按旷工半日处理？
    options: [30分钟, 60分钟, 90分钟]
    answer: 60分钟
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    found = make_sample(tmp_path_factory.mktemp("procedure-sample"), ("pdf", "html"))
    meta = found.new.source / "handbook.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "\n" + QUIZ, encoding="utf-8")
    return found


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    yield from start_postgres()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_ledger(request, tmp_path, "p")


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def squeezed(value: str) -> str:
    return "".join(value.split()).replace("\u200b", "")


class Story:
    """The commands of the story, on one ledger."""

    def __init__(self, cli: Any, sample: Sample, db: str, tmp: Path) -> None:
        self.cli, self.sample, self.db, self.tmp = cli, sample, db, tmp
        self.evidence = tmp / "evidence"

    def run(self, *args: str | Path, code: int = 0) -> Any:
        done = self.cli(*args, "--db", self.db)
        assert done.code == code, done.err
        return done

    def file(self, name: str, content: str | bytes) -> Path:
        path = self.tmp / name
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    def opts(self) -> tuple[str | Path, ...]:
        return ("--source", self.sample.new.source, "--evidence-dir", self.evidence)


def test_whole_story(cli, sample: Sample, db: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    s = Story(cli, sample, db, tmp_path)
    s.run("roster", "import", s.file("roster.csv", ROSTER), "--source", sample.old.source)
    s.run("ack", "assign", sample.old.source, "--dist", sample.old.dist, "--date", "2026-11-20")

    refused = s.run("ack", "assign", sample.new.source, "--dist", sample.new.dist, "--date", "2026-12-15", code=1)
    assert "[procedure.missing]" in refused.err and "sz: version 3.3 was not put out for comment" in refused.err

    out = tmp_path / "consult"
    opened_run = s.run(
        "consult", "open", sample.new.source, "--until", "2026-12-10", "--date", "2026-11-25", "-o", out,
        "--evidence-dir", s.evidence,
    )  # fmt: skip
    assert "3.3 out for comment until 2026-12-10" in opened_run.out
    sz_draft = squeezed(pdf_text(out / "HY-HR-001-SZ-v3.3-征求意见稿.pdf"))
    assert "修订对照表" in sz_draft and "意见反馈表" in sz_draft
    assert "考勤绩效80元" in sz_draft and "考勤绩效100元" in sz_draft  # the change, old and new
    assert "条款内容无修改" in squeezed(pdf_text(out / "HY-HR-001-SH-v3.3-征求意见稿.pdf"))

    s.run("consult", "opinions", "import", s.file("opinions.csv", OPINIONS), *s.opts())
    minutes = s.file("minutes-signed.pdf", b"%PDF-1.4 signed minutes scan")
    meeting = ("--kind", "congress", "--held", "2026-12-11", "--attendees", "45", "--resolution", "同意修订草案")
    s.run("consult", "meeting", *meeting, "--minutes", minutes, *s.opts())
    early = s.run("consult", "close", "--outcome", "通过", "--date", "2026-12-09", *s.opts(), code=1)
    assert "[consult.early]" in early.err
    s.run("consult", "close", "--outcome", "经职工代表大会讨论通过", "--date", "2026-12-12", *s.opts())
    late = s.run("consult", "opinion", "--who", "x", "--text", "y", "--version", "3.3", *s.opts(), code=1)
    assert "[consult.closed]" in late.err

    s.run("ack", "assign", sample.new.source, "--dist", sample.new.dist, "--date", "2026-12-15")
    again = s.run(
        "consult", "open", sample.new.source, "--until", "2027-01-10", "-o", out, "--date", "2026-12-16", code=1
    )
    assert "[consult.released]" in again.err  # a consultation comes before the release, never after the fact
    board, page = s.file("board.jpg", b"\xff\xd8 board photo"), s.file("intranet.html", "<html>3.3</html>")
    s.run("publicise", "record", "--release", "3.3", "--channel", "board", "--date", "2026-12-16",
          "--evidence", board, *s.opts())  # fmt: skip
    s.run("publicise", "record", "--release", "3.3", "--channel", "intranet", "--date", "2026-12-16",
          "--note", "https://intranet.example.com/hr/3.3", "--evidence", page, *s.opts())  # fmt: skip

    links = s.run("ack", "links", "-s", "sz", "--base-url", "https://hr.example.com/", "--source", sample.new.source)
    rows = {r["工号"]: r for r in csv.DictReader(io.StringIO(links.out.lstrip("\ufeff")))}
    assert set(rows) == {"SZ001", "SZ002"} and rows["SZ001"]["链接"].startswith("https://hr.example.com/ack/")
    token = rows["SZ001"]["链接"].rsplit("/", 1)[1]
    app = ack_app(db, sample, s.evidence)
    if request.node.callspec.params["db"] == "sqlite":
        acknowledge_in_browser(app, request.getfixturevalue("chromium"), token)
    else:
        acknowledge_with_client(app, token)

    with opened(db) as ledger, ledger.transaction() as session:
        ack = session.scalars(select(Acknowledgement)).one()
        assert ack.method == "click" and ack.evidence_name.endswith(".json")
    check_package(s, tmp_path / "pkg", "SZ001", "2027-01-15", online=True)
    if request.node.callspec.params["db"] != "sqlite":
        return  # the rest reads the same records: once is enough
    first = check_package(s, tmp_path / "pkg-sh", "SH001", "2027-01-15", online=False)
    assert "无签收记录" in first
    before = check_package(s, tmp_path / "pkg-old", "SZ001", "2026-12-20", online=False)
    assert "版本3.2未经民主程序" in before  # the release in force then had no consultation: said on page 1
    package_button(s)
    stored = next(p for p in s.evidence.rglob("*.jpg"))  # the board photo, changed after the fact
    stored.chmod(0o600)
    stored.write_bytes(b"another photo")
    tampered = check_package(s, tmp_path / "pkg-tampered", "SZ001", "2027-01-15", online=True)
    assert "与账本记录不符" in tampered  # said on the first page; the changed file is not in the package


def package_button(s: Story) -> None:
    """The studio's button makes the same package (a ZIP), for the 签收管理员 only."""
    from policybook.studio import StudioConfig, create_app
    from tests.studio_support import add_people, login, token

    add_people(s.db)
    config = StudioConfig(source=s.sample.new.source, db=s.db, output=s.sample.new.dist, testing=True)
    config.extra["ACK_EVIDENCE"] = str(s.evidence)
    app = create_app(config)
    viewer, clerk = app.test_client(), app.test_client()
    login(viewer, "zhou")
    assert viewer.get("/evidence/").status_code == 403
    login(clerk, "sun")
    form = {"employee": "SZ001", "article": "art-late", "day": "2027-01-15"}
    got = clerk.post("/evidence/", data={**form, "csrf_token": token(clerk.get("/evidence/").get_data(as_text=True))})
    assert got.status_code == 200 and got.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(got.data)) as archive:
        sums = archive.read("SHA256SUMS").decode("utf-8").splitlines()
        assert len(sums) >= 8  # the handbook, its pages, the draft, minutes, two 公示 files, the receipt, the PDF
        for line in sums:
            digest, name = line.split("  ", 1)
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    unknown = clerk.post(
        "/evidence/",
        data={**form, "employee": "XX9", "csrf_token": token(clerk.get("/evidence/").get_data(as_text=True))},
    )
    assert unknown.status_code == 422 and "unknown employee" in unknown.get_data(as_text=True)


def ack_app(db: str, sample: Sample, evidence: Path) -> Any:
    """The studio itself (its CSP, CSRF, login wall), which the link passes without logging in."""
    from policybook.studio import StudioConfig, create_app

    config = StudioConfig(source=sample.new.source, db=db, output=sample.new.dist, testing=True)
    config.extra["ACK_EVIDENCE"] = str(evidence)
    return create_app(config)


def acknowledge_with_client(app: Any, token: str) -> None:
    client = app.test_client()
    landing = client.get(f"/ack/{token}").get_data(as_text=True)
    assert "张伟" in landing and "王芳" not in landing
    assert "第四十二条" in client.get(f"/ack/{token}/site/ch-attendance.html").get_data(as_text=True)
    page = client.get(f"/ack/{token}/confirm").get_data(as_text=True)
    csrf = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    done = client.post(f"/ack/{token}/confirm", data={"csrf_token": csrf, "agree": "y", "q0": "60分钟"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/ack/{token}/done")
    receipt = client.get(f"/ack/{token}/receipt.pdf")
    assert receipt.status_code == 200 and "我已阅读并理解" in squeezed(pdf_text_bytes(receipt.data))


def pdf_text_bytes(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def shown(driver: Any, element_id: str) -> Any:
    """The element once the page that has it has loaded (a click's navigation may still be under way)."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.wait import WebDriverWait

    return WebDriverWait(driver, 20).until(expected_conditions.presence_of_element_located(("id", element_id)))


def acknowledge_in_browser(app: Any, driver: Any, token: str) -> None:
    import urllib.request

    from policybook import webserver

    server = webserver.create(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        link = webserver.url(server, f"/ack/{token}")
        driver.get(link)
        body = driver.find_element("tag name", "body").text
        assert "张伟" in body and "王芳" not in body and "3.3" in body
        landing = driver.current_window_handle
        driver.find_element("id", "read").click()  # the site opens beside the landing page
        driver.switch_to.window(next(h for h in driver.window_handles if h != landing))
        shown(driver, "main")  # the site's own page
        driver.get(webserver.url(server, f"/ack/{token}/site/ch-attendance.html"))
        assert "每次扣减考勤绩效100元" in squeezed(driver.find_element("tag name", "main").text)
        driver.close()
        driver.switch_to.window(landing)
        shown(driver, "go-confirm").click()
        shown(driver, "agree")
        driver.find_element("css selector", "input[value='30分钟']").click()
        driver.find_element("id", "agree").click()
        driver.find_element("id", "submit").click()
        assert shown(driver, "quiz-wrong").is_displayed()  # a wrong answer records nothing
        driver.find_element("css selector", "input[value='60分钟']").click()
        if not driver.find_element("id", "agree").is_selected():
            driver.find_element("id", "agree").click()
        driver.find_element("id", "submit").click()
        assert shown(driver, "done").text == "已签收"
        href = driver.find_element("id", "receipt").get_attribute("href")
        with urllib.request.urlopen(href, timeout=30) as response:  # noqa: S310 - our own loopback server
            receipt = squeezed(pdf_text_bytes(response.read()))
        assert "我已阅读并理解《员工手册》（版本3.3）" in receipt and "127.0.0.1" in receipt
        driver.get(link)  # once per version: the link now only shows the receipt
        assert shown(driver, "done").text == "已签收"
    finally:
        server.close()
        thread.join(timeout=10)


def check_package(s: Story, out: Path, employee: str, day: str, online: bool) -> str:
    """Run ``evidence``, check every file against the index, return the first page's text."""
    dists = ("--dist", s.sample.old.dist, "--dist", s.sample.new.dist)
    done = s.run("evidence", "--employee", employee, "--article", "art-late", "--date", day, "-o", out,
                 *dists, "--source", s.sample.new.source, "--evidence-dir", s.evidence)  # fmt: skip
    pdf = Path(done.out.strip())
    index = json.loads((out / "index.json").read_text(encoding="utf-8"))
    listed = {f["name"]: f["sha256"] for f in index["files"]}
    assert set(listed) == {p.name for p in out.iterdir()} - {"index.json", "SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    release = index["release"]
    manifest = json.loads(((s.sample.new if release == "3.3" else s.sample.old).dist / "manifest.json").read_text())
    handbook_sha = next(
        f["sha256"]
        for f in manifest["files"]
        if f["kind"] == "handbook-pdf" and employee[:2].lower() == f["subsidiary"]
    )
    assert handbook_sha in listed.values()  # the release's full PDF, the very file the build listed
    pages = PdfReader(pdf).pages
    first = squeezed(pages[0].extract_text() or "")
    whole = squeezed(pdf_text(pdf))
    fine = {"3.2": {"sz": "80", "sh": "50"}, "3.3": {"sz": "100", "sh": "50"}}[release][employee[:2].lower()]
    article = whole.split("一、条款原文")[1].split("二、条款沿革")[0]
    assert f"每次扣减考勤绩效{fine}元" in article  # the text in force on the day
    for name in listed:
        assert squeezed(name) in whole or name.startswith("证据包")  # the PDF's index names every file
    assert "当日的记录" in whole  # the roster entry as it stood on the day (roster imports keep versions)
    if online:
        assert "在线确认" in whole and "127.0.0.1" in whole
        assert "Chrome" in whole or "Werkzeug" in whole  # the browser that confirmed
        assert "未经民主程序" not in first and "经职工代表大会讨论通过" in whole and "同意修订草案" in whole
        assert "公告栏张贴" in whole and "内网公布" in whole
    return first


# ---------------------------------------------------------------- append-only, in the database itself


def test_append_only_tables_refuse_every_rewrite(cli, db: str, tmp_path: Path, sample: Sample) -> None:  # type: ignore[no-untyped-def]
    s = Story(cli, sample, db, tmp_path)
    s.run("roster", "import", s.file("roster.csv", ROSTER), "--source", sample.old.source)
    s.run("ack", "assign", sample.old.source, "--dist", sample.old.dist, "--date", "2026-11-20")
    s.run("publicise", "record", "--release", "3.2", "--channel", "email", "--date", "2026-11-21",
          "--evidence", s.file("mail.eml", "mail"), *s.opts())  # fmt: skip
    postgres = db.startswith("postgresql")
    attempts = [
        "UPDATE publications SET channel = 'board'",
        "DELETE FROM publications",
        "DELETE FROM publication_evidence",
        "UPDATE publication_evidence SET sha256 = 'x'",
    ]
    if postgres:
        attempts += [
            "INSERT INTO publications (id, version, subsidiaries, channel, published_on, note, recorded_at, "
            "recorded_by) SELECT id, version, subsidiaries, 'board', published_on, note, recorded_at, recorded_by "
            "FROM publications ON CONFLICT (id) DO UPDATE SET channel = 'board'",
            "TRUNCATE publication_evidence",
            "TRUNCATE employee_versions",
            "TRUNCATE studio_audit",
        ]
    else:
        attempts += [
            "INSERT OR REPLACE INTO publications SELECT id, version, subsidiaries, 'board', published_on, note, "
            "recorded_at, recorded_by FROM publications",
            "REPLACE INTO acknowledgements (id, assignment_id, method, signed_on, recorded_at, recorded_by, "
            "evidence_sha256, evidence_name, origin) SELECT 1, id, 'paper', '2026-01-01', '2026-01-01 00:00:00', "
            "'', '', '', '' FROM assignments LIMIT 1",
            "INSERT OR REPLACE INTO employee_versions SELECT * FROM employee_versions",
            "REPLACE INTO studio_audit SELECT * FROM studio_audit",
        ]
    with opened(db) as ledger:
        with ledger.engine.begin() as conn:  # an audit entry (the studio's log shares the ledger)
            conn.execute(text(
                "INSERT INTO studio_audit (at, actor, action, target, detail, before_sha256, after_sha256, address) "
                "VALUES ('2026-11-22 00:00:00', 'hr1', 'save', 'art-late', '', '', '', '127.0.0.1')"
            ))  # fmt: skip
        if not postgres:  # a first acknowledgement, so that REPLACE has a row to replace
            with ledger.engine.begin() as conn:
                conn.execute(text(
                    "INSERT INTO acknowledgements (assignment_id, method, signed_on, recorded_at, recorded_by, "
                    "evidence_sha256, evidence_name, origin) SELECT id, 'paper', '2026-11-22', "
                    "'2026-11-22 00:00:00', '', '', '', 'test' FROM assignments LIMIT 1"
                ))  # fmt: skip
        for statement in attempts:
            with pytest.raises(DBAPIError, match="append-only"), ledger.engine.begin() as conn:
                conn.execute(text(statement))
        with ledger.engine.begin() as conn:
            assert conn.execute(text("SELECT channel FROM publications")).scalars().all() == ["email"]
            assert conn.execute(text("SELECT count(*) FROM publication_evidence")).scalar() == 1
            assert conn.execute(text("SELECT actor FROM studio_audit")).scalars().all() == ["hr1"]


# ---------------------------------------------------------------- the link, in the studio (no login)


@pytest.fixture
def studio_links(cli, sample: Sample, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Version 3.2 assigned (no procedure needed), links for sz issued, the studio app serving them."""
    from policybook.studio import StudioConfig, create_app

    db = str(tmp_path / "ledger.db")
    s = Story(cli, sample, db, tmp_path)
    s.run("roster", "import", s.file("roster.csv", ROSTER), "--source", sample.old.source)
    s.run("ack", "assign", sample.old.source, "--dist", sample.old.dist, "--date", "2026-11-20")
    links = s.run("ack", "links", "-s", "sz", "--base-url", "https://hr.example.com/", "--source", sample.old.source)
    rows = {r["工号"]: r["链接"].rsplit("/", 1)[1] for r in csv.DictReader(io.StringIO(links.out.lstrip("\ufeff")))}
    extra = {"ACK_EVIDENCE": str(s.evidence), "ACK_FAIL_RATE": (2, 600)}
    app = create_app(StudioConfig(source=sample.old.source, db=db, output=sample.old.dist, testing=True, extra=extra))
    return s, app, rows


def csrf_of(html: str) -> str:
    return html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def test_link_opens_only_its_own_employee_once(studio_links) -> None:  # type: ignore[no-untyped-def]
    s, app, tokens = studio_links
    client = app.test_client()
    page = client.get(f"/ack/{tokens['SZ002']}")
    assert page.status_code == 200 and page.headers["Referrer-Policy"] in ("no-referrer", "same-origin")
    assert "王芳" in page.get_data(as_text=True) and "张伟" not in page.get_data(as_text=True)
    assert client.get(f"/ack/{tokens['SZ002']}/site/../../sh/html/index.html").status_code == 404
    pdf = client.get(f"/ack/{tokens['SZ002']}/handbook.pdf")
    assert hashlib.sha256(pdf.data).hexdigest() == manifest_handbook(s.sample.old.dist, "sz")
    form = client.get(f"/ack/{tokens['SZ002']}/confirm").get_data(as_text=True)
    assert "我已阅读并理解《员工手册》（版本 3.2）" in form and "阅读测验" not in form  # 3.2 has no quiz
    no_csrf = client.post(f"/ack/{tokens['SZ002']}/confirm", data={"agree": "y"})
    assert no_csrf.status_code == 400
    done = client.post(f"/ack/{tokens['SZ002']}/confirm", data={"agree": "y", "csrf_token": csrf_of(form)})
    assert done.status_code == 302
    again = client.post(f"/ack/{tokens['SZ002']}/confirm", data={"agree": "y", "csrf_token": csrf_of(form)})
    assert again.status_code == 302 and again.headers["Location"].endswith("/done")  # nothing recorded twice
    with opened(s.db) as ledger, ledger.transaction() as session:
        acks = session.scalars(select(Acknowledgement)).all()
        assert [(a.method, a.assignment.employee_id) for a in acks] == [("click", "SZ002")]
    receipt = client.get(f"/ack/{tokens['SZ002']}/receipt.pdf")
    assert "王芳" in pdf_text_bytes(receipt.data) and "张伟" not in pdf_text_bytes(receipt.data)
    assert client.get(f"/ack/{tokens['SZ001']}/receipt.pdf").status_code == 302  # not signed: to the page


def test_forged_revoked_and_guessed_links_are_refused(studio_links) -> None:  # type: ignore[no-untyped-def]
    s, app, tokens = studio_links
    client = app.test_client()
    raw, expiry, mac = tokens["SZ001"].split(".")
    longer = f"{raw}.{int(expiry) + 86400}.{mac}"  # a later expiry under the old signature
    assert client.get(f"/ack/{longer}").status_code == 404
    s.run("ack", "links", "--revoke", "SZ001", "--source", s.sample.old.source)
    gone = client.get(f"/ack/{tokens['SZ001']}")
    assert gone.status_code == 410 and "链接已撤销" in gone.get_data(as_text=True)
    assert client.get("/ack/AAAA.1.BBBB").status_code == 404
    assert client.get("/ack/AAAA.2.BBBB").status_code == 429  # failed tokens are limited per address
    assert client.get(f"/ack/{tokens['SZ002']}").status_code == 429  # for the whole blueprint


def test_expired_link(sample: Sample, tmp_path: Path) -> None:
    import datetime

    from policybook.procedure.links import open_link, verified

    key = b"k" * 32
    now = datetime.datetime(2026, 12, 1, 9, 0, 0)
    from policybook.procedure.links import make_token

    token, digest = make_token(key, now + datetime.timedelta(days=1))
    assert verified(key, token, now) == digest
    assert verified(key, token, now + datetime.timedelta(days=2)) == ""  # expired: refused before the database
    assert verified(b"another key" * 3, token, now) == ""
    with opened(str(tmp_path / "l.db")) as ledger, ledger.transaction() as session:
        assert open_link(session, key, token, now).state == "invalid"  # signed, but never issued here


def manifest_handbook(dist: Path, sub: str) -> str:
    files = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))["files"]
    return str(next(f["sha256"] for f in files if f["subsidiary"] == sub and f["kind"] == "handbook-pdf"))


def test_taiwan_files_for_approval_and_hong_kong_needs_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from policybook.procedure.gate import missing

    db = str(tmp_path / "ledger.db")
    regions = {"tw": "TW", "hk": "HK", "sz": ""}
    with opened(db) as ledger, ledger.transaction() as session:
        lacking = missing(session, "3.3", regions)
    assert [line.split(":")[0] for line in lacking] == ["tw", "sz"]  # Hong Kong: nothing required
    letter = tmp_path / "approval.pdf"
    letter.write_bytes(b"%PDF-1.4 approval letter")
    filed = cli("consult", "filing", "--version", "3.3", "-s", "tw", "--filed", "2026-12-01", "--authority",
                "臺北市政府勞動局", "--reference", "北市勞動字第1150000001號", "--evidence", letter, "--db", db,
                "--evidence-dir", tmp_path / "evidence")  # fmt: skip
    assert filed.code == 0, filed.err
    with opened(db) as ledger, ledger.transaction() as session:
        assert [line.split(":")[0] for line in missing(session, "3.3", regions)] == ["sz"]
    assert any((tmp_path / "evidence").rglob("*.pdf"))  # the letter kept by its SHA-256


def test_check_notes_a_mainland_handbook_without_procedure(cli) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import REPO

    done = cli("check", REPO / "handbook", "--strict")
    assert done.code == 0  # a note, never a failure under --strict
    assert "note:" in done.err and "[procedure.unset]" in done.err and "bj, sh, sz" in done.err


def test_the_studio_release_asks_for_the_procedure_too(tmp_path: Path) -> None:
    """A release from the studio is refused like ack assign when procedure: required is not met (before any build)."""
    import datetime

    from policybook.diagnostics import SourceError
    from policybook.studio.handbook import Index
    from policybook.studio.publish import prepare, publish
    from tests.studio_support import copy_sample

    source = copy_sample(tmp_path)
    meta = source / "handbook.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "\nprocedure: required\n", encoding="utf-8")
    applied = prepare(source, Index(source), [], "3.3", datetime.date(2027, 1, 1), "调整")
    refused = pytest.raises(SourceError, match=r"sz: version 3.3 was not put out for comment")
    with opened(str(tmp_path / "ledger.db")) as ledger, ledger.transaction() as session, refused:
        publish(session, source, tmp_path / "dist", tmp_path / "work", applied, ("钱发布", ""), ["pdf"])
    assert "3.2" in meta.read_text(encoding="utf-8") and not (tmp_path / "dist").exists()  # nothing written


def test_mistakes_are_one_line_never_a_traceback(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import REPO

    db = ("--db", str(tmp_path / "ledger.db"))
    cases = [
        (("consult", "open", REPO / "handbook", "--until", "2030-01-01", "--notice-file", tmp_path / "none.txt"),
         1, "[consult.notice]"),
        (("consult", "close", "--outcome", "通过"), 1, "[consult.none]"),
        (("consult", "meeting", "--kind", "party", "--held", "2026-12-01", "--attendees", "3", "--resolution", "x"),
         2, "invalid choice"),
        (("publicise", "record", "--release", "9.9", "--channel", "board", "--date", "2026-12-01"),
         1, "[publicise.version]"),
        (("evidence", "--employee", "NOBODY", "--article", "art-late", "-o", tmp_path / "pkg"),
         1, "[evidence.employee]"),
        (("ack", "links", "-s", "sz", "--base-url", "hr.example.com"), 2, "--base-url https://"),
        (("ack", "links", "--revoke", "NOBODY"), 1, "[links.employee]"),
    ]  # fmt: skip
    for args, code, said in cases:
        done = cli(*args, *db)
        assert (done.code, said in done.err) == (code, True), (args, done.err)
        assert "Traceback" not in done.err
    (tmp_path / "file").write_text("x")
    done = cli("evidence", "--employee", "X", "--article", "a", "-o", tmp_path / "file", *db)
    assert done.code == 1 and "is a file" in done.err


def test_the_refusal_reads_in_chinese() -> None:
    from policybook.diagnostics import Diagnostic
    from policybook.i18n import line
    from policybook.model import Loc

    refusal = "procedure: required, but sz: version 3.3 was not put out for comment (policybook consult open …)"
    shown = line(Diagnostic("error", Loc("handbook/handbook.yaml"), refusal, "procedure.missing"), "zh-Hant")
    assert "錯誤：已設 procedure: required，但「sz」尚缺：version 3.3 未徵求意見" in shown
    assert "[procedure.missing]" in shown
