"""Figures for print: `paradiplo figure` writes SVG, PDF or PNG with every node labelled,
borders under the geo layout, a legend and a caption; deterministic for a seed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from cli import cli
from graph.figure import figure

from .conftest import SMALL

SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)   # the SVG parses as XML
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def _label(label: str) -> str:
    return label if len(label) <= 40 else label[:39] + "…"


@pytest.mark.parametrize("layout", ["force", "geo"])
def test_svg_parses_and_labels_every_node(kg, layout):
    svg = figure(kg, "svg", layout=layout, caption="Data: bundled")
    texts = _texts(svg)
    g = kg.actor_graph()
    missing = [n for n in g if _label(g.nodes[n]["label"]) not in texts]
    assert missing == []
    assert "Data: bundled" in " ".join(texts)
    assert any(t.startswith("russia (") for t in texts) and "tie: agreement" in texts   # the legend


def test_geo_figure_draws_borders_and_graticule(small_kg):
    geo, force = figure(small_kg, "svg", layout="geo"), figure(small_kg, "svg", layout="force")
    assert "70°E" in _texts(geo) and "70°E" not in _texts(force)
    borders = [g for g in ET.fromstring(geo).iter(f"{SVG}g") if g.get("id") == "borders"]
    assert len(borders) == 1
    assert sum(p.get("d").count(" L ") for p in borders[0].iter(f"{SVG}path")) > 100   # line segments
    assert b'id="borders"' not in force


def test_figure_is_deterministic_for_a_seed(small_kg):
    for fmt in ("svg", "pdf", "png"):
        assert figure(small_kg, fmt, seed=3) == figure(small_kg, fmt, seed=3), fmt
    assert figure(small_kg, "pdf").startswith(b"%PDF") and figure(small_kg, "png").startswith(b"\x89PNG")


def test_cli_figure_caption_names_data_filters_and_command(runner, tmp_path):
    target = tmp_path / "fig.svg"
    result = runner.invoke(cli, ["figure", "--data", str(SMALL), "-o", str(target), "--layout", "geo",
                                 "--since", "2015"])
    assert result.exit_code == 0, result.output
    caption = " ".join(_texts(target.read_bytes()))
    assert str(SMALL) in caption and "Filters: --since 2015" in caption
    assert "paradiplo figure -o fig.svg --data" in caption and "--layout geo" in caption


def test_cli_figure_refuses_an_unknown_suffix_and_writes_nothing(runner, tmp_path):
    target = tmp_path / "fig.gif"
    result = runner.invoke(cli, ["figure", "--data", str(SMALL), "-o", str(target)])
    assert result.exit_code == 2 and "must end in .svg, .pdf or .png" in result.output
    assert not target.exists()
