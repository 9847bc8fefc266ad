"""Real upstream manifests (tests/validation/data, see its README) validate
clean after defaulting, as a Kubernetes API server accepts them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kubekit.validation import Options, check, is_registered, validate

DATA = Path(__file__).parent / "data"
GATE_ON = Options(toleration_comparison_operators=True)


def _documents() -> list[tuple[str, dict]]:
    out = []
    for path in sorted(DATA.glob("*/*.yaml")):
        with path.open() as f:
            for i, doc in enumerate(yaml.safe_load_all(f)):
                if doc and is_registered(doc):
                    out.append((f"{path.parent.name}/{path.name}#{i}", doc))
    return out


DOCUMENTS = _documents()


def test_the_copied_data_is_there() -> None:
    kinds = sorted({doc["kind"] for _, doc in DOCUMENTS})
    assert kinds == ["Deployment", "Node", "Pod"]
    assert len(DOCUMENTS) == 29


@pytest.mark.parametrize("name,doc", DOCUMENTS, ids=[n for n, _ in DOCUMENTS])
def test_manifest_validates_clean(name: str, doc: dict) -> None:
    assert [str(e) for e in validate(doc, options=GATE_ON)] == []
    checked = check(doc, options=GATE_ON)
    assert checked["metadata"]["name"]


def test_numeric_toleration_needs_the_alpha_gate() -> None:
    [(_, doc)] = [(n, d) for n, d in DOCUMENTS if "numeric-toleration" in n]
    assert [str(e) for e in validate(doc)] == [
        'spec.tolerations[0].operator: Unsupported value: "Gt": supported values: "Equal", "Exists"'
    ]
