"""The namespace controller (``pkg/controller/namespace/namespace_controller.go``
and ``deletion/namespaced_resources_deleter.go``): empties a namespace that
is being deleted, then releases it.

A Namespace's first delete only marks it (``deletionTimestamp``, phase
``Terminating``; :mod:`kubekit.store.namespaces`).  This controller watches
Namespaces; a deleted one is queued 5 s later (``namespaceDeletionGracePeriod``)
and ``reconcile(name)`` runs the deleter:

1. read the namespace (live); not deleted, or already finalized: nothing to do;
2. make sure its phase is ``Terminating`` (``/status``);
3. for every namespaced kind the store serves (the "discovery"), delete every
   object in the namespace (propagation Background) and list what is left.
   Pods that are still terminating give an estimate (their longest
   ``terminationGracePeriodSeconds``, until that long has passed since the
   namespace's deletion); objects held by finalizers give 15 s; anything else
   left is an error;
4. record the ``NamespaceDeletionDiscoveryFailure``,
   ``NamespaceDeletionGroupVersionParsingFailure``,
   ``NamespaceDeletionContentFailure``, ``NamespaceContentRemaining`` and
   ``NamespaceFinalizersRemaining`` conditions in the namespace's status;
5. errors: retried with the queue's backoff (5 ms doubling to 60 s, the
   controller's own limiter); content remaining: looked at again after
   ``estimate / 2 + 1`` seconds; all gone: remove the ``kubernetes`` token
   from ``spec.finalizers`` through ``/finalize``, and the namespace goes
   once no finalizer is left.

The decisions are :mod:`kubekit.controllers.namespace_rules`.  The deleter
writes the store directly (it is in the server's process), so it is not
subject to admission, as nothing of the control plane is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from kubekit.controllers.informer import Informer, object_key
from kubekit.controllers.namespace_rules import (
    CONTENT_FAILURE, NAMESPACE_DELETION_GRACE_PERIOD, GVR, GVRDeletion, ResourcesRemaining, allowed_estimate,
    content_conditions, delete_content_condition, discovery_failure_condition, estimate_for_pods, finalize_spec,
    finalized, remaining_content, requeue_after, update_conditions,
)
from kubekit.controllers.runner import Controller, Result
from kubekit.controllers.workqueue import (
    BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, WorkQueue,
)
from kubekit.errors import ConflictError, InvalidObjectError, NotFoundError, StoreError
from kubekit.store.meta import parse_time, rfc3339
from kubekit.store.namespaces import FINALIZER_KUBERNETES, TERMINATING, NamespaceStore

__all__ = ["ContentDeletionFailed", "NamespaceController", "NamespacedResourcesDeleter", "namespace_rate_limiter"]

log = logging.getLogger(__name__)

_CONFLICT_RETRIES = 100


class ContentDeletionFailed(StoreError):
    """Some content could not be deleted (or discovered); the message is
    upstream's aggregate of the errors.  The controller retries with backoff."""


def namespace_rate_limiter(clock) -> MaxOfRateLimiter:
    """``nsControllerRateLimiter``: per namespace 5 ms doubling to at most
    60 s (a deleted namespace is retried at least every minute), and 10 qps
    with a burst of 100 overall."""
    return MaxOfRateLimiter(ItemExponentialFailureRateLimiter(0.005, 60.0), BucketRateLimiter(10.0, 100, clock))


def _aggregate(errors: Sequence[str]) -> str:
    """``utilerrors.NewAggregate(errs).Error()``."""
    return errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"


Discover = Callable[[], "tuple[list, BaseException | None]"]


class NamespacedResourcesDeleter:
    """Deletes everything in a namespace being deleted, then removes
    ``finalizer_token`` from it.  ``discover()`` returns the namespaced
    kinds to delete (:class:`~kubekit.store.kinds.Kind`) and the error of a
    partial discovery (None); by default every namespaced kind of the store."""

    def __init__(self, store, clock, *, discover: Discover | None = None,
                 finalizer_token: str = FINALIZER_KUBERNETES) -> None:
        self.store, self.clock = store, clock
        self.namespaces = NamespaceStore(store)
        self.discover = discover or self._kinds
        self.finalizer_token = finalizer_token

    def _kinds(self) -> tuple[list, BaseException | None]:
        return [k for k in self.store.kinds if k.namespaced], None

    # -- Delete ------------------------------------------------------------------------------------
    def delete(self, name: str) -> None:
        """``Delete``: raises :class:`ResourcesRemaining` when content is
        still going away and :class:`ContentDeletionFailed` (or a store
        error) when something failed; returns once the namespace is
        finalized by this controller (or there was nothing to do)."""
        try:
            ns = self.store.get("Namespace", None, name)
        except NotFoundError:
            return
        if not ns["metadata"].get("deletionTimestamp"):
            return
        try:
            ns = self._retry_on_conflict(ns, self._update_phase)
        except NotFoundError:
            return
        if not ns["metadata"].get("deletionTimestamp") or finalized(ns):
            return
        estimate, err = self.delete_all_content(ns)
        if err is not None:
            raise ContentDeletionFailed(err)
        if estimate > 0:
            raise ResourcesRemaining(estimate)
        try:
            self._retry_on_conflict(ns, self._finalize)
        except NotFoundError:           # another controller with the same token finished it
            return

    def _retry_on_conflict(self, ns: dict, fn: Callable[[dict], dict]) -> dict:
        """``retryOnConflictError``: on a conflict read the namespace again and
        retry; a namespace that was replaced (another uid) is an error."""
        latest = ns
        for _ in range(_CONFLICT_RETRIES):
            try:
                return fn(latest)
            except ConflictError:
                prev = latest
                latest = self.store.get("Namespace", None, latest["metadata"]["name"])
                if prev["metadata"].get("uid") != latest["metadata"].get("uid"):
                    raise ContentDeletionFailed("namespace uid has changed across retries") from None
        raise ConflictError(f'namespaces "{ns["metadata"]["name"]}": gave up after {_CONFLICT_RETRIES} conflicts')

    def _update_phase(self, ns: dict) -> dict:
        """``updateNamespaceStatusFunc``: phase ``Terminating`` once deleted."""
        if not ns["metadata"].get("deletionTimestamp") or (ns.get("status") or {}).get("phase") == TERMINATING:
            return ns
        return self.namespaces.update_status(dict(ns, status=dict(ns.get("status") or {}, phase=TERMINATING)))

    def _finalize(self, ns: dict) -> dict:
        """``finalizeNamespace``: ``/finalize`` without this controller's token."""
        spec = dict(ns.get("spec") or {}, finalizers=finalize_spec(ns, self.finalizer_token))
        return self.namespaces.finalize(dict(ns, spec=spec))

    # -- deleteAllContent --------------------------------------------------------------------------
    def delete_all_content(self, ns: dict) -> tuple[int, str | None]:
        """``deleteAllContent``: delete every object of every discovered kind in
        the namespace; returns the longest estimate and the aggregated error
        (None), after writing the conditions when they changed."""
        name = ns["metadata"]["name"]
        deleted_at = parse_time(ns["metadata"]["deletionTimestamp"])
        now_text = rfc3339(self.clock.now())
        errors: list[str] = []
        content_errors: list[str] = []
        new_conditions: list[dict] = []
        kinds, discovery_error = self.discover()
        if discovery_error is not None:         # not fatal: the kinds that were discovered are still emptied
            errors.append(str(discovery_error))
            new_conditions.append(discovery_failure_condition(discovery_error, now_text))
        estimate = 0
        gvr_remaining: dict[GVR, int] = {}
        finalizers_remaining: dict[str, int] = {}
        for kind in sorted(kinds, key=lambda k: GVR.of(k.api_version, k.plural)):
            result, err = self._delete_kind(kind, name, deleted_at)
            if err is not None:
                errors.append(err)
                content_errors.append(err)
            estimate = max(estimate, result.finalizer_estimate_seconds)
            if result.num_remaining > 0:
                gvr_remaining[GVR.of(kind.api_version, kind.plural)] = result.num_remaining
                for f, n in result.finalizers_to_num_remaining.items():
                    if n:
                        finalizers_remaining[f] = finalizers_remaining.get(f, 0) + n
        new_conditions += content_conditions(gvr_remaining, finalizers_remaining, now_text)
        if not any(c["type"] == CONTENT_FAILURE for c in new_conditions):
            failed = delete_content_condition(content_errors, now_text)
            if failed is not None:
                new_conditions.append(failed)
        status = ns.get("status") or {}
        conditions, changed = update_conditions(status.get("conditions") or [], new_conditions, now_text)
        if changed:
            try:
                self.namespaces.update_status(dict(ns, status=dict(status, conditions=conditions)))
            except (ConflictError, NotFoundError) as e:
                log.warning("couldn't update status condition for namespace %r: %s", name, e)
        return estimate, (_aggregate(errors) if errors else None)

    def _delete_kind(self, kind, namespace: str, deleted_at: float) -> tuple[GVRDeletion, str | None]:
        """``deleteAllContentForGroupVersionResource`` (the list-and-delete-each
        path: kubekit has no deletecollection)."""
        gvr = GVR.of(kind.api_version, kind.plural)
        try:
            estimate = 0
            if gvr.group == "" and gvr.resource == "pods":
                estimate = estimate_for_pods(self.store.list(kind.kind, namespace)[0])
            estimate = allowed_estimate(estimate, deleted_at, self.clock.now())
        except InvalidObjectError:      # a kind the store does not serve: nothing to delete
            return GVRDeletion(), None
        except StoreError as e:
            return GVRDeletion(), str(e)
        try:
            items = self.store.list(kind.kind, namespace)[0]
        except InvalidObjectError:
            return GVRDeletion(estimate), None
        except StoreError as e:
            return GVRDeletion(estimate), str(e)
        for item in items:
            try:
                self.store.delete(kind.kind, namespace, item["metadata"]["name"], propagation="Background")
            except NotFoundError:
                pass
            except StoreError as e:
                return GVRDeletion(estimate), str(e)
        try:
            remaining = self.store.list(kind.kind, namespace)[0]
        except StoreError as e:
            return GVRDeletion(estimate), str(e)
        return remaining_content(namespace, gvr, estimate, remaining)


class NamespaceController(Controller):
    """See the module docstring.  ``namespaces``: a Namespace informer to
    share (one is made otherwise); ``discover``, ``finalizer_token``: the
    deleter's."""

    name = "namespace"

    def __init__(self, store, clock, *, namespaces: Informer | None = None, discover: Discover | None = None,
                 finalizer_token: str = FINALIZER_KUBERNETES,
                 deletion_grace_period: float = NAMESPACE_DELETION_GRACE_PERIOD) -> None:
        super().__init__(store, clock)
        self.queue = WorkQueue(clock, rate_limiter=namespace_rate_limiter(clock), name=self.name)
        self.deletion_grace_period = deletion_grace_period
        self.deleter = NamespacedResourcesDeleter(store, clock, discover=discover, finalizer_token=finalizer_token)
        self.namespaces = namespaces if namespaces is not None else Informer(store, "Namespace")
        self.informers = [self.namespaces]
        self.namespaces.add_handler(self._enqueue, lambda _old, new: self._enqueue(new))

    def _enqueue(self, ns: dict) -> None:
        """``enqueueNamespace``: only deleted namespaces, after the grace period."""
        if ns["metadata"].get("deletionTimestamp"):
            self.queue.add_after(object_key(ns), self.deletion_grace_period)

    def reconcile(self, key) -> Result:
        """``syncNamespaceFromKey``: a namespace gone from the cache is done;
        content that is still going away is looked at again later."""
        if self.namespaces.get(key) is None:
            return Result()
        try:
            self.deleter.delete(key)
        except ResourcesRemaining as e:
            log.info("namespace %s: content remaining, waiting %.0f seconds", key, requeue_after(e.estimate))
            return Result(requeue_after=requeue_after(e.estimate))
        return Result()
