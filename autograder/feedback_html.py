"""One student's results.json -> a self-contained HTML feedback page.

The page needs nothing but a browser: CSS is inline, pictures are PNG data:
URIs drawn with matplotlib (Agg), there are no scripts, fonts or links to
fetch, and a Content-Security-Policy forbids loading anything else. Every
piece of text that a student can influence (their id, exception messages,
what their code printed) is escaped.

Hidden cases show their label, passed/failed, the kind of failure and the
hints, nothing more: they carry no preview and their feedback text is never
rendered here.
"""
from __future__ import annotations

import base64
import html
import io
import math
from pathlib import Path

# Failures where the grader could not get an answer out of the student's code.
GRADING_FAILURES = ("timeout", "crash", "memory", "too_large", "protocol", "budget",
                    "unreadable", "grader_error")

KIND_LABELS = {
    "passed": "passed", "wrong": "wrong answer", "partial": "partial credit", "error": "raised an error",
    "not_implemented": "not implemented", "missing": "not defined", "timeout": "timeout",
    "crash": "process crashed", "memory": "out of memory", "too_large": "output too large",
    "protocol": "protocol error", "budget": "time budget used up", "unreadable": "unreadable notebook",
    "grader_error": "grader error", "forbidden": "forbidden library",
}

HIDDEN_NOTE = "(hidden test: its inputs are not shown)"
PRINTED_MARKER = "\nWhat your code printed:\n"

# No scripts, no network: the page can only use its own inline CSS and data: images.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

CSS = """
:root { --ok: #1a7f37; --bad: #c62828; --warn: #9a6700; --hint-bg: #fff8c5; --hint-border: #d4a72c;
        --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; --bar: #2f81f7; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1f2328; background: #fff; margin: 0 auto; max-width: 1100px; padding: 24px 28px 48px; }
h1 { font-size: 1.7em; margin: 0 0 4px; }
h2 { font-size: 1.3em; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.08em; margin: 22px 0 8px; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
                   font-size: 0.88em; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px;
      overflow-x: auto; white-space: pre-wrap; word-break: break-word; margin: 6px 0; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.muted { color: var(--muted); }
.small { font-size: 0.86em; }
.meta { color: var(--muted); margin: 0; }
.scorebox { display: flex; align-items: center; gap: 18px; margin: 14px 0 4px; }
.score { font-size: 2.2em; font-weight: 700; font-variant-numeric: tabular-nums; }
.score .of { font-size: 0.5em; color: var(--muted); font-weight: 400; }
.bar { display: inline-block; width: 160px; height: 12px; background: #eaeef2; border-radius: 6px;
       overflow: hidden; vertical-align: middle; }
.bar > span { display: block; height: 100%; background: var(--bar); }
.bar.big { width: 320px; height: 18px; border-radius: 9px; }
.bar.full > span { background: var(--ok); }
.bar.zero > span { background: var(--bad); }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 0.8em; font-weight: 600;
         line-height: 1.7; white-space: nowrap; border: 1px solid transparent; }
.badge.pass { color: var(--ok); border-color: var(--ok); }
.badge.fail { color: var(--bad); border-color: var(--bad); }
.badge.kind { color: var(--muted); border-color: var(--line); background: var(--panel); }
.badge.hidden { color: #6639ba; border-color: #c297ff; }
.ok { color: var(--ok); font-weight: 700; }
.no { color: var(--bad); font-weight: 700; }
.case { border: 1px solid var(--line); border-left: 4px solid var(--bad); border-radius: 6px;
        padding: 8px 14px 10px; margin: 10px 0; }
.case.hidden { border-left-color: #8250df; padding: 4px 14px; margin: 6px 0; }
.case.hidden .title { margin: 0; }
.hidden-group { margin-top: 14px; }
.hidden-group > p { margin: 0 0 4px; }
.case .title { font-weight: 600; margin: 0 0 4px; }
.hint { background: var(--hint-bg); border: 1px solid var(--hint-border); border-radius: 6px;
        padding: 6px 10px; margin: 8px 0; }
.hint::before { content: "Hint: "; font-weight: 700; color: var(--warn); }
.preview { margin: 8px 0 2px; }
.preview img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line);
               border-radius: 4px; }
.facts { display: flex; flex-wrap: wrap; gap: 2px 18px; margin: 4px 0 6px; font-size: 0.9em; padding: 0; }
.facts div { display: flex; gap: 6px; }
.facts dt { color: var(--muted); }
.facts dt::after { content: ":"; }
.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
details { margin: 10px 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; }
details > summary { cursor: pointer; font-weight: 600; }
.allgood { background: #dafbe1; border: 1px solid #4ac26b; border-radius: 6px; padding: 10px 14px; }
.scroll { overflow-x: auto; }
footer { margin-top: 40px; color: var(--muted); font-size: 0.85em; border-top: 1px solid var(--line);
         padding-top: 8px; }
@media print { details { border: none; } .case { break-inside: avoid; } }
"""


# ---------------------------------------------------------------- helpers shared with class_report

def esc(value) -> str:
    """Escape anything for HTML text or a quoted attribute value."""
    return html.escape("" if value is None else str(value), quote=True)


def fmt(x: float, digits: int = 2) -> str:
    """Points without noise: 28 -> "28", 3.1111 -> "3.11"."""
    text = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def bar(fraction: float, big: bool = False, label: str = "") -> str:
    fraction = min(max(fraction if math.isfinite(fraction) else 0.0, 0.0), 1.0)
    classes = ["bar"] + (["big"] if big else []) + (["full"] if fraction >= 1 else
                                                     ["zero"] if fraction <= 0 else [])
    return (f'<span class="{" ".join(classes)}" role="img" aria-label="{esc(label or f"{fraction:.0%}")}">'
            f'<span style="width:{100 * fraction:.1f}%"></span></span>')


def page(title: str, body: str, extra_css: str = "") -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{esc(title)}</title>\n<style>{CSS}{extra_css}</style>\n</head>\n<body>\n"
            f"{body}\n</body>\n</html>\n")


def new_figure(width: float, height: float):
    """A matplotlib Figure on the Agg canvas (no pyplot, no global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=96, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def png_data_uri(fig, dpi: int = 96) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def assignment_title(assignment_id: str) -> str:
    try:
        from autograder import assignments

        return assignments.get(assignment_id).title
    except Exception:
        return ""


def split_output(test: dict) -> str:
    """A test's own feedback text: its output without the hint lines and the
    hidden-test note that results.py appends (hints are shown on their own)."""
    text = test.get("output", "") or ""
    if text.endswith(HIDDEN_NOTE):
        text = text[: -len(HIDDEN_NOTE)].rstrip("\n")
    hints = test.get("extra_data", {}).get("hints", []) or []
    suffix = "\n".join(f"Hint: {h}" for h in hints)
    if suffix and text.endswith(suffix):
        text = text[: -len(suffix)].rstrip("\n")
    return text


def test_label(test: dict) -> str:
    """The case label without the "function: " prefix (and without "hidden: "
    for hidden tests, which get a badge instead)."""
    name, function = test.get("name", ""), _function(test)
    label = name[len(function) + 2:] if name.startswith(function + ": ") else name
    if test.get("extra_data", {}).get("hidden") and label.startswith("hidden: "):
        label = label[len("hidden: "):]
    return label


def _function(test: dict) -> str:
    tags = test.get("tags") or []
    return tags[1] if len(tags) > 1 else test.get("name", "").split(":")[0]


def printed_output(results: dict) -> str:
    """What the student's code printed, as results.py put it in the summary."""
    text = results.get("output", "") or ""
    at = text.find(PRINTED_MARKER)
    return text[at + len(PRINTED_MARKER):] if at >= 0 else ""


# ---------------------------------------------------------------- pictures

def _as_array(rows):
    import numpy as np

    data = [[math.nan if v is None else float(v) for v in row] for row in (rows or [[]])]
    width = max((len(r) for r in data), default=0)
    return np.array([r + [math.nan] * (width - len(r)) for r in data], dtype=float).reshape(len(data), width)


def _shown_slice(shape) -> str:
    """Which part of an array compare._slice2d puts in a preview."""
    shape = [int(n) for n in shape or []]
    if len(shape) == 4:                     # NHWC: first image, first channel
        index, dims, what = ["0", ":", ":", "0"], shape[1:3], " (first image, first channel)"
    elif len(shape) > 2:
        index, dims, what = ["0"] * (len(shape) - 2) + [":", ":"], shape[-2:], " (first 2-D slice)"
    else:
        index, dims, what = [":"] * len(shape), shape, ""
    clipped = any(n > 16 for n in dims)
    if len(shape) <= 2 and not clipped:
        return "the whole array"
    text = "[" + ", ".join(index) + "]" + what if len(shape) > 2 else "the array"
    return text + (", at most 16 x 16 entries" if clipped else "")


def preview_figure(preview: dict) -> str:
    """Expected | yours | difference heatmaps (difference only when the shapes
    agree), as a PNG data URI."""
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    expected, got = _as_array(preview.get("expected")), _as_array(preview.get("got"))
    same = list(preview.get("got_shape", [])) == list(preview.get("expected_shape", [])) \
        and expected.shape == got.shape
    panels = [("expected", expected), ("your output", got)]
    if same:
        panels.append(("difference (yours - expected)", got - expected))
    n = len(panels)
    rows, cols = max(a.shape[0] for _, a in panels), max(a.shape[1] for _, a in panels)
    aspect_ratio = rows / max(cols, 1)
    panel_w = 2.4                            # inches: axes (about 1.7) + colorbar and labels
    panel_h = min(max(1.7 * aspect_ratio, 0.45), 2.6) + 0.65
    fig = new_figure(panel_w * n + 0.4, panel_h)
    axes = fig.subplots(1, n, squeeze=False)[0]
    finite = [a[np.isfinite(a)] for _, a in panels[:2]]
    values = np.concatenate(finite) if any(f.size for f in finite) else np.zeros(1)
    vmin, vmax = float(values.min()), float(values.max())
    if vmin == vmax:
        vmin, vmax = vmin - 1, vmax + 1
    import matplotlib

    value_map = matplotlib.colormaps["viridis"].with_extremes(bad="#bbbbbb")
    diff_map = matplotlib.colormaps["RdBu_r"].with_extremes(bad="#bbbbbb")
    for ax, (title, data) in zip(axes, panels):
        is_diff = title.startswith("difference")
        if is_diff:
            d = data[np.isfinite(data)]
            lim = float(np.abs(d).max()) if d.size else 1.0
            lim = lim or 1.0
            image = ax.imshow(data, cmap=diff_map, vmin=-lim, vmax=lim, interpolation="nearest",
                              aspect="equal" if 0.25 <= aspect_ratio <= 4 else "auto")
        else:
            image = ax.imshow(data, cmap=value_map, vmin=vmin, vmax=vmax, interpolation="nearest",
                              aspect="equal" if 0.25 <= aspect_ratio <= 4 else "auto")
        ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=7, length=2)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        if data.size and data.shape[0] * data.shape[1] <= 30 and max(data.shape) <= 8:
            _annotate(ax, data, image)
        bar_ = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.03)
        bar_.ax.tick_params(labelsize=7, length=2)
    return png_data_uri(fig)


def _annotate(ax, data, image) -> None:
    import numpy as np

    norm, cmap = image.norm, image.cmap
    for (i, j), v in np.ndenumerate(data):
        if not np.isfinite(v):
            ax.text(j, i, "nan", ha="center", va="center", fontsize=6, color="black")
            continue
        r, g, b, _ = cmap(norm(v))
        dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
        ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=6,
                color="white" if dark else "black")


def _preview_block(preview: dict) -> str:
    got_shape, expected_shape = preview.get("got_shape"), preview.get("expected_shape")
    facts = []
    if preview.get("part"):
        facts.append(("output part", f"<code>{esc(preview['part'])}</code>"))
    facts.append(("expected shape", f"<code>{esc(tuple(expected_shape or ()))}</code>"))
    facts.append(("your shape", f"<code>{esc(tuple(got_shape or ()))}</code>"))
    for key, label in (("max_abs_error", "max abs error"), ("max_rel_error", "max rel error")):
        if preview.get(key) is not None:
            facts.append((label, f"{preview[key]:.3g}"))
    facts.append(("pictured", esc(_shown_slice(expected_shape))))
    try:
        uri = preview_figure(preview)
    except Exception as exc:  # a picture must never cost the page
        image = f'<p class="muted small">(no picture: {esc(type(exc).__name__)})</p>'
    else:
        what = "expected and your output" + (", and their difference" if got_shape == expected_shape else "")
        image = f'<img class="heatmap" src="{uri}" alt="{esc("Heatmaps of the " + what)}">'
    dl = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in facts)
    return f'<div class="preview"><dl class="facts">{dl}</dl>{image}</div>'


# ---------------------------------------------------------------- the page

def _hints_html(hints) -> str:
    return "".join(f'<div class="hint">{esc(h)}</div>' for h in hints or [])


def _kind_badge(kind: str) -> str:
    return f'<span class="badge kind" data-kind="{esc(kind)}">{esc(KIND_LABELS.get(kind, kind))}</span>'


def _visible_case(test: dict) -> str:
    extra = test.get("extra_data", {})
    text = split_output(test)
    preview = extra.get("preview")
    points = f'{fmt(test.get("score", 0))} / {fmt(test.get("max_score", 0))} points'
    return (f'<article class="case visible" data-hidden="false" data-kind="{esc(extra.get("kind", ""))}">'
            f'<p class="title">{esc(test_label(test))} <span class="badge fail">failed</span> '
            f'{_kind_badge(extra.get("kind", ""))} <span class="muted small">{points}</span></p>'
            + (f"<pre class=\"feedback\">{esc(text)}</pre>" if text else "")
            + _hints_html(extra.get("hints"))
            + (_preview_block(preview) if isinstance(preview, dict) else "")
            + "</article>")


def _hidden_case(label: str, kind: str, hints: list) -> str:
    """A failed hidden case: its label, failed, the kind of failure and the
    hints. It takes nothing else, so it cannot show inputs, outputs or pictures."""
    return (f'<article class="case hidden" data-hidden="true" data-kind="{esc(kind)}">'
            f'<p class="title">{esc(label)} <span class="badge hidden">hidden</span> '
            f'<span class="badge fail">failed</span> {_kind_badge(kind)}</p>'
            f"{_hints_html(hints)}</article>")


def _function_rows(tests: list, order: list) -> tuple[str, dict]:
    per: dict = {f: {"score": 0.0, "max": 0.0, "vis": [0, 0], "hid": [0, 0], "kinds": {}} for f in order}
    for t in tests:
        f = per[_function(t)]
        f["score"] += float(t.get("score", 0))
        f["max"] += float(t.get("max_score", 0))
        passed = t.get("status") == "passed"
        bucket = f["hid"] if t.get("extra_data", {}).get("hidden") else f["vis"]
        bucket[0] += passed
        bucket[1] += 1
        if not passed:
            kind = t.get("extra_data", {}).get("kind", "wrong")
            f["kinds"][kind] = f["kinds"].get(kind, 0) + 1
    rows = []
    for name in order:
        f = per[name]
        frac = f["score"] / f["max"] if f["max"] else 0.0
        status = ("<span class=\"ok\">all passed</span>" if not f["kinds"] else
                  ", ".join(f"{n} {esc(KIND_LABELS.get(k, k))}" for k, n in f["kinds"].items()))
        rows.append(f'<tr data-function="{esc(name)}"><td><code>{esc(name)}</code></td>'
                    f'<td class="num">{fmt(f["score"])} / {fmt(f["max"])}</td>'
                    f'<td>{bar(frac, label=f"{frac:.0%} of the points")}</td>'
                    f'<td class="num">{f["vis"][0]} / {f["vis"][1]}</td>'
                    f'<td class="num">{f["hid"][0]} / {f["hid"][1]}</td><td>{status}</td></tr>')
    return "".join(rows), per


def render_feedback(results: dict) -> str:
    extra = results.get("extra_data", {}) or {}
    assignment = str(extra.get("assignment", "assignment"))
    student = str(extra.get("student", ""))
    tests = list(results.get("tests", []))
    order = list(dict.fromkeys(_function(t) for t in tests))
    score, max_score = float(results.get("score", 0)), float(results.get("max_score", 0))
    title = assignment_title(assignment)

    parts = [f'<header><h1>Feedback: {esc(assignment)}</h1>'
             + (f'<p class="meta">{esc(title)}</p>' if title else "")
             + f'<p class="meta">Student: <strong class="student">{esc(student)}</strong></p>'
             f'<div class="scorebox"><span class="score" id="total">{fmt(score)}'
             f'<span class="of"> / {fmt(max_score)}</span></span>'
             f'{bar(score / max_score if max_score else 0, big=True, label=f"{fmt(score)} of {fmt(max_score)} points")}'
             "</div></header>"]

    rows, per = _function_rows(tests, order)
    parts.append('<section id="functions"><h2>Score by function</h2><div class="scroll">'
                 '<table class="functions"><thead><tr><th>function</th><th class="num">points</th><th></th>'
                 '<th class="num">visible tests</th><th class="num">hidden tests</th><th>problems</th></tr>'
                 f"</thead><tbody>{rows}</tbody></table></div></section>")

    failed = [t for t in tests if t.get("status") != "passed"]
    unique_hints = list(dict.fromkeys(h for t in failed for h in t.get("extra_data", {}).get("hints", []) or []))
    if unique_hints:
        parts.append('<section id="hints"><h2>Mistakes we recognised</h2>'
                     '<p class="muted small">Your outputs match these classic mistakes:</p>'
                     + _hints_html(unique_hints) + "</section>")

    parts.append('<section id="failures"><h2>What to fix</h2>')
    if not failed:
        parts.append('<p class="allgood">Every test passed. Well done!</p>')
    for function in order:
        mine = [t for t in failed if _function(t) == function]
        if not mine:
            continue
        parts.append(f'<section class="function" data-function="{esc(function)}">'
                     f'<h3><code>{esc(function)}</code> <span class="muted small">'
                     f'{len(mine)} failed test{"s" if len(mine) != 1 else ""}</span></h3>')
        hidden = [t for t in mine if t.get("extra_data", {}).get("hidden")]
        parts += [_visible_case(t) for t in mine if t not in hidden]
        if hidden:
            parts.append('<div class="hidden-group"><p class="muted small">Hidden tests: fresh inputs '
                         "for you alone; their inputs and outputs are not shown.</p>")
            for t in hidden:
                t_extra = t.get("extra_data", {})
                parts.append(_hidden_case(test_label(t), str(t_extra.get("kind", "")),
                                          list(t_extra.get("hints", []) or [])))
            parts.append("</div>")
        parts.append("</section>")
    parts.append("</section>")

    parts.append(_all_tests(tests))
    parts.append(_notebook_section(results))
    parts.append(_footer(results))
    return page(f"{assignment} feedback: {student}", "\n".join(parts))


def _all_tests(tests: list) -> str:
    rows = []
    for t in tests:
        extra = t.get("extra_data", {})
        passed = t.get("status") == "passed"
        mark = '<span class="ok">&#10003;</span>' if passed else '<span class="no">&#10007;</span>'
        hidden = ' <span class="badge hidden">hidden</span>' if extra.get("hidden") else ""
        rows.append(f'<tr><td>{mark}</td><td><code>{esc(_function(t))}</code></td>'
                    f"<td>{esc(test_label(t))}{hidden}</td>"
                    f'<td class="num">{fmt(t.get("score", 0))} / {fmt(t.get("max_score", 0))}</td>'
                    f'<td>{"" if passed else _kind_badge(str(extra.get("kind", "")))}</td></tr>')
    n_pass = sum(t.get("status") == "passed" for t in tests)
    return (f'<section id="all-tests"><details><summary>All {len(tests)} tests ({n_pass} passed)</summary>'
            '<div class="scroll"><table class="tests"><thead><tr><th></th><th>function</th><th>test</th>'
            f'<th class="num">points</th><th></th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
            "</details></section>")


def _notebook_section(results: dict) -> str:
    extra = results.get("extra_data", {}) or {}
    problems = extra.get("cell_problems", []) or []
    printed = printed_output(results)
    out = ['<section id="notebook"><h2>Your notebook</h2>']
    if problems:
        notable = [p for p in problems if p.get("kind") != "NotImplementedError"]
        items = "".join(
            f'<li><strong>{"code cell " + str(int(p["cell"]) + 1) if int(p.get("cell", -1)) >= 0 else "the notebook"}'
            f'</strong>: <code>{esc(p.get("kind", ""))}</code>'
            + (f"<pre>{esc(p.get('message', ''))}</pre>" if p.get("message") else "") + "</li>"
            for p in problems)
        note = ("" if notable else '<p class="muted small">Only cells of unfinished exercises '
                "(NotImplementedError): expected until you have implemented them.</p>")
        out.append(f'<details class="cell-problems"{" open" if notable else ""}>'
                   f"<summary>{len(problems)} cell{'s' if len(problems) != 1 else ''} failed while loading"
                   f"</summary>{note}<ul>{items}</ul></details>")
    else:
        out.append('<p class="muted small">Every cell of your notebook loaded without an error.</p>')
    if printed.strip():
        out.append('<details class="printed-output"><summary>What your code printed '
                   f'({len(printed.splitlines())} lines)</summary><pre class="printed">{esc(printed)}</pre></details>')
    else:
        out.append('<p class="muted small">Your code printed nothing while loading.</p>')
    out.append("</section>")
    return "".join(out)


def _footer(results: dict) -> str:
    extra = results.get("extra_data", {}) or {}
    versions = extra.get("versions", {}) or {}
    bits = [f"grader {esc(versions.get('autograder', '?'))}"]
    if extra.get("seed") is not None:
        bits.append(f"seed {esc(extra['seed'])}")
    if extra.get("device"):
        bits.append(f"device {esc(extra['device'])}")
    if extra.get("isolation"):
        bits.append(f"isolation {esc(extra['isolation'])}")
    bits.append(f"graded in {float(results.get('execution_time', 0) or 0):.1f} s")
    return f"<footer>{' &middot; '.join(bits)}</footer>"


def write_feedback(results: dict, path) -> Path:
    """Render and write atomically; returns the path."""
    from autograder.results import write_text

    path = Path(path)
    write_text(render_feedback(results), path)
    return path
