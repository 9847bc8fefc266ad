"""The bundled samples and the package facade."""

from __future__ import annotations

from pathlib import Path

import pytest

import kubekit.traces as traces
from kubekit.traces import LOADERS, SAMPLES, Trace, TraceError, load, load_sample, sample_path

COMMITS = {
    "openb": ["7a6c496e4f4b6ce6150be8f881cb051bf2abff42"],
    "alibaba2017": ["1b1d720cdddfc8571bd76c321a0f31af8815255a", "53aa3e8cdc6017036590947b959e0cc4f6694f8f"],
    "alibaba2018": ["d147f574ff6e93341e59a2ec657aae08b182eb7c"],
    "google2011": ["1b125e76906a5e94e1a2d43022b243cd38a03e7f"],
    "azure_v1": ["fa856db037539396ae5dbc71f5a255f74c888443"],
}


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_loads_with_attribution(name):
    tr = load_sample(name)
    assert isinstance(tr, Trace) and tr.name == name
    assert len(tr.nodes) + len(tr.pods) > 0
    assert all(Path(f).is_relative_to(sample_path(name)) for f in tr.files)
    readme = (sample_path(name) / "README.md").read_text()
    for commit in COMMITS[name]:
        assert commit in readme and commit in tr.attribution
    assert "**License:**" in readme and ("Selection" in readme or "Changes made" in readme)
    assert tr.units_note and tr.source


def test_samples_are_small():
    root = sample_path("openb").parent
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    assert total < 300_000
    assert (root / "README.md").is_file()


def test_load_dispatch_and_unknown_names():
    assert set(SAMPLES) == set(LOADERS) == {"openb", "alibaba2017", "alibaba2018", "google2011", "azure_v1"}
    tr = load("openb", sample_path("openb"), variant="gpuspec33")
    assert len(tr.pods) == 204
    with pytest.raises(TraceError, match="unknown trace 'borg': expected one of openb"):
        load("borg", ".")
    with pytest.raises(TraceError, match="no bundled sample 'borg'"):
        load_sample("borg")


def test_library_never_reads_the_shared_research_folder():
    src = Path(traces.__file__).parent
    for f in src.glob("*.py"):
        text = f.read_text()
        assert "shared/data" not in text and "../shared" not in text, f
