"""The API server's admission chain and its NamespaceLifecycle plugin
(``k8s.io/apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go``).

Every write the HTTP API serves (create, update, patch, delete, and the
subresources: ``status``, ``scale``, ``finalize``, ``eviction``) is described
by :class:`Attributes` and passed to each plugin of the chain in turn, before
validation and before the store is touched; the first plugin that refuses
answers the request with its ``Status``.  Admission is the API server's: the
controllers running inside ``kubekit serve`` write the store directly and are
not admitted (``docs/namespaces.md`` says what that means for them).

A plugin is anything with a ``name`` and ``admit(attributes, store) ->
Status | None``; ``None`` admits.  :func:`namespace_lifecycle` is the pure
decision of NamespaceLifecycle:

* a Namespace named ``default``, ``kube-system`` or ``kube-public`` cannot
  be deleted (403, ``this namespace may not be deleted``);
* cluster-scoped objects, Namespaces themselves, deletes and
  ``localsubjectaccessreviews`` are always admitted;
* anything else in a namespace that does not exist is refused (404,
  ``namespaces "x" not found``): creates and updates alike;
* a create in a namespace whose ``status.phase`` is ``Terminating`` is
  refused (403, reason ``Forbidden``, ``unable to create new content in
  namespace x because it is being terminated``, with a ``NamespaceTerminating``
  cause on ``metadata.namespace``); updates there are admitted.

Upstream reads namespaces from an informer and adds a 50 ms wait and a
30 s "force live lookup" cache to cope with its staleness; kubekit's plugin
reads the store at every request, which is what those lookups approximate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from kubekit.errors import NotFoundError
from kubekit.server.status import status

__all__ = ["CREATE", "DELETE", "UPDATE", "AdmissionDenied", "Attributes", "IMMORTAL_NAMESPACES", "NamespaceLifecycle",
           "Plugin", "admit", "default_plugins", "forbidden", "namespace_lifecycle", "plugins_by_name"]

CREATE, UPDATE, DELETE = "CREATE", "UPDATE", "DELETE"
#: upstream's Register: metav1.NamespaceDefault, NamespaceSystem, NamespacePublic
IMMORTAL_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})
#: resources that give a view into permissions in a namespace (``accessReviewResources``)
_ACCESS_REVIEWS = frozenset({("authorization.k8s.io", "localsubjectaccessreviews")})
NAMESPACE_TERMINATING_CAUSE = "NamespaceTerminating"     # v1.NamespaceTerminatingCause


@dataclass(frozen=True, slots=True)
class Attributes:
    """``admission.Attributes``: what a request does to what.  ``name`` is
    the URL's, or for a create the object's name (or ``generateName``);
    ``namespace`` is empty for cluster-scoped objects."""

    operation: str              # CREATE | UPDATE | DELETE
    kind: str                   # "Pod" (the kind of the object the request is on)
    group: str                  # "" for the core group, "apps"
    resource: str               # "pods"
    namespace: str = ""
    name: str = ""
    subresource: str = ""

    @property
    def qualified_resource(self) -> str:
        """``pods``, ``deployments.apps``: the GroupResource as messages print it."""
        return f"{self.resource}.{self.group}" if self.group else self.resource

    @property
    def is_namespace(self) -> bool:
        return self.group == "" and self.kind == "Namespace"


class Plugin(Protocol):
    name: str

    def admit(self, a: Attributes, store: Any) -> dict | None:
        """A ``Status`` to refuse the request with, or None to admit it."""


class AdmissionDenied(Exception):
    """A plugin refused a request; ``status`` is the answer (with its ``code``)."""

    def __init__(self, status_body: dict) -> None:
        super().__init__(status_body.get("message", ""))
        self.status = status_body


def forbidden(a: Attributes, message: str, causes: list[dict] | None = None) -> dict:
    """``admission.NewForbidden``: ``apierrors.NewForbidden`` on the request's
    resource and name (``Unknown`` when there is none), as upstream's
    ``extractResourceName`` finds it."""
    name = a.name or "Unknown"
    details: dict[str, Any] = {"name": name}
    if a.group:
        details["group"] = a.group
    details["kind"] = a.resource
    if causes:
        details["causes"] = causes
    return status(403, "Forbidden", f'{a.qualified_resource} "{name}" is forbidden: {message}', details)


def _namespace_not_found(name: str) -> dict:
    return status(404, "NotFound", f'namespaces "{name}" not found', {"name": name, "kind": "namespaces"})


def needs_namespace(a: Attributes) -> bool:
    """Whether :func:`namespace_lifecycle` looks at the request's namespace
    (so the caller reads it only then)."""
    if a.is_namespace or not a.namespace or a.operation == DELETE:
        return False
    return (a.group, a.resource) not in _ACCESS_REVIEWS


def namespace_lifecycle(a: Attributes, namespace: Mapping[str, Any] | None, *,
                        immortal: Iterable[str] = IMMORTAL_NAMESPACES) -> dict | None:
    """NamespaceLifecycle's ``Admit`` for request ``a``; ``namespace`` is the
    stored Namespace ``a.namespace`` (None: it does not exist; only read
    when :func:`needs_namespace`).  Returns the refusal's Status, or None."""
    if a.operation == DELETE and a.is_namespace and a.name in set(immortal):
        return forbidden(a, "this namespace may not be deleted")
    if not needs_namespace(a):
        return None
    if namespace is None:
        return _namespace_not_found(a.namespace)
    if a.operation == CREATE and ((namespace.get("status") or {}).get("phase") == "Terminating"):
        return forbidden(a, f"unable to create new content in namespace {a.namespace} because it is being terminated",
                         [{"reason": NAMESPACE_TERMINATING_CAUSE,
                           "message": f"namespace {a.namespace} is being terminated",
                           "field": "metadata.namespace"}])
    return None


class NamespaceLifecycle:
    """The plugin: :func:`namespace_lifecycle` with the namespace read from the store."""

    name = "NamespaceLifecycle"

    def __init__(self, immortal: Iterable[str] = IMMORTAL_NAMESPACES) -> None:
        self.immortal = frozenset(immortal)

    def admit(self, a: Attributes, store: Any) -> dict | None:
        ns = None
        if needs_namespace(a):
            try:
                ns = store.get("Namespace", None, a.namespace)
            except NotFoundError:
                ns = None
        return namespace_lifecycle(a, ns, immortal=self.immortal)


#: the plugins kubekit has, by the names kube-apiserver's --enable/--disable-admission-plugins use
plugins_by_name = {"NamespaceLifecycle": NamespaceLifecycle}


def default_plugins() -> tuple[Plugin, ...]:
    """The chain kube-apiserver enables by default, as far as kubekit has it."""
    return (NamespaceLifecycle(),)


def admit(plugins: Iterable[Plugin], a: Attributes, store: Any) -> None:
    """Run the chain; raise :class:`AdmissionDenied` with the first refusal."""
    for p in plugins:
        refusal = p.admit(a, store)
        if refusal is not None:
            raise AdmissionDenied(refusal)
