"""Starting containers from an already-unpacked image: what the overlay of
image layers costs per container start (issue 4 §5).

    sudo python3 bench/runtime/image_start.py [-n 40] [--layers 1,5,20,60] [--out bench/results/image_start.md]

Two measurements, each side by side in one run:

1. **Whole starts.** ``Runtime.run`` of ``/bin/true`` (create, start, wait,
   delete), round-robin over: a plain rootfs directory (one lower, no image)
   and images of 1, 5, 20 and 60 layers from the layer store (the busybox
   rootfs as the bottom layer, each further layer adding a few files).  The
   difference to the plain directory is what the image's layers add.
2. **The mount alone.** In a private mount namespace, ``mount -t overlay``
   with the same lower stacks (and a fresh upper/work pair, as every
   container gets) then ``umount2``, timed per pair; this is the overlay
   mount cost per container start with nothing else around it.

Medians, interquartile ranges and ratios go to stdout and to ``--out``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "images"))
from images_helpers import dir_tar  # noqa: E402  (the tests' layer builder; also used by bench/images)


def _tar_files(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, data in files.items():
            ti = tarfile.TarInfo(name)
            ti.size, ti.mode, ti.mtime = len(data), 0o644, 1_600_000_000
            tf.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def make_image_layers(work: str, rootfs: str, n_layers: int) -> tuple[str, ...]:
    """An OCI layout of ``n_layers`` layers, unpacked into a layer store
    under ``work``; the layer directories, bottom first."""
    from kubekit.images import LayerStore
    from kubekit.images.ocidir import OciDir
    from kubekit.images.layout import Descriptor, read_oci_layout
    import gzip
    import hashlib

    layout = OciDir(os.path.join(work, f"layout-{n_layers}")).init()
    tars = [dir_tar(rootfs)] + [_tar_files({f"opt/layer{i}/file{j}": os.urandom(512) for j in range(4)})
                                 for i in range(1, n_layers)]
    descs, diff_ids = [], []
    for t in tars:
        blob = gzip.compress(t, mtime=0)
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                      "digest": layout.write_blob(blob), "size": len(blob)})
        diff_ids.append("sha256:" + hashlib.sha256(t).hexdigest())
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/true"]},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": layout.write_blob(config), "size": len(config)},
                           "layers": descs}).encode()
    layout.set_ref("bench", Descriptor("application/vnd.oci.image.manifest.v1+json", layout.write_blob(manifest),
                                       len(manifest)))
    return LayerStore(os.path.join(work, "layers")).ensure_image(read_oci_layout(layout.path, "bench"))


def _stats(xs: list[float]) -> tuple[float, float, float]:
    q = statistics.quantiles(xs, n=4) if len(xs) >= 4 else [min(xs), statistics.median(xs), max(xs)]
    return statistics.median(xs), q[0], q[2]


def time_starts(configs: dict[str, dict], n: int, work: str) -> dict[str, list[float]]:
    from kubekit.runtime import ContainerSpec, Runtime

    rt = Runtime(state_dir=os.path.join(work, "state"), data_dir=os.path.join(work, "data"),
                 cgroup_root=f"/kubekit-bench-{secrets.token_hex(3)}")
    out: dict[str, list[float]] = {k: [] for k in configs}
    try:
        for name, kw in configs.items():          # warm-up: page cache, dentries
            rt.run(ContainerSpec(command=("/bin/true",), **kw))
        for _ in range(n):
            for name, kw in configs.items():
                spec = ContainerSpec(command=("/bin/true",), **kw)
                t0 = time.perf_counter()
                status = rt.run(spec)
                out[name].append((time.perf_counter() - t0) * 1e3)
                if status.code != 0:
                    raise SystemExit(f"{name}: /bin/true exited {status.code}")
    finally:
        rt.sweep(include_exited=True)
        rt.driver.remove_if_empty(rt.cgroup_root)
    return out


def mount_probe(stacks: dict[str, list[str]], n: int, work: str) -> dict[str, list[float]]:
    """Runs inside ``unshare -m``: overlay mount + umount per stack."""
    from kubekit._fast import _sys
    from kubekit.runtime.lowerview import overlay_mount_data

    _sys.mount(None, "/", None, 0x4000 | 0x40000)     # MS_REC | MS_PRIVATE
    target = os.path.join(work, "mnt")
    os.makedirs(target, exist_ok=True)
    out: dict[str, list[float]] = {k: [] for k in stacks}
    for i in range(n + 1):
        for k, (name, lowers) in enumerate(stacks.items()):
            upper, wdir = os.path.join(work, f"u-{k}-{i}"), os.path.join(work, f"w-{k}-{i}")
            os.mkdir(upper)
            os.mkdir(wdir)
            chdir, data = overlay_mount_data(lowers, upper, wdir)
            if chdir:
                os.chdir(chdir)
            t0 = time.perf_counter()
            _sys.mount("overlay", target, "overlay", 0, data)
            t1 = time.perf_counter()
            _sys.umount2(target, 0)
            t2 = time.perf_counter()
            if i:                                   # the first round warms up
                out[name].append((t1 - t0) * 1e6)
                out[name + " umount"] = out.get(name + " umount", []) + [(t2 - t1) * 1e6]
    return out


def main() -> int:
    import signal

    # `timeout` and Ctrl-C must still run the clean-up below (containers, cgroups, scratch dirs).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=40, help="rounds (each config once per round)")
    ap.add_argument("--layers", default="1,5,20,60")
    ap.add_argument("--out", default="bench/results/image_start.md")
    ap.add_argument("--probe", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.probe:                                      # the child of the mount measurement
        with open(a.probe, encoding="utf-8") as f:
            spec = json.load(f)
        print(json.dumps(mount_probe(spec["stacks"], spec["n"], spec["work"])))
        return 0
    from kubekit.runtime.busybox import make_busybox_rootfs

    work = tempfile.mkdtemp(prefix="kubekit-image-start-", dir="/var/tmp")
    os.chmod(work, 0o711)
    try:
        rootfs = make_busybox_rootfs(os.path.join(work, "rootfs"))
        counts = [int(x) for x in a.layers.split(",")]
        stacks = {f"image, {k} layer{'s' if k > 1 else ''}": list(make_image_layers(work, rootfs, k)) for k in counts}
        configs = {"rootfs directory (no image)": {"rootfs": rootfs}}
        configs |= {name: {"rootfs_layers": tuple(lowers)} for name, lowers in stacks.items()}
        starts = time_starts(configs, a.n, work)
        probe_work = os.path.join(work, "probe")
        os.makedirs(probe_work)
        probe = os.path.join(work, "probe.json")
        with open(probe, "w", encoding="utf-8") as f:
            json.dump({"stacks": {"rootfs directory (no image)": [rootfs], **stacks}, "n": a.n * 5,
                       "work": probe_work}, f)
        res = subprocess.run(["unshare", "-m", sys.executable, os.path.abspath(__file__), "--probe", probe],
                             capture_output=True, text=True)
        if res.returncode:
            raise SystemExit(f"mount probe failed:\n{res.stderr}")
        mounts = json.loads(res.stdout)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    base = statistics.median(starts["rootfs directory (no image)"])
    lines = [f"# Container start from an unpacked image: overlay cost (`{' '.join(['python3'] + sys.argv)}`)", "",
             f"{platform.node()} · kernel {platform.release()} · {os.cpu_count()} cpus · "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} · n={a.n} rounds, round-robin", "",
             "## Whole start (`Runtime.run` of /bin/true: create, start, wait, delete)", "",
             "| lower layers | median ms | IQR ms | vs plain rootfs dir |", "|---|---:|---:|---:|"]
    for name, xs in starts.items():
        med, q1, q3 = _stats(xs)
        lines.append(f"| {name} | {med:.2f} | {q1:.2f}–{q3:.2f} | {med / base:.2f}× ({med - base:+.2f} ms) |")
    lines += ["", f"## overlay mount(2) and umount2 alone (n={a.n * 5}, private mount namespace)", "",
              "| lower layers | mount median µs | IQR µs | umount median µs |", "|---|---:|---:|---:|"]
    for name in ["rootfs directory (no image)", *stacks]:
        med, q1, q3 = _stats(mounts[name])
        um = statistics.median(mounts[name + " umount"])
        lines.append(f"| {name} | {med:.0f} | {q1:.0f}–{q3:.0f} | {um:.0f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
