"""Regenerate the README screenshots docs/feedback.png and docs/class-report.png.

    .venv/bin/python docs/screenshots.py            # grades the bundled convolution examples (~1 min)
    .venv/bin/python docs/screenshots.py OUTDIR     # or: the pages of an existing `grade batch` OUTDIR

Needs Debian's chromium (`make browser-tools`). The pages are opened from
file:// in headless Chromium (the DevTools client of tests/test_html_pages.py)
and the PNGs are reduced to 256 colours to stay small.
"""
from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_html_pages import CHROMIUM, Browser  # noqa: E402

WIDTH = 1000


def grade_examples(tmp: Path) -> Path:
    subs, out = tmp / "subs", tmp / "out"
    subs.mkdir()
    for student in ("alice", "bob", "mallory"):
        shutil.copy(ROOT / "examples" / "submissions" / f"{student}_convolution.ipynb", subs / f"{student}.ipynb")
    env = {**os.environ, "DLPHYS_GRADER_SECRET": os.environ.get("DLPHYS_GRADER_SECRET", "docs-screenshots")}
    grade = Path(sys.executable).with_name("grade")
    subprocess.run([str(grade), "batch", str(subs), "-a", "convolution", "-o", str(out), "-j", "2"],
                   check=True, env=env)
    return out


def capture(browser: Browser, page: Path, until: str, target: Path) -> None:
    """The top of the page down to the end of the element `until`."""
    from PIL import Image

    browser.open(page)
    assert browser.console_errors() == [], browser.console_errors()
    bottom = browser.js(f"Math.ceil(document.querySelector({until!r}).getBoundingClientRect().bottom "
                        "+ window.scrollY + 20)")
    browser.call("Emulation.setDeviceMetricsOverride", {"width": WIDTH, "height": bottom,
                                                        "deviceScaleFactor": 1, "mobile": False})
    shot = browser.call("Page.captureScreenshot", {"format": "png", "clip": {
        "x": 0, "y": 0, "width": WIDTH, "height": bottom, "scale": 1}})
    browser.call("Emulation.clearDeviceMetricsOverride")
    image = Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE) \
        .save(target, optimize=True)
    print(f"wrote {target.relative_to(ROOT)} ({image.width}x{image.height}, {target.stat().st_size // 1024} KB)")


def main(argv: list[str]) -> int:
    if CHROMIUM is None:
        print("chromium is not installed (make browser-tools)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(argv[0]) if argv else grade_examples(Path(tmp))
        browser = Browser(Path(tmp) / "profile")
        try:
            capture(browser, out / "bob" / "feedback.html", "article.case.visible", ROOT / "docs" / "feedback.png")
            capture(browser, out / "report.html", "#grading-failures", ROOT / "docs" / "class-report.png")
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
