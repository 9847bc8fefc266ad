"""Load kube-scheduler's own ``KubeSchedulerConfiguration`` (``kubescheduler.config.k8s.io/v1``).

A configuration goes through the same four stages as in kube-scheduler, and fails
at the first stage that finds a problem, with kube-scheduler's messages:

1. **decode** (``cmd/kube-scheduler/app/options/configfile.go`` ``loadConfig``):
   apiVersion/kind, strict decoding (unknown or duplicate fields are errors), Go
   types (``json: cannot unmarshal string into Go struct field ...``), plugin args
   of the in-tree ``<Plugin>Args`` kinds decoded strictly too;
2. **defaulting** (``pkg/scheduler/apis/config/v1/defaults.go`` and
   ``default_plugins.go``): parallelism 16, one ``default-scheduler`` profile, the
   v1 default plugins merged with the profile's plugins (``mergePlugins``), default
   args for every enabled in-tree plugin that has an args type;
3. **validation** (``pkg/scheduler/apis/config/validation/validation.go`` and
   ``validation_pluginargs.go``): every error is collected, like ``field.ErrorList``;
4. **framework construction** (``pkg/scheduler/framework/runtime/framework.go``
   ``NewFramework``/``expandMultiPointPlugins``, ``pkg/scheduler/profile/profile.go``):
   unknown plugin names (``FilterPlugin "Foo" does not exist``), plugins at an
   extension point they do not implement, duplicates, the NodeResourcesFit args
   (validated only here, by ``NewFit``), exactly one queue-sort plugin, at least
   one bind plugin, score weights.

The result is one :class:`Profile` per scheduler profile, with kube-scheduler's
final plugin list at every extension point.  See ``docs/scheduler-config.md``.

Targets Kubernetes v1.35 by default (``kubernetes_version="1.34"`` gives the
v1.34 defaults); the differences are listed in :data:`SUPPORTED_VERSIONS`' docs.
"""

from kubekit.errors import ConfigError
from kubekit.scheduler.config.api import (
    API_VERSION,
    DEFAULT_SCHEDULER_NAME,
    EXTENSION_POINTS,
    KIND,
)
from kubekit.scheduler.config.load import default_config, load_config
from kubekit.scheduler.config.registry import (
    IMPLEMENTED_PLUGINS,
    SUPPORTED_VERSIONS,
    in_tree_plugins,
)
from kubekit.scheduler.config.types import (
    BalancedAllocationArgs,
    NodeResourcesFitArgs,
    Profile,
    ResourceSpec,
    SchedulerConfig,
    ScoringStrategy,
    UtilizationShapePoint,
)

# One module per job (the table in docs/scheduler-config.md lists them); this
# facade exports the names the single-module version did.  The private names
# re-exported above (_PSet, _merge_plugins, _VERSIONS, the duration helpers) are
# the ones tests/scheduler/test_config.py imports from here.

__all__ = [
    "API_VERSION",
    "BalancedAllocationArgs",
    "ConfigError",
    "DEFAULT_SCHEDULER_NAME",
    "EXTENSION_POINTS",
    "IMPLEMENTED_PLUGINS",
    "KIND",
    "NodeResourcesFitArgs",
    "Profile",
    "ResourceSpec",
    "SUPPORTED_VERSIONS",
    "SchedulerConfig",
    "ScoringStrategy",
    "UtilizationShapePoint",
    "default_config",
    "in_tree_plugins",
    "load_config",
]
