"""Type stubs for the batch-placement kernel (kubekit/_fast/_pack.pyx)."""

import numpy as np
import numpy.typing as npt

FIRST: int
DOT: int
L2: int
MOST: int
GPU_MILLI_PER_GPU: int
DEFAULT_CACHE: int

class Packer:
    n_items: int
    n_bins: int
    n_res: int
    n_cols: int
    n_sigs: int
    n_groups: int
    n_shapes: int
    n_limbs: int
    n_work: int
    gpu_col: int
    cache_k: int
    n_cslots: int
    cache_log: int
    visits: int
    exact_calls: int
    opened: int
    searches: int
    cache_hits: int
    def __init__(
        self,
        demand: npt.ArrayLike,
        cap: npt.ArrayLike,
        cost: npt.ArrayLike,
        item_group: npt.ArrayLike,
        spread: npt.ArrayLike,
        item_shape: npt.ArrayLike,
        memo_off: npt.ArrayLike,
        gsig_ptr: npt.ArrayLike,
        gsig: npt.ArrayLike,
        bin_sig: npt.ArrayLike,
        unused_order: npt.ArrayLike,
        inv_c: npt.ArrayLike,
        inv_c2: npt.ArrayLike,
        big_u: npt.ArrayLike,
        allowed: npt.ArrayLike,
        gpu_col: int = -1,
        cache: int = ...,
        cache_slots: int = 4096,
        cache_log: int = -1,
    ) -> None: ...
    def run(self, order: npt.ArrayLike, fit: int) -> npt.NDArray[np.int64]: ...
    @property
    def bins_opened_order(self) -> npt.NDArray[np.int64]: ...
    @property
    def nbytes(self) -> int: ...

class FgdIndex:
    n_nodes: int
    n_gpus: int
    n_targets: int
    n_models: int
    n_slots: int
    n_shapes: int
    leaves: int
    simulator: bool
    extra: bool
    n_masks: int
    total: int
    rebuilds: int
    rescored: int
    queries: int
    reused: int
    def __init__(
        self,
        cpu_left: npt.NDArray[np.int64],
        mem_left: npt.NDArray[np.int64],
        gpu_left: npt.NDArray[np.int64],
        model: npt.NDArray[np.int64],
        n_models: int,
        t_cpu: npt.ArrayLike,
        t_milli: npt.ArrayLike,
        t_count: npt.ArrayLike,
        t_weight: npt.ArrayLike,
        t_access: npt.ArrayLike,
        pos: npt.ArrayLike,
        thresholds: npt.ArrayLike | None = None,
        cache_slots: int = 64,
        state_capacity: int = 0,
        storage_left: npt.NDArray[np.int64] | None = None,
        pods_on: npt.NDArray[np.int64] | None = None,
        pod_limit: npt.NDArray[np.int64] | None = None,
    ) -> None: ...
    def add_shape(self, cpu_milli: int, memory_bytes: int, gpu_count: int, gpu_milli: int,
                  models_ok: npt.ArrayLike, node_mask: npt.ArrayLike | None = None,
                  storage_bytes: int = 0) -> int: ...
    def node_changed(self, i: int) -> None: ...
    def best(self, shape: int) -> tuple[int, int]: ...
    def place(self, shapes: npt.ArrayLike, cpu_left: npt.NDArray[np.int64], mem_left: npt.NDArray[np.int64],
              gpu_left: npt.NDArray[np.int64], out_node: npt.NDArray[np.int64],
              out_gpus: npt.NDArray[np.int64]) -> int: ...
    def kth(self, shape: int, k: int) -> int: ...
    def score(self, shape: int, node: int) -> tuple[int, int] | None: ...
    def gpus(self, shape: int, node: int) -> tuple[int, ...]: ...
    @property
    def node_frag(self) -> npt.NDArray[np.int64]: ...

class FragRows:
    def __init__(
        self,
        cpu_left: npt.NDArray[np.int64],
        gpu_left: npt.NDArray[np.int64],
        access: npt.NDArray[np.bool_],
        t_cpu: npt.NDArray[np.int64],
        t_milli: npt.NDArray[np.int64],
        t_count: npt.NDArray[np.int64],
        t_weight: npt.NDArray[np.int64],
        L: npt.NDArray[np.int64],
        H: npt.NDArray[np.int64],
        S: npt.NDArray[np.int64],
        frag: npt.NDArray[np.int64],
    ) -> None: ...
    def refresh(self, n: int) -> int: ...
