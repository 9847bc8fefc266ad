"""The entry points: :func:`load_config` runs the four stages, :func:`default_config`."""

from __future__ import annotations

import logging
from typing import Any, Collection, Mapping

from kubekit.scheduler.config.api import API_VERSION, KIND
from kubekit.scheduler.config.build_profile import _build_profile, _freeze
from kubekit.scheduler.config.decode import _decode_document, _plain
from kubekit.scheduler.config.defaults import _apply_defaults
from kubekit.scheduler.config.field_errors import _fail, _go_quote
from kubekit.scheduler.config.plugin_lists import _framework, _FrameworkError
from kubekit.scheduler.config.registry import DEFAULT_VERSION, _registry, _spec
from kubekit.scheduler.config.types import Profile, SchedulerConfig
from kubekit.scheduler.config.validate import _validate
from kubekit.scheduler.config.yaml_loader import _parse_yaml

log = logging.getLogger(__name__)


def load_config(
    source: Mapping | str | None = None,
    *,
    extra_plugins: Collection[str] = (),
    kubernetes_version: str = DEFAULT_VERSION,
) -> SchedulerConfig:
    """Load, default and validate a KubeSchedulerConfiguration.

    ``source`` is the parsed document (a mapping), its YAML/JSON text, or None for
    kube-scheduler's default configuration.  ``extra_plugins`` names the user's
    plugins (valid in any enabled list); a mapping ``{name: ("filter", "score")}``
    also declares the extension points each implements, which MultiPoint
    expansion needs (undeclared: every point but queueSort).

    Raises :class:`ConfigError` with ``.errors`` holding every message of the
    failing stage.
    """
    spec = _spec(kubernetes_version)
    registry = _registry(spec, extra_plugins)
    duplicates: list[str] = []
    if source is None:
        doc: Any = {"apiVersion": API_VERSION, "kind": KIND}
    elif isinstance(source, str):
        doc, duplicates = _parse_yaml(source)
    elif isinstance(source, Mapping):
        doc = _plain(source)
    else:
        raise TypeError(f"source is a {type(source).__name__}: expected a mapping, YAML text or None")

    top = _decode_document(doc, duplicates)
    cfg = _apply_defaults(top, spec)
    errs = _validate(cfg, spec)
    if errs:
        raise _fail([str(e) for e in errs])

    profiles: list[Profile] = []
    failures: list[str] = []
    first_qs: tuple[str, Any] | None = None
    for prof in cfg.profiles:
        try:
            lists, weights = _framework(prof, registry)
        except _FrameworkError as e:
            failures.append(f"initializing profiles: creating profile for scheduler name {prof.scheduler_name}: {e}")
            continue
        # profile.go cfgValidator: one queue sort plugin (and args) for all profiles.
        qs = lists["queueSort"][0]
        qs_args = next((pc.get("args") for pc in prof.plugin_config if pc.get("name") == qs), None)
        if first_qs is None:
            first_qs = (qs, qs_args)
        elif first_qs[0] != qs:
            failures.append(f"initializing profiles: different queue sort plugins for profile "
                            f"{_go_quote(prof.scheduler_name)}: {_go_quote(qs)}, first: {_go_quote(first_qs[0])}")
            continue
        elif first_qs[1] != qs_args:
            failures.append(f"initializing profiles: different queue sort plugin args for profile "
                            f"{_go_quote(prof.scheduler_name)}")
            continue
        profiles.append(_build_profile(prof, lists, weights, spec))
    if failures:
        raise _fail(failures)

    for p in profiles:
        if p.unimplemented:
            log.debug("profile %s enables plugins kubekit does not implement: %s",
                      p.scheduler_name, ", ".join(p.unimplemented))
    return SchedulerConfig(
        profiles=tuple(profiles),
        percentage_of_nodes_to_score=cfg.percentage,
        parallelism=cfg.parallelism,
        pod_initial_backoff_seconds=cfg.pod_initial_backoff,
        pod_max_backoff_seconds=cfg.pod_max_backoff,
        extenders=tuple(_freeze(e) for e in cfg.extenders),
        kubernetes_version=spec.version,
    )


def default_config(*, kubernetes_version: str = DEFAULT_VERSION) -> SchedulerConfig:
    """kube-scheduler's configuration when it is started without ``--config``."""
    return load_config(None, kubernetes_version=kubernetes_version)
