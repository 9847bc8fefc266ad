"""Concurrent pulls in one process that share a layer download it once:
the proxy holds the shared layer until every other pull is waiting for the
first one's download, then counts the GETs."""

from __future__ import annotations

import os
import threading
import time

from images_helpers import write_oci_layout
from registry_images import RecordingProgress, generated_layer
from registry_proxy import run_proxy

from kubekit.images.ocidir import OciDir
from kubekit.images.registry import pull, push
from kubekit.images.registry.pull import _downloads


def _wait_for(condition, what: str, threads: list[threading.Thread]) -> None:
    deadline = time.monotonic() + 60             # a bound against hanging, not a speed check
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        assert any(t.is_alive() for t in threads), f"every pull ended before {what}"
        time.sleep(0.01)


def test_concurrent_pulls_sharing_a_layer_download_it_once(registry, repo, scratch):
    shared = generated_layer(900, files=4)
    images = {}
    for seed, name in enumerate(("one", "two", "three")):
        src = os.path.join(scratch, f"src-{name}")
        m = write_oci_layout(src, [shared, generated_layer(seed, files=1)], tag=name)
        push(OciDir(src), name, f"{registry.addr}/{repo}:{name}")
        images[name] = m
    shared_digest = images["one"]["layers"][0]["digest"]
    assert all(m["layers"][0]["digest"] == shared_digest for m in images.values())
    out = OciDir(os.path.join(scratch, "out")).init()
    key = (os.path.realpath(out.path), shared_digest)
    progress = {name: RecordingProgress() for name in images}
    errors: list[BaseException] = []

    with run_proxy(registry.addr) as proxy:
        gate = proxy.gates[shared_digest] = threading.Event()

        def run(name: str) -> None:
            try:
                pull(f"{proxy.addr}/{repo}:{name}", out, progress=progress[name])
            except BaseException as e:          # reported below
                errors.append(e)

        threads = [threading.Thread(target=run, args=(n,)) for n in images]
        for t in threads:
            t.start()
        try:
            _wait_for(proxy.arrived[shared_digest].is_set, "the first GET of the shared layer", threads)
            _wait_for(lambda: _downloads.waiters(key) == len(images) - 1, "the other pulls to wait for it", threads)
        finally:
            gate.set()
            for t in threads:
                t.join()
        gets = proxy.blob_gets(shared_digest)

    assert errors == []
    assert gets == 1
    outcomes = sorted(p.outcomes()[shared_digest] for p in progress.values())
    assert outcomes == ["downloaded", "shared", "shared"]
    assert set(out.refs()) == {f"{proxy.addr}/{repo}:{n}" for n in images}
    assert out.has_blob(shared_digest)
