"""Synthetic paradiplomacy data at any size, valid under paradiplo's own models.

Heavy-tailed degrees (actors chosen with Pareto-distributed activity), many sources,
dates over 1991–2026, sectors under the top concepts. About 13 triples a record, so the
default (77,000 records) gives about 1M triples.

    python tests/benchmarks/synthetic.py --triples 100000 --write /tmp/synthetic-data
    paradiplo stats --data /tmp/synthetic-data
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from graph.load import Dataset, Entry  # noqa: E402
from graph.records import KIND_MODELS, Source  # noqa: E402

TRIPLES_PER_RECORD = 13
COUNTRIES = ["russia", "kazakhstan", "belarus", "uzbekistan", "kyrgyzstan", "armenia", "tajikistan", "china",
             "mongolia", "azerbaijan"]
SECTORS = {"trade": "economy", "agriculture": "economy", "energy": "economy", "industry": "economy",
           "investment": "economy", "education": "humanitarian", "culture": "humanitarian", "science": "humanitarian",
           "tourism": "humanitarian", "sport": "humanitarian", "youth": "humanitarian", "transport": "infrastructure",
           "logistics": "infrastructure", "digitalisation": "infrastructure", "ecology": "environment",
           "water": "environment", "border-security": "security", "emergencies": "security",
           "local-government": "governance", "legal-cooperation": "governance"}


def records(n_triples: int = 1_000_000, seed: int = 1) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Source id → kind → records (plain dicts, as YAML would give them)."""
    rng = random.Random(seed)
    total = max(60, n_triples // TRIPLES_PER_RECORD)
    n_sources = max(5, min(200, total // 400))
    sources = [f"synthetic-source-{i:03d}" for i in range(n_sources)]
    out: dict[str, dict[str, list]] = {s: {k: [] for k in KIND_MODELS} for s in sources}

    def evidence(i: int, year: int | None = None) -> list[dict[str, str]]:
        """A quote; for a dated record, one that prints its year (validate checks dates are attested)."""
        printed = f" ({year} г.)" if year is not None else ""
        return [{"locator": f"section {i % 7 + 1}", "quote": f"Цитата {i}: сотрудничество регионов{printed}."}]

    def put(kind: str, record: dict[str, Any], i: int) -> None:
        out[sources[i % n_sources]][kind].append(record)

    i = 0
    for country in COUNTRIES:
        put("actors", {"id": country, "type": "State", "label": {"en": country.title(), "ru": country}, "evidence": evidence(i)}, i)
        i += 1
    for sector, top in SECTORS.items():
        put("sectors", {"id": sector, "label": {"en": sector, "ru": sector}, "broader": [top], "evidence": evidence(i)}, i)
        i += 1
    n_actors = int(total * 0.45)
    n_regions = max(10, n_actors // 20)
    actors: list[str] = []
    activity: list[float] = []
    for a in range(n_actors):
        country = rng.choice(COUNTRIES)
        if a < n_regions:
            rec = {"id": f"region-{a:06d}", "type": "Region", "country": country}
        else:
            kind = rng.choice(["City", "ExecutiveBody", "Company", "University", "NGO"])
            rec = {"id": f"actor-{a:06d}", "type": kind, "country": country,
                   "located_in" if kind != "ExecutiveBody" else "governs":
                       f"region-{rng.randrange(n_regions):06d}" if kind != "ExecutiveBody" else [f"region-{rng.randrange(n_regions):06d}"]}
        rec["label"] = {"en": f"Actor {a}", "ru": f"Актор {a}"}
        rec["evidence"] = evidence(i)
        put("actors", rec, i)
        actors.append(rec["id"])
        activity.append(rng.paretovariate(1.3))
        i += 1
    n_forums = int(total * 0.05)
    forums = []
    for f in range(n_forums):
        year = rng.randint(1991, 2026)
        rec = {"id": f"forum-{f:06d}", "type": rng.choice(["Conference", "Exhibition", "DelegationVisit"]),
               "label": {"en": f"Forum {f}"}, "date": f"{year}-{rng.randint(1, 12):02d}",
               "hosts": rng.choices(actors, weights=activity, k=1), "sectors": [rng.choice(list(SECTORS))],
               "evidence": evidence(i, year)}
        if rec["type"] == "DelegationVisit":
            rec["visitors"] = rng.choices(actors, weights=activity, k=1)
        else:
            rec["participants"] = sorted(set(rng.choices(actors, weights=activity, k=rng.randint(2, 5))))
        put("forums", rec, i)
        forums.append(rec["id"])
        i += 1
    n_agreements = total - i
    for g in range(max(0, n_agreements)):
        year = rng.randint(1991, 2026)
        signatories = sorted(set(rng.choices(actors, weights=activity, k=rng.randint(2, 3))))
        rec = {"id": f"agreement-{g:06d}", "type": rng.choice(["Agreement", "Memorandum", "Programme", "TwinningAgreement"]),
               "label": {"en": f"Agreement {g}", "ru": f"Соглашение {g}"}, "signatories": signatories,
               "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
               "sectors": sorted(set(rng.choices(list(SECTORS), k=rng.randint(1, 2)))), "evidence": evidence(i, year)}
        if forums and rng.random() < 0.1:
            rec["signed_at"] = rng.choice(forums)
        put("agreements", rec, i)
        i += 1
    return out


def dataset(n_triples: int = 1_000_000, seed: int = 1) -> Dataset:
    """The synthetic records validated by the project's models, as a :class:`Dataset`."""
    data = records(n_triples, seed)
    entries, problems = [], []
    for source, kinds in data.items():
        for kind, items in kinds.items():
            model = KIND_MODELS[kind]
            for n, item in enumerate(items):
                entries.append(Entry(kind, model.model_validate(item), source, f"{source}.yaml", n + 1))
    sources = {s: Source(id=s, title={"en": f"Synthetic source {s}"}, year=2025, language="ru") for s in data}
    return Dataset(Path("synthetic"), sources, entries, problems)


def write(directory: Path, n_triples: int = 1_000_000, seed: int = 1) -> None:
    """Write the synthetic data as a data folder that `paradiplo --data` reads."""
    directory.mkdir(parents=True, exist_ok=True)
    data = records(n_triples, seed)
    for source, kinds in data.items():
        body = {"source": source, **{k: v for k, v in kinds.items() if v}}
        (directory / f"{source}.yaml").write_text(yaml.safe_dump(body, allow_unicode=True, sort_keys=False),
                                                  encoding="utf-8")
    bib = {"sources": [{"id": s, "title": {"en": f"Synthetic source {s}"}, "year": 2025, "language": "ru"}
                       for s in data]}
    (directory / "sources.yaml").write_text(yaml.safe_dump(bib, allow_unicode=True, sort_keys=False), encoding="utf-8")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", type=Path, required=True, help="folder to write the YAML files into")
    args = parser.parse_args()
    write(args.write, args.triples, args.seed)
    print(f"wrote {args.write}", file=sys.stderr)
