"""Measure `paradiplo draft` on a seed paper against the records curated from it (issue 15, item 2).

Usage: python tests/benchmarks/draft_recall.py DRAFT.yaml CURATED.yaml

Recall: the share of the curated actors (and agreements) the draft proposes. An actor is
proposed when the draft has a record with its id (a known actor) or a new actor one of whose
names' words (any case, graph.find.word_forms) equal the label of a draft record. An agreement
is proposed when a draft agreement's quote and one of its quotes overlap (one contains the
other, normalised). Throw-away share: the draft records that match no curated record of their
kind, i.e. what a curator would delete (an upper bound: some may be true facts the curation left out).
"""

import sys

import yaml

from graph.find import word_forms
from graph.quotes import normalise


def _names(record):
    out = []
    for key in ("label", "alt_labels", "historical_labels"):
        for value in (record.get(key) or {}).values():
            out += value if isinstance(value, list) else [value]
    return out


def _same_words(a, b):
    fa, fb = word_forms(a), word_forms(b)
    return len(fa) == len(fb) and all(x & y for x, y in zip(fa, fb))


def actor_match(proposal, curated):
    if proposal["id"] == curated["id"]:
        return True
    return any(_same_words(p, c) for p in _names(proposal) for c in _names(curated))


def quote_match(proposal, curated):
    qs = [normalise(e["quote"]) for e in proposal.get("evidence", [])]
    cs = [normalise(e["quote"]) for e in curated.get("evidence", [])]
    return any(q in c or c in q for q in qs for c in cs)


def main(draft_path, curated_path):
    draft, curated = yaml.safe_load(open(draft_path)), yaml.safe_load(open(curated_path))
    for kind, match in (("actors", actor_match), ("agreements", quote_match), ("forums", quote_match)):
        cur, prop = curated.get(kind) or [], draft.get(kind) or []
        found = [c for c in cur if any(match(p, c) for p in prop)]
        waste = [p for p in prop if not any(match(p, c) for c in cur)]
        print(f"{kind}: {len(found)}/{len(cur)} curated proposed ({len(found) / max(1, len(cur)):.0%}); "
              f"{len(waste)}/{len(prop)} proposals match nothing curated ({len(waste) / max(1, len(prop)):.0%})")
        if "-v" in sys.argv:
            print("  missed:", sorted(c["id"] for c in cur if c not in found))
            print("  thrown away:", sorted(p["id"] for p in waste))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
