"""Type stubs for the scheduling kernels (kubekit/_fast/_sched.pyx)."""

import numpy as np
import numpy.typing as npt

STATUS_FEASIBLE: int
STATUS_UNSCHEDULABLE: int
STATUS_NODE_NAME: int
STATUS_TAINT: int
STATUS_AFFINITY: int
STATUS_FIT: int
STATUS_DEAD: int
TOO_MANY_PODS_BIT: int
MAX_RESOURCES: int
MAX_BALANCED_RESOURCES: int
NO_TOTAL_SCORE: int
DENSE_SCAN_AVAILABLE: bool
DENSE_OFF: int
DENSE_AUTO: int
DENSE_ALWAYS: int

def set_dense_scan(mode: int) -> int: ...

class Rng:
    state: int
    def __init__(self, seed: int = 0) -> None: ...
    def next(self) -> int: ...
    def below(self, n: int) -> int: ...

class FastCluster:
    stamp: int
    # alloc, inv_alloc, used: [n_res, n_slots]; nzu: [2, n_slots] (resource-major)
    def __init__(
        self,
        alloc: npt.NDArray[np.int64],
        inv_alloc: npt.NDArray[np.float64],
        used: npt.NDArray[np.int64],
        nzu: npt.NDArray[np.int64],
        npods: npt.NDArray[np.int64],
        maxpods: npt.NDArray[np.int64],
        flags: npt.NDArray[np.uint8],
        labels: npt.NDArray[np.int32],
        taints: npt.NDArray[np.int32],
        name_id: npt.NDArray[np.int32],
        val_isint: npt.NDArray[np.uint8],
        val_int: npt.NDArray[np.int64],
    ) -> None: ...
    def touch(self) -> None: ...
    @property
    def n_slots(self) -> int: ...

class FastPod:
    scans: int
    n_taint_ids: int
    n_res: int
    max_aff: int
    def __init__(
        self,
        *,
        req: npt.NDArray[np.int64],
        check: npt.NDArray[np.uint8],
        nz_cpu: int,
        nz_mem: int,
        unsched_ok: bool,
        want_name: int,
        taint_bad: npt.NDArray[np.uint8],
        prog: npt.NDArray[np.int64],
        sel_off: int,
        req_off: int,
        pref_off: int,
        add_off: int,
        fit_col: npt.NDArray[np.int32],
        fit_req: npt.NDArray[np.int64],
        fit_w: npt.NDArray[np.int64],
        ba_col: npt.NDArray[np.int32],
        ba_req: npt.NDArray[np.int64],
        w_fit: int,
        w_ba: int,
        w_taint: int,
        w_aff: int,
        filters: int,
        strategy: int,
        shape_u: npt.NDArray[np.int64],
        shape_s: npt.NDArray[np.int64],
        max_aff: int,
    ) -> None: ...
    @property
    def scores_balanced(self) -> bool: ...
    @property
    def scores_affinity(self) -> bool: ...
    @property
    def base(self) -> FastPod: ...
    @property
    def fast_path(self) -> bool: ...
    @property
    def constraint_table_bytes(self) -> int: ...
    def drop_constraint_table(self) -> None: ...
    def constraint_table(
        self,
    ) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.int32] | None] | None: ...
    def set_score_columns(
        self,
        fit_rcol: npt.NDArray[np.int32],
        fit_scalar: npt.NDArray[np.uint8],
        ba_rcol: npt.NDArray[np.int32],
        ba_scalar: npt.NDArray[np.uint8],
    ) -> None: ...
    def specialize_req(self, req: list[int], nz_cpu: int, nz_mem: int, w_ba: int) -> FastPod: ...
    def specialize(
        self,
        req: npt.NDArray[np.int64],
        nz_cpu: int,
        nz_mem: int,
        fit_rcol: npt.NDArray[np.int32],
        fit_scalar: npt.NDArray[np.uint8],
        ba_rcol: npt.NDArray[np.int32],
        ba_scalar: npt.NDArray[np.uint8],
        w_ba: int,
    ) -> FastPod: ...

def scan(
    fc: FastCluster,
    fp: FastPod,
    status: npt.NDArray[np.uint8],
    fitbits: npt.NDArray[np.uint64],
    detail: npt.NDArray[np.int32],
    scores: npt.NDArray[np.int64],
    start: int = 0,
    limit: int = -1,
    n_used: int = -1,
    use_table: bool = False,
) -> tuple[int, int, int, int, int]: ...

class ScanBuffers:
    status: npt.NDArray[np.uint8]
    fitbits: npt.NDArray[np.uint64]
    detail: npt.NDArray[np.int32]
    scores: npt.NDArray[np.int64]
    size: int
    nbytes: int
    def __init__(self, n: int) -> None: ...
    def complete(self) -> None: ...
    def pick(self, best: int, k: int) -> int: ...

def place(
    fc: FastCluster,
    fp: FastPod,
    buf: ScanBuffers,
    rng: Rng | None,
    start: int = 0,
    limit: int = -1,
    n_used: int = -1,
    use_table: bool = False,
    do_bind: bool = False,
) -> tuple[int, int, int, int, int, int]: ...
def build_constraints(fc: FastCluster, fp: FastPod) -> None: ...
def balanced_cm(num0: int, a0: int, num1: int, a1: int) -> int: ...
def mul100_div_small(x: int, d: int) -> int: ...
def pick_nth_best(status: npt.NDArray[np.uint8], scores: npt.NDArray[np.int64], best: int, k: int) -> int: ...
def bind(fc: FastCluster, fp: FastPod, slot: int, sign: int = 1) -> None: ...

class TemplateIndex:
    seq: int | None
    rebuilds: int
    n_feasible: int
    nbytes: int
    def __init__(self, fc: FastCluster, fp: FastPod) -> None: ...
    @property
    def cluster(self) -> FastCluster: ...
    @property
    def pod(self) -> FastPod: ...
    def rebuild(self) -> None: ...
    def update(self, slot: int) -> None: ...
    def update_many(self, slots: npt.NDArray[np.int64]) -> None: ...
    def best(self) -> tuple[int, int]: ...
    def select(self, rng: Rng) -> int: ...
    def place_run(
        self,
        rng: Rng,
        count: int,
        out: npt.NDArray[np.int64],
        out_total: npt.NDArray[np.int64],
        out_feasible: npt.NDArray[np.int64],
    ) -> int: ...
    def totals(self) -> npt.NDArray[np.int64]: ...
