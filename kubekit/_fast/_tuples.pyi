"""Type stubs for the tuple kernel (kubekit/_fast/_tuples.pyx)."""

from typing import Any, Iterable, TypeVar

T = TypeVar("T", bound=tuple)

def new_tuple(cls: type[T], items: Iterable[Any]) -> T: ...
