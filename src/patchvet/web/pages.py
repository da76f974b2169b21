"""
The dashboard's pages as HTML strings. Everything that comes from a contribution or a person
passes through `e` (HTML-escaped, controls and bidi characters made visible) before it is shown;
attributes are always quoted.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from patchvet.formats._escape import html_text
from patchvet.ledger.corrections import VERDICT_TARGET, Correction
from patchvet.web import charts
from patchvet.web.queries import (
    VERDICTS,
    ContributionPage,
    PersonPage,
    QueueFilter,
    QueueRow,
    Week,
)


def e(text: object, limit: int | None = None) -> str:
    """Escaped text for HTML content or a quoted attribute."""
    return html_text(str(text), limit)


def multiline(text: str) -> str:
    return "<br>".join(e(line) for line in text.splitlines())


CSS = """
:root { color-scheme: light dark; --bg: #fff; --fg: #1b1f24; --muted: #59636e; --line: #d1d9e0;
  --accent: #0969da; --pass: #1a7f37; --flag: #9a6700; --hold: #bc4c00; --reject: #cf222e;
  --panel: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1;
  --line: #3d444d; --accent: #4493f8; --pass: #3fb950; --flag: #d29922; --hold: #db6d28;
  --reject: #f85149; --panel: #151b23; } }
body { background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, sans-serif;
  margin: 0 auto; max-width: 1100px; padding: 0 16px 40px; }
a { color: var(--accent); } .muted { color: var(--muted); }
nav { display: flex; gap: 16px; align-items: center; padding: 12px 0;
  border-bottom: 1px solid var(--line); } nav .end { margin-left: auto; }
table { border-collapse: collapse; width: 100%; } td, th { text-align: left; padding: 4px 6px;
  border-bottom: 1px solid var(--line); vertical-align: top; }
.v { font-weight: 600; } .v-pass { color: var(--pass); } .v-flag { color: var(--flag); }
.v-hold { color: var(--hold); } .v-reject { color: var(--reject); }
form.filters { display: flex; flex-wrap: wrap; gap: 8px; margin: 12px 0; }
input, select, button, textarea { font: inherit; color: var(--fg); background: var(--panel);
  border: 1px solid var(--line); border-radius: 4px; padding: 3px 6px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px;
  padding: 8px 12px; margin: 8px 0; } .revoked { text-decoration: line-through; }
svg .bar { fill: var(--accent); } svg .axis { stroke: var(--line); }
svg .tick, svg .legend { fill: var(--muted); font-size: 11px; }
svg .line { stroke-width: 2; } svg .flag { stroke: var(--flag); fill: var(--flag); }
svg .hold { stroke: var(--hold); fill: var(--hold); }
svg .reject { stroke: var(--reject); fill: var(--reject); }
svg .agent { stroke: var(--accent); fill: var(--accent); }
figure { margin: 12px 0; } code { overflow-wrap: anywhere; }
"""


def layout(title: str, body: str, csrf: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} · patchvet</title><style>{CSS}</style></head><body>"
        '<nav><strong>patchvet</strong><a href="/">Queue</a><a href="/projects">Projects</a>'
        f'<form class="end" method="post" action="/logout">{_csrf_field(csrf)}'
        '<button type="submit">Log out</button></form></nav>'
        f"<main><h1>{e(title)}</h1>{body}</main></body></html>"
    )


def _csrf_field(csrf: str) -> str:
    return f'<input type="hidden" name="csrf" value="{e(csrf)}">'


def verdict(value: str) -> str:
    css = value if value in VERDICTS else "unknown"
    return f'<span class="v v-{css}">{e(value)}</span>'


def score(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _query(wanted: QueueFilter, **extra: object) -> str:
    return urlencode([*wanted.items(), *((k, str(v)) for k, v in extra.items())])


def queue_page(
    wanted: QueueFilter,
    rows: Sequence[QueueRow],
    total: int,
    page: int,
    page_size: int,
    projects: Sequence[str],
    csrf: str,
) -> str:
    options = "".join(
        f'<option value="{e(name)}"{" selected" if name == wanted.project else ""}>{e(name)}'
        "</option>"
        for name in projects
    )
    verdicts = "".join(
        f'<option value="{v}"{" selected" if v == wanted.verdict else ""}>{v}</option>'
        for v in VERDICTS
    )
    filters = (
        '<form class="filters" method="get" action="/">'
        f'<input name="q" placeholder="search titles" value="{e(wanted.q)}">'
        f'<select name="project"><option value="">all projects</option>{options}</select>'
        f'<select name="verdict"><option value="">any verdict</option>{verdicts}</select>'
        f'<input name="family" placeholder="finding family" value="{e(wanted.family)}">'
        f'<input name="author" placeholder="login or email" value="{e(wanted.author)}">'
        f'<label>from <input type="date" name="since" value="{e(wanted.since)}"></label>'
        f'<label>to <input type="date" name="until" value="{e(wanted.until)}"></label>'
        '<button type="submit">Filter</button><a href="/">clear</a></form>'
    )
    body = [
        filters,
        f'<p class="muted">{total} contribution{"s" if total != 1 else ""} · export '
        f'<a href="/export.csv?{e(_query(wanted))}">CSV</a> '
        f'<a href="/export.json?{e(_query(wanted))}">JSON</a></p>',
    ]
    if rows:
        body.append(
            "<table><thead><tr><th>when</th><th>project</th><th>title</th><th>author</th>"
            "<th>verdict</th><th>agent</th><th>lines</th><th>findings</th></tr></thead><tbody>"
        )
        body += [_queue_row(row) for row in rows]
        body.append("</tbody></table>")
    else:
        body.append("<p>No contribution matches.</p>")
    pages = max((total + page_size - 1) // page_size, 1)
    links = []
    if page > 1:
        links.append(f'<a rel="prev" href="/?{e(_query(wanted, page=page - 1))}">← newer</a>')
    links.append(f'<span class="muted">page {page} of {pages}</span>')
    if page < pages:
        links.append(f'<a rel="next" href="/?{e(_query(wanted, page=page + 1))}">older →</a>')
    body.append(f"<p>{' '.join(links)}</p>")
    return layout("Review queue", "".join(body), csrf)


def _person_link(person: int | None, name: str) -> str:
    if person is None:
        return '<span class="muted">unknown</span>'
    return f'<a href="/person/{person}">{e(name or f"person {person}", 60)}</a>'


def _project_link(project: str) -> str:
    return f'<a href="/project?{e(urlencode({"name": project}))}">{e(project, 40)}</a>'


def _queue_row(row: QueueRow) -> str:
    return (
        f"<tr><td>{e(row.created_at[:16].replace('T', ' '))}</td>"
        f"<td>{_project_link(row.project)}</td>"
        f'<td><a href="/contribution/{row.id}">{e(row.title, 120)}</a></td>'
        f"<td>{_person_link(row.person, row.author)}</td><td>{verdict(row.verdict)}</td>"
        f"<td>{score(row.agent_likelihood)}</td><td>{row.size_lines}</td>"
        f"<td>{e(', '.join(row.families))}</td></tr>"
    )


def _source_link(source: str) -> str:
    if source.startswith(("https://", "http://")):
        return f'<a href="{e(source)}" rel="noreferrer noopener">{e(source)}</a>'
    return f"<code>{e(source)}</code>"


def _correction_form(contribution: int, target: str, csrf: str) -> str:
    return (
        f'<form method="post" action="/contribution/{contribution}/correct">{_csrf_field(csrf)}'
        f'<input type="hidden" name="target" value="{e(target)}">'
        '<input name="reason" required maxlength="2000" placeholder="why is this wrong?">'
        '<button type="submit">Mark wrong</button></form>'
    )


def corrections_list(items: Sequence[Correction], csrf: str, titles: dict[int, str]) -> str:
    if not items:
        return '<p class="muted">No corrections.</p>'
    shown = []
    for item in items:
        what = "the verdict" if item.target == VERDICT_TARGET else f"finding {e(item.target)}"
        where = ""
        if item.contribution in titles:
            where = (f' on <a href="/contribution/{item.contribution}">'
                     f"{e(titles[item.contribution], 80)}</a>")  # fmt: skip
        if item.active:
            state = (
                f'<form method="post" action="/correction/{item.id}/revoke">{_csrf_field(csrf)}'
                '<button type="submit">Take back</button></form>'
            )
        else:
            state = (f'<span class="muted">taken back by {e(item.revoked_by or "")} at '
                     f"{e(item.revoked_at or '')}</span>")  # fmt: skip
        css = "card" if item.active else "card revoked-card"
        shown.append(
            f'<div class="{css}"><span class="{"" if item.active else "revoked"}">'
            f"{e(item.by)} marked {what}{where} wrong at {e(item.created_at)}: "
            f"“{e(item.reason)}”</span> {state}</div>"
        )
    return "".join(shown)


def contribution_page(page: ContributionPage, fixes: Sequence[Correction], csrf: str) -> str:
    row = page.row
    facts = (
        "<table>"
        f"<tr><th>project</th><td>{_project_link(row.project)}</td></tr>"
        f"<tr><th>id</th><td><code>{e(row.contribution_id)}</code></td></tr>"
        f"<tr><th>source</th><td>{_source_link(page.source)}</td></tr>"
        f"<tr><th>kind · state</th><td>{e(page.kind)} · {e(page.state)}</td></tr>"
        f"<tr><th>author</th><td>{_person_link(row.person, row.author)}</td></tr>"
        f"<tr><th>created · recorded</th><td>{e(row.created_at)} · {e(page.recorded_at)}</td></tr>"
        f"<tr><th>verdict</th><td>{verdict(row.verdict)} "
        f"{_correction_form(row.id, VERDICT_TARGET, csrf)}</td></tr>"
        f"<tr><th>agent likelihood</th><td>{score(row.agent_likelihood)}</td></tr>"
        f"<tr><th>size</th><td>{row.size_lines} lines</td></tr></table>"
    )
    findings = []
    for finding in page.findings:
        parts = [
            f'<div class="card"><strong><code>{e(finding.finding_id)}</code></strong> '
            f"{e(finding.severity)} → {verdict(finding.verdict)}<p>{multiline(finding.message)}</p>"
        ]
        if finding.evidence:
            parts.append(f"<p><b>Evidence</b><br>{multiline(finding.evidence)}</p>")
        if finding.location:
            parts.append(f"<p><b>Where</b><br><code>{multiline(finding.location)}</code></p>")
        if finding.remedy:
            parts.append(f"<p><b>Remedy</b><br>{multiline(finding.remedy)}</p>")
        parts.append(_correction_form(row.id, finding.finding_id, csrf) + "</div>")
        findings.append("".join(parts))
    body = (
        facts
        + f"<h2>Findings ({len(page.findings)})</h2>"
        + ("".join(findings) or "<p>No findings.</p>")
        + "<h2>Corrections</h2>"
        + corrections_list(fixes, csrf, {})
    )
    return layout(row.title, body, csrf)


def person_page(
    page: PersonPage, name: str, history: Sequence[Week], fixes: Sequence[Correction], csrf: str
) -> str:
    identities = "".join(
        f"<tr><th>{e(kind)}</th><td><code>{e(value)}</code></td></tr>"
        for kind, value in page.identities
    )
    vouches = "".join(
        f'<div class="card">{e(action)} by {e(by)} at {e(at)}'
        f"{' until ' + e(expires) if expires else ''}: “{e(reason)}”</div>"
        for action, by, reason, at, expires in page.vouches
    )
    chart = charts.bars(
        "Contributions per week", [w.start for w in history], [w.total for w in history]
    )
    rows = "".join(_queue_row(row) for row in page.history)
    titles = {row.id: row.title for row in page.history}
    body = (
        f"<h2>Identities</h2><table>{identities}</table>"
        f"<h2>Vouches and denouncements</h2>{vouches or '<p class=muted>None.</p>'}"
        f"<h2>History</h2>{chart}"
        "<table><thead><tr><th>when</th><th>project</th><th>title</th><th>author</th>"
        "<th>verdict</th><th>agent</th><th>lines</th><th>findings</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        f"<h2>Corrections by maintainers</h2>{corrections_list(fixes, csrf, titles)}"
    )
    return layout(f"Contributor {name or page.person}", body, csrf)


def _share(part: int, total: int) -> float:
    return part / total if total else 0.0


def project_page(
    name: str, history: Sequence[Week], top: Sequence[tuple[str, int]], csrf: str
) -> str:
    labels = [w.start for w in history]
    body = (
        f'<p><a href="/?{e(urlencode({"project": name}))}">this project\'s queue</a></p>'
        + charts.bars("Contributions per week", labels, [w.total for w in history])
        + charts.lines(
            "Share per week",
            labels,
            [
                ("flagged", "flag", [_share(w.flagged, w.total) for w in history]),
                ("held", "hold", [_share(w.held, w.total) for w in history]),
                ("rejected", "reject", [_share(w.rejected, w.total) for w in history]),
                ("agent marks", "agent", [_share(w.agent, w.total) for w in history]),
            ],
        )
        + "<h2>Most frequent findings</h2><table>"
        + "".join(
            f'<tr><td><a href="/?{e(urlencode({"project": name, "family": f.split("/")[0]}))}">'
            f"<code>{e(f)}</code></a></td><td>{n}</td></tr>"
            for f, n in top
        )
        + "</table>"
    )
    return layout(f"Project {name}", body, csrf)


def projects_page(items: Sequence[tuple[str, int]], csrf: str) -> str:
    rows = "".join(f"<tr><td>{_project_link(name)}</td><td>{n}</td></tr>" for name, n in items)
    body = f"<table><tr><th>project</th><th>contributions</th></tr>{rows}</table>"
    return layout("Projects", body if items else "<p>Nothing recorded yet.</p>", csrf)


def message_page(title: str, text: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title><style>{CSS}</style></head>"
        f"<body><h1>{e(title)}</h1><p>{e(text)}</p></body></html>"
    )
