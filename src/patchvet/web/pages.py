"""
The dashboard's pages as HTML strings. Everything that comes from a contribution or a person
passes through `e` (HTML-escaped, controls and bidi characters made visible) before it is shown;
attributes are always quoted.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from patchvet.formats._escape import html_text
from patchvet.ledger.corrections import LIKELIHOOD, VERDICT_TARGET, Correction, VouchRecord
from patchvet.records import AccountReading
from patchvet.web import charts
from patchvet.web.access import Visitor
from patchvet.web.queries import (
    COUNT_CAP,
    VERDICTS,
    BreakerView,
    ContributionPage,
    PersonPage,
    PolicyRow,
    QueueFilter,
    QueueRow,
    RateState,
    Week,
    cursor_text,
    rolling_share,
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
.u-legend, .u-legend th, .u-legend td { color: var(--fg); border: 0; padding: 0 4px; }
.u-legend .u-marker { border-radius: 2px; } .u-axis { color: var(--muted); }
form.inline { display: inline-flex; gap: 4px; margin: 2px 0; }
.state-ok { color: var(--pass); font-weight: 600; } .state-over { color: var(--reject);
  font-weight: 600; } svg .threshold { stroke: var(--reject); stroke-dasharray: 4 3; }
.meter { display: inline-block; width: 160px; height: 8px; background: var(--line);
  border-radius: 4px; vertical-align: middle; overflow: hidden; }
.meter span { display: block; height: 100%; background: var(--accent); }
"""


def layout(title: str, body: str, visitor: Visitor, csrf: str) -> str:
    if visitor.signed_in:
        who = (f'<span class="end muted">{e(visitor.name, 60)}</span>'
               f'<form method="post" action="/logout">{_csrf_field(csrf)}'
               '<button type="submit">Log out</button></form>')  # fmt: skip
    else:
        who = '<a class="end" href="/login">Log in</a>'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)} · patchvet</title>"
        '<link rel="stylesheet" href="/static/uPlot.min.css">'
        f"<style>{CSS}</style></head><body>"
        '<nav><strong>patchvet</strong><a href="/">Queue</a><a href="/projects">Projects</a>'
        f"{who}</nav><main><h1>{e(title)}</h1>{body}</main>"
        + (
            '<script src="/static/uPlot.iife.min.js"></script>'
            '<script src="/static/charts.js"></script>'
            if "data-chart=" in body
            else ""
        )
        + "</body></html>"
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
    projects: Sequence[str],
    newer: bool,
    older: bool,
    visitor: Visitor,
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
        f'<p class="muted">{_total(total)} contribution{"s" if total != 1 else ""} · export '
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
    links = []
    if newer and rows:
        links.append(f'<a href="/?{e(_query(wanted))}">newest</a>')
        links.append(f'<a rel="prev" href="/?{e(_query(wanted, before=cursor_text(rows[0])))}">'
                     "← newer</a>")  # fmt: skip
    if older and rows:
        links.append(f'<a rel="next" href="/?{e(_query(wanted, after=cursor_text(rows[-1])))}">'
                     "older →</a>")  # fmt: skip
    body.append(f"<p>{' '.join(links)}</p>")
    return layout("Review queue", "".join(body), visitor, csrf)


def _total(total: int) -> str:
    return f"{COUNT_CAP:,}+" if total > COUNT_CAP else str(total)


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
    wrong = "Human work: mark wrong" if target == LIKELIHOOD else "Mark wrong"
    forms = []
    for kind, label, ask in (("wrong", wrong, "why is this wrong?"),
                             ("confirm", "Confirm", "why is this right?")):  # fmt: skip
        forms.append(
            f'<form class="inline" method="post" action="/contribution/{contribution}/correct">'
            f'{_csrf_field(csrf)}<input type="hidden" name="target" value="{e(target)}">'
            f'<input type="hidden" name="kind" value="{kind}">'
            f'<input name="reason" required maxlength="2000" placeholder="{ask}" '
            f'aria-label="{e(label)}: reason"><button type="submit">{label}</button></form>'
        )
    return " ".join(forms)


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
        if item.active and csrf:
            state = (
                f'<form method="post" action="/correction/{item.id}/revoke">{_csrf_field(csrf)}'
                '<button type="submit">Take back</button></form>'
            )
        elif item.active:
            state = ""
        else:
            state = (f'<span class="muted">taken back by {e(item.revoked_by or "")} at '
                     f"{e(item.revoked_at or '')}</span>")  # fmt: skip
        css = "card" if item.active else "card revoked-card"
        said = "confirmed" if item.kind == "confirm" else "marked"
        outcome = "" if item.kind == "confirm" else " wrong"
        shown.append(
            f'<div class="{css}"><span class="{"" if item.active else "revoked"}">'
            f"{e(item.by)} {said} {what}{where}{outcome} at {e(item.created_at)}: "
            f"“{e(item.reason)}”</span> {state}</div>"
        )
    return "".join(shown)


def _read_only(visitor: Visitor, where: str) -> str:
    if not visitor.signed_in:
        return '<p class="muted">Read only: <a href="/login">log in</a> to override.</p>'
    return (f'<p class="muted">{e(visitor.name)} may read here; overriding needs write access '
            f"to {e(where)}.</p>")  # fmt: skip


def _explained(page: ContributionPage) -> str:
    """The agent-likelihood score with the signals that pushed it, when they were recorded."""
    row = page.row
    if row.agent_likelihood is None:
        return '<p class="muted">The model did not score this contribution.</p>'
    width = max(0.0, min(row.agent_likelihood, 1.0)) * 100
    meter = f'<span class="meter"><span style="width:{width:.0f}%"></span></span>'
    parts = [f"<p>Agent likelihood <strong>{score(row.agent_likelihood)}</strong> {meter}</p>"]
    finding = next((f for f in page.findings if f.finding_id == LIKELIHOOD), None)
    if finding is None:
        parts.append('<p class="muted">Below the threshold of the policy that judged it, so no '
                     "explanation was recorded.</p>")  # fmt: skip
        return "".join(parts)
    parts.append(f'<p class="muted">{e(finding.evidence)}</p>')
    if finding.details:
        top = max(abs(weight) for _, _, weight in finding.details) or 1.0
        rows = "".join(
            f"<tr><td><code>{e(name)}</code></td><td>{e(words)}</td><td>{weight:+.3f}</td>"
            f'<td><span class="meter"><span style="width:{abs(weight) / top * 100:.0f}%">'
            "</span></span></td></tr>"
            for name, words, weight in finding.details
        )
        head = "<tr><th>signal</th><th>what it measured</th><th>push</th><th></th></tr>"
        parts.append(f"<table><thead>{head}</thead><tbody>{rows}</tbody></table>")
    return "".join(parts)


def account_section(reading: AccountReading | None, when: str) -> str:
    """The author's GitHub account reading (from `patchvet account`), as it was `when`."""
    if reading is None:
        return f'<p class="muted">No account reading was taken {e(when)}.</p>'
    facts = [f"<strong>{e(reading.classification)}</strong> (score {reading.score})",
             f"as of {e(reading.as_of)}"]  # fmt: skip
    if reading.created_at:
        facts.append(f"account created {e(reading.created_at)}")
    if reading.public_repos is not None:
        facts.append(f"{reading.public_repos} public repositories")
    if reading.followers is not None:
        facts.append(f"{reading.followers} followers")
    facts.append(f"{reading.events} public events")
    text = f"<p>{e(reading.login)}: {' · '.join(facts)}</p>"
    if reading.signals:
        rows = "".join(
            f"<tr><td><code>{e(signal)}</code></td><td>{weight:+d}</td><td>{e(meaning)}</td>"
            f"<td>{e(evidence, 300)}</td></tr>"
            for signal, weight, meaning, evidence in reading.signals
        )
        text += ("<table><thead><tr><th>signal</th><th>weight</th><th>meaning</th>"
                 f"<th>evidence</th></tr></thead><tbody>{rows}</tbody></table>")  # fmt: skip
    return text


def _policy(policy: PolicyRow | None) -> str:
    if policy is None:
        return '<span class="muted">not recorded (recorded before patchvet kept it)</span>'
    text = f"<strong>{e(policy.name)}</strong>"
    if policy.origin:
        text += f' <span class="muted">from {e(policy.origin)}</span>'
    if policy.policy is not None:
        rules = policy.policy
        threshold = rules.likelihood.threshold
        text += (f"<br>mode {e(rules.mode)} · likelihood threshold "
                 f"{'model default' if threshold is None else f'{threshold:.4f}'} · "
                 f"circuit breaker {'on' if rules.circuit_breaker.enabled else 'off'}")  # fmt: skip
    return text + f' <code class="muted">{e(policy.digest[:12])}</code>'


def contribution_page(
    page: ContributionPage, fixes: Sequence[Correction], visitor: Visitor, writer: bool,
    csrf: str,
) -> str:  # fmt: skip
    row = page.row
    forms = writer and bool(csrf)
    verdict_form = _correction_form(row.id, VERDICT_TARGET, csrf) if forms else ""
    facts = (
        "<table>"
        f"<tr><th>project</th><td>{_project_link(row.project)}</td></tr>"
        f"<tr><th>id</th><td><code>{e(row.contribution_id)}</code></td></tr>"
        f"<tr><th>source</th><td>{_source_link(page.source)}</td></tr>"
        f"<tr><th>kind · state</th><td>{e(page.kind)} · {e(page.state)}</td></tr>"
        f"<tr><th>author</th><td>{_person_link(row.person, row.author)}</td></tr>"
        f"<tr><th>created · recorded</th><td>{e(row.created_at)} · {e(page.recorded_at)}</td></tr>"
        f"<tr><th>verdict</th><td>{verdict(row.verdict)} {verdict_form}</td></tr>"
        f"<tr><th>judged by policy</th><td>{_policy(page.policy)}</td></tr>"
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
        if forms:
            parts.append(_correction_form(row.id, finding.finding_id, csrf))
        findings.append("".join(parts) + "</div>")
    body = (
        ("" if forms else _read_only(visitor, row.project))
        + facts
        + "<h2>Explained score</h2>"
        + _explained(page)
        + "<h2>Author's account then</h2>"
        + account_section(page.account, "with this contribution")
        + f"<h2>Findings ({len(page.findings)})</h2>"
        + ("".join(findings) or "<p>No findings.</p>")
        + "<h2>Corrections and confirmations</h2>"
        + corrections_list(fixes, csrf if forms else "", {})
    )
    return layout(row.title, body, visitor, csrf)


def _limit(count: int, limit: int | None) -> str:
    if limit is None:
        return f'{count} <span class="muted">(no limit)</span>'
    css = "state-over" if count >= limit else "state-ok"
    return f'<span class="{css}">{count} of {limit}</span>'


def _rate(rate: RateState) -> str:
    return (
        f"<p>Trust tier <strong>{e(rate.tier)}</strong>, limits of {e(rate.policy)}.</p><table>"
        f"<tr><th>submissions in the last {rate.window_hours:g} h</th>"
        f"<td>{_limit(rate.in_window, rate.max_per_window)}</td></tr>"
        f"<tr><th>open contributions</th><td>{_limit(rate.open, rate.max_open)}</td></tr>"
        f"<tr><th>open agent-made contributions</th>"
        f"<td>{_limit(rate.open_agent, rate.max_open_agent)}</td></tr></table>"
    )


def _vouch_form(person: int, csrf: str) -> str:
    return (
        f'<form class="inline" method="post" action="/person/{person}/vouch">{_csrf_field(csrf)}'
        '<select name="action" aria-label="vouch or denounce"><option value="vouch">vouch for'
        '</option><option value="denounce">denounce</option></select>'
        '<input name="reason" required maxlength="2000" placeholder="why?" aria-label="reason">'
        '<label>until <input type="date" name="expires"></label>'
        '<button type="submit">Record</button></form>'
    )


def _vouches(items: Sequence[VouchRecord], csrf: str) -> str:
    if not items:
        return '<p class="muted">None.</p>'
    shown = []
    for item in items:
        until = f" until {e(item.expires_at)}" if item.expires_at else ""
        if item.active and csrf:
            state = (f'<form class="inline" method="post" action="/vouch/{item.id}/revoke">'
                     f"{_csrf_field(csrf)}"
                     '<button type="submit">Take back</button></form>')  # fmt: skip
        elif item.active:
            state = ""
        else:
            state = (f'<span class="muted">taken back by {e(item.revoked_by or "")} at '
                     f"{e(item.revoked_at or '')}</span>")  # fmt: skip
        said = "vouched for them" if item.action == "vouch" else "denounced them"
        shown.append(
            f'<div class="card"><span class="{"" if item.active else "revoked"}">{e(item.by)} '
            f"{said} at {e(item.created_at)}{until}: “{e(item.reason)}”</span> {state}</div>"
        )
    return "".join(shown)


def person_page(
    page: PersonPage, name: str, history: Sequence[Week], fixes: Sequence[Correction],
    vouches: Sequence[VouchRecord], visitor: Visitor, writer: bool, csrf: str,
) -> str:  # fmt: skip
    forms = writer and bool(csrf)
    identities = "".join(
        f"<tr><th>{e(kind)}</th><td><code>{e(value)}</code></td></tr>"
        for kind, value in page.identities
    )
    labels = [w.start for w in history]
    chart = charts.bars("Contributions per week", labels, [w.total for w in history])
    chart += charts.lines(
        "Share per week",
        labels,
        [
            ("flagged or worse", "flag",
             [_share(w.flagged + w.held + w.rejected, w.total) for w in history]),
            ("agent marks", "agent", [_share(w.agent, w.total) for w in history]),
        ],
    )  # fmt: skip
    rows = "".join(_queue_row(row) for row in page.history)
    titles = {row.id: row.title for row in page.history}
    everything = e(urlencode({"person": page.person}))
    body = (
        ("" if forms else _read_only(visitor, ", ".join(page.projects[:3])))
        + f"<h2>Identities</h2><table>{identities}</table>"
        + "<h2>Account</h2>" + account_section(page.account, "with any contribution")
        + "<h2>Rate limits now</h2>" + _rate(page.rate)
        + "<h2>Vouches and denouncements</h2>"
        + (_vouch_form(page.person, csrf) if forms else "")
        + _vouches(vouches, csrf if forms else "")
        + f"<h2>History</h2>{chart}"
        + f'<p>Newest {len(page.history)} · <a href="/?{everything}">all in the queue</a></p>'
        + "<table><thead><tr><th>when</th><th>project</th><th>title</th><th>author</th>"
        "<th>verdict</th><th>agent</th><th>lines</th><th>findings</th></tr></thead>"
        + f"<tbody>{rows}</tbody></table>"
        + "<h2>Corrections by maintainers</h2>"
        + corrections_list(fixes, csrf if forms else "", titles)
    )  # fmt: skip
    return layout(f"Contributor {name or page.person}", body, visitor, csrf)


def _share(part: int, total: int) -> float:
    return part / total if total else 0.0


def _breaker(breaker: BreakerView) -> str:
    rule = (f"more than {breaker.threshold:.0%} of at least {breaker.min_contributions} merges "
            f"in {breaker.window_days:g} days are agent-made")  # fmt: skip
    if breaker.tripped:
        state = f'<span class="state-over">tripped</span> since {e(breaker.since or "")}'
    else:
        state = '<span class="state-ok">closed</span>'
    lead = (f"Circuit breaker of {e(breaker.policy)}: {state}" if breaker.enabled
            else f"{e(breaker.policy)} leaves the circuit breaker off; against Rust's rule it "
            f"would be {state}")  # fmt: skip
    return (f"<p>{lead}. It trips when {rule}. Now: {breaker.share:.0%} of "
            f"{breaker.merged} merges in the window.</p>")  # fmt: skip


def project_page(
    name: str, history: Sequence[Week], top: Sequence[tuple[str, int]], breaker: BreakerView,
    visitor: Visitor, csrf: str,
) -> str:  # fmt: skip
    labels = [w.start for w in history]
    rolling = rolling_share(list(history), breaker.window_days)
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
        + "<h2>Circuit breaker</h2>"
        + _breaker(breaker)
        + charts.lines(
            f"Agent-made share of merges over {breaker.window_days:g} days",
            labels,
            [
                ("agent-made merges", "agent", rolling),
                (
                    f"threshold {breaker.threshold:.0%}",
                    "threshold",
                    [breaker.threshold] * len(labels),
                ),
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
    return layout(f"Project {name}", body, visitor, csrf)


def projects_page(items: Sequence[tuple[str, int]], visitor: Visitor, csrf: str) -> str:
    rows = "".join(f"<tr><td>{_project_link(name)}</td><td>{n}</td></tr>" for name, n in items)
    body = f"<table><tr><th>project</th><th>contributions</th></tr>{rows}</table>"
    return layout("Projects", body if items else "<p>Nothing recorded yet.</p>", visitor, csrf)


def message_page(title: str, text: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title><style>{CSS}</style></head>"
        f"<body><h1>{e(title)}</h1><p>{e(text)}</p></body></html>"
    )
