"""The HTML report's layout, measured in a real browser (Debian's Chromium driven by Playwright):
on a wide and a narrow screen and in print, no two pieces of text overlap, no chart label touches
a bar or a whisker, no header breaks inside a word (nor a cell inside a run of letters, nor an id
at all), the page never scrolls sideways, and the bars are wide enough to read. The demo report and
a report of many groups with long, wide and hostile names are measured; screenshots are saved as
artefacts (in $FAIRGAUGE_ARTIFACTS, default target/artifacts).

Without Chromium or Playwright the tests are skipped, unless FAIRGAUGE_REQUIRE_BROWSER=1 (CI sets
it), where they fail."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("FAIRGAUGE_ARTIFACTS", ROOT / "target" / "artifacts"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PROBE = (Path(__file__).parent / "js" / "layout_probe.js").read_text()
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None

if not (CHROMIUM and sync_playwright):
    if os.environ.get("FAIRGAUGE_REQUIRE_BROWSER") == "1":
        raise RuntimeError("FAIRGAUGE_REQUIRE_BROWSER=1 but chromium or playwright is missing")
    pytestmark = pytest.mark.skip(reason="no chromium on PATH or playwright not installed")

# Long, wide (CJK, capitals) and hostile group names, twelve of them: the labels must still fit.
GROUPS = [
    "Amer-Indian-Eskimo",
    "Asian-Pac-Islander",
    "WWWWWWWWWWWWWWWWWWWWWWWW",
    "少数民族グループ・テスト",
    '"><b>bold</b>',
    "a" * 60,
    "Other",
    "x",
    "Native Hawaiian or Other Pacific Islander",
    "MMMMMMMMMM MMMMMMMMMM",
    "two words",
    "reference-group-with-a-long-name",
]


@pytest.fixture(scope="module")
def reports(fairgauge_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("layout")
    proc = subprocess.run([str(fairgauge_bin), "demo", "--out", str(out / "demo")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    rows = ["a_rather_long_sensitive_attribute_name,label,prediction,score_with_a_long_column_name"]
    for i in range(2400):
        g = GROUPS[i % len(GROUPS)].replace('"', '""')
        rows.append(f'"{g}",{i % 2},{(i // 3) % 2},{(i % 97) / 97}')
    data = out / "groups.csv"
    data.write_text("\n".join(rows) + "\n")
    html = out / "groups.html"
    proc = subprocess.run(
        [str(fairgauge_bin), "assess", "--current", data, "--reference", data, "--label", "label",
         "--prediction", "prediction", "--sensitive", "a_rather_long_sensitive_attribute_name",
         "--html", html],
        capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    return {"demo": out / "demo" / "report.html", "groups": html}


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _overlap(a, b, tol=1.0):
    return (
        a["x"] + tol < b["x"] + b["w"]
        and b["x"] + tol < a["x"] + a["w"]
        and a["y"] + tol < b["y"] + b["h"]
        and b["y"] + tol < a["y"] + a["h"]
    )


def _overlapping_texts(boxes):
    """Pairs of boxes of different text nodes that overlap (a sweep over x)."""
    boxes = sorted(boxes, key=lambda b: b["x"])
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if b["x"] >= a["x"] + a["w"]:
                break
            if a["id"] != b["id"] and _overlap(a, b):
                found.append((a["text"], b["text"]))
    return found


@pytest.mark.parametrize("name", ["demo", "groups"])
@pytest.mark.parametrize(("width", "media"), [(1400, "screen"), (800, "screen"), (720, "print")])
def test_report_layout(browser, reports, name, width, media):
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.emulate_media(media=media)
    page.goto(reports[name].as_uri())
    m = page.evaluate(PROBE)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"layout-{name}-{width}-{media}.png"), full_page=True)
    page.close()
    assert len(m["boxes"]) > 200, "the probe measured too little"
    assert _overlapping_texts(m["boxes"]) == []
    labels = [b for b in m["boxes"] if b["svg"]]
    on_shapes = [(t["text"], s["cls"]) for t in labels for s in m["shapes"] if _overlap(t, s)]
    assert on_shapes == []
    assert m["broken"] == []
    assert m["scrollWidth"] <= m["innerWidth"], "the page scrolls sideways"
    if width == 1400:
        # Larger charts: bars at least 48 px wide on a wide screen.
        assert m["bars"] and min(m["bars"]) >= 48, min(m["bars"])


def test_the_probe_sees_an_overlap(browser, tmp_path):
    """The measure can fail: two texts placed on top of each other, a word broken in a header."""
    page = tmp_path / "bad.html"
    page.write_text(
        "<html><body><p style='position:absolute;top:10px'>first text</p>"
        "<p style='position:absolute;top:12px'>second text</p>"
        "<table style='width:40px'><tr><th style='word-break:break-all'>Columns</th></tr></table>"
        + "<p>filler</p>" * 200
        + "</body></html>"
    )
    p = browser.new_page(viewport={"width": 800, "height": 600})
    p.goto(page.as_uri())
    m = p.evaluate(PROBE)
    p.close()
    assert ("first text", "second text") in _overlapping_texts(m["boxes"])
    assert m["broken"] == ["header word: Columns"]
