"""Builds kubekit's Cython extensions.

Compiler directives are set here, once.  ``KUBEKIT_DEBUG_BUILD=1`` gives a
debug build: bounds, wraparound-free indexing and initialisation are checked
and the C code is compiled without optimisation.  CI runs the test suite once
on that build.
"""

import os

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

DEBUG = os.environ.get("KUBEKIT_DEBUG_BUILD", "") not in ("", "0")

DIRECTIVES = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "initializedcheck": DEBUG,
    # nonecheck stays off: it needs the GIL on attribute access inside nogil kernels.
    "wraparound": False,
    # Go's integer division truncates toward zero, as C's does.
    "cdivision": True,
    "embedsignature": True,
}

# -ffp-contract=off: no fused multiply-add, so float maths (BalancedAllocation's
# standard deviation) rounds exactly as Go's does.
CFLAGS = ["-ffp-contract=off"] + (["-O0", "-g"] if DEBUG else ["-O3", "-fno-tree-slp-vectorize", "--param=max-inline-insns-single=2000", "--param=inline-unit-growth=400"])

EXTENSIONS = [
    Extension(
        "kubekit._fast._sched",
        ["kubekit/_fast/_sched.pyx"],
        # _scanvec.h: the vectorized scan, compiled for x86-64-v4 and the
        # baseline with runtime dispatch (GCC target_clones), never -march=native
        include_dirs=[numpy.get_include(), "kubekit/_fast"],
        depends=["kubekit/_fast/_scanvec.h"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=CFLAGS,
    ),
] + [
    # The runtime's syscall layer: no numpy, so `kubekit run` starts fast.
    Extension(f"kubekit._fast.{name}", [f"kubekit/_fast/{name}.pyx"], extra_compile_args=CFLAGS)
    for name in ("_sys", "_spawn", "_cgstats")
] + [
    # NamedTuples of the store's write and watch paths built as a C call.
    Extension("kubekit._fast._records", ["kubekit/_fast/_records.pyx"], extra_compile_args=CFLAGS),
] + [
    # The batch bin-packing kernel (numpy is used only at the Python level).
    Extension("kubekit._fast._pack", ["kubekit/_fast/_pack.pyx"], extra_compile_args=CFLAGS),
]

# The control plane's hottest plain-Python modules (the store, informers,
# controllers, HPA decisions, simulated nodes, and the helpers they call most),
# compiled from their unchanged .py source by Cython in the release build: the
# first 26 cut a simulated cluster's instructions by about 12%
# (bench/hpa_sim_hour.py under cachegrind).  An
# extension module is imported before the .py beside it, so after changing
# one of these files rebuild (the test suite refuses to run on a stale one).
# The debug build, and KUBEKIT_PURE_PYTHON=1, leave them as plain Python, so
# CI runs the tests on both: the .py source is the compiled module's twin.
COMPILED_PY = [
    "kubekit.store.kv", "kubekit.store.memory", "kubekit.store.objects", "kubekit.store.meta", "kubekit.store.watchcache",
    "kubekit.store.selectors",
    "kubekit.controllers.informer", "kubekit.controllers.workqueue", "kubekit.controllers.runner",
    "kubekit.controllers.hpa",
    "kubekit.controllers.deployment", "kubekit.controllers.replicaset", "kubekit.controllers.nodelifecycle",
    "kubekit.node.lease", "kubekit.node.simulated",
    "kubekit.cluster.local", "kubekit.cluster.events", "kubekit.cluster.event_correlator",
    "kubekit.cluster.scheduling",
    "kubekit.autoscaling.metrics_source", "kubekit.autoscaling.hpa_decide", "kubekit.autoscaling.hpa_replicas",
    "kubekit.autoscaling.hpa_pods", "kubekit.autoscaling.hpa_behavior", "kubekit.autoscaling.hpa_proposals",
    "kubekit.autoscaling.hpa_gomath", "kubekit.autoscaling.hpa_types", "kubekit.autoscaling.hpa_metrics",
    # what they call most (a cProfile of the simulated hour's pure build, by module)
    "kubekit.controllers.hpa_status", "kubekit.controllers.hpa_inputs", "kubekit.server.scale",
    "kubekit.controllers.deployment_status", "kubekit.controllers.deployment_rules",
    "kubekit.controllers.deployment_history", "kubekit.controllers.podutil", "kubekit.controllers.pod_ranking",
    "kubekit.controllers.replicaset_rules", "kubekit.controllers.rs_ordering", "kubekit.controllers.timeutil",
    "kubekit.controllers.nodelifecycle_rules", "kubekit.controllers.jsonmemo", "kubekit.controllers.label_selectors",
    "kubekit.store.kinds", "kubekit.store.podstatus", "kubekit.store.jsoncodec", "kubekit.clock",
    "kubekit.api.resources", "kubekit.api.quantity",
    "kubekit.cluster.podparse", "kubekit.cluster.conditions",
    "kubekit.scheduler.queue", "kubekit.scheduler.scheduler", "kubekit.scheduler.engine_fast",
]
PURE_PYTHON = DEBUG or os.environ.get("KUBEKIT_PURE_PYTHON", "") not in ("", "0")
PY_DIRECTIVES = {"language_level": 3, "binding": True,     # Python semantics: introspectable functions,
                 "annotation_typing": False}            # annotations not enforced as C types


def _compiled_py_path(module: str) -> str:
    return module.replace(".", "/") + ".py"


def _remove_compiled_py() -> None:
    """A pure-Python build removes the in-place extension modules a release
    build compiled from .py files (they would be imported instead of the .py)."""
    import glob
    import sysconfig

    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    for module in COMPILED_PY:
        for path in glob.glob(module.replace(".", "/") + suffix):
            os.remove(path)


if PURE_PYTHON:
    _remove_compiled_py()
    PY_EXTENSIONS = []
else:
    PY_EXTENSIONS = [Extension(m, [_compiled_py_path(m)], extra_compile_args=["-O2"]) for m in COMPILED_PY]

# KUBEKIT_BUILD_ONLY=_sched,_pack rebuilds only the named extensions (for
# working on one kernel while other builds run); unset builds them all.
ONLY = {n for n in os.environ.get("KUBEKIT_BUILD_ONLY", "").split(",") if n}
if ONLY:
    EXTENSIONS = [e for e in EXTENSIONS if e.name.rsplit(".", 1)[1] in ONLY]
    PY_EXTENSIONS = [e for e in PY_EXTENSIONS if e.name.rsplit(".", 1)[1] in ONLY]

# Switching an extension between the debug and the release build must
# rebuild it: the other build's in-place module is newer than this build's
# generated C, so build_ext would otherwise keep it.  build/flavor-<name>
# records each extension's last build.
FLAVOR = "debug" if DEBUG else "release"


class BuildExt(build_ext):
    def finalize_options(self):
        if self.parallel is None:       # every core (about 30 modules to compile)
            self.parallel = os.cpu_count() or 1
        super().finalize_options()

    def build_extension(self, ext):
        marker = os.path.join("build", "flavor-" + ext.name.rsplit(".", 1)[1])
        try:
            with open(marker, encoding="utf-8") as f:
                switched = f.read().strip() != FLAVOR
        except OSError:
            switched = True
        force, self.force = self.force, self.force or switched
        try:
            super().build_extension(ext)
        finally:
            self.force = force
        os.makedirs("build", exist_ok=True)
        with open(marker, "w", encoding="utf-8") as f:
            f.write(FLAVOR)


setup(
    cmdclass={"build_ext": BuildExt},
    ext_modules=cythonize(
        EXTENSIONS,
        compiler_directives=DIRECTIVES,
        force=DEBUG,
        build_dir="build/cython-debug" if DEBUG else "build/cython",
    ) + (cythonize(PY_EXTENSIONS, compiler_directives=PY_DIRECTIVES, build_dir="build/cython-py", nthreads=2)
         if PY_EXTENSIONS else []),
)
