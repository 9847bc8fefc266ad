"""Names of the ``kubescheduler.config.k8s.io/v1`` API: group, version, kind, extension points."""

from __future__ import annotations


GROUP = "kubescheduler.config.k8s.io"
API_VERSION = GROUP + "/v1"
KIND = "KubeSchedulerConfiguration"
DEFAULT_SCHEDULER_NAME = "default-scheduler"

# The extension points of a profile, as spelled in the v1 API.
EXTENSION_POINTS = (
    "preEnqueue", "queueSort", "preFilter", "filter", "postFilter", "preScore",
    "score", "reserve", "permit", "preBind", "bind", "postBind",
)
_ALL_SETS = EXTENSION_POINTS + ("multiPoint",)
