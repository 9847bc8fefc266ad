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
