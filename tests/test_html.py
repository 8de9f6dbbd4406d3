"""HTML writer: structure of the static site (pages, ids, links, escaping, search index)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from policybook.build import check
from policybook.model import Document
from policybook.writers import available
from policybook.writers.html import write
from policybook.writers.html.search import fold_table
from policybook.writers.html.site import article_text

ROOTS = Path(__file__).parent / "roots"
REPO = Path(__file__).parent.parent


class Page(HTMLParser):
    """Tags, ids, links and text of one page."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.feed(source)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        if "id" in values:
            self.ids.add(values["id"])

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Document, Path]]:
    """One site per (root, subsidiary), written once for the module."""
    out = tmp_path_factory.mktemp("html")
    found: dict[str, tuple[Document, Path]] = {}
    for name, source in (
        ("sample", REPO / "handbook"),
        ("special", ROOTS / "pdf-special" / "handbook"),
        ("hant", ROOTS / "pdf-hant" / "handbook"),
        ("perf", ROOTS / "perf-regulation" / "handbook"),
    ):
        for sub_id, doc in check(source, formats=[]).documents.items():
            folder = out / name / sub_id
            write(doc, folder)
            found[f"{name}/{sub_id}"] = (doc, folder / "html")
    return found


def pages(site: Path) -> dict[str, Page]:
    return {p.name: Page(p.read_text(encoding="utf-8")) for p in site.glob("*.html")}


def test_registered_and_default() -> None:
    from policybook.build import DEFAULT_FORMATS

    assert "html" in available()
    assert "html" in DEFAULT_FORMATS


def test_every_article_printed_with_the_models_number(sites: dict[str, tuple[Document, Path]]) -> None:
    for key in ("sample/sh", "sample/sz", "sample/hk", "hant/tw"):
        doc, site = sites[key]
        for chapter in doc.chapters:
            html = (site / f"{chapter.label or _page_of(site, chapter.title)}.html").read_text(encoding="utf-8")
            for article in chapter.articles():
                assert article.number in html, (key, article.number)
                if article.label:
                    assert f'id="{article.label}"' in html


def _page_of(site: Path, title: str) -> str:
    for path in site.glob("ch-*.html"):
        if f"{title}</h1>" in path.read_text(encoding="utf-8"):
            return path.stem
    raise AssertionError(title)


def test_labels_are_ids_across_renumbering(sites: dict[str, tuple[Document, Path]]) -> None:
    """The same labelled article has different numbers in sh and sz but the same address."""
    numbers = {}
    for key in ("sample/sh", "sample/sz"):
        doc, site = sites[key]
        article = next(a for c in doc.chapters for a in c.articles() if a.label == "art-leave-apply")
        numbers[key] = article.number
        page = Page((site / "ch-leave.html").read_text(encoding="utf-8"))
        assert "art-leave-apply" in page.ids
    assert numbers["sample/sh"] != numbers["sample/sz"]


def test_unlabelled_articles_get_unique_stable_ids(sites: dict[str, tuple[Document, Path]], tmp_path: Path) -> None:
    doc, site = sites["sample/sh"]
    chrome = {"main", "q-top"}  # on every page
    ids = [i for name, p in pages(site).items() if name.startswith("ch-") for i in p.ids - chrome]
    assert len(ids) == len(set(ids))
    fallback = sorted(i for i in ids if re.fullmatch(r"a-[0-9a-f]{8}(-\d+)?", i))
    assert fallback, "the sample has unlabelled articles"
    write(doc, tmp_path)  # written again: the same ids
    again = sorted(i for p in pages(tmp_path / "html").values() for i in p.ids if i in set(fallback))
    assert again == fallback


def test_every_link_and_resource_resolves(sites: dict[str, tuple[Document, Path]]) -> None:
    for key, (_doc, site) in sites.items():
        parsed = pages(site)
        for name, page in parsed.items():
            for attrs in page.all("a"):
                href = attrs.get("href", "")
                if "ext" in attrs.get("class", "") or href.startswith("../forms/"):
                    continue
                target, _, fragment = href.partition("#")
                target = target or name
                assert target in parsed, (key, name, href)
                assert not fragment or fragment in parsed[target].ids, (key, name, href)
            for tag, attr in (("script", "src"), ("link", "href"), ("img", "src")):
                for attrs in page.all(tag):
                    ref = attrs[attr]
                    assert not re.match(r"^([a-z]+:)?//", ref), f"external resource {ref} in {key}/{name}"
                    assert (site / ref).is_file(), (key, name, ref)


def test_cross_references_are_links(sites: dict[str, tuple[Document, Path]]) -> None:
    _doc, site = sites["sample/sh"]
    page = Page((site / "ch-leave.html").read_text(encoding="utf-8"))
    xrefs = [a["href"] for a in page.all("a") if "xref" in a.get("class", "")]
    assert "appendices.html#leave-request" in xrefs
    assert any(h.endswith("#art-annual-leave") for h in xrefs)


def test_appendices_link_to_the_forms(sites: dict[str, tuple[Document, Path]]) -> None:
    doc, site = sites["sample/sz"]
    page = Page((site / "appendices.html").read_text(encoding="utf-8"))
    hrefs = [a["href"] for a in page.all("a")]
    for appendix in doc.appendices:
        assert any(h.startswith("../forms/") and appendix.form.code in h and h.endswith(".pdf") for h in hrefs)
        assert any(h.startswith("../forms/") and appendix.form.code in h and h.endswith(".docx") for h in hrefs)


def test_markdown_appendices_and_merged_cells(sites: dict[str, tuple[Document, Path]]) -> None:
    doc, site = sites["perf/gz"]
    page = Page((site / "appendices.html").read_text(encoding="utf-8"))
    numbers = [a.number for a in doc.all_appendices()]
    headings = "".join(page.text)
    assert all(n in headings for n in numbers)  # forms and Markdown appendices in one sequence
    assert "app-scoring" in page.ids
    cells = page.all("td") + page.all("th")
    assert sum(1 for c in cells if c.get("rowspan") == "2") == 3  # 工作业绩 / 工作能力 / 工作态度
    assert any(c.get("colspan") == "3" for c in cells)  # 合计 over three columns
    assert len(page.all("col")) == 4
    chapter = next(p for p in site.glob("ch-*.html") if "app-scoring" in p.read_text(encoding="utf-8"))
    hrefs = [a["href"] for a in Page(chapter.read_text(encoding="utf-8")).all("a")]
    assert "appendices.html#app-scoring" in hrefs


def test_lang_per_variant(sites: dict[str, tuple[Document, Path]]) -> None:
    expected = {"sample/sh": "zh-CN", "sample/hk": "zh-HK", "hant/tw": "zh-TW", "hant/cn": "zh-CN"}
    for key, lang in expected.items():
        html = (sites[key][1] / "index.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in html


def test_hant_site_has_no_simplified_fixed_words(sites: dict[str, tuple[Document, Path]]) -> None:
    html = (sites["sample/hk"][1] / "search.html").read_text(encoding="utf-8")
    assert "搜尋" in html or "搜索" in html
    assert "修訂記錄" in html and "修订记录" not in html


def test_source_text_is_escaped(sites: dict[str, tuple[Document, Path]]) -> None:
    _doc, site = sites["special/" + next(k.split("/")[1] for k in sites if k.startswith("special/"))]
    html = (site / "ch-special.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;粗体&lt;/b&gt;" in html
    assert "<b>" not in html and "<label>" not in html


def test_heading_levels_never_skip(sites: dict[str, tuple[Document, Path]]) -> None:
    for key, (_doc, site) in sites.items():
        for name, page in pages(site).items():
            levels = [int(tag[1]) for tag, _ in page.tags if re.fullmatch(r"h[1-6]", tag)]
            assert levels and levels[0] == 1, (key, name)
            assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), (key, name, levels)


def test_brand_colours_not_hard_coded(sites: dict[str, tuple[Document, Path]]) -> None:
    for key in ("sample/sh", "sample/sz"):
        doc, site = sites[key]
        css = (site / "assets" / "site.css").read_text(encoding="utf-8")
        assert doc.brand is not None
        assert f"--primary: {doc.brand.colors['primary']};" in css
    assert "url(" not in css and "@import" not in css


def test_search_index_holds_every_article(sites: dict[str, tuple[Document, Path]]) -> None:
    doc, site = sites["sample/hk"]
    script = (site / "assets" / "search-index.js").read_text(encoding="utf-8")
    data = json.loads(script.removeprefix("window.PB_SEARCH = ").rstrip().removesuffix(";"))
    articles = [a for c in doc.chapters for a in c.articles()]
    assert [d[2] for d in data["docs"]][: len(articles)] == [a.number for a in articles]
    assert [d[5] for d in data["docs"]][: len(articles)] == [article_text(a) for a in articles]
    assert data["fold"]["請"] == "请" and "假" not in data["fold"]  # 假 is the same in both scripts


def test_fold_table_maps_both_scripts_to_one_form() -> None:
    table = fold_table(["員工請假應當提前申請，理髮、發放"])
    fold = lambda s: "".join(table.get(c, c) for c in s)  # noqa: E731
    assert fold("員工請假") == fold("员工请假")
    assert fold("發放") == fold("发放") and fold("理髮") == fold("理发")
    assert all(table.get(v, v) == v for v in table.values())  # a fixed point


# ---------------------------------------------------------------- 本版修订: changes since previous:


def _with_previous(project: Path, spec: str) -> None:
    yaml = project / "handbook" / "handbook.yaml"
    lines = [line for line in yaml.read_text(encoding="utf-8").splitlines() if not line.startswith("previous:")]
    yaml.write_text("\n".join([*lines, f"previous: {spec}"]) + "\n", encoding="utf-8")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True, capture_output=True
    )


def _marked(site: Path) -> dict[str, str]:
    """article id → badge title, for every article marked 本版修订 on the chapter pages."""
    found: dict[str, str] = {}
    for path in site.glob("ch-*.html"):
        html = path.read_text(encoding="utf-8")
        for match in re.finditer(r'<article class="art changed" id="([^"]+)">(.*?)</article>', html, re.DOTALL):
            title = re.search(r'<span class="badge" title="([^"]+)">本版修订</span>', match.group(2))
            assert title, match.group(1)
            found[match.group(1)] = title.group(1)
    return found


def test_previous_folder_marks_changed_articles(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(ROOTS / "diff-new", project)
    shutil.copytree(ROOTS / "diff-old", project / "releases" / "1.0")
    _with_previous(project, "../releases/1.0")
    docs = check(project / "handbook").documents
    for sub_id, doc in docs.items():
        assert doc.changes is not None and doc.changes.old_version == "1.0"
        write(doc, tmp_path / sub_id)
    marked = _marked(tmp_path / "b" / "html")
    # b: art-flex added, art-late's fine raised (80), the untitled 补卡 article amended; 旷工 deleted
    assert marked["art-flex"] == "本版新增"
    assert marked["art-late"] == "与 1.0 版相比有修改"
    assert len(marked) == 3 and "art-purpose" not in marked and "art-out" not in marked
    assert "art-late" not in _marked(tmp_path / "a" / "html")  # a's fine did not change
    revisions = (tmp_path / "b" / "html" / "revisions.html").read_text(encoding="utf-8")
    assert 'id="changes"' in revisions and "<del>" in revisions and "<ins>" in revisions
    assert "原第五条（已删除）" in revisions  # the deleted 旷工 article is listed, without a link
    assert "与 1.0 版相比，本版修改或新增 3 条" in (tmp_path / "b" / "html" / "index.html").read_text(encoding="utf-8")


def test_previous_git_revision(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(ROOTS / "diff-old", repo)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "v1.0")
    _git(repo, "tag", "v1.0")
    shutil.rmtree(repo / "handbook")
    shutil.copytree(ROOTS / "diff-new" / "handbook", repo / "handbook")
    _with_previous(repo, "v1.0")
    doc = check(repo / "handbook", ["b"]).documents["b"]
    assert doc.changes is not None and {r.label for r in doc.changes.rows} >= {"art-flex", "art-late"}


def test_previous_that_cannot_be_read_is_one_error(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    project = tmp_path / "p"
    shutil.copytree(ROOTS / "diff-new", project)
    _with_previous(project, "v0.9")
    run = cli("check", project / "handbook")
    assert run.code == 1
    line = next(
        n
        for n, text in enumerate((project / "handbook" / "handbook.yaml").read_text().splitlines(), 1)
        if text.startswith("previous:")
    )
    assert f"handbook.yaml:{line}: error: previous release 'v0.9':" in run.err
    assert "[previous.invalid]" in run.err and "Traceback" not in run.err
    _with_previous(project, "../../elsewhere")
    run = cli("check", project / "handbook")
    assert run.code == 1 and "outside the project folder" in run.err


def test_serve_builds_the_site_when_missing_and_serves_it(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    command = [sys.executable, "-m", "policybook", "serve", str(ROOTS / "basic" / "handbook"), "-o", str(out)]
    proc = subprocess.Popen([*command, "--port", "0"], stderr=subprocess.PIPE, text=True, cwd=REPO)
    try:
        assert proc.stderr is not None
        line = ""
        for line in proc.stderr:  # progress lines, then the address
            if "serving" in line:
                break
        url = re.search(r"http://127\.0\.0\.1:\d+/html/index\.html", line)
        assert url, line
        with urllib.request.urlopen(url.group(0), timeout=10) as response:
            assert response.status == 200 and '<html lang="zh-CN">' in response.read().decode("utf-8")
        first = sorted(p.name for p in (ROOTS / "basic" / "handbook" / "subsidiaries").glob("*.yaml"))[0]
        assert (out / first.removesuffix(".yaml") / "html" / "index.html").is_file()
        assert any((out / first.removesuffix(".yaml") / "forms").glob("*.pdf"))  # the appendices' links work
    finally:
        proc.terminate()
        proc.wait(timeout=10)
