"""The studio's skeleton: logins, roles, CSRF, headers, the first administrator, accounts from the CLI."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import text

from policybook.ledger.db import opened
from policybook.studio import StudioConfig, create_app
from policybook.studio.auth import setup_link
from tests.studio_support import PASSWORD, login, make_studio, token


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return make_studio(tmp_path_factory.mktemp("studio"))


def test_no_login_redirects_to_the_login_page(studio) -> None:  # type: ignore[no-untyped-def]
    client = studio.client()
    for path in ("/", "/audit/", "/admin/", "/audit/audit.csv"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login" in response.headers["Location"]


def test_every_view_declares_its_roles(studio) -> None:  # type: ignore[no-untyped-def]
    for endpoint, view in studio.app.view_functions.items():
        assert hasattr(view, "studio_roles") or endpoint == "static", endpoint


def test_login_then_pages_in_chinese_with_security_headers(studio) -> None:  # type: ignore[no-untyped-def]
    client = studio.client()
    assert login(client, "zhou").status_code == 302
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "员工手册" in html and "华远客户服务（深圳）有限公司" in html
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    cookie = next(c for c in client._cookies.values() if c.key == "policybook_studio")  # type: ignore[attr-defined]
    assert cookie.http_only and cookie.same_site == "Lax"


def test_wrong_password_is_refused_and_throttled(studio) -> None:  # type: ignore[no-untyped-def]
    client = studio.client()
    for _ in range(5):
        assert login(client, "wang", "wrong password!").status_code == 200
    assert login(client, "wang").status_code == 429  # locked even with the right password
    assert client.get("/").status_code == 302


def test_wrong_role_is_403(studio) -> None:  # type: ignore[no-untyped-def]
    client = studio.client("li")  # an editor
    assert client.get("/admin/").status_code == 403
    assert "没有权限" in client.get("/admin/").get_data(as_text=True)


def test_a_post_without_the_csrf_token_is_400(studio) -> None:  # type: ignore[no-untyped-def]
    client = studio.client("admin")
    data = {"username": "mallory", "name": "M", "password": "x" * 12, "roles": "admin"}
    response = client.post("/admin/", data=data)
    assert response.status_code == 400 and "安全令牌" in response.get_data(as_text=True)
    page = client.get("/admin/").get_data(as_text=True)
    assert "mallory" not in page
    response = client.post("/admin/", data={**data, "csrf_token": token(page)})
    assert response.status_code == 302
    assert "mallory" in client.get("/admin/").get_data(as_text=True)


def test_logout_needs_a_post_with_token(studio) -> None:  # type: ignore[no-untyped-def]
    client = studio.client("zhou")
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": token(client.get("/").get_data(as_text=True))}).status_code == 302
    assert client.get("/").status_code == 302


def test_the_audit_log_is_append_only(studio) -> None:  # type: ignore[no-untyped-def]
    studio.client("zhou")  # a login is recorded
    with opened(studio.db) as ledger, ledger.engine.connect() as connection:
        rows = connection.execute(text("SELECT actor, action FROM studio_audit")).all()
        assert ("zhou", "login") in rows and ("wang", "login-failed") in rows
        hashes = connection.execute(text("SELECT password_hash FROM studio_users")).scalars().all()
        assert hashes and all(h.startswith("$argon2id$") for h in hashes)
        with pytest.raises(Exception, match="append-only"):
            connection.execute(text("UPDATE studio_audit SET actor = 'x'"))
        with pytest.raises(Exception, match="append-only"):
            connection.execute(text("DELETE FROM studio_audit"))


def test_audit_page_and_csv(studio) -> None:  # type: ignore[no-untyped-def]
    client = studio.client("admin")
    html = client.get("/audit/").get_data(as_text=True)
    assert "审计日志" in html and "登录" in html and '<option value="login">登录</option>' in html
    assert "登录失败" in client.get("/audit/?action=login-failed").get_data(as_text=True)
    csv = client.get("/audit/audit.csv").get_data(as_text=True)
    assert csv.startswith("\ufeffid,at,at_local,actor,action") and ",login," in csv
    assert studio.client("li").get("/audit/").status_code == 403


def test_first_start_prints_a_one_time_admin_link(tmp_path: Path) -> None:
    studio = make_studio(tmp_path, people=False)
    link = setup_link(studio.app)
    assert link and link.startswith("/setup/")
    client = studio.app.test_client()
    assert client.get("/setup/wrong-token").status_code == 404
    page = client.get(link).get_data(as_text=True)
    data = {"username": "root", "name": "管理员", "password": PASSWORD, "confirm": PASSWORD, "csrf_token": token(page)}
    assert client.post(link, data=data).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert setup_link(studio.app) is None and studio.app.test_client().get(link).status_code == 404
    again = create_app(StudioConfig(source=studio.source, db=studio.db, testing=True))
    assert setup_link(again) is None  # an account exists: no link at the next start


def test_users_from_the_command_line(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "l.db")
    monkeypatch.setenv("POLICYBOOK_PASSWORD", PASSWORD)
    run = cli("studio", "users", "add", "hr1", "--name", "张三", "--roles", "editor,clerk", "--db", db)
    assert run.code == 0, run.err
    assert cli("studio", "users", "add", "hr1", "--db", db).code == 1  # exists already
    bad = cli("studio", "users", "add", "hr2", "--roles", "boss", "--db", db)
    assert bad.code == 1 and "studio.role" in bad.err
    assert cli("studio", "users", "disable", "hr1", "--db", db).code == 0
    listed = cli("studio", "users", "list", "--db", db)
    assert "hr1\t张三\teditor,clerk\tdisabled" in listed.out
    assert cli("studio", "users", "frobnicate", "--db", db).code == 2
    monkeypatch.delenv("POLICYBOOK_PASSWORD")
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))  # a script pipes it (not a terminal)
    assert cli("studio", "handbook", "users", "add", "hr3", "--db", db).code == 0  # the source first, as usual
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    empty = cli("studio", "users", "add", "hr4", "--db", db)
    assert empty.code == 2 and "no password given" in empty.err


def test_cli_speaks_chinese_under_a_chinese_locale(cli, root_copy, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    project = root_copy("sample")
    sz = project / "handbook" / "subsidiaries" / "sz.yaml"
    sz.write_text(sz.read_text(encoding="utf-8").replace("late_fine: 80", "late_fine: 20"), encoding="utf-8")
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    run = cli("check", project / "handbook")
    assert run.code == 1
    line = sz.read_text(encoding="utf-8").splitlines().index("    late_fine: 20") + 1
    assert f"sz.yaml:{line}: 错误：“attendance.late_fine”在此为 20，集团标准为 50；该值只能加不能减" in run.err
    assert "[constraint.violated]" in run.err
    monkeypatch.setenv("LANG", "zh_TW.UTF-8")
    assert "該值只能加不能減" in cli("check", project / "handbook").err
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert "may only be raised, never lowered" in cli("check", project / "handbook").err


@pytest.fixture(scope="module")
def postgres():  # type: ignore[no-untyped-def]
    from tests.ledger_support import start_postgres

    yield from start_postgres()


def test_postgresql_by_url(postgres, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = postgres.create_database("studio")
    studio = make_studio(tmp_path, people=False, db=url)
    from tests.studio_support import add_people

    add_people(url)
    client = studio.client("admin")
    assert client.get("/admin/").status_code == 200
    with opened(url) as ledger, ledger.engine.connect() as connection:
        assert ("admin", "login") in connection.execute(text("SELECT actor, action FROM studio_audit")).all()
        with pytest.raises(Exception, match="append-only"):
            connection.execute(text("DELETE FROM studio_audit"))


def test_forms_blank_and_numbered_pad(studio) -> None:  # type: ignore[no-untyped-def]
    client = studio.client("li")
    page = client.get("/forms/?sub=sz").get_data(as_text=True)
    assert "请假申请表" in page and "生成编号本" in page
    blank = client.get("/forms/sz/leave-request.pdf")
    assert blank.status_code == 200 and blank.data.startswith(b"%PDF")
    assert client.get("/forms/sz/..%2Fhandbook.pdf").status_code == 404
    data = {"csrf_token": token(page), "start": "7", "count": "3", "format": "coded"}
    assert client.post("/forms/sz/leave-request/pad", data=data).status_code == 404  # no serial (编号) field
    padded = client.post("/forms/sz/service-record/pad", data=data)
    assert padded.status_code == 200 and padded.data.startswith(b"%PDF")
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(padded.data))
    assert len(reader.pages) == 3 and "SZ-00009" in reader.pages[2].extract_text()
    viewer = studio.client("zhou")
    mine = {**data, "csrf_token": token(viewer.get("/forms/").get_data(as_text=True))}
    assert viewer.post("/forms/sz/service-record/pad", data=mine).status_code == 403


def test_a_user_who_chooses_traditional_reads_traditional(studio) -> None:  # type: ignore[no-untyped-def]
    client = studio.client("zhou")
    page = client.get("/me/").get_data(as_text=True)
    assert client.post("/me/", data={"csrf_token": token(page), "script": "zh-Hant"}).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-Hant">' in home and "員工手冊" in home and "选择子公司" not in home
    article = client.get("/article/art-dress").get_data(as_text=True)
    assert "### 仪容仪表 {#art-dress}" in article  # the source text as written
    client.post("/me/", data={"csrf_token": token(home), "script": "zh-Hans"})
    assert "员工手册" in client.get("/").get_data(as_text=True)


def test_admin_changes_roles_and_enables_again(studio) -> None:  # type: ignore[no-untyped-def]
    admin = studio.client("admin")
    page = admin.get("/admin/").get_data(as_text=True)
    assert 'type="checkbox" name="roles" value="editor"' in page
    assert (
        admin.post("/admin/zhou/roles", data={"csrf_token": token(page), "roles": ["viewer", "clerk"]}).status_code
        == 302
    )
    assert studio.client("zhou").get("/ledger/").status_code == 200  # a clerk now
    assert admin.post("/admin/zhou/active", data={"csrf_token": token(page), "active": "0"}).status_code == 302
    assert login(studio.app.test_client(), "zhou").status_code == 200  # disabled: the login page again
    admin.post("/admin/zhou/active", data={"csrf_token": token(page), "active": "1"})
    admin.post("/admin/zhou/roles", data={"csrf_token": token(page), "roles": ["viewer"]})
    assert login(studio.app.test_client(), "zhou").status_code == 302
    audit = admin.get("/audit/?action=user-roles").get_data(as_text=True)
    assert "修改角色" in audit and "roles=clerk,viewer" in audit
