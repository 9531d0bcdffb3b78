"""Build `audit/data/reliability.json`, the source-reliability table `audit.reliability` ships.

    python scripts/build_reliability.py --data ../shared/data/source-reliability \
        --out audit/data/reliability.json

Inputs (see audit/data/README.md for provenance and licences):

* `rsp-perennial-sources-audiodude-sources.jsonl.gz` - WP:RSP as of 2026-04-18, one row per
  source: status, `{{WP:RSPUSES|...}}` domains, summary, `{{rsnl}}` discussions, `{{sbll}}`.
* `citeunseen-categorized-domains-2025-06.json` - Cite Unseen's domain lists: its `rsp*` lists
  fill RSP rows the 2026 parse lost (RT, Slate, ...); blogs/social/editable/press/community/
  predatory/sponsored become the category list, plus the hand list below.
* `rsp-perennial-sources-kudusch-2021-03-17.csv` - WP:RSP as of 2021-03-17, used only for
  status history (what a source was rated in 2021) and to name sources Cite Unseen lists.

The output is deterministic: same inputs, same `--build-date` -> same bytes. Without
`--build-date` the date already in `--out` is kept when nothing else changed (so a rebuild
from unchanged inputs is byte-identical), else today's date is used.
Reading WP:RSP live from the wiki is not offered: the RSP page is a hand-edited table whose
layout changes; the dated snapshot files are what the build is tested against.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import hashlib
import json
import os
import re
import sys
import urllib.parse
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
#: Bump when the heuristics or the hand list below change (the inputs may not have).
BUILDER_VERSION = 1

RSP_FILE = "rsp-perennial-sources-audiodude-sources.jsonl.gz"
RSP2021_FILE = "rsp-perennial-sources-kudusch-2021-03-17.csv"
CITEUNSEEN_FILE = "citeunseen-categorized-domains-2025-06.json"

#: The snapshots this script was written against: sha256 -> (version tag, origin).
KNOWN_INPUTS = {
    "9311b69d7bc60477ffa9d83667c5c9aaa1a2fa5bf5a9ca542b2aff2565dfca8a": (
        "rsp-2026-04-18",
        "github.com/audiodude/wiki-reliable-sources-parser data/sources.jsonl @ 424da385",
    ),
    "c4e33cc882e1ef0c3c132e6eace2f6db12283a089c905bcbe1baeaf8ca7f1ead": (
        "citeunseen-2025-06",
        "github.com/KevinPayravi/cite-unseen main.js @ c66fd722 (categorizedDomains)",
    ),
    "37bde8c6a722a14665675db6495f7920f4d7f8bf2f4aba8844711d6b2837604f": (
        "rsp-2021-03-17",
        "github.com/Kudusch/wikipedia-perennial-sources perennial-sources.csv @ 1a7c0c2d",
    ),
}
RSP2021_DATE = "2021-03-17"

RSP_STATUS = {
    "gr": "generally-reliable",
    "nc": "no-consensus",
    "m": "no-consensus",  # RSP "mixed"/marginal: case by case
    "gu": "generally-unreliable",
    "d": "deprecated",
}
RSP2021_STATUS = {
    "Generally reliable": "generally-reliable",
    "No consensus": "no-consensus",
    "Generally unreliable": "generally-unreliable",
    "Deprecated": "deprecated",
    "Blacklisted": "blacklisted",
}
CITEUNSEEN_STATUS = {  # strongest first: a domain on two lists takes the first
    "rspBlacklisted": "blacklisted",
    "rspDeprecated": "deprecated",
    "rspGenerallyUnreliable": "generally-unreliable",
    "rspMarginallyReliable": "no-consensus",
    "rspGenerallyReliable": "generally-reliable",
}
CITEUNSEEN_CATEGORY = {
    "blogs": "self-published",
    "social": "social-media",
    "editable": "wiki",  # refined to user-generated below for hosts that are not wikis
    "press": "press-release",
    "community": "user-generated",
    "predatory": "predatory",
    "sponsored": "sponsored",
}
#: Hosts of Cite Unseen's `editable` list that are user-generated databases, not wikis.
EDITABLE_NOT_WIKI = {"boardgamegeek.com", "discogs.com", "imdb.com", "planetmath.org"}

#: The hand list: hosts every editor knows, whatever Cite Unseen happens to list. It wins over
#: Cite Unseen for the same host (and drops Cite Unseen's path rules under that host).
HAND_CATEGORIES: dict[str, list[str]] = {
    "self-published": """
        blogspot.com blogger.com wordpress.com medium.com substack.com tumblr.com livejournal.com
        dreamwidth.org typepad.com weebly.com wixsite.com wix.com squarespace.com ghost.io
        over-blog.com hatenablog.com tistory.com blog.naver.com github.io sites.google.com
        neocities.org angelfire.com tripod.com geocities.com geocities.ws scribd.com academia.edu
        lulu.com change.org patreon.com
    """.split(),
    "social-media": """
        twitter.com x.com t.co facebook.com fb.com fb.watch instagram.com threads.net bsky.app
        mastodon.social linkedin.com reddit.com redd.it pinterest.com vk.com ok.ru weibo.com t.me
        telegram.me telegram.org snapchat.com 9gag.com truthsocial.com gab.com parler.com
        gettr.com
    """.split(),
    "video": """
        youtube.com youtu.be vimeo.com tiktok.com dailymotion.com twitch.tv rumble.com
        bitchute.com odysee.com liveleak.com bilibili.com nicovideo.jp
    """.split(),
    "user-generated": """
        quora.com stackexchange.com stackoverflow.com answers.com answers.yahoo.com tvtropes.org
        imdb.com discogs.com findagrave.com geni.com ancestry.com familysearch.org genius.com
        goodreads.com urbandictionary.com deviantart.com flickr.com soundcloud.com bandcamp.com
        everything2.com kiwifarms.net 4chan.org gofundme.com kickstarter.com indiegogo.com
    """.split(),
    "wiki": """
        wikipedia.org wikimedia.org wikidata.org wiktionary.org wikinews.org wikiquote.org
        wikisource.org wikibooks.org wikiversity.org wikivoyage.org fandom.com wikia.com wikia.org
        gamepedia.com miraheze.org wikihow.com everipedia.org baike.baidu.com namu.wiki
        rationalwiki.org citizendium.org conservapedia.com metapedia.org wikitree.com
        wikimapia.org openstreetmap.org
    """.split(),
    "press-release": """
        prnewswire.com prnewswire.co.uk businesswire.com globenewswire.com newswire.ca
        accesswire.com einpresswire.com einnews.com prweb.com marketwired.com prlog.org
        24-7pressrelease.com openpr.com newswire.com presswire.com pressat.co.uk issuewire.com
        prfire.co.uk realwire.com cision.com webwire.com prunderground.com send2press.com
        newsfilecorp.com mynewsdesk.com ots.at presseportal.de
    """.split(),
}

#: Hosts in the 2021 CSV's url lists that are links about a source, never the source itself.
CSV_NOISE_HOSTS = (
    "wikidata.org",
    "wikipedia.org",
    "wiktionary.org",
    "wikisource.org",
    "nasdaq.com",
    "nyse.com",
    "toolforge.org",
    "fubo.tv",
    "youtube.com",
    "hotstar.com",
)
#: Parenthesised qualifiers that belong to the name (country, acronym), not to the topic scope.
NAME_QUALIFIER = re.compile(r"^(?:[A-Z][A-Z0-9]{0,4}|India)$")

MONTHS = (
    "january february march april may june july august september october november december"
).split()
_MONTH = "(?:" + "|".join(m.capitalize() for m in MONTHS) + ")"
_DATE = rf"(?:(?:\d{{1,2}} )?{_MONTH} \d{{4}}|\d{{4}})"
_DASH = r"\s*[-–—]\s*"

# --- wikitext cleaning -------------------------------------------------------------------


def clean_wikitext(text: str) -> str:
    """Plain text of a bit of RSP wikitext: links flattened, templates and refs dropped."""
    text = re.sub(r"<ref[^>]*/>|<ref[^>]*>.*?</ref>", "", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"\{\{\s*(?:snd|ndash|spaced ndash)\s*\}\}", " – ", text, flags=re.I)
    text = re.sub(r"\{\{\s*pslink\s*\|([^}|]*)[^}]*\}\}", r"\1", text, flags=re.I)
    text = re.sub(r"\{\{[^{}]*\}\}", "", text)
    text = re.sub(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]", r"\1", text)
    text = re.sub(r"\[https?://\S+ ([^\]]*)\]", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text).replace("'''", "").replace("''", "")
    return " ".join(text.split())


def name_and_scope(row: dict[str, Any]) -> tuple[str, str | None]:
    """Display name of an RSP row and its topic/period qualifier.

    The qualifier comes from the parser's `content_qualifier` (its `{{snd}}` dashes restored);
    country and acronym groups such as (UK) or (WSWS) stay in the name.
    """
    cell = row["alltext"].split("\n")[1] if "\n" in row["alltext"] else row["name"]
    cell = re.sub(r'^\|\s*(?:data-sort-value="[^"]*"\s*\|)?', "", cell)
    cell = re.sub(r"<small>.*?</small>|<span[^>]*>\s*</span>", "", cell, flags=re.S)
    name = _dashes(clean_wikitext(cell))
    qualifier = re.sub(
        rf"(\d{{4}})({_MONTH} \d{{4}}|\d{{4}}|present)",
        r"\1–\2",
        row.get("content_qualifier") or "",
    )
    scope = []
    for group in re.findall(r"\(([^()]*)\)", _dashes(qualifier)):
        if not NAME_QUALIFIER.match(group.strip()):
            scope.append(group.strip())
            name = name.replace(f"({group})", "")
    return " ".join(name.split()) or row["id"], "; ".join(scope) or None


def _dashes(text: str) -> str:
    return re.sub(r"\s*[–—]\s*", "–", text)


# --- dates -------------------------------------------------------------------------------


def partial_date(text: str) -> str | None:
    """`5 August 2010` -> `2010-08-05`, `May 2025` -> `2025-05`, `2019` -> `2019`."""
    match = re.fullmatch(rf"(?:(\d{{1,2}}) )?(?:({_MONTH}) )?(\d{{4}})", text.strip())
    if not match:
        return None
    day, month, year = match.groups()
    if not month:
        return year
    out = f"{year}-{MONTHS.index(month.lower()) + 1:02d}"
    return f"{out}-{int(day):02d}" if day else out


def period_end(date: str) -> str:
    """First day after a partial date's period (`2018` -> `2019-01-01`)."""
    parts = [int(p) for p in date.split("-")]
    if len(parts) == 1:
        return f"{parts[0] + 1}-01-01"
    if len(parts) == 2:
        y, m = parts[0] + parts[1] // 12, parts[1] % 12 + 1
        return f"{y}-{m:02d}-01"
    day = dt.date(*parts) + dt.timedelta(days=1)
    return day.isoformat()


def period_start(date: str) -> str:
    parts = date.split("-") + ["01", "01"]
    return "-".join(parts[:3])


def era_of(scope: str | None) -> list[str | None] | None:
    """Publication period a scope names, as [start, end) ISO dates (None = open)."""
    if not scope:
        return None
    text = scope.replace("\u2013", "–")
    if m := re.search(rf"\bpre{_DASH}?({_DATE})", text, re.I):
        return [None, period_start(partial_date(m.group(1)) or "")]
    if m := re.search(rf"\bpost{_DASH}?({_DATE})", text, re.I):
        return [period_end(partial_date(m.group(1)) or ""), None]
    if m := re.search(rf"({_DATE}){_DASH}present", text):
        return [period_start(partial_date(m.group(1)) or ""), None]
    if m := re.search(rf"({_DATE}){_DASH}({_DATE})", text):
        start, end = partial_date(m.group(1)), partial_date(m.group(2))
        if start and end:
            return [period_start(start), period_end(end)]
    return None


def _dated(match: re.Match[str]) -> str | None:
    month, year = match.group("month"), match.group("year")
    return partial_date(f"{month} {year}" if month else year)


_WHEN = rf"(?:(?P<month>{_MONTH}) )?(?P<year>(?:19|20)\d\d)"
#: Sentences of an RSP summary that date a deprecation ("deprecated in the 2019 RfC", "In the
#: 2018 RfC, there was clear consensus to deprecate", "The 2018 RfC showed ... deprecated").
#: `(?<!as )in` keeps "deprecated as in the 2017 RfC of the Daily Mail" (Sputnik) out.
_CHANGE_PATTERNS = (
    r"{verb}\w*\b[^.]{{0,80}}?\b(?<!as )in (?:the|a) " + _WHEN + r" RfC",
    r"{verb}\w* following (?:the|a) " + _WHEN + r" RfC",
    r"\b[Ii]n the " + _WHEN + r" RfC\b[^.]{{0,200}}?\b{verb}",
    r"\b[Tt]he " + _WHEN + r" RfC\b[^.]{{0,200}}?\b{verb}",
)


def dated_in_summary(summary: str, verb: str) -> str | None:
    """Earliest date the summary gives for a deprecation (`verb='deprecat'`) or blacklisting."""
    found = []
    for sentence in re.split(r"(?<=[.!?])\s+", clean_wikitext(summary)):
        for pattern in _CHANGE_PATTERNS:
            for match in re.finditer(pattern.format(verb=verb), sentence):
                if date := _dated(match):
                    found.append(date)
    return min(found) if found else None


def discussions(alltext: str) -> list[tuple[str, str, bool]]:
    """(year, title, is_rfc) of each `{{rsnl|...}}` link; positional order varies in RSP."""
    out = []
    for body in re.findall(r"\{\{\s*rsnl\s*\|([^{}]*)\}\}", alltext, flags=re.I):
        args = [a.strip() for a in body.split("|")]
        named = {a.split("=", 1)[0].strip(): a.split("=", 1)[1] for a in args if "=" in a}
        plain = [a for a in args if "=" not in a]
        years = [a for a in plain if re.fullmatch(r"(?:19|20)\d\d", a)]
        titles = [a for a in plain if not a.isdigit()]
        if years:
            out.append((years[0], titles[0] if titles else "", named.get("rfc", "") == "y"))
    return out


def blacklisted_on(alltext: str) -> str | None:
    """Earliest `{{sbll|Month YYYY|...}}` date: when the spam-blacklist request was granted."""
    dates = []
    for body in re.findall(r"\{\{\s*sbll\s*\|([^{}]*)\}\}", alltext, flags=re.I):
        first = body.split("|")[0].strip()
        if first and (date := partial_date(first)):
            dates.append(date)
    return min(dates) if dates else None


def deprecated_by_rfc(alltext: str) -> tuple[str, str] | None:
    """Fallback date of a deprecation from the RfCs listed: (year, basis)."""
    rfcs = [(y, t) for y, t, rfc in discussions(alltext) if rfc]
    named = sorted(y for y, t in rfcs if "deprecat" in t.lower())
    if named:
        return named[0], "RfC titled as a deprecation RfC"
    years = sorted({y for y, _ in rfcs})
    if len(years) == 1:
        return years[0], "only RfC listed"
    if years:
        return years[0], f"earliest of {len(years)} RfCs listed"
    return None


# --- domains -----------------------------------------------------------------------------


def domain_key(raw: str) -> str | None:
    """Normalised data key: lower-case, punycode host, no scheme/`www.`, optional path prefix."""
    raw = raw.strip().lower().lstrip("/")
    raw = re.sub(r"^[a-z]+://", "", raw).split("?")[0].split("#")[0].rstrip("/")
    host, _, path = raw.partition("/")
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    if "." not in host or not re.fullmatch(r"[^\s/]+", host):
        return None
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return f"{host}/{path}" if path else host


def rsp_domains(alltext: str) -> list[str]:
    keys = []
    for body in re.findall(r"\{\{\s*WP:RSPUSES\s*\|([^{}]*)\}\}", alltext):
        for raw in body.split("|"):
            if (key := domain_key(raw)) and key not in keys:
                keys.append(key)
    return keys


# --- assembling --------------------------------------------------------------------------


def read_rsp(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def build_rsp_sources(rows: list[dict[str, Any]], version: str) -> list[dict[str, Any]]:
    """One record per RSP row, with the dates of its deprecation/blacklisting where known."""
    sources = []
    for row in rows:
        status_arg = re.search(r"\{\{\s*WP:RSPSTATUS\s*\|([^}]*)\}\}", row["alltext"])
        args = status_arg.group(1).split("|") if status_arg else [row["status"]]
        code = args[0].strip()
        blacklisted = any(a.replace(" ", "") == "b=y" for a in args[1:])
        status = "blacklisted" if blacklisted else RSP_STATUS.get(code, "no-consensus")
        name, scope = name_and_scope(row)
        record: dict[str, Any] = {
            "name": name,
            "anchor": row["id"],
            "shortcut": _first_shortcut(row["alltext"]) or row.get("shortcut"),
            "status": status,
            "scope": scope,
            "era": era_of(scope),
            "last": row.get("rsp_last"),
            "from": version,
            "history": [],
            "_domains": rsp_domains(row["alltext"]),
            "_title": row["name"],
            "_alltext": row["alltext"],
            "_qualifier": row.get("content_qualifier"),
            "_primary": domain_key(row.get("domain") or ""),
        }
        events = record["history"]
        if code == "d":
            if date := dated_in_summary(row.get("summary", ""), "deprecat"):
                events.append(_since("deprecated", date, "RSP summary text"))
            elif fallback := deprecated_by_rfc(row["alltext"]):
                events.append(_since("deprecated", fallback[0], fallback[1]))
        if blacklisted:
            if date := blacklisted_on(row["alltext"]):
                events.append(_since("blacklisted", date, "{{sbll}} request date"))
            elif date := dated_in_summary(row.get("summary", ""), "blacklist"):
                events.append(_since("blacklisted", date, "RSP summary text"))
        sources.append(record)
    return sources


def _first_shortcut(alltext: str) -> str | None:
    # The row's first shortcut is its main one (the parser's `shortcut` keeps the last).
    match = re.search(r"\{\{\s*WP:RSPSHORTCUT\s*\|\s*([^}|]+?)\s*\}\}", alltext)
    return match.group(1) if match else None


def _since(status: str, date: str, basis: str) -> dict[str, str]:
    return {"status": status, "date": date, "kind": "since", "basis": basis}


def _as_of(status: str, date: str, basis: str) -> dict[str, str]:
    return {"status": status, "date": date, "kind": "as-of", "basis": basis}


def read_rsp2021(path: Path) -> list[dict[str, Any]]:
    """The 2021 rows: title of the linked article, clean name, status, hosts."""
    out = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            labels = json.loads(row["status"])
            mapped = [RSP2021_STATUS[s] for s in labels if s in RSP2021_STATUS]
            if not mapped:
                continue
            status = "blacklisted" if "blacklisted" in mapped else mapped[0]
            title = urllib.parse.unquote(row["wiki_url"].rsplit("/", 1)[-1]).replace("_", " ")
            hosts = []
            for url in json.loads(row["urls"]):
                key = domain_key(url)
                if key and "/" not in key and not _is_noise(key) and key not in hosts:
                    hosts.append(key)
            name = re.sub(r"(?:\s*\([^()]*\))+$", "", row["name"]).strip() or row["name"]
            out.append(
                {
                    "title": title,
                    "label": row["name"],
                    "name": name,
                    "status": status,
                    "hosts": hosts,
                }
            )
    return out


def _is_noise(host: str) -> bool:
    return any(host == n or host.endswith("." + n) for n in CSV_NOISE_HOSTS)


def pair_2021(sources: list[dict[str, Any]], old: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """(2021 row, 2026 source) pairs: same article and qualifier, else a unique shared host."""
    by_title: dict[str, list[int]] = defaultdict(list)
    for index, source in enumerate(sources):
        by_title[source["_title"]].append(index)
    old_by_title: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(old):
        old_by_title[row["title"]].append(index)
    pairs: dict[int, int] = {}
    for title, olds in old_by_title.items():
        news = by_title.get(title, [])
        if len(olds) == 1 and len(news) == 1:
            pairs[olds[0]] = news[0]
            continue
        for o in olds:
            hits = [
                n
                for n in news
                if sources[n]["_qualifier"] and sources[n]["_qualifier"] in old[o]["label"]
            ]
            if len(hits) == 1:
                pairs[o] = hits[0]
    taken = set(pairs.values())
    by_domain: dict[str, set[int]] = defaultdict(set)
    for index, source in enumerate(sources):
        for key in source["_domains"]:
            by_domain[key].add(index)
    for o, row in enumerate(old):
        if o in pairs:
            continue
        candidates = {
            n
            for h in row["hosts"]
            for n in by_domain.get(h, ())
            if sources[n]["_primary"] in row["hosts"]  # renamed source, not a merged one
        }
        if len(candidates) == 1 and (only := next(iter(candidates))) not in taken:
            pairs[o] = only
            taken.add(only)
    return sorted(pairs.items())


def add_history(sources: list[dict[str, Any]], old: list[dict[str, Any]]) -> dict[str, int]:
    """Record the 2021 status of each paired source; date later changes where the RfCs allow."""
    counts = {"dropped_undiscussed_change": 0}
    for o, n in pair_2021(sources, old):
        source, then = sources[n], old[o]
        last = source.get("last") or ""
        changed = then["status"] != source["status"]
        if changed and last < RSP2021_DATE[:4]:
            # RSP says it was last discussed before the snapshot, so the status cannot have
            # changed since: the 2021 scrape misread this row. Keep nothing from it.
            counts["dropped_undiscussed_change"] += 1
            continue
        source["history"].append(_as_of(then["status"], RSP2021_DATE, "RSP snapshot 2021-03-17"))
        current = source["status"]
        dated = any(e["kind"] == "since" and e["status"] == current for e in source["history"])
        if not changed or dated:
            continue
        rfc_years = {
            y
            for y, _, rfc in discussions(source["_alltext"])
            if rfc and RSP2021_DATE[:4] <= y <= last
        }
        if len(rfc_years) == 1:
            only = rfc_years.pop()
            source["history"].append(_since(source["status"], only, RFC_SINCE_2021))
    return counts


RFC_SINCE_2021 = "only RfC since the 2021 snapshot"


def history_stats(sources: list[dict[str, Any]]) -> dict[str, int]:
    """Counts over the final histories (after contradictions were dropped)."""
    counts = {"paired": 0, "changed": 0, "changed_dated": 0, "changed_dated_by_rfc": 0}
    for source in sources:
        snapshot = [e for e in source["history"] if e["date"] == RSP2021_DATE]
        if not snapshot:
            continue
        counts["paired"] += 1
        if snapshot[0]["status"] == source["status"]:
            continue
        counts["changed"] += 1
        since = [e for e in source["history"] if e["kind"] == "since"]
        counts["changed_dated"] += bool(since)
        counts["changed_dated_by_rfc"] += any(e["basis"] == RFC_SINCE_2021 for e in since)
    return counts


def drop_contradictions(sources: list[dict[str, Any]]) -> int:
    """Drop dates the 2021 snapshot contradicts; keep only what the two sources agree on.

    A `since` date goes when the snapshot already shows that status before it (deprecated
    "in 2023" but deprecated in March 2021), and goes together with the snapshot's event when
    the snapshot shows another status after the whole `since` period (Press TV: deprecated
    "in the 2020 RfC", generally unreliable on 2021-03-17).
    """
    dropped = 0
    for source in sources:
        events = source["history"]
        as_of = [e for e in events if e["kind"] == "as-of"]
        gone: list[dict[str, str]] = []
        for event in (e for e in events if e["kind"] == "since"):
            start, end = period_start(event["date"]), period_end(event["date"])
            early = [a for a in as_of if a["status"] == event["status"] and a["date"] < start]
            later = [  # another status after the period; deprecated -> blacklisted is fine
                a
                for a in as_of
                if a["status"] not in (event["status"], source["status"]) and a["date"] >= end
            ]
            if early or later:
                gone += [event, *later]
                dropped += 1
        kept = [e for e in events if not any(e is g for g in gone)]
        source["history"] = sorted(kept, key=_event_order)
    return dropped


def _event_order(event: dict[str, str]) -> tuple[str, str]:
    # A `since 2021` that follows an as-of 2021-03-17 snapshot sorts after it: order by the
    # end of a since-period, so the list reads as a timeline.
    date = period_end(event["date"]) if event["kind"] == "since" else event["date"]
    return date, event["kind"]


def citeunseen_sources(
    lists: dict[str, list[str]],
    covered: set[str],
    old: list[dict[str, Any]],
    version: str,
    date: str,
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Records for domains on Cite Unseen's RSP lists that the 2026 RSP parse lacks."""
    old_by_host = {h: row for row in old for h in row["hosts"]}
    status_of: dict[str, str] = {}
    for list_name, status in CITEUNSEEN_STATUS.items():
        for raw in lists.get(list_name, []):
            key = domain_key(raw)
            if key and key not in covered and key not in status_of:
                status_of[key] = status
    out = []
    for key, status in sorted(status_of.items()):
        then = old_by_host.get(key)
        history = [_as_of(status, date, f"Cite Unseen list {version}")]
        if then:
            history.insert(0, _as_of(then["status"], RSP2021_DATE, "RSP snapshot 2021-03-17"))
        out.append(
            {
                "name": then["name"] if then else None,
                "anchor": None,
                "shortcut": None,
                "status": status,
                "scope": None,
                "era": None,
                "last": None,
                "from": version,
                "history": history,
                "_domains": [key],
                "_primary": key,
                "_alltext": "",
            }
        )
    return out, {"added": len(out), "named_from_2021": sum(1 for s in out if s["name"])}


def build_categories(lists: dict[str, list[str]]) -> dict[str, str]:
    """Host (or host/path) -> category, from Cite Unseen's lists and the hand list."""
    hand = {}
    for category, hosts in HAND_CATEGORIES.items():
        for raw in hosts:
            if key := domain_key(raw):
                hand[key] = category
    out: dict[str, str] = {}
    for list_name, category in CITEUNSEEN_CATEGORY.items():
        for raw in lists.get(list_name, []):
            key = domain_key(raw)
            if not key or key in out:
                continue
            host = key.split("/")[0]
            if host in hand or any(host.endswith("." + h) for h in hand if "/" not in h):
                continue  # the hand list speaks for this host
            not_wiki = list_name == "editable" and host in EDITABLE_NOT_WIKI
            out[key] = "user-generated" if not_wiki else category
    out.update(hand)
    return dict(sorted(out.items()))


GENERAL_SCOPES = ("general", "excluding", "news excluding", "non-sponsored")


def _row_order(key: str, source: dict[str, Any], position: int) -> tuple[int, int, int, int]:
    """Default row for a domain: the row that names it primary, open-ended (current) period,
    general scope ("general topics", "excluding ...") before topic rows, then RSP order."""
    scope = (source.get("scope") or "").lower()
    era = source.get("era")
    closed = 1 if era and era[1] is not None else 0
    period_only = era is not None and "," not in scope and " and " not in scope
    general = not scope or period_only or scope.startswith(GENERAL_SCOPES)
    return (0 if source.get("_primary") == key else 1, closed, 0 if general else 1, position)


def assemble(data_dir: Path, *, build_date: str | None, versions: dict[str, str]) -> dict[str, Any]:
    rows = read_rsp(data_dir / RSP_FILE)
    lists = json.loads((data_dir / CITEUNSEEN_FILE).read_text(encoding="utf-8"))
    domains_lists = lists["categorizedDomains"]
    old = read_rsp2021(data_dir / RSP2021_FILE)

    sources = build_rsp_sources(rows, versions["rsp"])
    history_counts = add_history(sources, old)
    covered = {key for source in sources for key in source["_domains"]}
    extra, cu_counts = citeunseen_sources(
        domains_lists, covered, old, versions["citeunseen"], versions["citeunseen"][-7:]
    )
    sources += extra
    contradictions = drop_contradictions(sources)

    domains: dict[str, list[int]] = defaultdict(list)
    for index, source in enumerate(sources):
        for key in source["_domains"]:
            domains[key].append(index)
    ordered = {
        key: sorted(ids, key=lambda i: _row_order(key, sources[i], i))
        for key, ids in sorted(domains.items())
    }
    categories = build_categories(domains_lists)
    public = [
        {k: v for k, v in s.items() if not k.startswith("_") and v not in (None, [])}
        for s in sources
    ]
    dated = [s for s in public if any(e["kind"] == "since" for e in s.get("history", []))]
    return {
        "schema_version": SCHEMA_VERSION,
        "data_version": f"{versions['rsp']}+{versions['citeunseen']}",
        "build": {"date": build_date, "builder": BUILDER_VERSION},
        "licence": "CC BY-SA 4.0 (Wikipedia:Reliable sources/Perennial sources; Cite Unseen)",
        "inputs": versions["origins"],
        "stats": {
            "sources": len(public),
            "domains": len(ordered),
            "categories": len(categories),
            "by_status": _count(s["status"] for s in public),
            "by_category": _count(categories.values()),
            "history": {
                **history_stats(sources),
                **history_counts,
                "dated_changes": len(dated),
                "dated_by_basis": _count(
                    e["basis"] for s in dated for e in s["history"] if e["kind"] == "since"
                ),
                "dates_dropped_as_contradicted": contradictions,
            },
            "citeunseen_fill": cu_counts,
        },
        "sources": public,
        "domains": ordered,
        "categories": categories,
    }


def _count(values: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for value in values:
        counts[value] += 1
    return dict(sorted(counts.items()))


def render(data: dict[str, Any]) -> str:
    """JSON with one source / domain / category per line, so diffs between builds read well."""

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    lines = ["{"]
    keys = list(data)
    for position, key in enumerate(keys):
        value = data[key]
        tail = "," if position < len(keys) - 1 else ""
        if key == "sources":
            body = ",\n".join(dump(item) for item in value)
            lines.append(f'"sources":[\n{body}\n]{tail}')
        elif key in ("domains", "categories"):
            body = ",\n".join(f"{dump(k)}:{dump(v)}" for k, v in value.items())
            lines.append(f"{dump(key)}:{{\n{body}\n}}{tail}")
        else:
            lines.append(f"{dump(key)}:{dump(value)}{tail}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def input_versions(data_dir: Path, rsp_date: str | None, cu_date: str | None) -> dict[str, Any]:
    """Version tags of the inputs: from the known-snapshot table, or from the flags."""
    tags: dict[str, str] = {}
    origins = {}
    # The 2021 snapshot is dated by its name; it only feeds history, so no flag is needed.
    for role, name, flag in (
        ("rsp", RSP_FILE, rsp_date),
        ("citeunseen", CITEUNSEEN_FILE, cu_date),
        ("rsp2021", RSP2021_FILE, RSP2021_DATE),
    ):
        path = data_dir / name
        if not path.exists():
            raise SystemExit(f"error: {path} not found\nhint: --data names the folder with {name}")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        known = KNOWN_INPUTS.get(digest)
        prefix = {"rsp": "rsp-", "citeunseen": "citeunseen-", "rsp2021": "rsp-"}[role]
        if flag:
            tags[role] = prefix + flag
        elif known:
            tags[role] = known[0]
        else:
            raise SystemExit(
                f"error: {name} is not a snapshot this script knows (sha256 {digest[:12]}...)\n"
                f"hint: pass --{'rsp' if role == 'rsp' else 'citeunseen'}-date YYYY-MM[-DD] "
                "with the date of the new snapshot"
            )
        origins[name] = {
            "version": tags[role],
            "sha256": digest,
            "origin": known[1] if known else "unknown",
        }
    return {**tags, "origins": origins}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        required=True,
        help="folder with the three source-reliability input files",
    )
    parser.add_argument("--out", type=Path, required=True, help="the JSON file to write")
    parser.add_argument("--build-date", help="date recorded in the file (default: see above)")
    parser.add_argument("--rsp-date", help="snapshot date of an RSP file this script does not know")
    parser.add_argument("--citeunseen-date", help="snapshot month of a new Cite Unseen file")
    args = parser.parse_args(argv)
    versions = input_versions(args.data, args.rsp_date, args.citeunseen_date)
    build_date = args.build_date or os.environ.get("AUDIT_BUILD_DATE")
    text = render(assemble(args.data, build_date=build_date or "", versions=versions))
    if not build_date:
        text = _keep_or_stamp(text, args.out)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, args.out)
    data = json.loads(text)
    print(
        f"wrote {args.out} ({len(text.encode()):,} bytes): {data['stats']['sources']} sources, "
        f"{data['stats']['domains']} domains, {data['stats']['categories']} category hosts",
        file=sys.stderr,
    )
    return 0


def _keep_or_stamp(text: str, out: Path) -> str:
    """Reuse the existing file's build date when only the date would differ, else use today."""
    blank = '"build":{"date":"",'
    if out.exists():
        existing = out.read_text(encoding="utf-8")
        match = re.search(r'"build":\{"date":"([^"]*)",', existing)
        if match and existing.replace(match.group(0), blank) == text:
            return existing
    return text.replace(blank, f'"build":{{"date":"{dt.date.today().isoformat()}",', 1)


if __name__ == "__main__":
    raise SystemExit(main())
