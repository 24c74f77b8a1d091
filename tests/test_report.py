"""The report page and the card: their contents, their escaping, and a real browser's view."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import html5lib
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlroadmap import report
from mlroadmap.text import clean
from mlroadmap.tracker import Tracker
from mlroadmap.tracker import report as tracker_report
from tests.cli_run import Clock, install_clock, run, run_json

NOW = datetime(2026, 3, 4, 10, 30, tzinfo=timezone.utc)  # a Wednesday
TODAY = NOW.date()
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return install_clock(monkeypatch, NOW)


def parse_html(text: str) -> Any:
    """The page as an element tree, by a parser that follows the HTML5 specification."""
    return html5lib.parse(text, treebuilder="etree", namespaceHTMLElements=False)


def text_of(element: Any) -> str:
    return "".join(element.itertext())


def expected_statuses(roadmap: str) -> dict[str, str]:
    """Every item's status as ``show --json`` has it; credited items not settled as credited."""
    found: dict[str, str] = {}

    def visit(node: dict[str, Any]) -> None:
        if "status" in node:
            status = node["status"]
            if status == "todo" and node.get("credited_from"):
                status = "credited"
            found[node["id"]] = status
        for child in node.get("children", []):
            visit(child)

    for item in run_json("show", "-r", roadmap)["items"]:
        visit(item)
    return found


def chips(article: Any) -> dict[str, Any]:
    return {li.get("data-item"): li for li in article.iter("li") if li.get("data-item")}


def article_of(tree: Any, roadmap: str) -> Any:
    (found,) = [a for a in tree.iter("article") if a.get("data-roadmap") == roadmap]
    return found


@pytest.fixture
def worked() -> None:
    """ml-12-weeks with items done (two of them back-dated), in progress and skipped, and
    items credited by skills learned in another roadmap."""
    run("done", "week-1", "--on", (TODAY - timedelta(days=20)).isoformat())
    run("done", "week-2", "--on", (TODAY - timedelta(days=2)).isoformat())
    run("done", "week-5")
    run("start", "week-3-topics")
    run("skip", "week-4-practice")
    run("done", "-r", "mle-6-months", "ci-cd")  # credits ml-ci-cd in ml-12-weeks


def test_the_page_holds_every_section_and_item_with_its_status(worked: None) -> None:
    tree = parse_html(run("report", "-o", "-").stdout)
    article = article_of(tree, "ml-12-weeks")
    expected = expected_statuses("ml-12-weeks")
    found = chips(article)
    assert set(found) == set(expected)
    for item, status in expected.items():
        chip = found[item]
        assert chip.get("data-status") == status, item
        assert f"s-{status}" in chip.get("class").split(), item
        # the status is written out, and marked by a sign that needs no colour
        assert text_of(chip).endswith(f"({report.LABELS[status]})"), item
        assert text_of(chip).startswith(report.MARKS[status]), item
    statuses = set(expected.values())
    assert statuses == {"done", "start", "skip", "credited", "todo"}

    sections = [s.get("data-section") for s in article.iter("section") if s.get("data-section")]
    shown = run_json("show")["items"]
    assert sections == [s["id"] for s in shown]
    titles = [text_of(s.find("h3")) for s in article.iter("section") if s.get("data-section")]
    assert titles == [s["title"] for s in shown]
    # each item sits in the block of its own section
    for section in shown:
        (block,) = [s for s in article.iter("section") if s.get("data-section") == section["id"]]
        leaves = expected_statuses_under(section)
        assert set(chips(block)) == leaves


def expected_statuses_under(node: dict[str, Any]) -> set[str]:
    if not node.get("children"):
        return {node["id"]}
    return set().union(*(expected_statuses_under(c) for c in node["children"]))


def test_no_credit_shows_each_roadmap_counted_alone(worked: None) -> None:
    credited = chips(article_of(parse_html(run("report", "-o", "-").stdout), "ml-12-weeks"))
    assert credited["ml-ci-cd"].get("data-status") == "credited"
    assert "mle-6-months" in credited["ml-ci-cd"].get("title")
    alone = chips(
        article_of(parse_html(run("report", "--no-credit", "-o", "-").stdout), "ml-12-weeks")
    )
    assert alone["ml-ci-cd"].get("data-status") == "todo"
    assert not [i for i, chip in alone.items() if chip.get("data-status") == "credited"]
    # the day an item got its status is on its chip
    assert alone["vectors-matrices"].get("title") == (
        f"done since {(TODAY - timedelta(days=20)).isoformat()}"
    )


def test_the_page_shows_title_credit_overall_and_section_progress(worked: None) -> None:
    tree = parse_html(run("report", "-o", "-").stdout)
    listed = {r["id"]: r for r in run_json("list")["roadmaps"]}["ml-12-weeks"]
    progress = run_json("progress")
    assert text_of(tree.find(".//h1")) == listed["title"]
    assert tree.find(".//title").text.startswith(listed["title"])
    credit = text_of(tree.find(".//p[@class='credit']"))
    assert listed["source"]["title"] in credit
    total = progress["total"]
    overall = text_of(tree.find(".//section[@class='overall']"))
    settled = total["done"] + total["skipped"]
    assert f"{settled} of {total['total']} items settled" in overall
    assert f"{settled * 100 // total['total']}%" in overall
    assert f"{total['started']} in progress" in overall
    rows = tree.find(".//table[@class='sections']/tbody").findall("tr")
    assert len(rows) == len(progress["sections"])
    for row, section in zip(rows, progress["sections"], strict=True):
        cells = [text_of(td).strip() for td in row.findall("td")]
        assert cells[0].startswith(section["title"])
        assert cells[1] == f"{section['done'] + section['skipped']}/{section['total']}"
        settled = section["done"] + section["skipped"]
        assert cells[3] == f"{settled * 100 // section['total']}%"


def test_the_default_file_is_written_and_named_on_stderr(
    worked: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("report")
    assert result.stdout == ""
    assert result.stderr.strip() == "Wrote mlroadmap-report.html."
    page = (tmp_path / "mlroadmap-report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert len(chips(article_of(parse_html(page), "ml-12-weeks"))) == 63

    result = run("report", "--format", "svg")
    assert result.stderr.strip() == "Wrote mlroadmap-card.svg."
    assert ET.parse(tmp_path / "mlroadmap-card.svg").getroot().tag == f"{SVG}svg"


def test_all_puts_every_roadmap_on_one_page(worked: None) -> None:
    tree = parse_html(run("report", "--all", "-o", "-").stdout)
    listing = run_json("list")["roadmaps"]
    articles = [a.get("data-roadmap") for a in tree.iter("article")]
    assert articles == [r["id"] for r in listing]
    for roadmap in listing:
        found = chips(article_of(tree, roadmap["id"]))
        assert len(found) == roadmap["total"], roadmap["id"]
        done = [i for i, chip in found.items() if chip.get("data-status") == "done"]
        assert len(done) == roadmap["done"], roadmap["id"]
    links = [a.get("href") for a in tree.find(".//nav").iter("a")]
    assert links == [f"#roadmap-{r['id']}" for r in listing]


def test_the_burn_up_chart_follows_pace_and_plan(worked: None) -> None:
    run("use", "ml-12-weeks", "--start", (TODAY - timedelta(days=21)).isoformat())
    tree = parse_html(run("report", "-o", "-").stdout)
    progress = run_json("progress")
    total = progress["total"]
    settled = total["done"] + total["skipped"]
    (figure,) = [f for f in tree.iter("figure") if f.find(f".//{SVG}polyline") is not None]
    caption = text_of(figure.find("figcaption"))
    assert f"{settled} of {total['total']} items settled" in caption
    assert f"settled around {progress['pace']['eta']}" in caption
    planned = TODAY - timedelta(days=21) + timedelta(weeks=progress["schedule"]["last_week"])
    assert f"The plan ends on {planned.isoformat()}" in caption
    svg = figure.find(f"{SVG}svg")
    assert svg.get("role") == "img"
    assert text_of(svg.find(f"{SVG}desc")) == caption
    assert svg.find(f"{SVG}line[@class='projection']") is not None
    assert svg.find(f"{SVG}line[@class='plan']") is not None
    # The line climbs to the settled count: its last point sits at that height.
    points = [
        tuple(map(float, p.split(","))) for p in svg.find(f"{SVG}polyline").get("points").split()
    ]
    chart = report.CHART_H - report.CHART_BOTTOM
    height = chart - report.CHART_TOP
    expected_y = chart - height * settled / total["total"]
    assert points[-1][1] == pytest.approx(expected_y, abs=0.1)
    assert points[0][1] == pytest.approx(chart, abs=0.1)
    # the table behind it ends on the same count
    rows = figure.find(".//details").find(".//tbody").findall("tr")
    assert text_of(rows[-1].findall("td")[1]) == str(settled)


def test_the_heatmap_and_streaks_match_the_calendar(worked: None) -> None:
    tree = parse_html(run("report", "-o", "-").stdout)
    calendar = run_json("log", "--calendar")
    (section,) = [s for s in tree.iter("section") if s.get("aria-labelledby") == "activity-h"]
    cells = section.find(f".//{SVG}svg").findall(f"{SVG}rect")
    active = {
        c.find(f"{SVG}title").text.split(":")[0]: c.find(f"{SVG}title").text
        for c in cells
        if c.get("class") != "h0"
    }
    assert set(active) == set(calendar["days"])
    for day, count in calendar["days"].items():
        noun = "thing" if count == 1 else "things"
        assert active[day] == f"{day}: {count} {noun} done"
        assert report.level(count) > 0
    first, last = date.fromisoformat(calendar["from"]), date.fromisoformat(calendar["to"])
    assert len(cells) == (last - first).days + 1
    stats = [text_of(p).split() for p in section.find(".//div[@class='stats']").findall("p")]
    assert [int(s[0]) for s in stats] == [
        calendar["current_streak"],
        calendar["longest_streak"],
        calendar["active_days"],
    ]
    assert text_of(section.find(".//figcaption")).startswith(
        f"{calendar['active_days']} active days"
    )


def test_the_skills_learned_are_listed(worked: None) -> None:
    tree = parse_html(run("report", "-o", "-").stdout)
    skills = run_json("skills")["skills"]
    learned = [s["name"] for s in skills if s["learned"]]
    assert learned
    (section,) = [s for s in tree.iter("section") if s.get("aria-labelledby") == "skills-h"]
    listed = [text_of(li).rsplit(" (in ", 1)[0] for li in section.iter("li")]
    assert listed == learned
    assert text_of(section.find("p")).startswith(f"{len(learned)} of {len(skills)} skills")


def test_the_page_loads_nothing_from_anywhere(worked: None) -> None:
    page = run("report", "--all", "-o", "-").stdout
    tree = parse_html(page)
    banned = {"script", "link", "img", "iframe", "object", "embed", "image", "use", "base"}
    for element in tree.iter():
        assert element.tag.split("}")[-1] not in banned, element.tag
        assert "src" not in element.attrib, element.tag
        assert not any(name.startswith("on") for name in element.attrib), element.tag
        href = element.get("href")
        assert not any(name.endswith("href") for name in element.attrib if name != "href")
        if href is not None:
            assert element.tag == "a", element.tag
            assert href.startswith(("#", "https://", "http://")), href
    css = text_of(tree.find(".//style"))
    assert "url(" not in css
    assert "@import" not in css
    assert "@font-face" not in css
    policy = tree.find(".//meta[@http-equiv='Content-Security-Policy']").get("content")
    assert "default-src 'none'" in policy
    # light and dark schemes, print, and phone widths all have their rules
    assert "@media (prefers-color-scheme: dark)" in css
    assert "@media print" in css
    assert "@media (max-width: 600px)" in css
    assert tree.find(".//meta[@name='viewport']") is not None


def test_every_chart_has_a_text_alternative(worked: None) -> None:
    tree = parse_html(run("report", "-o", "-").stdout)
    charts = 0
    for svg in tree.iter(f"{SVG}svg"):
        if svg.get("aria-hidden") == "true":
            continue
        charts += 1
        assert svg.get("role") == "img"
        labels = svg.get("aria-labelledby").split()
        named = {e.get("id"): text_of(e) for e in svg.iter() if e.get("id")}
        assert all(named.get(label) for label in labels), labels
    assert charts == 2  # the burn-up chart and the heatmap
    for bar in (e for e in tree.iter("span") if e.get("class") == "bar"):
        assert bar.get("role") == "img"
        assert re.match(r"\d+% settled", bar.get("aria-label"))


def card_of(*args: str) -> ET.Element:
    text = run("report", *args, "-o", "-").stdout
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    return root


def test_the_card_is_a_standalone_svg(worked: None) -> None:
    root = card_of("--format", "svg")
    assert (root.get("width"), root.get("height")) == ("500", "200")
    for element in root.iter():
        assert element.tag.split("}")[-1] not in ("script", "foreignObject", "image", "use")
        for name, value in element.attrib.items():
            assert not name.endswith("href"), name
            assert not name.startswith("on"), name
            assert "url(" not in value
    progress = run_json("progress")
    total = progress["total"]
    settled = total["done"] + total["skipped"]
    texts = [e.text for e in root.iter(f"{SVG}text")]
    assert progress["title"] in texts
    assert f"{settled * 100 // total['total']}%" in texts
    assert f"{settled}/{total['total']} items" in texts
    calendar = run_json("log", "--calendar")
    current, longest = calendar["current_streak"], calendar["longest_streak"]
    days = f"{current} day" + ("" if current == 1 else "s")
    assert f"Streak: {days} (longest {longest})" in texts
    bars = root.findall(f"{SVG}g")
    assert len(bars) == len(progress["sections"])
    for group, section in zip(bars, progress["sections"], strict=True):
        label = group.find(f"{SVG}title").text
        assert label.startswith(f"{section['title']}: {section['done'] + section['skipped']}/")
        fills = group.findall(f"{SVG}rect[@class='fill']")
        height = sum(float(r.get("height")) for r in fills)
        full = report.BARS_BOTTOM - report.BARS_TOP
        settled_part = (section["done"] + section["skipped"]) / section["total"]
        assert height == pytest.approx(full * settled_part, abs=0.1)


def test_an_svg_file_name_makes_a_card(tmp_path: Path) -> None:
    target = tmp_path / "card.SVG"
    run("report", "-o", str(target))
    assert ET.parse(target).getroot().tag == f"{SVG}svg"
    page = tmp_path / "page.svg"
    run("report", "--format", "html", "-o", str(page))
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--format", "pdf"], 2, "'pdf' is not one of 'html', 'svg'"),
        (["--all", "--format", "svg"], 2, "a card shows one roadmap"),
        (["--all", "-r", "pro-mle"], 2, "either --roadmap or --all"),
        (["-r", "nope"], 2, "nope"),
        (["-o", "/nonexistent-dir/report.html"], 1, "/nonexistent-dir/report.html"),
    ],
)
def test_bad_report_options_are_one_clear_message(args: list[str], code: int, message: str) -> None:
    result = run("report", *args, code=code)
    assert message in result.stderr
    assert result.stdout == ""


HOSTILE = "<script>alert(1)</script> & \"q\" 'a' \x1b[31m\x07 \u202eevil\u2066 </title>\ufffe"


def write_roadmap(home: Path, title: str, item: str) -> None:
    document = {
        "id": "odd",
        "title": title,
        "summary": title,
        "source": {
            "title": title,
            "author": title,
            "url": 'https://example.com/?a=1&b="><script>alert(1)</script>',
        },
        "children": [
            {
                "id": "part-1",
                "title": title,
                "children": [{"id": "one", "title": item}, {"id": "two", "title": "Two"}],
            }
        ],
    }
    (home / "roadmaps").mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(document, allow_unicode=False)
    (home / "roadmaps" / "odd.yaml").write_text(text, encoding="utf-8")


def test_hostile_titles_render_as_text(isolated_home: Path) -> None:
    write_roadmap(isolated_home, HOSTILE, f"<img src=x onerror=alert(1)>{HOSTILE}")
    run("done", "-r", "odd", "one")
    shown = report.visible(HOSTILE)
    assert "\\x1b" in shown
    assert "\\u202e" in shown
    assert "\\ufffe" in shown

    page = run("report", "-r", "odd", "-o", "-").stdout
    for raw in ("\x1b", "\x07", "\u202e", "\u2066", "\ufffe", "<script>", "<img"):
        assert raw not in page, repr(raw)
    tree = parse_html(page)
    assert tree.find(".//script") is None
    assert tree.find(".//img") is None
    assert text_of(tree.find(".//h1")) == shown
    assert tree.find(".//title").text.startswith(shown)
    chip = chips(article_of(tree, "odd"))["one"]
    assert chip.get("data-status") == "done"
    assert text_of(chip.find("span[@class='t']")) == f"<img src=x onerror=alert(1)>{shown}"
    credit = tree.find(".//p[@class='credit']")
    assert credit.find("a") is None  # a URL with quotes and brackets is never a link
    assert shown in text_of(credit)

    root = card_of("-r", "odd", "--format", "svg")  # parses as XML
    texts = [e.text for e in root.iter(f"{SVG}text")]
    assert report._shorten(shown, report.CARD_TITLE_CHARS) in texts
    assert root.find(f"{SVG}desc").text.startswith(shown)
    assert root.find(f".//{SVG}script") is None


@pytest.fixture(scope="module")
def small_data(tmp_path_factory: pytest.TempPathFactory) -> Any:
    home = tmp_path_factory.mktemp("home")
    write_roadmap(home, "Plain", "Item")
    old = os.environ.get("MLROADMAP_HOME")
    os.environ["MLROADMAP_HOME"] = str(home)
    try:
        return tracker_report(Tracker(), roadmap_query="odd")
    finally:
        if old is None:
            del os.environ["MLROADMAP_HOME"]
        else:
            os.environ["MLROADMAP_HOME"] = old


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.text(max_size=60), item=st.text(min_size=1, max_size=40))
def test_any_text_renders_as_that_text(small_data: Any, title: str, item: str) -> None:
    roadmap = small_data.roadmaps[0].progress.roadmap
    roadmap.title = title
    roadmap.index.node("one").title = item
    tree = parse_html(report.html(small_data))
    assert text_of(tree.find(".//h1")) == report.visible(title)
    assert tree.find(".//script") is None
    chip = chips(article_of(tree, "odd"))["one"]
    assert text_of(chip.find("span[@class='t']")) == report.visible(item)
    root = ET.fromstring(report.svg(small_data))
    assert root.find(f"{SVG}desc").text.startswith(report.visible(title))
    assert root.find(f".//{SVG}script") is None


# ---------------------------------------------------------------------------
# In a real browser


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


CHROMIUM = find_chromium()
needs_browser = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no chromium browser installed (Debian: apt-get install chromium; .ci/run installs it)",
)


class Visit:
    """What headless Chromium did with a page: its screenshot, console and page requests."""

    def __init__(self, png: Path, log: str, requests: list[str]) -> None:
        self.png = png
        self.log = log
        self.requests = requests

    @property
    def console(self) -> list[str]:
        return [line for line in self.log.splitlines() if ":CONSOLE" in line]


def visit(page: Path, width: int, work: Path, *, height: int = 2000, dark: bool = False) -> Visit:
    """Open ``page`` from file:// and take a screenshot; every host resolves to nothing.

    The network log lists each request the browser made; the page's own are the
    ones made for a file:// page (the browser's background requests are not).
    """
    assert CHROMIUM is not None
    tag = f"{page.stem}-{width}{'-dark' if dark else ''}"
    png, netlog = work / f"{tag}.png", work / f"{tag}-net.json"
    argv = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={work / f'profile-{tag}'}",
        "--enable-logging=stderr",
        "--v=0",
        f"--log-net-log={netlog}",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--screenshot={png}",
        f"--window-size={width},{height}",
    ]
    if dark:
        argv.append("--blink-settings=preferredColorScheme=0")
    result = subprocess.run(
        [*argv, page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert png.exists(), result.stderr[-2000:]
    events = json.loads(netlog.read_text(encoding="utf-8"))["events"]
    requests = sorted(
        {
            e["params"]["url"]
            for e in events
            if "url" in e.get("params", {})
            and "file://" in str(e["params"].get("network_isolation_key", ""))
        }
    )
    return Visit(png, result.stderr, requests)


def pixels(png: Path) -> tuple[float, float, int]:
    """Mean and spread of the grey levels, and how many distinct colours."""
    from PIL import Image, ImageStat

    with Image.open(png) as image:
        rgb = image.convert("RGB")
        stat = ImageStat.Stat(rgb.convert("L"))
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        return stat.mean[0], stat.stddev[0], len(colours)


@needs_browser
def test_the_browser_sees_what_a_page_requests_and_logs(tmp_path: Path) -> None:
    """The checks below can fail: a page that loads an image and logs an error is caught."""
    page = tmp_path / "control.html"
    page.write_text(
        '<!DOCTYPE html><html><body><p>x</p><img src="http://example.invalid/a.png">'
        '<script>console.error("control-error")</script></body></html>',
        encoding="utf-8",
    )
    seen = visit(page, 400, tmp_path)
    assert seen.requests == ["http://example.invalid/a.png"]
    assert any("control-error" in line for line in seen.console)


@needs_browser
@pytest.mark.parametrize("width", [1280, 390])
def test_the_page_in_a_browser_is_drawn_and_quiet(worked: None, tmp_path: Path, width: int) -> None:
    page = tmp_path / "report.html"
    run("report", "--all", "-o", str(page))
    seen = visit(page, width, tmp_path)
    assert seen.requests == []
    assert seen.console == []
    mean, spread, colours = pixels(seen.png)
    assert spread > 20  # text and chips on a background, not one flat colour
    assert colours > 50
    assert mean > 128  # the light scheme


@needs_browser
def test_the_dark_scheme_is_dark(worked: None, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    run("report", "-o", str(page))
    mean, spread, _ = pixels(visit(page, 1280, tmp_path, dark=True).png)
    assert mean < 100
    assert spread > 20


@needs_browser
def test_the_card_in_a_browser_is_drawn_and_quiet(worked: None, tmp_path: Path) -> None:
    card = tmp_path / "card.svg"
    run("report", "-o", str(card))
    seen = visit(card, 500, tmp_path, height=200)
    assert seen.requests == []
    assert seen.console == []
    _, spread, colours = pixels(seen.png)
    assert spread > 20
    assert colours > 10


def test_visible_returns_early_only_for_text_it_would_not_change() -> None:
    every = "".join(map(chr, range(0x110000)))
    plain = report._ODD.sub("", every)
    assert len(plain) < len(every)
    # what the quick check lets through, the full escaping leaves as it is
    assert report._NOT_XML.sub("?", clean(plain)) == plain
    odd = report._ODD.findall(every)
    assert all(report.visible(c) != c for c in odd)
