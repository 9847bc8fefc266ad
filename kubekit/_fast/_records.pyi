"""Type stubs for the records kernel (kubekit/_fast/_records.pyx)."""

from typing import Any, Iterable, TypeVar

T = TypeVar("T", bound=tuple)
D = TypeVar("D")

def new_tuple(cls: type[T], items: Iterable[Any]) -> T: ...
def new_slots(cls: type[D], values: tuple[Any, ...]) -> D: ...
