"""A kubectl-like client for ``kubekit serve``: ``kubekit apply``, ``get``,
``describe``, ``delete``, ``scale``, ``rollout``, ``cordon``, ``drain``...

Imports stay light (stdlib + yaml): nothing here loads the scheduler or
numpy.  See ``docs/kubectl.md``.
"""
