"""The HTML report in a real browser: Debian's Chromium, headless, opens the demo report and a report
of hostile data from disk; no script may run, the console must stay clean, and a PNG screenshot and a
PDF print are saved as artefacts (in $FAIRGAUGE_ARTIFACTS, default target/artifacts).

Without Chromium the tests are skipped, unless FAIRGAUGE_REQUIRE_BROWSER=1 (CI sets it), where they
fail."""

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("FAIRGAUGE_ARTIFACTS", ROOT / "target" / "artifacts"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--enable-logging=stderr",
    "--v=0",
]

if not CHROMIUM:
    if os.environ.get("FAIRGAUGE_REQUIRE_BROWSER") == "1":
        raise RuntimeError("FAIRGAUGE_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install chromium)")
    pytestmark = pytest.mark.skip(reason="no chromium on PATH")

HOSTILE_COLUMN = "<script>document.title='pwned-1'</script>"
HOSTILE_GROUP = '"><img src=x onerror="document.title=\'pwned-2\'">'


def chromium(tmp_path, *args):
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    proc = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        # The document's title is the first <title> (SVG charts have titles of their own).
        self._in_title = tag == "title" and not self.title

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def console_messages(stderr):
    return [line for line in stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]


@pytest.fixture(scope="module")
def reports(fairgauge_bin, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    demo = out / "demo"
    proc = subprocess.run([str(fairgauge_bin), "demo", "--out", str(demo)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    # Hostile names: a column, a group and a label value crafted to run script if unescaped.
    rows = [f'"{HOSTILE_COLUMN}",g,label,prediction']
    for i in range(400):
        group = HOSTILE_GROUP.replace('"', '""') if i % 2 else "plain"
        rows.append(f'{i % 7},"{group}",{i % 2},{(i // 2) % 2}')
    data = out / "hostile.csv"
    data.write_text("\n".join(rows) + "\n")
    html = out / "hostile.html"
    proc = subprocess.run(
        [
            str(fairgauge_bin),
            "assess",
            "--current",
            str(data),
            "--reference",
            str(data),
            "--label",
            "label",
            "--prediction",
            "prediction",
            "--sensitive",
            "g",
            "--html",
            str(html),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return {"demo": demo / "report.html", "hostile": html}


@pytest.mark.parametrize("name", ["demo", "hostile"])
def test_report_opens_from_disk_without_script_or_console_errors(reports, name, tmp_path):
    path = reports[name]
    source = path.read_text()
    static = Elements()
    static.feed(source)
    assert not [t for t, _ in static.tags if t in ("script", "img", "iframe", "object", "embed", "link")]
    assert not [a for _, attrs in static.tags for a in attrs if a.startswith("on")], "event handler attribute"
    assert "http://" not in source.replace("http://www.w3.org/2000/svg", "") and "https://" not in source
    proc = chromium(tmp_path, "--dump-dom", path.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    dom = Elements()
    dom.feed(proc.stdout)
    assert not [t for t, _ in dom.tags if t in ("script", "img")]
    assert "pwned" not in dom.title, dom.title
    assert dom.title.startswith("fairgauge report")
    assert console_messages(proc.stderr) == []
    if name == "hostile":
        # The hostile names are there, as text.
        assert "&lt;script&gt;document.title=" in source
        assert "&quot;&gt;&lt;img src=x onerror=" in source


@pytest.mark.parametrize("name", ["demo", "hostile"])
def test_report_screenshot_and_pdf(reports, name, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    png = ARTIFACTS / f"report-{name}.png"
    pdf = ARTIFACTS / f"report-{name}.pdf"
    uri = reports[name].as_uri()
    proc = chromium(tmp_path, "--window-size=1200,2400", f"--screenshot={png}", uri)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    proc = chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", uri)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-" and len(data) > 10_000
    assert console_messages(proc.stderr) == []
