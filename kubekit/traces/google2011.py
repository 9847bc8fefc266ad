"""Google clusterdata-2011-2: a sample of 1,452 hosts with their attributes.

File (``cloudish-ufcg/qos-driven-scheduling-experiments``,
``infrastructures/google-samples/google-workload-sample1-infra-N.txt``, built
from the 2011 trace), one host per line in Erlang-term syntax::

    {<machine_id>,"<host name>",<cpu>,<mem>,[{"<attr>","<value>"},...]}.

Units and conversions: ``cpu`` and ``mem`` are **normalized to the largest
machine of the cell (1.0)**, as everywhere in the 2011 trace.  They are
converted with stated references: CPU 1.0 = ``cpu_reference_milli``
(default 32 cores) and memory 1.0 = ``memory_reference_bytes`` (default
128 GiB) — assumptions, the trace publishes no machine sizes — rounded half
up; ``Trace.scales`` records both.

Attributes become labels ``google.kubekit.io/<key>`` = ``<value>`` (see
:func:`attribute_label`: keys and values that are not valid label syntax,
e.g. ``o/`` or ``+2``, are hex-encoded as ``x-<hex>``), next to
``kubernetes.io/hostname``; ``nodes.extra["attributes"]`` keeps the raw
``(key, value)`` pairs and ``nodes.extra["machine_id"]`` the numeric id.
The trace has no pods here.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from kubekit.api.resources import FrozenMap
from kubekit.traces._parse import find_file, parse_decimal, parse_int, text_lines
from kubekit.traces.model import HOSTNAME_LABEL, NodeTable, PodTable, Scale, Trace, TraceError

__all__ = ["load_google2011", "attribute_label", "LABEL_PREFIX", "DEFAULT_CPU_REFERENCE_MILLI",
           "DEFAULT_MEMORY_REFERENCE_BYTES", "ATTRIBUTION"]

LABEL_PREFIX = "google.kubekit.io/"
DEFAULT_CPU_REFERENCE_MILLI = 32_000
DEFAULT_MEMORY_REFERENCE_BYTES = 128 * 2**30

ATTRIBUTION = (
    "Google clusterdata-2011-2 (GitHub google/cluster-data, ClusterData2011_2.md; CC BY 4.0). Host sample built "
    "from it by the UFCG authors of GitHub cloudish-ufcg/qos-driven-scheduling-experiments, file "
    "infrastructures/google-samples/google-workload-sample1-infra-N.txt, commit "
    "1b125e76906a5e94e1a2d43022b243cd38a03e7f (no license stated for the derived file).")

_LINE_RE = re.compile(r'\{\s*([^,{}]*?)\s*,\s*"([^"]*)"\s*,\s*([^,{}]*?)\s*,\s*([^,{}]*?)\s*,\s*\[(.*)\]\s*\}\s*\.?\s*')
_ATTR_RE = re.compile(r'\s*\{\s*"([^"]*)"\s*,\s*"([^"]*)"\s*\}\s*')
_EXPECTED = '{<machine_id>,"<host name>",<cpu>,<mem>,[{"<key>","<value>"},...]}.'
_VALUE_RE = re.compile(r"(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?")


def _encode(text: str) -> str:
    """``text`` when it is a valid label value without '-', else ``x-<hex of
    its UTF-8 bytes>``.  Raw Google attribute keys and values are base64-like
    and never contain '-', so the two forms cannot collide."""
    if "-" not in text and _VALUE_RE.fullmatch(text) and len(text) <= 61:
        return text
    return "x-" + text.encode().hex()


def attribute_label(key: str, value: str) -> tuple[str, str]:
    """The node label for a Google 2011 machine attribute:
    ``("9e", "2") -> ("google.kubekit.io/9e", "2")``,
    ``("o/", "+2") -> ("google.kubekit.io/x-6f2f", "x-2b32")``."""
    if not key:
        raise ValueError("an attribute needs a key")
    return LABEL_PREFIX + _encode(key), _encode(value)


def _units_note(cpu_ref: int, mem_ref: int) -> str:
    return (f"cpu and memory normalized to the cell's largest machine (1.0); converted with CPU 1.0 = "
            f"{cpu_ref:,} millicores and memory 1.0 = {mem_ref:,} bytes ({mem_ref / 2**30:g} GiB), assumed "
            f"references, rounded half up; attributes -> labels {LABEL_PREFIX}<key>.")


def _parse(path: str, cpu_scale: Scale, mem_scale: Scale) -> NodeTable:
    names: list[str] = []
    ids: list[int] = []
    cpu: list[int] = []
    mem: list[int] = []
    labels = []
    attrs = []
    seen: dict[int, int] = {}
    for line, text in text_lines(path):
        m = _LINE_RE.fullmatch(text)
        if m is None:
            raise TraceError(path, line, f"expected a host as {_EXPECTED}, got {text[:80]!r}")
        raw_id, name, raw_cpu, raw_mem, raw_attrs = m.groups()
        try:
            machine = parse_int(raw_id, unit="machine id")
            c = parse_decimal(raw_cpu, unit="normalized CPU (1.0 = largest machine)", maximum=1)
            g = parse_decimal(raw_mem, unit="normalized memory (1.0 = largest machine)", maximum=1)
        except ValueError as exc:
            raise TraceError(path, line, str(exc)) from None
        if not name:
            raise TraceError(path, line, "expected a host name, got \"\"")
        if machine in seen:
            raise TraceError(path, line, f"duplicate machine id {machine} (first on line {seen[machine]})")
        seen[machine] = line
        pairs: list[tuple[str, str]] = []
        if raw_attrs.strip():
            for item in _split_attrs(raw_attrs, path, line):
                a = _ATTR_RE.fullmatch(item)
                if a is None:
                    raise TraceError(path, line, f'expected an attribute {{"<key>","<value>"}}, got {item!r}')
                pairs.append((a.group(1), a.group(2)))
        lb = {HOSTNAME_LABEL: name}
        for k, v in pairs:
            if not k:
                raise TraceError(path, line, "an attribute has an empty key")
            lk, lv = attribute_label(k, v)
            if lk in lb:
                raise TraceError(path, line, f"attribute {k!r} given twice")
            lb[lk] = lv
        names.append(name)
        ids.append(machine)
        cpu.append(cpu_scale.to_units(c))
        mem.append(mem_scale.to_units(g))
        labels.append(FrozenMap(lb))
        attrs.append(tuple(pairs))
    if not names:
        raise TraceError(path, None, f"the file is empty: expected one host per line as {_EXPECTED}")
    attr_col = np.empty(len(attrs), dtype=object)
    for i, a in enumerate(attrs):
        attr_col[i] = a
    return NodeTable(name=names, cpu_milli=np.array(cpu, np.int64), memory_bytes=np.array(mem, np.int64),
                     labels=tuple(labels),
                     extra={"machine_id": np.array(ids, np.int64), "attributes": attr_col})


def _split_attrs(raw: str, path: str, line: int) -> list[str]:
    """``{"a","b"},{"c","d"}`` -> ``['{"a","b"}', '{"c","d"}']`` (commas inside
    braces or quotes do not split)."""
    items, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(raw):
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "{":
            depth += 1
        elif not quoted and ch == "}":
            depth -= 1
        elif not quoted and ch == "," and depth == 0:
            items.append(raw[start:i])
            start = i + 1
    if depth or quoted:
        raise TraceError(path, line, f"unbalanced braces or quotes in the attribute list {raw[:80]!r}")
    items.append(raw[start:])
    return items


def load_google2011(path: str | os.PathLike[str], *, cpu_reference_milli: int = DEFAULT_CPU_REFERENCE_MILLI,
                    memory_reference_bytes: int = DEFAULT_MEMORY_REFERENCE_BYTES) -> Trace:
    """Load the Google 2011 host sample (``path`` is the file or its
    directory, where ``google-workload-sample*-infra*.txt`` is looked up).
    The references are what normalized 1.0 stands for."""
    for what, ref in (("cpu_reference_milli", cpu_reference_milli), ("memory_reference_bytes",
                                                                     memory_reference_bytes)):
        if ref <= 0:
            raise ValueError(f"{what}={ref}: expected a positive amount")
    p = Path(path)
    if p.is_dir():
        file = find_file(p, ("google-workload-sample*-infra*.txt", "*infra*.txt"), "Google host sample")
    elif p.is_file():
        file = str(p)
    else:
        raise TraceError(str(p), None, "no such file or directory")
    cpu_scale = Scale("cpu_milli", "cpu", 1, cpu_reference_milli,
                      "assumed: 1.0 = the largest machine's cores, which the trace does not publish")
    mem_scale = Scale("memory_bytes", "mem", 1, memory_reference_bytes,
                      "assumed: 1.0 = the largest machine's memory, which the trace does not publish")
    nodes = _parse(file, cpu_scale, mem_scale)
    return Trace(
        name="google2011", source=f"Google clusterdata-2011-2 host sample: {Path(file).name}", nodes=nodes,
        pods=PodTable.empty(), units_note=_units_note(cpu_reference_milli, memory_reference_bytes),
        attribution=ATTRIBUTION, files=(file,), scales=(cpu_scale, mem_scale),
        notes=("host sample only: the trace has no pods",))
