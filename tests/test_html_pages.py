"""The HTML feedback pages and the class report, in a real browser.

Headless Chromium (Debian's `chromium`, installed by `make test`) is driven
over the DevTools protocol with websocket-client (already installed with
Jupyter): no selenium, no chromedriver. That gives what a person would see:
the rendered DOM, console errors, network requests, whether every image
decoded, and screenshots.

The slow tests grade a small class with the real CLI: alice (correct), bob
(classic mistakes), carol (a copy of bob), mallory (hostile: hangs, crashes,
forbidden imports) and zed (not a notebook at all).

    DLPHYS_SCREENSHOTS=DIR  also keep every screenshot in DIR
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GRADE = str(Path(sys.executable).with_name("grade"))
EXAMPLES = ROOT / "examples" / "submissions"
CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"),
                             shutil.which("google-chrome")) if p), None)
FLIPPED = "Your output equals a true convolution (kernel flipped)"
FUNCTIONS = ["conv_output_size", "conv2d", "conv2d_param_count", "max_pool2d", "avg_pool2d",
             "global_avg_pool", "global_max_pool", "conv2d_backward"]

needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                   "(`make test` installs it: apt-get install chromium)")


# ---------------------------------------------------------------- a tiny DevTools client

class Browser:
    """One headless Chromium with one tab, spoken to over the DevTools protocol."""

    FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-proxy-server", "--hide-scrollbars", "--window-size=1200,900",
             "--remote-debugging-port=0"]

    def __init__(self, profile: Path, timeout: float = 60):
        import websocket

        profile.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen([CHROMIUM, *self.FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            port = self._port(profile / "DevToolsActivePort", timeout)
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            deadline = time.monotonic() + timeout
            while True:
                targets = json.load(opener.open(f"http://127.0.0.1:{port}/json/list", timeout=10))
                pages = [t for t in targets if t.get("type") == "page"]
                if pages or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            self.ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=timeout,
                                                  suppress_origin=True)
        except BaseException:
            self.close()
            raise
        self.next_id, self.events = 0, []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def _port(self, path: Path, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chromium exited with code {self.proc.returncode}")
            lines = path.read_text().split() if path.exists() else []
            if len(lines) >= 2:
                return int(lines[0])
            time.sleep(0.05)
        raise TimeoutError("chromium did not open its DevTools port")

    def call(self, method: str, params: dict | None = None) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params or {}}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, event: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv())
            if "method" in message:
                self.events.append(message)
                if message["method"] == event:
                    return message
        raise TimeoutError(event)

    def open(self, path: Path) -> None:
        self.events = []
        self.call("Page.navigate", {"url": Path(path).resolve().as_uri()})
        self.wait_for("Page.loadEventFired")

    def js(self, expression: str):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def console_errors(self) -> list[str]:
        errors = []
        for e in self.events:
            p = e.get("params", {})
            if e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
                errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif e["method"] == "Runtime.exceptionThrown":
                errors.append(str(p.get("exceptionDetails", {}).get("text")))
            elif e["method"] == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                errors.append(p["entry"].get("text", ""))
        return errors

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"]

    def screenshot(self, path: Path, width: int = 1200, max_height: int = 16000) -> bytes:
        height = int(self.js("Math.ceil(document.documentElement.scrollHeight)"))
        self.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": min(height, max_height),
                                                         "deviceScaleFactor": 1, "mobile": False})
        try:
            data = base64.b64decode(self.call("Page.captureScreenshot", {"format": "png"})["data"])
        finally:
            self.call("Emulation.clearDeviceMetricsOverride")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(data)
        return data

    def close(self) -> None:
        ws = getattr(self, "ws", None)
        if ws is not None:
            try:
                ws.close()
            except Exception:
                pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)   # our own process group (start_new_session)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


# JavaScript run in the pages
IMAGES = "Array.from(document.images).map(i => ({src: i.src.slice(0, 22), ok: i.complete && i.naturalWidth > 0}))"
TEXTS = "(sel) => Array.from(document.querySelectorAll(sel)).map(e => e.textContent.trim())"


def texts(browser: Browser, selector: str) -> list[str]:
    return browser.js(f"({TEXTS})({json.dumps(selector)})")


def check_page_health(browser: Browser, min_images: int = 0) -> list[dict]:
    """No console errors, nothing fetched but the file itself and data: URIs,
    every image decoded."""
    assert browser.console_errors() == []
    assert [u for u in browser.requests() if not u.startswith(("file:", "data:"))] == []
    images = browser.js(IMAGES)
    assert len(images) >= min_images
    assert all(i["ok"] and i["src"].startswith("data:image/png") for i in images), images
    assert browser.js("document.scripts.length") == 0
    return images


def shoot(browser: Browser, tmp: Path, name: str) -> None:
    data = browser.screenshot(tmp / f"{name}.png")
    assert data.startswith(b"\x89PNG") and len(data) > 5000
    keep = os.environ.get("DLPHYS_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / f"{name}.png").write_bytes(data)


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (`make test` installs it: apt-get install chromium)")
    b = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield b
    b.close()


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """`grade batch` on five students, then the pages deleted and rebuilt by
    `grade report` from the gradebook alone (results.json files deleted too)."""
    base = tmp_path_factory.mktemp("class")
    subs, out = base / "subs", base / "out"
    subs.mkdir()
    for student in ("alice", "bob", "mallory"):
        shutil.copy(EXAMPLES / f"{student}_convolution.ipynb", subs / f"{student}.ipynb")
    shutil.copy(EXAMPLES / "bob_convolution.ipynb", subs / "carol.ipynb")
    (subs / "zed.ipynb").write_text("<script>alert('not a notebook')</script>")
    done = subprocess.run([GRADE, "batch", str(subs), "-a", "convolution", "-o", str(out), "-j", "2"],
                          capture_output=True, text=True, timeout=400)
    assert done.returncode == 0, done.stdout + done.stderr
    written_by_batch = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    for page in out.rglob("*.html"):
        page.unlink()
    for results in out.rglob("results.json"):
        results.unlink()
    rebuilt = subprocess.run([GRADE, "report", str(out)], capture_output=True, text=True, timeout=120)
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    import sqlite3

    db = sqlite3.connect(out / "gradebook.sqlite")
    stored = {s: json.loads(r) for s, r in db.execute("SELECT student, results FROM submissions")}
    db.close()
    return {"out": out, "batch_pages": written_by_batch, "report_stdout": rebuilt.stdout, "results": stored}


STUDENTS = ["alice", "bob", "carol", "mallory", "zed"]


# ---------------------------------------------------------------- the real class

@pytest.mark.slow
def test_batch_and_report_write_every_page(graded_class):
    out = graded_class["out"]
    expected = ["report.html"] + [f"{s}/feedback.html" for s in STUDENTS]
    assert graded_class["batch_pages"] == sorted(expected)
    for name in expected:
        assert (out / name).is_file()
        assert f"wrote {out / name}" in graded_class["report_stdout"]
    assert set(graded_class["results"]) == set(STUDENTS)


def hidden_cases_show_nothing_else(browser: Browser, results: dict) -> None:
    """A failed hidden case shows its label, hidden, failed, its kind and its hints; nothing else."""
    from autograder.feedback_html import KIND_LABELS, case_label

    shown = browser.js("""Array.from(document.querySelectorAll('article.case.hidden')).map(e => ({
        text: e.textContent.replace(/\\s+/g, ' ').trim(), imgs: e.querySelectorAll('img').length,
        pres: e.querySelectorAll('pre, .preview, .facts, .feedback').length,
        hints: Array.from(e.querySelectorAll('.hint')).map(h => h.textContent.trim())}))""")
    failed_hidden = [t for t in results["tests"] if t["extra_data"]["hidden"] and t["status"] != "passed"]
    if browser.js("document.querySelector('article.case.whole') !== null"):
        failed_hidden = []   # a notebook that could not be read: one notice, no case listed
    assert len(shown) == len(failed_hidden)
    for case, test in zip(shown, failed_hidden):
        assert case["imgs"] == 0 and case["pres"] == 0
        assert case["hints"] == test["extra_data"]["hints"]
        allowed = " ".join([case_label(test), "hidden", "failed",
                            KIND_LABELS.get(test["extra_data"]["kind"], test["extra_data"]["kind"]),
                            *test["extra_data"]["hints"]])
        assert "".join(case["text"].split()) == "".join(allowed.split()), case["text"]


@pytest.mark.slow
@needs_browser
@pytest.mark.parametrize("student", STUDENTS)
def test_feedback_page_in_the_browser(graded_class, browser, student, tmp_path):
    results = graded_class["results"][student]
    browser.open(graded_class["out"] / student / "feedback.html")
    shoot(browser, tmp_path, f"feedback-{student}")
    previews = [t for t in results["tests"] if "preview" in t["extra_data"]]
    images = check_page_health(browser, min_images=len(previews))
    assert len(images) == len(previews)
    assert texts(browser, "h1") == ["Feedback: convolution"]
    assert texts(browser, "header .student") == [student]
    total = browser.js("document.getElementById('total').firstChild.textContent.trim()")
    assert float(total) == pytest.approx(results["score"], abs=0.01)
    rows = browser.js("Array.from(document.querySelectorAll('table.functions tbody tr')).map(r => r.dataset.function)")
    assert rows == FUNCTIONS
    failed = [t for t in results["tests"] if t["status"] != "passed"]
    # every failed test is on the page once: visible ones alone or grouped with the same failure
    counts = browser.js("""Array.from(document.querySelectorAll('article.case')).map(e =>
        e.classList.contains('hidden') ? 1 : Number(e.dataset.count))""")
    assert sum(counts) == len(failed)
    hidden_cases_show_nothing_else(browser, results)
    assert str(results["extra_data"]["seed"]) not in browser.js("document.documentElement.outerHTML")
    hints = texts(browser, "article.case .hint")
    assert set(hints) == {h for t in failed for h in t["extra_data"]["hints"]}
    if student == "alice":
        assert results["score"] == 100
        assert "Every test passed" in browser.js("document.getElementById('failures').textContent")
    if student in ("bob", "carol"):
        assert any(FLIPPED in h for h in hints)
        assert any(FLIPPED in h for h in texts(browser, "#hints .hint"))
        # the heatmaps: expected | yours | difference, and the numbers next to them
        facts = texts(browser, "article.case.visible .facts")
        assert any("max abs error" in f and "expected shape" in f for f in facts)
    if student == "mallory":
        assert "SystemExit" in browser.js("document.querySelector('details.cell-problems').textContent")
        assert browser.js("document.querySelector('details.printed-output pre').textContent.length") > 100
        kinds = browser.js("Array.from(document.querySelectorAll('article.case')).map(e => e.dataset.kind)")
        assert {"timeout", "crash", "forbidden", "error"} <= set(kinds)
    if student == "zed":
        assert results["score"] == 0
        assert browser.js("Array.from(document.querySelectorAll('article.case')).map(e => e.dataset.kind)") \
            == ["unreadable"]
        assert "not a valid notebook" in browser.js("document.querySelector('article.case.whole').textContent")


@pytest.mark.slow
@needs_browser
def test_class_report_in_the_browser(graded_class, browser, tmp_path):
    out = graded_class["out"]
    browser.open(out / "report.html")
    shoot(browser, tmp_path, "class-report")
    check_page_health(browser, min_images=2)
    assert texts(browser, "h1") == ["Class report: convolution"]
    stat = "(k) => document.querySelector(`.card[data-stat=${k}] .value`).textContent"
    # zed's file is not a notebook: counted apart, not a student with 0
    assert browser.js(f"({stat})('students')") == "4"
    assert browser.js(f"({stat})('unreadable')") == "1"
    assert browser.js(f"({stat})('full')") == "1"
    scores = [r["score"] for s, r in graded_class["results"].items() if s != "zed"]
    assert float(browser.js(f"({stat})('median')")) == pytest.approx(statistics.median(scores), abs=0.01)
    assert float(browser.js(f"({stat})('mean')")) == pytest.approx(statistics.fmean(scores), abs=0.01)
    assert browser.js("Array.from(document.querySelectorAll('table.students tbody tr')).map(r => r.dataset.student)") \
        == [s for s in STUDENTS if s != "zed"]
    apart = browser.js("Array.from(document.querySelectorAll('tr.unreadable')).map(r => r.textContent)")
    assert len(apart) == 1 and apart[0].startswith("zed") and "not a valid notebook" in apart[0]
    assert browser.js("Array.from(document.querySelectorAll('table.functions tbody tr')).map(r => r.dataset.function)") \
        == FUNCTIONS
    # misconceptions: sorted by students, the flipped kernel fired for bob and carol
    misconceptions = browser.js("""Array.from(document.querySelectorAll('tr.misconception')).map(r => ({
        n: Number(r.querySelector('.count').textContent), text: r.querySelector('.hint-text').textContent}))""")
    assert misconceptions and [m["n"] for m in misconceptions] == sorted((m["n"] for m in misconceptions),
                                                                          reverse=True)
    flipped = [m for m in misconceptions if FLIPPED in m["text"]]
    assert len(flipped) == 1 and flipped[0]["n"] == 2
    # grading failures by student, with the reason
    failures = browser.js("""Array.from(document.querySelectorAll('tr.failure')).map(r => ({
        student: r.dataset.student, kind: r.dataset.kind, text: r.textContent}))""")
    mallory = {f["kind"]: f["text"] for f in failures if f["student"] == "mallory"}
    assert "did not return within" in mallory["timeout"] and "max_pool2d" in mallory["timeout"]
    assert "exited" in mallory["crash"] and "avg_pool2d" in mallory["crash"]
    assert {f["student"] for f in failures} == {"mallory"}   # zed is listed apart
    assert "mallory" in texts(browser, "table.slowest tbody tr td:first-child")[:2]
    # every link to a feedback page resolves
    links = browser.js("Array.from(document.querySelectorAll('a')).map(a => a.href)")
    assert {f"{s}/feedback.html" for s in STUDENTS} <= {link.split("/out/")[-1] for link in links}
    for link in links:
        assert link.startswith("file://") and Path(urllib.request.url2pathname(link[len("file://"):])).is_file()


@pytest.mark.slow
@needs_browser
def test_grade_run_html_writes_a_page(browser, tmp_path):
    page = tmp_path / "bob.html"
    done = subprocess.run([GRADE, "run", str(EXAMPLES / "bob_convolution.ipynb"), "-o", str(tmp_path / "r.json"),
                           "--student", "bob", "--html", str(page), "-q"], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "r.json").read_text())
    browser.open(page)
    shoot(browser, tmp_path, "grade-run-bob")
    previews = [t for t in results["tests"] if "preview" in t["extra_data"]]
    assert len(check_page_health(browser, min_images=1)) == len(previews)
    assert any(FLIPPED in h for h in texts(browser, "article.case .hint"))
    hidden_cases_show_nothing_else(browser, results)


# ---------------------------------------------------------------- made-up results (fast)

def fake_results(student="s", hidden_leak=False, printed="", assignment="convolution") -> dict:
    """A results.json built the way the grader builds it."""
    import numpy as np

    from autograder import results as res
    from autograder.student_side.compare import compare
    from autograder.runner import GradeReport, TestResult

    expected = np.arange(12.0).reshape(1, 3, 4, 1)
    wrong = compare(expected[:, ::-1], expected, rtol=1e-6, atol=1e-9, hidden=False)
    shape = compare(np.zeros((2, 3)), np.zeros((3, 2)), rtol=1e-6, atol=1e-9, hidden=False)
    tests = [
        TestResult("conv2d", "visible <b>case</b>", 0, False, 10, passed=False, kind="wrong",
                   feedback=wrong.message, hints=["Do not flip <w>."], preview=wrong.preview()),
        TestResult("conv2d", "shapes", 1, False, 10, passed=False, kind="wrong", feedback=shape.message,
                   preview=shape.preview()),
        TestResult("conv2d", "hidden: secret case", 2, True, 10, passed=False, kind="wrong",
                   feedback="SECRET_FEEDBACK x=[1, 2, 3]", hints=["Do not flip <w>."],
                   preview=wrong.preview() if hidden_leak else None),
        TestResult("pool", "ok", 0, False, 5, passed=True),
        TestResult("pool", "hidden: timeout", 1, True, 5, passed=False, kind="timeout",
                   feedback="did not return within 10 s"),
    ]
    problem = type("P", (), {"cell": 3, "kind": "ValueError", "message": "<img src=x onerror=alert(1)>"})
    report = GradeReport(assignment, student, 918273645, tests, [problem], printed, {"total": 1.5}, "rlimits",
                         "CPU")
    return res.to_gradescope(report)


HOSTILE = "<script>window.__pwned = 1</script></pre><img src=x onerror='window.__pwned=2'>"


def test_student_text_is_escaped():
    from autograder.feedback_html import render_feedback

    page = render_feedback(fake_results(student=HOSTILE, printed=HOSTILE))
    assert "<script" not in page and "onerror='" not in page and "<b>case" not in page
    assert page.count("&lt;script&gt;window.__pwned") == 3   # title, header, printed output
    assert "Content-Security-Policy" in page
    assert "http://" not in page and "https://" not in page


def test_hidden_cases_never_show_inputs_outputs_or_pictures():
    from autograder.feedback_html import render_feedback

    data = fake_results(hidden_leak=True)   # a hidden test that (wrongly) carries a preview
    assert "preview" in data["tests"][2]["extra_data"]
    page = render_feedback(data)
    assert "SECRET_FEEDBACK" not in page and "did not return" not in page
    assert "918273645" not in page   # the seed would regenerate the hidden inputs
    hidden = page[page.index('<article class="case hidden"'):]
    hidden = hidden[:hidden.index("</article>")]
    assert "<img" not in hidden and "<pre" not in hidden and "secret case" in hidden
    assert page.count("<img") == 2   # the two visible failures only
    assert "Do not flip &lt;w&gt;." in hidden


def test_preview_pictures_are_pngs():
    from autograder.feedback_html import preview_figure

    data = fake_results()
    for test in data["tests"][:2]:
        uri = preview_figure(test["extra_data"]["preview"])
        raw = base64.b64decode(uri.split(",", 1)[1])
        assert raw.startswith(b"\x89PNG") and len(raw) < 120_000


def record(book, data):
    book.record(data, sha256="0" * 64, source="x")


def test_class_report_counts_from_the_gradebook(tmp_path):
    from autograder.class_report import render_class_report
    from autograder.gradebook import Gradebook

    with Gradebook(tmp_path / "gradebook.sqlite") as book:
        for s in ("ann", "ben", "cid"):
            record(book, fake_results(student=s))
        page = render_class_report(book, "convolution")
    assert page.count('<tr class="student"') == 3
    assert page.count('<tr class="misconception"') == 1
    assert 'data-students="3">3</td><td class="hint-text">Do not flip &lt;w&gt;.' in page
    assert page.count('<tr class="failure"') == 3 and "did not return within 10 s" in page
    assert page.count("data:image/png;base64,") == 2
    assert "<script" not in page


def test_unreadable_submissions_are_counted_apart_not_as_zeros(tmp_path):
    """Two full-marks students and one file that is not a notebook: the mean is
    the students' mean (100), the unreadable file is listed with its reason."""
    import re

    from autograder import course
    from autograder import results as res
    from autograder.class_report import render_class_report
    from autograder.gradebook import Gradebook
    from autograder.runner import GradeReport, failed_report

    spec = course.get("gradient_descent")
    with Gradebook(tmp_path / "gradebook.sqlite") as book:
        for student in ("ann", "ben"):
            full = failed_report(spec, student, 1, "wrong", "")
            for t in full.tests:
                t.passed, t.kind = True, "passed"
            record(book, res.to_gradescope(full))
        broken = failed_report(spec, "<b>zed</b>", 1, "unreadable",
                               "unreadable submission: zed.ipynb: not a valid notebook <i>x</i>")
        assert isinstance(broken, GradeReport)
        book.record(res.to_gradescope(broken), sha256="1" * 64, status="unreadable", source="x")
        page = render_class_report(book, "gradient_descent")

    def card(key):
        return re.search(f'data-stat="{key}"><div class="value">([^<]*)<', page).group(1)
    assert card("students") == "2" and card("unreadable") == "1"
    assert float(card("mean")) == 100 and float(card("median")) == 100 and card("full") == "2"
    assert page.count('<tr class="student"') == 2 and page.count('<tr class="unreadable"') == 1
    assert '<tr class="failure"' not in page           # not a grading failure of a student either
    assert "100%" in page and "tests passed" in page   # pass rates: the two students only
    assert re.findall(r'<td class="num">(\d+)%</td>', page) == ["100%"[:-1]] * len(spec.checks)
    assert "not a valid notebook &lt;i&gt;x&lt;/i&gt;" in page and "&lt;b&gt;zed&lt;/b&gt;" in page


def test_several_assignments_get_an_index(tmp_path):
    from autograder.gradebook import Gradebook
    from autograder.html_outputs import write_pages

    with Gradebook(tmp_path / "gradebook.sqlite") as book:
        record(book, fake_results(student="ann", assignment="convolution"))
        first = write_pages(book, "convolution", tmp_path)
        assert sorted(p.relative_to(tmp_path).as_posix() for p in first) == ["ann/feedback.html", "report.html"]
        record(book, fake_results(student="ann", assignment="gradient_descent"))
        record(book, fake_results(student="bea", assignment="gradient_descent"))
        second = write_pages(book, "gradient_descent", tmp_path)
    names = sorted({p.relative_to(tmp_path).as_posix() for p in second})
    assert names == ["ann/feedback-convolution.html", "ann/feedback-gradient_descent.html", "ann/feedback.html",
                     "bea/feedback-gradient_descent.html", "bea/feedback.html", "report-convolution.html",
                     "report-gradient_descent.html", "report.html"]
    index = (tmp_path / "report.html").read_text()
    assert 'href="report-convolution.html"' in index and 'href="report-gradient_descent.html"' in index
    assert 'href="feedback-convolution.html"' in (tmp_path / "ann" / "feedback.html").read_text()
    assert 'href="bea/feedback-gradient_descent.html"' in (tmp_path / "report-gradient_descent.html").read_text()


@needs_browser
def test_hostile_page_runs_nothing_in_the_browser(browser, tmp_path):
    from autograder.feedback_html import write_feedback

    page = write_feedback(fake_results(student=HOSTILE, printed=HOSTILE), tmp_path / "f.html")
    browser.open(page)
    check_page_health(browser, min_images=2)
    assert browser.js("window.__pwned === undefined")
    assert texts(browser, "header .student") == [HOSTILE]
    assert browser.js("document.querySelector('details.printed-output pre').textContent") == HOSTILE
