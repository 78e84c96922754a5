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
import functools
import html
import io
import json
import math
import warnings
from pathlib import Path

from autograder.student_side.kinds import (GRADING_FAILURES, LABELS as KIND_LABELS, PASSED, WRONG,  # noqa: E402,F401
                              UNREADABLE)


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
.case ul.labels { margin: 2px 0 6px; padding-left: 22px; }
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


def new_figure(width: float, height: float, layout: str | None = None):
    """A matplotlib Figure on the Agg canvas (no pyplot, no global state)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=96, layout=layout)
    FigureCanvasAgg(fig)
    return fig


def png_data_uri(fig, dpi: int = 96) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def assignment_title(assignment_id: str) -> str:
    try:
        from autograder import course

        return course.get(assignment_id).title
    except Exception:
        return ""


def own_feedback(test: dict) -> str:
    """A test's own feedback text (its hints are shown on their own)."""
    return test.get("extra_data", {}).get("feedback", "") or ""


def case_label(test: dict) -> str:
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
    """What the student's code printed (results.py's field)."""
    return results.get("extra_data", {}).get("printed", "") or ""


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
    """Expected | yours | difference heatmaps (the difference only when the
    shapes agree), each with a colorbar, as a PNG data URI. The same preview
    (the same mistake on a visible case) is drawn once per process."""
    return _preview_png(json.dumps(preview, sort_keys=True))


@functools.lru_cache(maxsize=128)
def _preview_png(preview_json: str) -> str:
    with warnings.catch_warnings():  # e.g. an empty array's singular axis limits
        warnings.simplefilter("ignore")
        return _draw_preview(json.loads(preview_json))


def _draw_preview(preview: dict) -> str:
    import matplotlib
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    expected, got = _as_array(preview.get("expected")), _as_array(preview.get("got"))
    same = list(preview.get("got_shape", [])) == list(preview.get("expected_shape", [])) \
        and expected.shape == got.shape
    panels = [("expected", expected), ("yours", got)]
    if same:
        panels.append(("yours \u2212 expected", got - expected))

    # Fixed layout in inches (no tight/constrained layout: that doubles the
    # drawing time): equal square cells for every panel when the arrays are
    # not too elongated, so a shape mismatch is visible as a size difference.
    box_w, box_h = 1.75, 2.3
    max_r = max(max(a.shape[0] for _, a in panels), 1)
    max_c = max(max(a.shape[1] for _, a in panels), 1)
    if 0.25 <= max_r / max_c <= 4:
        cell = min(box_w / max_c, box_h / max_r, 0.45)   # tiny arrays stay small
        sizes = [(max(a.shape[1], 1) * cell, max(a.shape[0], 1) * cell) for _, a in panels]
    else:
        sizes = [(box_w, min(max(box_w * max(a.shape[0], 1) / max(a.shape[1], 1), 0.5), box_h))
                 for _, a in panels]
    left, gap, cbar_w, cbar_labels, top, bottom = 0.36, 0.07, 0.1, 0.46, 0.26, 0.26
    panel_ws = [left + w + gap + cbar_w + cbar_labels for w, _ in sizes]
    height = max(h for _, h in sizes) + top + bottom
    width = sum(panel_ws)
    fig = new_figure(width, height)

    finite = [a[np.isfinite(a)] for _, a in panels[:2]]
    values = np.concatenate(finite) if any(f.size for f in finite) else np.zeros(1)
    vmin, vmax = float(values.min()), float(values.max())
    if vmin == vmax:
        vmin, vmax = vmin - 1, vmax + 1
    value_map = matplotlib.colormaps["viridis"].with_extremes(bad="#bbbbbb")
    diff_map = matplotlib.colormaps["RdBu_r"].with_extremes(bad="#bbbbbb")

    x = 0.0
    for (title, data), (w, h), panel_w in zip(panels, sizes, panel_ws):
        y = height - top - h                      # top-aligned
        ax = fig.add_axes(((x + left) / width, y / height, w / width, h / height))
        fig.text((x + left + w / 2) / width, 1 - 0.05 / height, title, ha="center", va="top", fontsize=9)
        if data.size == 0:
            ax.set_axis_off()
            ax.text(0.5, 0.5, "(empty)", ha="center", va="center", fontsize=8, transform=ax.transAxes)
            x += panel_w
            continue
        cax = fig.add_axes(((x + left + w + gap) / width, y / height, cbar_w / width, h / height))
        if title.startswith("yours \u2212"):
            d = data[np.isfinite(data)]
            lim = float(np.abs(d).max()) if d.size else 0.0
            image = ax.imshow(data, cmap=diff_map, vmin=-(lim or 1.0), vmax=lim or 1.0,
                              interpolation="nearest", aspect="auto")
        else:
            image = ax.imshow(data, cmap=value_map, vmin=vmin, vmax=vmax, interpolation="nearest",
                              aspect="auto")
        ax.tick_params(labelsize=7, length=2, pad=1)
        ax.set_xticks(_index_ticks(data.shape[1]))
        ax.set_yticks(_index_ticks(data.shape[0]))
        cell_in = w / max(data.shape[1], 1)      # the values fit in cells of 0.3 inch and more
        if data.size and data.shape[0] * data.shape[1] <= 48 and cell_in >= 0.3:
            _annotate(ax, data, image, digits=3 if cell_in >= 0.4 else 2)
        colorbar = fig.colorbar(image, cax=cax)
        colorbar.ax.tick_params(labelsize=7, length=2, pad=1)
        colorbar.ax.yaxis.set_major_locator(MaxNLocator(nbins=5 if h >= 1 else 3 if h >= 0.5 else 2))
        x += panel_w
    return png_data_uri(fig)


def _index_ticks(n: int) -> list[int]:
    """At most five integer ticks along an axis of n cells."""
    return list(range(0, n, max(1, math.ceil(n / 5))))


def _annotate(ax, data, image, digits: int = 3) -> None:
    import numpy as np

    norm, cmap = image.norm, image.cmap
    for (i, j), v in np.ndenumerate(data):
        if not np.isfinite(v):      # a gray cell; the facts above the picture say why
            continue
        r, g, b, _ = cmap(norm(v))
        dark = 0.299 * r + 0.587 * g + 0.114 * b < 0.5
        ax.text(j, i, f"{v:.{digits}g}", ha="center", va="center", fontsize=6,
                color="white" if dark else "black")


def _preview_block(preview: dict) -> str:
    got_shape, expected_shape = preview.get("got_shape"), preview.get("expected_shape")
    facts = []
    if preview.get("part"):
        facts.append(("output part", f"<code>{esc(preview['part'])}</code>"))
    facts.append(("expected shape", f"<code>{esc(tuple(expected_shape or ()))}</code>"))
    facts.append(("your shape", f"<code>{esc(tuple(got_shape or ()))}</code>"))
    non_finite = any(v is None for key in ("got", "expected") for row in preview.get(key) or [] for v in row)
    for key, label in (("max_abs_error", "max abs error"), ("max_rel_error", "max rel error")):
        if preview.get(key) is not None:
            facts.append((label + (" (finite entries)" if non_finite else ""), f"{preview[key]:.3g}"))
    facts.append(("pictured", esc(_shown_slice(expected_shape))))
    if non_finite:
        facts.append(("gray cells", "NaN or infinite"))
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


def _visible_case(tests: list[dict]) -> str:
    """One or more visible failures of one function with the same feedback
    (e.g. every case hit the same forbidden import): one card."""
    test = tests[0]
    extra = test.get("extra_data", {})
    text = own_feedback(test)
    preview = extra.get("preview")
    got = sum(float(t.get("score", 0)) for t in tests)
    total = sum(float(t.get("max_score", 0)) for t in tests)
    points = f"{fmt(got)} / {fmt(total)} points"
    title = esc(case_label(test)) if len(tests) == 1 else f"{len(tests)} tests"
    labels = "" if len(tests) == 1 else \
        '<ul class="labels">' + "".join(f"<li>{esc(case_label(t))}</li>" for t in tests) + "</ul>"
    return (f'<article class="case visible" data-hidden="false" data-count="{len(tests)}" '
            f'data-kind="{esc(extra.get("kind", ""))}">'
            f'<p class="title">{title} <span class="badge fail">failed</span> '
            f'{_kind_badge(extra.get("kind", ""))} <span class="muted small">{points}</span></p>{labels}'
            + (f"<pre class=\"feedback\">{esc(text)}</pre>" if text else "")
            + _hints_html(extra.get("hints"))
            + (_preview_block(preview) if isinstance(preview, dict) else "")
            + "</article>")


def _same_failure(tests: list[dict]) -> list[list[dict]]:
    """Consecutive visible failures with the same kind, feedback and hints and
    no picture, grouped."""
    groups: list[list[dict]] = []
    for t in tests:
        key = _failure_key(t)
        if groups and key is not None and _failure_key(groups[-1][0]) == key:
            groups[-1].append(t)
        else:
            groups.append([t])
    return groups


def _failure_key(test: dict):
    extra = test.get("extra_data", {})
    if extra.get("preview"):
        return None
    return extra.get("kind"), own_feedback(test), tuple(extra.get("hints", []) or [])


def _hidden_case(label: str, kind: str, hints: list) -> str:
    """A failed hidden case: its label, failed, the kind of failure and the
    hints. It takes nothing else, so it cannot show inputs, outputs or pictures."""
    return (f'<article class="case hidden" data-hidden="true" data-kind="{esc(kind)}">'
            f'<p class="title">{esc(label)} <span class="badge hidden">hidden</span> '
            f'<span class="badge fail">failed</span> {_kind_badge(kind)}</p>'
            f"{_hints_html(hints)}</article>")


def _function_rows(tests: list, order: list) -> str:
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
            kind = t.get("extra_data", {}).get("kind", WRONG)
            f["kinds"][kind] = f["kinds"].get(kind, 0) + 1
    rows = []
    for name in order:
        f = per[name]
        frac = f["score"] / f["max"] if f["max"] else 0.0
        status = ("<span class=\"ok\">all passed</span>" if not f["kinds"] else
                  ", ".join(f"{esc(KIND_LABELS.get(k, k))} ({n})" for k, n in f["kinds"].items()))
        rows.append(f'<tr data-function="{esc(name)}"><td><code>{esc(name)}</code></td>'
                    f'<td class="num">{fmt(f["score"])} / {fmt(f["max"])}</td>'
                    f'<td>{bar(frac, label=f"{frac:.0%} of the points")}</td>'
                    f'<td class="num">{f["vis"][0]} / {f["vis"][1]}</td>'
                    f'<td class="num">{f["hid"][0]} / {f["hid"][1]}</td><td>{status}</td></tr>')
    return "".join(rows)


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

    rows = _function_rows(tests, order)
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
    whole = _whole_submission_failure(tests)
    if whole:
        parts.append(f'<article class="case visible whole" data-hidden="false" data-count="{len(tests)}" '
                     f'data-kind="{esc(whole[0])}"><p class="title">No test could run '
                     f'{_kind_badge(whole[0])}</p><pre class="feedback">{esc(whole[1])}</pre></article>')
    for function in ([] if whole else order):
        mine = [t for t in failed if _function(t) == function]
        if not mine:
            continue
        parts.append(f'<section class="function" data-function="{esc(function)}">'
                     f'<h3><code>{esc(function)}</code> <span class="muted small">'
                     f'{len(mine)} failed test{"s" if len(mine) != 1 else ""}</span></h3>')
        hidden = [t for t in mine if t.get("extra_data", {}).get("hidden")]
        visible = [t for t in mine if not t.get("extra_data", {}).get("hidden")]
        parts += [_visible_case(group) for group in _same_failure(visible)]
        if hidden:
            parts.append('<div class="hidden-group"><p class="muted small">Hidden tests: fresh inputs '
                         "for you alone; their inputs and outputs are not shown.</p>")
            for t in hidden:
                t_extra = t.get("extra_data", {})
                parts.append(_hidden_case(case_label(t), str(t_extra.get("kind", "")),
                                          list(t_extra.get("hints", []) or [])))
            parts.append("</div>")
        parts.append("</section>")
    parts.append("</section>")

    parts.append(_all_tests(tests))
    parts.append(_notebook_section(results, ran=whole is None))
    parts.append(_footer(results))
    return page(f"{assignment} feedback: {student}", "\n".join(parts))


def _whole_submission_failure(tests: list) -> tuple[str, str] | None:
    """(kind, reason) when every test failed for one reason about the whole
    notebook (it could not be read): one notice instead of one per test."""
    kinds = {t.get("extra_data", {}).get("kind") for t in tests}
    if len(kinds) != 1 or kinds & {PASSED, None} or next(iter(kinds)) not in (UNREADABLE,):
        return None
    reasons = {own_feedback(t) for t in tests if not t.get("extra_data", {}).get("hidden")}
    return (next(iter(kinds)), reasons.pop()) if len(reasons) == 1 else None


def _metrics(extra: dict) -> str:
    """The achieved metrics of a partial-credit test (e.g. accuracy 0.993), numbers only."""
    metrics = extra.get("metrics")
    if not isinstance(metrics, dict):
        return ""
    shown = [f"{esc(str(name).replace('_', ' '))} {value:.4g}" for name, value in metrics.items()
             if isinstance(value, (int, float)) and not isinstance(value, bool)]
    return f' <span class="metric">{", ".join(shown)}</span>' if shown else ""


def _all_tests(tests: list) -> str:
    rows = []
    for t in tests:
        extra = t.get("extra_data", {})
        passed = t.get("status") == "passed"
        mark = '<span class="ok">&#10003;</span>' if passed else '<span class="no">&#10007;</span>'
        hidden = ' <span class="badge hidden">hidden</span>' if extra.get("hidden") else ""
        rows.append(f'<tr><td>{mark}</td><td><code>{esc(_function(t))}</code></td>'
                    f"<td>{esc(case_label(t))}{hidden}</td>"
                    f'<td class="num">{fmt(t.get("score", 0))} / {fmt(t.get("max_score", 0))}</td>'
                    f'<td>{"" if passed else _kind_badge(str(extra.get("kind", "")))}'
                    f'{_metrics(extra)}</td></tr>')
    n_pass = sum(t.get("status") == "passed" for t in tests)
    return (f'<section id="all-tests"><details><summary>All {len(tests)} tests ({n_pass} passed)</summary>'
            '<div class="scroll"><table class="tests"><thead><tr><th></th><th>function</th><th>test</th>'
            f'<th class="num">points</th><th></th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
            "</details></section>")


def _notebook_section(results: dict, ran: bool = True) -> str:
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
    elif ran:
        out.append('<p class="muted small">Every cell of your notebook loaded without an error.</p>')
    else:
        out.append('<p class="muted small">Your notebook could not be read, so none of its cells ran.</p>')
    if printed.strip():
        out.append('<details class="printed-output"><summary>What your code printed '
                   f'({len(printed.splitlines())} lines)</summary><pre class="printed">{esc(printed)}</pre></details>')
    elif ran:
        out.append('<p class="muted small">Your code printed nothing.</p>')
    out.append("</section>")
    return "".join(out)


def _footer(results: dict) -> str:
    extra = results.get("extra_data", {}) or {}
    versions = extra.get("versions", {}) or {}
    # No seed here: with the check tables it would regenerate the hidden inputs.
    bits = [f"grader {esc(versions.get('autograder', '?'))}"]
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
