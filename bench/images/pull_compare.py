"""A cold pull (and unpack) of a multi-layer image from a loopback registry:
kubekit next to skopeo + umoci, in the same run.

    sudo python3 bench/images/pull_compare.py [-n 7] [--layers 4] [--layer-mb 8] [--out bench/results/images_pull.md]

The image: the busybox rootfs as the bottom layer, then ``--layers`` layers
of generated files (``--layer-mb`` MB each, half random bytes, half
log-like text), gzip (level 9, as ``tests/images/images_helpers.py``
writes it), pushed with skopeo to a ``docker-registry`` (CNCF
distribution) the script starts on 127.0.0.1 with its storage in a scratch
folder.

Five runners, each timed as a whole command in its own process, into empty
folders every time ("cold": nothing of the image on the client side; the
registry's files are in the page cache for every runner alike):

| runner | command |
|---|---|
| kubekit pull+unpack | ``python3 pull_compare.py --worker pull-unpack REF DIR``: ``pull`` into an |
| | empty OciDir, then ``LayerStore.ensure_image`` into an empty layer store |
| skopeo+umoci | ``skopeo copy docker://REF oci:DIR:bench`` then ``umoci unpack --image DIR:bench BUNDLE`` |
| kubekit pull | the pull alone |
| skopeo copy | the copy alone |
| kubekit start-up only | ``--worker import``: the interpreter and kubekit's imports, no pull |
| | (the baseline inside each kubekit run) |

Rounds alternate the runners, the order rotating by one each round, after
one warm-up round that is not counted.  Medians, quartiles and ratios go
to stdout and to ``--out`` (markdown).  Needs root (the layer store writes
overlay whiteouts; umoci unpacks as root), docker-registry, skopeo and umoci.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
# The tests' helpers: run_registry (registry_server), dir_layer, write_oci_layout (gzip layers, tag).
sys.path[:0] = [os.path.join(REPO, "tests", "images", "registry"), os.path.join(REPO, "tests", "images")]


# ---------------------------------------------------------------- the worker (kubekit, in its own process)

def worker(mode: str, ref: str, dest: str) -> None:
    from kubekit.images.layout import read_oci_layout
    from kubekit.images.ocidir import OciDir
    from kubekit.images.registry import pull
    from kubekit.images.store import LayerStore

    if mode == "import":
        return
    oci = OciDir(os.path.join(dest, "oci"))
    pull(ref, oci)
    if mode == "pull-unpack":
        LayerStore(os.path.join(dest, "layers")).ensure_image(read_oci_layout(oci.path, ref))


# ---------------------------------------------------------------- the image

def busybox_layer(workdir: str) -> bytes:
    from registry_images import dir_layer

    from kubekit.runtime.busybox import make_busybox_rootfs
    return dir_layer(make_busybox_rootfs(os.path.join(workdir, "busybox-rootfs")))


def generated_layer(seed: int, megabytes: int) -> bytes:
    """About ``megabytes`` MB of files, half random bytes, half log-like text."""
    rnd = random.Random(seed)
    words = [rnd.randbytes(rnd.randint(2, 8)).hex() for _ in range(500)]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
        total, i = 0, 0
        while total < megabytes * 1_000_000:
            size = rnd.randint(4_000, 120_000)
            if i % 2:
                data = rnd.randbytes(size)
            else:
                data = (" ".join(rnd.choice(words) for _ in range(size // 8)) + "\n").encode()[:size]
            ti = tarfile.TarInfo(f"layer{seed}/d{i % 7}/f{i:04d}")
            ti.size, ti.mode, ti.mtime = len(data), 0o644, 1_600_000_000
            tf.addfile(ti, io.BytesIO(data))
            total += len(data)
            i += 1
    return buf.getvalue()


# ---------------------------------------------------------------- runners

def _run(argv: list[str]) -> None:
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({r.returncode}): {r.stderr[-2000:]}")


def runners(ref: str) -> dict[str, callable]:
    me = [sys.executable, os.path.abspath(__file__)]
    skopeo = ["skopeo", "--insecure-policy", "copy", "--quiet", "--src-tls-verify=false", f"docker://{ref}"]

    def kubekit(mode: str):
        return lambda d: _run(me + ["--worker", mode, ref, d])

    def skopeo_copy(d: str) -> None:
        _run(skopeo + [f"oci:{d}/oci:bench"])

    def skopeo_umoci(d: str) -> None:
        skopeo_copy(d)
        _run(["umoci", "unpack", "--image", f"{d}/oci:bench", f"{d}/bundle"])

    return {"kubekit pull+unpack": kubekit("pull-unpack"), "skopeo copy + umoci unpack": skopeo_umoci,
            "kubekit pull": kubekit("pull"), "skopeo copy": skopeo_copy,
            "kubekit start-up only (python3 + imports)": kubekit("import")}


def measure(ref: str, n: int, scratch: str) -> dict[str, list[float]]:
    fns = runners(ref)
    names = list(fns)
    times: dict[str, list[float]] = {k: [] for k in names}
    for rnd in range(n + 1):                       # round 0 warms up
        order = names[rnd % len(names):] + names[:rnd % len(names)]
        for name in order:
            d = tempfile.mkdtemp(prefix="run-", dir=scratch)
            try:
                t0 = time.perf_counter()
                fns[name](d)
                elapsed = time.perf_counter() - t0
            finally:
                shutil.rmtree(d)
            if rnd:
                times[name].append(elapsed)
        print(f"round {rnd}/{n}" + (" (warm-up)" if not rnd else ""), file=sys.stderr)
    return times


def _version(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def report(times: dict[str, list[float]], n: int, command: str, image: str, compressed: int) -> str:
    def q(xs: list[float]) -> tuple[float, float, float]:
        qs = statistics.quantiles(xs, n=4) if len(xs) > 1 else [xs[0]] * 3
        return qs[0], statistics.median(xs), qs[2]

    lines = ["# Cold pull from a loopback registry: kubekit vs skopeo (+ umoci)", "",
             f"Command: `{command}`", "",
             f"Machine: {os.cpu_count()} cores, Linux {platform.release()}, Python {platform.python_version()}; "
             f"{_version(['skopeo', '--version'])}; {_version(['umoci', '--version'])}; "
             f"{_version(['docker-registry', '--version'])}.", "",
             f"Image: {image}.", "",
             f"n = {n} timed rounds per runner (after one warm-up round), runners alternating, order rotating.", "",
             "| runner | median s | q1 s | q3 s | MB/s (compressed, median) |", "|---|---:|---:|---:|---:|"]
    for name, xs in times.items():
        lo, med, hi = q(xs)
        rate = f"{compressed / 1e6 / med:.0f}" if "only" not in name else "-"
        lines.append(f"| {name} | {med:.3f} | {lo:.3f} | {hi:.3f} | {rate} |")
    med = {k: statistics.median(v) for k, v in times.items()}
    base = med["kubekit start-up only (python3 + imports)"]
    full, copy = med["skopeo copy + umoci unpack"], med["skopeo copy"]
    ratios = [("pull + unpack vs skopeo copy + umoci unpack", med["kubekit pull+unpack"] / full),
              ("pull vs skopeo copy", med["kubekit pull"] / copy),
              ("pull + unpack minus start-up vs skopeo copy + umoci unpack", (med["kubekit pull+unpack"] - base) / full),
              ("pull minus start-up vs skopeo copy", (med["kubekit pull"] - base) / copy)]
    lines += ["", "| ratio (kubekit / peer, medians) | |", "|---|---:|"]
    lines += [f"| {label} | {value:.2f} |" for label, value in ratios]
    lines += ["", ("Each kubekit run is a fresh `python3` process (interpreter start and imports included), as "
                   "each skopeo/umoci run is a fresh process."), ""]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=7, help="timed rounds per runner (default 7)")
    ap.add_argument("--layers", type=int, default=4, help="generated layers above busybox (default 4)")
    ap.add_argument("--layer-mb", type=int, default=8, help="MB of files per generated layer (default 8)")
    ap.add_argument("--out", default=os.path.join(REPO, "bench", "results", "images_pull.md"))
    ap.add_argument("--worker", nargs=3, metavar=("MODE", "REF", "DEST"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker)
        return 0
    for tool in ("skopeo", "umoci", "docker-registry"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (apt-get install skopeo umoci docker-registry)")
    from images_helpers import write_oci_layout
    from registry_server import run_registry

    scratch = tempfile.mkdtemp(prefix="kubekit-bench-pull-")
    try:
        layers = [busybox_layer(scratch)] + [generated_layer(i, args.layer_mb) for i in range(args.layers)]
        manifest = write_oci_layout(os.path.join(scratch, "src"), layers, tag="bench")
        compressed, raw = sum(x["size"] for x in manifest["layers"]), sum(len(t) for t in layers)
        image = (f"{len(layers)} layers (busybox rootfs + {args.layers} x {args.layer_mb} MB of generated files), "
                 f"{compressed / 1e6:.1f} MB gzip, {raw / 1e6:.1f} MB uncompressed")
        print(image, file=sys.stderr)
        with run_registry() as reg:
            ref = f"{reg.addr}/bench/image:v1"
            _run(["skopeo", "--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false",
                  f"oci:{scratch}/src:bench", f"docker://{ref}"])
            times = measure(ref, args.n, scratch)
        command = "sudo python3 bench/images/pull_compare.py " + " ".join(sys.argv[1:])
        text = report(times, args.n, command.strip(), image, compressed)
        print(text)
        if args.out:
            os.makedirs(os.path.dirname(args.out), exist_ok=True)
            with open(args.out, "w") as f:
                f.write(text)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
