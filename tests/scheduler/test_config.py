"""Tests for kubekit.scheduler.config: kube-scheduler's KubeSchedulerConfiguration v1.

Tables are ported from Kubernetes (kubernetes/kubernetes unless noted); each
block names the file and the commit of the stored copy it was read from:

- pkg/scheduler/apis/config/v1/default_plugins_test.go@3ee8178 (TestMergePlugins)
- pkg/scheduler/apis/config/v1/default_plugins.go@01db4ae / forks at v1.35-1.36
  (getDefaultPlugins, applyFeatureGates), CHANGELOG/CHANGELOG-1.35.md (#134711)
- pkg/scheduler/apis/config/v1/defaults_test.go@ff1bd0e (TestSchedulerDefaults,
  TestPluginArgsDefaults), defaults.go@00fe7a3
- pkg/scheduler/apis/config/testing/defaults/defaults.go@0ea83df and
  pacoxu/kubernetes@33f7be0 (ExpandedPluginsV1: the expanded default lists)
- cmd/kube-scheduler/app/server_test.go@01fa0bd (TestSetup)
- pkg/scheduler/apis/config/validation/validation.go@030880a,
  validation_pluginargs.go@0bd65a0 (pre-#132120 form of ValidateNodeResourcesFitArgs),
  validation_pluginargs_test.go@04791b4, validation_test.go
  (TestValidateKubeSchedulerConfigurationV1, stored copy without a commit id)
- pkg/scheduler/framework/runtime/framework.go@002774c (NewFramework,
  expandMultiPointPlugins, getScoreWeights, updatePluginList)

v1 defaulting happens before validation, so Go cases that set a field to its
zero value (resource weight 0, empty leader-election names) cannot be expressed
through a config file; those ports use the nearest value that survives
defaulting (e.g. weight -1) and say so.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubekit.errors import ConfigError
from kubekit.scheduler.config import (
    API_VERSION,
    IMPLEMENTED_PLUGINS,
    KIND,
    BalancedAllocationArgs,
    NodeResourcesFitArgs,
    Profile,
    ResourceSpec,
    SchedulerConfig,
    ScoringStrategy,
    UtilizationShapePoint,
    default_config,
    in_tree_plugins,
    load_config,
)
from kubekit.scheduler.config.defaults import _merge_plugins, _PSet
from kubekit.scheduler.config.durations import _go_duration_str, _parse_go_duration
from kubekit.scheduler.config.registry import _VERSIONS

SETS = ("preEnqueue", "queueSort", "preFilter", "filter", "postFilter", "preScore", "score",
        "reserve", "permit", "preBind", "bind", "postBind", "multiPoint")
PREFIX = "initializing profiles: creating profile for scheduler name default-scheduler: "


def doc(**fields):
    return {"apiVersion": API_VERSION, "kind": KIND, **fields}


def one_profile(**profile):
    return doc(profiles=[profile])


def errors_of(source, **kw) -> list[str]:
    with pytest.raises(ConfigError) as ei:
        load_config(source, **kw)
    errs = list(ei.value.errors)
    assert str(ei.value) == (errs[0] if len(set(errs)) == 1 else "[" + ", ".join(dict.fromkeys(errs)) + "]")
    return errs


def profile_of(source, **kw) -> Profile:
    cfg = load_config(source, **kw)
    assert len(cfg.profiles) == 1
    return cfg.profiles[0]


# ---------------------------------------------------------------------------------------
# The default profile (getDefaultPlugins + MultiPoint expansion = ExpandedPluginsV1)
# ---------------------------------------------------------------------------------------
DEFAULT_FILTER = ("NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodePorts",
                  "NodeResourcesFit", "VolumeRestrictions", "NodeVolumeLimits", "VolumeBinding",
                  "VolumeZone", "PodTopologySpread", "InterPodAffinity", "DynamicResources")
DEFAULT_PRE_FILTER = ("NodeAffinity", "NodePorts", "NodeResourcesFit", "VolumeRestrictions",
                      "NodeVolumeLimits", "VolumeBinding", "VolumeZone", "PodTopologySpread",
                      "InterPodAffinity", "DynamicResources")
DEFAULT_PRE_SCORE = ("TaintToleration", "NodeAffinity", "NodeResourcesFit", "VolumeBinding",
                     "PodTopologySpread", "InterPodAffinity", "NodeResourcesBalancedAllocation")
# kube-scheduler's order is the MultiPoint order filtered to Score plugins, so
# NodeResourcesFit comes third; VolumeBinding is a Score plugin (weight 1).
SCORE_134 = (("TaintToleration", 3), ("NodeAffinity", 2), ("NodeResourcesFit", 1), ("VolumeBinding", 1),
             ("PodTopologySpread", 2), ("InterPodAffinity", 2), ("NodeResourcesBalancedAllocation", 1),
             ("ImageLocality", 1))
SCORE_135 = SCORE_134[:6] + (("DynamicResources", 2),) + SCORE_134[6:]


def test_default_profile_v135_every_extension_point():
    p = default_config().profiles[0]
    assert p.scheduler_name == "default-scheduler"
    assert p.pre_enqueue == ("SchedulingGates", "DynamicResources")
    assert p.queue_sort == ("PrioritySort",)
    assert p.pre_filter == DEFAULT_PRE_FILTER
    assert p.filter == DEFAULT_FILTER
    assert p.post_filter == ("DynamicResources", "DefaultPreemption")
    assert p.pre_score == DEFAULT_PRE_SCORE
    assert p.score == SCORE_135
    assert p.reserve == ("VolumeBinding", "DynamicResources")
    assert p.permit == ()
    assert p.pre_bind == ("VolumeBinding", "DynamicResources")
    assert p.bind == ("DefaultBinder",)
    assert p.post_bind == ()


def test_default_profile_v134_score_has_no_dynamic_resources():
    # v1.34: DynamicResources is enabled (DRA GA, gate on) but has no weight and
    # implements no Score extension; PR #134711 (v1.35) added both.
    p = default_config(kubernetes_version="1.34").profiles[0]
    assert p.score == SCORE_134
    assert p.filter == DEFAULT_FILTER
    assert p.post_filter == ("DynamicResources", "DefaultPreemption")


def test_default_score_restricted_to_the_briefs_seven_plugins_keeps_kube_order():
    # The seven weighted defaults, in kube-scheduler's order (not alphabetical,
    # not by weight): VolumeBinding/DynamicResources removed.
    p = default_config().profiles[0]
    seven = tuple((n, w) for n, w in p.score if n not in ("VolumeBinding", "DynamicResources"))
    assert seven == (("TaintToleration", 3), ("NodeAffinity", 2), ("NodeResourcesFit", 1),
                     ("PodTopologySpread", 2), ("InterPodAffinity", 2),
                     ("NodeResourcesBalancedAllocation", 1), ("ImageLocality", 1))


def test_default_unimplemented_lists_every_enabled_in_tree_plugin_kubekit_lacks():
    p = default_config().profiles[0]
    assert p.unimplemented == ("SchedulingGates", "DynamicResources", "NodePorts", "VolumeRestrictions",
                               "NodeVolumeLimits", "VolumeBinding", "VolumeZone", "PodTopologySpread",
                               "InterPodAffinity", "DefaultPreemption", "ImageLocality")
    everything = {n for point in SETS[:-1] for n in p.plugins_at(point)}
    assert everything - set(p.unimplemented) == IMPLEMENTED_PLUGINS


def test_default_top_level_fields_and_args():
    # defaults_test.go@ff1bd0e TestSchedulerDefaults "empty config"
    cfg = load_config(doc())
    assert cfg == default_config()
    assert (cfg.parallelism, cfg.percentage_of_nodes_to_score) == (16, 0)
    assert (cfg.pod_initial_backoff_seconds, cfg.pod_max_backoff_seconds) == (1, 10)
    p = cfg.profiles[0]
    assert p.percentage_of_nodes_to_score is None
    assert p.fit_args == NodeResourcesFitArgs()
    assert p.fit_args.scoring_strategy == ScoringStrategy("LeastAllocated", (ResourceSpec("cpu", 1), ResourceSpec("memory", 1)))
    assert p.balanced_args == BalancedAllocationArgs((ResourceSpec("cpu", 1), ResourceSpec("memory", 1)))
    assert {k: dict(v) for k, v in p.plugin_args.items()} == {
        "DefaultPreemption": {"minCandidateNodesPercentage": 10, "minCandidateNodesAbsolute": 100},
        "DynamicResources": {"filterTimeout": "10s"},
        "InterPodAffinity": {"hardPodAffinityWeight": 1},
        "NodeAffinity": {},
        "PodTopologySpread": {"defaultingType": "System"},
        "VolumeBinding": {"bindTimeoutSeconds": 600},
    }


def test_result_objects_are_frozen():
    cfg = default_config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.parallelism = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        cfg.profiles[0].plugin_args["X"] = {}  # type: ignore[index]
    assert cfg.profile("default-scheduler") is cfg.profiles[0]
    with pytest.raises(KeyError, match="no profile with schedulerName 'nope'"):
        cfg.profile("nope")


def test_in_tree_registry_differs_between_releases():
    assert "NodeDeclaredFeatures" not in in_tree_plugins("1.34")
    assert in_tree_plugins("1.35")["NodeDeclaredFeatures"] == frozenset({"preFilter", "filter"})
    assert "score" in in_tree_plugins("1.35")["DynamicResources"]
    assert "score" not in in_tree_plugins("v1.34.2")["DynamicResources"]
    with pytest.raises(ValueError, match="unsupported kubernetes_version '1.20'"):
        default_config(kubernetes_version="1.20")


@pytest.mark.parametrize("name,version,ok", [
    ("NodeDeclaredFeatures", "1.35", True), ("GangScheduling", "1.35", True),
    ("NodeDeclaredFeatures", "1.34", False), ("ImageLocality", "1.34", True),
])
def test_gated_in_tree_plugins_are_recognised_per_release(name, version, ok):
    source = one_profile(plugins={"multiPoint": {"enabled": [{"name": name}]}})
    if ok:
        p = profile_of(source, kubernetes_version=version)
        assert name in p.unimplemented
    else:
        assert errors_of(source, kubernetes_version=version) == [PREFIX + f'PreFilterPlugin "{name}" does not exist']


# ---------------------------------------------------------------------------------------
# default_plugins_test.go@3ee8178 TestMergePlugins
# ---------------------------------------------------------------------------------------
def psets(**by_point) -> dict[str, _PSet]:
    out = {}
    for point in SETS:
        spec = by_point.get(point, {})
        out[point] = _PSet([(p if isinstance(p, tuple) else (p, None)) for p in spec.get("enabled", [])],
                           list(spec.get("disabled", [])))
    return out


MERGE_CASES = [
    ("AppendCustomPlugin",
     psets(filter={"enabled": ["CustomPlugin"]}),
     psets(filter={"enabled": ["DefaultPlugin1", "DefaultPlugin2"]}),
     psets(filter={"enabled": ["DefaultPlugin1", "DefaultPlugin2", "CustomPlugin"]})),
    ("InsertAfterDefaultPlugins2",
     psets(filter={"enabled": ["CustomPlugin", "DefaultPlugin2"], "disabled": ["DefaultPlugin2"]}),
     psets(filter={"enabled": ["DefaultPlugin1", "DefaultPlugin2"]}),
     psets(filter={"enabled": ["DefaultPlugin1", "CustomPlugin", "DefaultPlugin2"], "disabled": ["DefaultPlugin2"]})),
    ("InsertBeforeAllPlugins",
     psets(filter={"enabled": ["CustomPlugin", "DefaultPlugin1", "DefaultPlugin2"], "disabled": ["*"]}),
     psets(filter={"enabled": ["DefaultPlugin1", "DefaultPlugin2"]}),
     psets(filter={"enabled": ["CustomPlugin", "DefaultPlugin1", "DefaultPlugin2"], "disabled": ["*"]})),
    ("ReorderDefaultPlugins",
     psets(filter={"enabled": ["DefaultPlugin2", "DefaultPlugin1"], "disabled": ["*"]}),
     psets(filter={"enabled": ["DefaultPlugin1", "DefaultPlugin2"]}),
     psets(filter={"enabled": ["DefaultPlugin2", "DefaultPlugin1"], "disabled": ["*"]})),
    ("ApplyNilCustomPlugin",
     None,
     psets(filter={"enabled": ["DefaultPlugin1", "DefaultPlugin2"]}),
     psets(filter={"enabled": ["DefaultPlugin1", "DefaultPlugin2"]})),
    ("CustomPluginOverrideDefaultPlugin",
     psets(filter={"enabled": [("Plugin1", 2), ("Plugin3", 3)]}),
     psets(filter={"enabled": ["Plugin1", "Plugin2", "Plugin3"]}),
     psets(filter={"enabled": [("Plugin1", 2), "Plugin2", ("Plugin3", 3)]})),
    ("OrderPreserveAfterOverride",
     psets(filter={"enabled": [("Plugin2", 2), ("Plugin1", 1)]}),
     psets(filter={"enabled": ["Plugin1", "Plugin2", "Plugin3"]}),
     psets(filter={"enabled": [("Plugin1", 1), ("Plugin2", 2), "Plugin3"]})),
    ("RepeatedCustomPlugin",
     psets(filter={"enabled": ["Plugin1", ("Plugin2", 2), "Plugin3", ("Plugin2", 4)]}),
     psets(filter={"enabled": ["Plugin1", "Plugin2", "Plugin3"]}),
     psets(filter={"enabled": ["Plugin1", ("Plugin2", 4), "Plugin3", ("Plugin2", 2)]})),
    ("Append custom MultiPoint plugin",
     psets(multiPoint={"enabled": ["CustomPlugin"]}),
     psets(multiPoint={"enabled": ["DefaultPlugin1", "DefaultPlugin2"]}),
     psets(multiPoint={"enabled": ["DefaultPlugin1", "DefaultPlugin2", "CustomPlugin"]})),
    ("Append disabled Multipoint plugins",
     psets(multiPoint={"enabled": ["CustomPlugin", "CustomPlugin2"], "disabled": ["DefaultPlugin2"]},
           score={"disabled": ["CustomPlugin2"]}),
     psets(multiPoint={"enabled": ["DefaultPlugin1", "DefaultPlugin2"]}),
     psets(multiPoint={"enabled": ["DefaultPlugin1", "CustomPlugin", "CustomPlugin2"], "disabled": ["DefaultPlugin2"]},
           score={"disabled": ["CustomPlugin2"]})),
    ("override default MultiPoint plugins with custom value",
     psets(multiPoint={"enabled": [("DefaultPlugin", 5)]}),
     psets(multiPoint={"enabled": ["DefaultPlugin"]}),
     psets(multiPoint={"enabled": [("DefaultPlugin", 5)]})),
    ("disabled MultiPoint plugin in default set",
     psets(multiPoint={"enabled": ["CustomPlugin"]}),
     psets(multiPoint={"enabled": ["DefaultPlugin"], "disabled": ["DefaultPlugin2"]}),
     psets(multiPoint={"enabled": ["DefaultPlugin", "CustomPlugin"], "disabled": ["DefaultPlugin2"]})),
    ("disabled MultiPoint plugin in default set for specific extension point",
     psets(multiPoint={"enabled": ["CustomPlugin"]}),
     psets(multiPoint={"enabled": ["DefaultPlugin"]}, score={"disabled": ["DefaultPlugin2"]}),
     psets(multiPoint={"enabled": ["DefaultPlugin", "CustomPlugin"]}, score={"disabled": ["DefaultPlugin2"]})),
    ("multipoint with only disabled gets merged",
     psets(multiPoint={"disabled": ["DefaultPlugin"]}),
     psets(multiPoint={"enabled": ["DefaultPlugin"]}),
     psets(multiPoint={"disabled": ["DefaultPlugin"]})),
]


@pytest.mark.parametrize("name,custom,default,expected", MERGE_CASES, ids=[c[0] for c in MERGE_CASES])
def test_merge_plugins(name, custom, default, expected):
    assert _merge_plugins(default, custom) == expected


# ---------------------------------------------------------------------------------------
# defaults_test.go@ff1bd0e TestSchedulerDefaults
# ---------------------------------------------------------------------------------------
def test_defaults_no_scheduler_name():
    assert profile_of(doc(profiles=[{}])).scheduler_name == "default-scheduler"


def test_defaults_two_profiles_do_not_name_the_first():
    # "two profiles": the name is defaulted only when there is a single profile,
    # so validation then requires it.
    source = doc(profiles=[
        {"pluginConfig": [{"name": "FooPlugin"}]},
        {"schedulerName": "custom-scheduler",
         "plugins": {"bind": {"enabled": [{"name": "BarPlugin"}], "disabled": [{"name": "DefaultBinder"}]}}},
    ])
    assert errors_of(source, extra_plugins=["BarPlugin"]) == ["profiles[0].schedulerName: Required value"]


def test_defaults_two_profiles_named():
    source = doc(profiles=[
        {"schedulerName": "default-scheduler", "pluginConfig": [{"name": "FooPlugin"}]},
        {"schedulerName": "custom-scheduler",
         "plugins": {"bind": {"enabled": [{"name": "BarPlugin"}], "disabled": [{"name": "DefaultBinder"}]}}},
    ])
    cfg = load_config(source, extra_plugins=["BarPlugin"])
    first, second = cfg.profiles
    assert first.bind == ("DefaultBinder",)
    assert dict(first.plugin_args["FooPlugin"]) == {}
    # bind.disabled DefaultBinder stops its MultiPoint expansion at Bind only.
    assert second.bind == ("BarPlugin",)
    assert second.filter == DEFAULT_FILTER


def test_defaults_parallelism_and_percentages():
    cfg = load_config(doc(parallelism=8, percentageOfNodesToScore=10,
                          profiles=[{"percentageOfNodesToScore": 50}]))
    assert (cfg.parallelism, cfg.percentage_of_nodes_to_score) == (8, 10)
    assert cfg.profiles[0].percentage_of_nodes_to_score == 50
    assert load_config(doc(delayCacheUntilActive=True)) == default_config()


def test_defaults_unknown_plugin_config_kept_raw():
    # "unknown plugin config": args of a plugin without an args kind are not
    # decoded, defaulted or validated; they reach Profile.plugin_args as given.
    p = profile_of(one_profile(pluginConfig=[{"name": "Foo", "args": {"any": ["shape", {"x": 1}]}}]))
    assert dict(p.plugin_args["Foo"])["any"][1]["x"] == 1
    assert p.filter == DEFAULT_FILTER


# ---------------------------------------------------------------------------------------
# defaults_test.go@ff1bd0e TestPluginArgsDefaults
# ---------------------------------------------------------------------------------------
def args_profile(name, args):
    return profile_of(one_profile(pluginConfig=[{"name": name, "args": args}]))


@pytest.mark.parametrize("name,args,want", [
    ("DefaultPreemption", {}, {"minCandidateNodesPercentage": 10, "minCandidateNodesAbsolute": 100}),
    ("DefaultPreemption", {"minCandidateNodesPercentage": 50},
     {"minCandidateNodesPercentage": 50, "minCandidateNodesAbsolute": 100}),
    ("InterPodAffinity", {}, {"hardPodAffinityWeight": 1}),
    ("InterPodAffinity", {"hardPodAffinityWeight": 0}, {"hardPodAffinityWeight": 0}),
    ("InterPodAffinity", {"hardPodAffinityWeight": 5}, {"hardPodAffinityWeight": 5}),
    ("PodTopologySpread", {}, {"defaultingType": "System"}),
    ("VolumeBinding", {}, {"bindTimeoutSeconds": 600}),  # StorageCapacityScoring off
])
def test_plugin_args_defaults_raw(name, args, want):
    assert dict(args_profile(name, args).plugin_args[name]) == want


def test_plugin_args_defaults_pod_topology_spread_list_kept():
    p = args_profile("PodTopologySpread", {"defaultingType": "List", "defaultConstraints": [
        {"topologyKey": "planet", "whenUnsatisfiable": "DoNotSchedule", "maxSkew": 2}]})
    args = p.plugin_args["PodTopologySpread"]
    assert args["defaultingType"] == "List"
    assert dict(args["defaultConstraints"][0]) == {"topologyKey": "planet", "whenUnsatisfiable": "DoNotSchedule", "maxSkew": 2}


@pytest.mark.parametrize("resources,want", [
    ([], [("cpu", 1), ("memory", 1)]),
    ([{"name": "scalar.io/scalar1", "weight": 1}], [("scalar.io/scalar1", 1)]),
    ([{"name": "cpu", "weight": 1}, {"name": "scalar.io/scalar1", "weight": 1}], [("cpu", 1), ("scalar.io/scalar1", 1)]),
    ([{"name": "cpu"}, {"name": "scalar.io/scalar0"}, {"name": "scalar.io/scalar1", "weight": 1}],
     [("cpu", 1), ("scalar.io/scalar0", 1), ("scalar.io/scalar1", 1)]),
])
def test_plugin_args_defaults_balanced_allocation(resources, want):
    p = args_profile("NodeResourcesBalancedAllocation", {"resources": resources})
    assert p.balanced_args == BalancedAllocationArgs(tuple(ResourceSpec(n, w) for n, w in want))


@pytest.mark.parametrize("args,want", [
    ({}, ScoringStrategy("LeastAllocated", (ResourceSpec("cpu", 1), ResourceSpec("memory", 1)))),
    ({"scoringStrategy": {"type": "MostAllocated"}},
     ScoringStrategy("MostAllocated", (ResourceSpec("cpu", 1), ResourceSpec("memory", 1)))),
    ({"scoringStrategy": {"type": "MostAllocated", "resources": [{"name": "cpu"}, {"name": "example.com/gpu", "weight": 7}]}},
     ScoringStrategy("MostAllocated", (ResourceSpec("cpu", 1), ResourceSpec("example.com/gpu", 7)))),
    ({"scoringStrategy": {"type": "RequestedToCapacityRatio", "resources": [{"name": "intel.com/foo", "weight": 3}],
                          "requestedToCapacityRatio": {"shape": [{"utilization": 0, "score": 0},
                                                                 {"utilization": 100, "score": 10}]}}},
     ScoringStrategy("RequestedToCapacityRatio", (ResourceSpec("intel.com/foo", 3),),
                     (UtilizationShapePoint(0, 0), UtilizationShapePoint(100, 10)))),
    # v1.34/v1.35 accept (and ignore) a shape for the other strategies.
    ({"scoringStrategy": {"type": "LeastAllocated", "requestedToCapacityRatio": {"shape": [{"utilization": 5, "score": 1}]}}},
     ScoringStrategy("LeastAllocated", (ResourceSpec("cpu", 1), ResourceSpec("memory", 1)))),
])
def test_plugin_args_defaults_fit(args, want):
    assert args_profile("NodeResourcesFit", args).fit_args.scoring_strategy == want


def test_fit_ignored_resources_reach_the_profile():
    p = args_profile("NodeResourcesFit", {"ignoredResources": ["example.com/foo"], "ignoredResourceGroups": ["example.com"]})
    assert p.fit_args.ignored_resources == ("example.com/foo",)
    assert p.fit_args.ignored_resource_groups == ("example.com",)


# ---------------------------------------------------------------------------------------
# NodeResourcesFit args: validated by NewFit at framework construction, with paths
# relative to the args (validation.go keys its validator "NodeResourcesFitArgs").
# validation_pluginargs_test.go@04791b4 TestValidateFitArgs and the scoring strategy tables.
# ---------------------------------------------------------------------------------------
FIT = PREFIX + 'initializing plugin "NodeResourcesFit": '


def fit_errors(args):
    return errors_of(one_profile(pluginConfig=[{"name": "NodeResourcesFit", "args": args}]))


def test_fit_weight_out_of_range_message():
    errs = fit_errors({"scoringStrategy": {"type": "LeastAllocated", "resources": [{"name": "cpu", "weight": 101}]}})
    assert errs == [FIT + "scoringStrategy.resources[0].weight: Invalid value: 101: resource weight of cpu not in valid range (0, 100]"]


@pytest.mark.parametrize("args,expect", [
    ({"ignoredResources": ["longvalue" + "a" * 64]}, "name part must be no more than 63 characters"),
    ({"ignoredResources": ["example.com/"]}, "name part must be non-empty"),
    ({"ignoredResources": ["example.com/aaa/bbb"]}, "a qualified name must consist of alphanumeric characters"),
    ({"ignoredResourceGroups": ["example.com/"]}, "name part must be non-empty"),
    ({"ignoredResourceGroups": ["a" * 64]}, "name part must be no more than 63 characters"),
    ({"ignoredResourceGroups": ["example.com/aa"]}, "resource group name can't contain '/'"),
])
def test_fit_args_invalid(args, expect):
    (err,) = fit_errors(args)
    assert err.startswith(FIT) and expect in err


@pytest.mark.parametrize("args", [{"ignoredResources": ["example.com"]}, {"ignoredResourceGroups": ["example.com"]}])
def test_fit_args_valid(args):
    assert args_profile("NodeResourcesFit", args).fit_args.scoring_strategy.type == "LeastAllocated"


def test_fit_ignored_resource_group_with_slash_reports_both_checks():
    (err,) = fit_errors({"ignoredResourceGroups": ["example.com/"]})
    assert err == FIT + (
        "[ignoredResourceGroups[0]: Invalid value: \"example.com/\": resource group name can't contain '/', "
        "ignoredResourceGroups[0]: Invalid value: \"example.com/\": name part must be non-empty, "
        "ignoredResourceGroups[0]: Invalid value: \"example.com/\": name part must consist of alphanumeric characters, "
        "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
        "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')]")


@pytest.mark.parametrize("strategy", ["LeastAllocated", "MostAllocated"])
@pytest.mark.parametrize("resources,fields", [
    ([{"name": "cpu", "weight": 1}, {"name": "memory", "weight": 10}], []),
    ([{"name": "cpu", "weight": -1}], ["resources[0].weight"]),  # Go's case uses 0, which v1 defaults to 1
    ([{"name": "cpu", "weight": 101}], ["resources[0].weight"]),
    ([{"name": "cpu", "weight": -1}, {"name": "memory", "weight": 101}], ["resources[0].weight", "resources[1].weight"]),
])
def test_fit_least_and_most_allocated_weights(strategy, resources, fields):
    args = {"scoringStrategy": {"type": strategy, "resources": resources}}
    if not fields:
        assert args_profile("NodeResourcesFit", args).fit_args.scoring_strategy.type == strategy
        return
    (err,) = fit_errors(args)
    for f in fields:
        assert f"scoringStrategy.{f}: Invalid value: " in err


def test_fit_weight_zero_is_defaulted_not_rejected():
    p = args_profile("NodeResourcesFit", {"scoringStrategy": {"type": "MostAllocated", "resources": [{"name": "cpu", "weight": 0}]}})
    assert p.fit_args.scoring_strategy.resources == (ResourceSpec("cpu", 1),)


RTCR_DEFAULT_SHAPE = [{"utilization": 30, "score": 3}]


@pytest.mark.parametrize("resources,shape,want", [
    (None, None, ["scoringStrategy.shape: Required value: at least one point must be specified"]),
    ([{"name": "cpu", "weight": 101}], RTCR_DEFAULT_SHAPE,
     ["scoringStrategy.resources[0].weight: Invalid value: 101: resource weight of cpu not in valid range (0, 100]"]),
    (None, [{"utilization": -1, "score": 3}],
     ["scoringStrategy.shape[0].utilization: Invalid value: -1: not in valid range [0, 100]"]),
    (None, [{"utilization": 101, "score": 3}],
     ["scoringStrategy.shape[0].utilization: Invalid value: 101: not in valid range [0, 100]"]),
    (None, [{"utilization": 10, "score": 3}, {"utilization": 10, "score": 3}],
     ["scoringStrategy.shape[1].utilization: Invalid value: 10: values must be sorted in increasing order"]),
    (None, [{"utilization": 10, "score": 3}, {"utilization": 20, "score": 3}, {"utilization": 15, "score": 3}],
     ["scoringStrategy.shape[2].utilization: Invalid value: 15: values must be sorted in increasing order"]),
    (None, [{"utilization": 10, "score": -1}], ["scoringStrategy.shape[0].score: Invalid value: -1: not in valid range [0, 10]"]),
    (None, [{"utilization": 10, "score": 11}], ["scoringStrategy.shape[0].score: Invalid value: 11: not in valid range [0, 10]"]),
])
def test_fit_requested_to_capacity_ratio_shape(resources, shape, want):
    ss = {"type": "RequestedToCapacityRatio", "requestedToCapacityRatio": {} if shape is None else {"shape": shape}}
    if resources is not None:
        ss["resources"] = resources
    (err,) = fit_errors({"scoringStrategy": ss})
    assert err == FIT + (want[0] if len(want) == 1 else "[" + ", ".join(want) + "]")


def test_fit_requested_to_capacity_ratio_valid_shapes():
    for shape in (RTCR_DEFAULT_SHAPE, [{"utilization": 10, "score": 3}, {"utilization": 20, "score": 3}, {"utilization": 30, "score": 3}]):
        p = args_profile("NodeResourcesFit", {"scoringStrategy": {"type": "RequestedToCapacityRatio",
                                                                  "requestedToCapacityRatio": {"shape": shape}}})
        assert len(p.fit_args.scoring_strategy.shape) == len(shape)


def test_fit_requested_to_capacity_ratio_without_params():
    # v1.34/v1.35 dereference a nil pointer here; kubekit gives v1.36's message.
    assert fit_errors({"scoringStrategy": {"type": "RequestedToCapacityRatio"}}) == [
        FIT + "scoringStrategy.requestedToCapacityRatio: Required value: must be specified when type is RequestedToCapacityRatio"]


def test_fit_unsupported_strategy_type():
    assert fit_errors({"scoringStrategy": {"type": "Leastallocated"}}) == [
        FIT + 'scoringStrategy.type: Unsupported value: "Leastallocated": supported values: '
              '"LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"']


def test_fit_strategy_without_type_is_not_defaulted():
    # SetDefaults_NodeResourcesFitArgs defaults the type only when scoringStrategy is absent.
    assert fit_errors({"scoringStrategy": {"resources": [{"name": "cpu", "weight": 2}]}}) == [
        FIT + 'scoringStrategy.type: Unsupported value: "": supported values: '
              '"LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"']


def test_fit_args_are_not_checked_when_the_plugin_is_disabled():
    # Only needed plugins are constructed, so kube-scheduler never validates
    # NodeResourcesFit's args if NodeResourcesFit is disabled everywhere.
    p = profile_of(one_profile(
        plugins={"multiPoint": {"disabled": [{"name": "NodeResourcesFit"}]}},
        pluginConfig=[{"name": "NodeResourcesFit", "args": {"scoringStrategy": {"resources": [{"name": "cpu", "weight": 500}]}}}]))
    assert "NodeResourcesFit" not in p.filter
    assert p.fit_args.scoring_strategy.resources == (ResourceSpec("cpu", 500),)


# ---------------------------------------------------------------------------------------
# Other plugin args (validation_pluginargs.go@0bd65a0; tables from
# validation_pluginargs_test.go@04791b4), validated with their pluginConfig path.
# ---------------------------------------------------------------------------------------
def arg_errors(name, args):
    return errors_of(one_profile(pluginConfig=[{"name": name, "args": args}]))


A = "profiles[0].pluginConfig[0].args."


@pytest.mark.parametrize("args,want", [
    ({"minCandidateNodesPercentage": -1, "minCandidateNodesAbsolute": 100},
     [A + "minCandidateNodesPercentage: Invalid value: -1: not in valid range [0, 100]"]),
    ({"minCandidateNodesPercentage": 900, "minCandidateNodesAbsolute": 100},
     [A + "minCandidateNodesPercentage: Invalid value: 900: not in valid range [0, 100]"]),
    ({"minCandidateNodesPercentage": 20, "minCandidateNodesAbsolute": -1},
     [A + "minCandidateNodesAbsolute: Invalid value: -1: not in valid range [0, inf)"]),
    ({"minCandidateNodesPercentage": 0, "minCandidateNodesAbsolute": 0},
     [A + "minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as minCandidateNodesAbsolute",
      A + "minCandidateNodesAbsolute: Invalid value: 0: cannot be zero at the same time as minCandidateNodesPercentage"]),
    ({"minCandidateNodesPercentage": -1, "minCandidateNodesAbsolute": -1},
     [A + "minCandidateNodesPercentage: Invalid value: -1: not in valid range [0, 100]",
      A + "minCandidateNodesAbsolute: Invalid value: -1: not in valid range [0, inf)"]),
])
def test_default_preemption_args(args, want):
    assert arg_errors("DefaultPreemption", args) == want


@pytest.mark.parametrize("weight", [-1, 101])
def test_inter_pod_affinity_args(weight):
    assert arg_errors("InterPodAffinity", {"hardPodAffinityWeight": weight}) == [
        A + f"hardPodAffinityWeight: Invalid value: {weight}: not in valid range [0, 100]"]


def tsc(**kw):
    return {"maxSkew": 1, "topologyKey": "node", "whenUnsatisfiable": "DoNotSchedule", **kw}


@pytest.mark.parametrize("args,want", [
    ({"defaultingType": "List", "defaultConstraints": [tsc(maxSkew=-1)]},
     [A + "defaultConstraints[0].maxSkew: Invalid value: -1: not in valid range (0, inf)"]),
    ({"defaultingType": "List", "defaultConstraints": [tsc(topologyKey="")]},
     [A + "defaultConstraints[0].topologyKey: Required value: can not be empty"]),
    ({"defaultingType": "List", "defaultConstraints": [tsc(whenUnsatisfiable="")]},
     [A + "defaultConstraints[0].whenUnsatisfiable: Required value: can not be empty"]),
    ({"defaultingType": "List", "defaultConstraints": [tsc(whenUnsatisfiable="unknown action")]},
     [A + 'defaultConstraints[0].whenUnsatisfiable: Unsupported value: "unknown action": supported values: "DoNotSchedule", "ScheduleAnyway"']),
    ({"defaultingType": "List", "defaultConstraints": [tsc(), tsc(maxSkew=2)]},
     [A + 'defaultConstraints[1]: Duplicate value: "{node, DoNotSchedule}"']),
    ({"defaultingType": "List", "defaultConstraints": [tsc(topologyKey="key", labelSelector={"matchLabels": {"a": "b"}})]},
     [A + "defaultConstraints[0].labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod"]),
    ({"defaultingType": "unknown"},
     [A + 'defaultingType: Unsupported value: "unknown": supported values: "System", "List"']),
    ({"defaultingType": "System", "defaultConstraints": [tsc(topologyKey="key")]},
     [A + 'defaultingType: Invalid value: "System": when .defaultConstraints are not empty']),
])
def test_pod_topology_spread_args(args, want):
    assert arg_errors("PodTopologySpread", args) == want


@pytest.mark.parametrize("args", [
    {"defaultingType": "List", "defaultConstraints": [tsc(topologyKey="node"), tsc(maxSkew=2, topologyKey="zone", whenUnsatisfiable="ScheduleAnyway")]},
    {"defaultingType": "List"},
    {"defaultingType": "System"},
])
def test_pod_topology_spread_args_valid(args):
    assert args_profile("PodTopologySpread", args).plugin_args["PodTopologySpread"]["defaultingType"] == args["defaultingType"]


@pytest.mark.parametrize("resources,want", [
    ([{"name": "cpu", "weight": 2}, {"name": "memory", "weight": 1}],
     [A + "resources[0].weight: Invalid value: 2: must be 1"]),
    ([{"name": "cpu", "weight": 1}, {"name": "cpu", "weight": 1}],
     [A + 'resources[1].name: Duplicate value: "cpu"']),
    ([{"name": "cpu", "weight": -3}], [A + "resources[0].weight: Invalid value: -3: must be 1"]),
])
def test_balanced_allocation_args(resources, want):
    assert arg_errors("NodeResourcesBalancedAllocation", {"resources": resources}) == want


def test_node_affinity_args_valid_and_invalid():
    valid = {"addedAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "label-1", "operator": "In", "values": ["label-1-val"]}]}]},
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 1, "preference": {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-1"]}]}}]}}
    p = args_profile("NodeAffinity", valid)
    assert p.plugin_args["NodeAffinity"]["addedAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]["weight"] == 1

    invalid = {"addedAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "invalid/label/key", "operator": "In", "values": ["label-1-val"]}]}]},
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 1, "preference": {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-1", "node-2"]}]}}]}}
    errs = arg_errors("NodeAffinity", invalid)
    assert errs == [
        A + "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key: "
            "Invalid value: \"invalid/label/key\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', "
            "and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
            "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' "
            "(e.g. 'example.com/MyName')",
        A + "addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].matchFields[0].values: "
            'Invalid value: []string{"node-1", "node-2"}: must have one element',
    ]


@pytest.mark.parametrize("expr,want", [
    ({"key": "k", "operator": "In"}, "matchExpressions[0].values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"),
    ({"key": "k", "operator": "Exists", "values": ["a"]}, 'matchExpressions[0].values: Invalid value: []string{"a"}: values set must be empty for exists and does not exist'),
    ({"key": "k", "operator": "Gt", "values": ["x"]}, 'matchExpressions[0].values[0]: Invalid value: "x": for \'Gt\', \'Lt\' operators, the value must be an integer'),
    ({"key": "k", "operator": "Near", "values": ["a"]}, 'matchExpressions[0].operator: Unsupported value: "Near": supported values: "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"'),
])
def test_node_affinity_requirement_errors(expr, want):
    args = {"addedAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [expr]}]}}}
    assert arg_errors("NodeAffinity", args) == [
        A + "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]." + want]


def test_volume_binding_args():
    assert arg_errors("VolumeBinding", {"bindTimeoutSeconds": -10}) == [
        A + "bindTimeoutSeconds: Invalid value: -10: invalid BindTimeoutSeconds, should not be a negative value"]
    assert arg_errors("VolumeBinding", {"shape": [{"utilization": 1, "score": 1}, {"utilization": 3, "score": 3}]}) == [
        A + "shape: Invalid value: []config.UtilizationShapePoint{config.UtilizationShapePoint{Utilization:1, Score:1}, "
            "config.UtilizationShapePoint{Utilization:3, Score:3}}: unexpected field `shape`, remove it or turn on the "
            "feature gate StorageCapacityScoring"]


def test_dynamic_resources_args():
    assert arg_errors("DynamicResources", {"filterTimeout": "-1s"}) == [
        A + "filterTimeout: Invalid value: -1s: must be zero or positive"]
    assert errors_of(one_profile(pluginConfig=[{"name": "DynamicResources", "args": {"bindingTimeout": "5m"}}]),
                     kubernetes_version="1.34") == [
        A + "bindingTimeout: Forbidden: DRADeviceBindingConditions or DRAResourceClaimDeviceStatus feature gate is disabled"]
    assert dict(args_profile("DynamicResources", {"filterTimeout": "90s"}).plugin_args["DynamicResources"]) == {"filterTimeout": "1m30s"}


# ---------------------------------------------------------------------------------------
# validation.go@030880a; table from validation_test.go TestValidateKubeSchedulerConfigurationV1.
# The valid base disables PrioritySort in both profiles so the custom sort is the only
# queue-sort plugin at framework construction (the Go test stops at validation).
# ---------------------------------------------------------------------------------------
def valid_config():
    return doc(
        parallelism=8,
        leaderElection={"leaderElect": True, "resourceLock": "leases", "leaseDuration": "30s",
                        "renewDeadline": "15s", "retryPeriod": "5s", "resourceNamespace": "name", "resourceName": "name"},
        clientConnection={"acceptContentTypes": "application/json", "contentType": "application/json", "qps": 10, "burst": 10},
        podInitialBackoffSeconds=1, podMaxBackoffSeconds=1,
        profiles=[
            {"schedulerName": "me", "percentageOfNodesToScore": 35,
             "plugins": {"queueSort": {"enabled": [{"name": "CustomSort"}], "disabled": [{"name": "PrioritySort"}]},
                         "score": {"disabled": [{"name": "*"}]}},
             "pluginConfig": [{"name": "DefaultPreemption", "args": {"minCandidateNodesPercentage": 10, "minCandidateNodesAbsolute": 100}}]},
            {"schedulerName": "other", "percentageOfNodesToScore": 35,
             "plugins": {"queueSort": {"enabled": [{"name": "CustomSort"}], "disabled": [{"name": "PrioritySort"}]},
                         "bind": {"enabled": [{"name": "CustomBind"}]}}},
        ],
        extenders=[{"prioritizeVerb": "prioritize", "weight": 1}],
    )


USER = ["CustomSort", "CustomBind", "AnotherSort"]


def test_validation_good():
    cfg = load_config(valid_config(), extra_plugins=USER)
    me, other = cfg.profiles
    assert me.queue_sort == other.queue_sort == ("CustomSort",)
    assert me.score == ()
    # expandMultiPointPlugins: MultiPoint plugins (part 2) run before plugins that
    # appear only at the specific point (part 3).
    assert other.bind == ("DefaultBinder", "CustomBind")
    assert cfg.parallelism == 8 and me.percentage_of_nodes_to_score == 35
    assert dict(cfg.extenders[0]) == {"prioritizeVerb": "prioritize", "weight": 1}


def mutate(fn):
    c = valid_config()
    fn(c)
    return c


VALIDATION_CASES = [
    ("bad-parallelism-invalid-value", lambda c: c.update(parallelism=0),
     ["parallelism: Invalid value: 0: should be an integer value greater than zero"]),
    ("bad-resource-lock-not-leases", lambda c: c["leaderElection"].update(resourceLock="configmap"),
     ['leaderElection.resourceLock: Invalid value: "configmap": resourceLock value must be "leases"']),
    ("bad-percentage-of-nodes-to-score", lambda c: c.update(percentageOfNodesToScore=101),
     ["percentageOfNodesToScore: Invalid value: 101: not in valid range [0-100]"]),
    ("negative-percentage-of-nodes-to-score", lambda c: c.update(percentageOfNodesToScore=-1),
     ["percentageOfNodesToScore: Invalid value: -1: not in valid range [0-100]"]),
    ("scheduler-name-not-set", lambda c: c["profiles"][1].update(schedulerName=""),
     ["profiles[1].schedulerName: Required value"]),
    ("repeated-scheduler-name", lambda c: c["profiles"][0].update(schedulerName="other"),
     ['profiles[1].schedulerName: Duplicate value: "profiles[0].schedulerName"']),
    ("greater-than-100-profile-percentage-of-nodes-to-score", lambda c: c["profiles"][1].update(percentageOfNodesToScore=101),
     ["profiles[1].percentageOfNodesToScore: Invalid value: 101: not in valid range [0-100]"]),
    ("negative-profile-percentage-of-nodes-to-score", lambda c: c["profiles"][1].update(percentageOfNodesToScore=-1),
     ["profiles[1].percentageOfNodesToScore: Invalid value: -1: not in valid range [0-100]"]),
    ("different-queue-sort", lambda c: c["profiles"][1]["plugins"]["queueSort"]["enabled"][0].update(name="AnotherSort"),
     ['profiles[1].plugins.queueSort: Invalid value: config.PluginSet{Enabled:[]config.Plugin{config.Plugin{Name:"AnotherSort", '
      'Weight:0}}, Disabled:[]config.Plugin{config.Plugin{Name:"PrioritySort", Weight:0}}}: must be the same for all profiles']),
    ("one-empty-queue-sort", lambda c: c["profiles"][0].pop("plugins"),
     ['profiles[1].plugins.queueSort: Invalid value: config.PluginSet{Enabled:[]config.Plugin{config.Plugin{Name:"CustomSort", '
      'Weight:0}}, Disabled:[]config.Plugin{config.Plugin{Name:"PrioritySort", Weight:0}}}: must be the same for all profiles']),
    ("extender-negative-weight", lambda c: c["extenders"][0].update(weight=-1),
     ["extenders[0].weight: Invalid value: -1: must have a positive weight applied to it"]),
    ("extender-duplicate-managed-resources",
     lambda c: c["extenders"][0].update(managedResources=[{"name": "example.com/foo"}, {"name": "example.com/foo"}]),
     ['extenders[0].managedResources[1].name: Invalid value: "example.com/foo": duplicate extender managed resource name']),
    ("extender-invalid-managed-resource", lambda c: c["extenders"][0].update(managedResources=[{"name": "kubernetes.io/foo"}]),
     ['extenders[0].managedResources[0].name: Invalid value: "kubernetes.io/foo": is an invalid extended resource name']),
    ("extender-duplicate-bind",
     lambda c: (c["extenders"][0].update(bindVerb="foo"),
                c["extenders"].append({"prioritizeVerb": "prioritize", "bindVerb": "bar", "weight": 1})),
     ['extenders: Invalid value: "found 2 extenders implementing bind": only one extender can implement bind']),
    ("invalid-node-percentage",
     lambda c: c["profiles"][0].update(pluginConfig=[{"name": "DefaultPreemption", "args": {"minCandidateNodesPercentage": 200, "minCandidateNodesAbsolute": 100}}]),
     ["profiles[0].pluginConfig[0].args.minCandidateNodesPercentage: Invalid value: 200: not in valid range [0, 100]"]),
    ("duplicated-plugin-config", lambda c: c["profiles"][0].update(pluginConfig=[{"name": "config"}, {"name": "config"}]),
     ['profiles[0].pluginConfig[1]: Duplicate value: "config"']),
    ("backoff", lambda c: c.update(podInitialBackoffSeconds=0, podMaxBackoffSeconds=-1),
     ["podInitialBackoffSeconds: Invalid value: 0: must be greater than 0",
      "podMaxBackoffSeconds: Invalid value: -1: must be greater than or equal to PodInitialBackoffSeconds"]),
    ("leader-election-durations", lambda c: c["leaderElection"].update(leaseDuration="5s", retryPeriod="-1s"),
     ["leaderElection.retryPeriod: Invalid value: -1s: must be greater than zero",
      "leaderElection.leaseDuration: Invalid value: 15s: LeaseDuration must be greater than RenewDeadline"]),
    ("client-burst", lambda c: c["clientConnection"].update(burst=-1),
     ["clientConnection.burst: Invalid value: -1: must be non-negative"]),
]


@pytest.mark.parametrize("name,fn,want", VALIDATION_CASES, ids=[c[0] for c in VALIDATION_CASES])
def test_validation(name, fn, want):
    assert errors_of(mutate(fn), extra_plugins=USER) == want


def test_validation_mismatch_queue_sort():
    source = doc(profiles=[
        {"schedulerName": "me", "plugins": {"queueSort": {"enabled": [{"name": "PrioritySort"}]}},
         "pluginConfig": [{"name": "PrioritySort"}]},
        {"schedulerName": "other", "plugins": {"queueSort": {"enabled": [{"name": "CustomSort"}]}},
         "pluginConfig": [{"name": "CustomSort"}]},
    ])
    (err,) = errors_of(source, extra_plugins=USER)
    assert err.startswith('profiles[1].plugins.queueSort: Invalid value: config.PluginSet{Enabled:[]config.Plugin{config.Plugin{Name:"CustomSort"')
    assert err.endswith("must be the same for all profiles")


def test_validation_valid_plugins_and_all_errors_aggregated():
    # "valid-plugins": an extra score weight for a default plugin is fine.
    p = profile_of(one_profile(plugins={"score": {"enabled": [{"name": "PodTopologySpread", "weight": 2}]}}))
    assert ("PodTopologySpread", 2) in p.score
    with pytest.raises(ConfigError) as ei:
        load_config(doc(parallelism=-3, percentageOfNodesToScore=300, profiles=[{"percentageOfNodesToScore": -5}]))
    assert ei.value.errors == (
        "parallelism: Invalid value: -3: should be an integer value greater than zero",
        "profiles[0].percentageOfNodesToScore: Invalid value: -5: not in valid range [0-100]",
        "percentageOfNodesToScore: Invalid value: 300: not in valid range [0-100]",
    )
    assert str(ei.value).startswith("[parallelism: Invalid value: -3") and str(ei.value).endswith("[0-100]]")
    assert isinstance(ei.value, ValueError)


def test_removed_v1_plugins():
    errs = errors_of(one_profile(plugins={"filter": {"enabled": [{"name": "EBSLimits"}]}},
                                 pluginConfig=[{"name": "GCEPDLimits"}]))
    assert errs == [
        'profiles[0].plugins.filter.enabled[0]: Invalid value: "EBSLimits": was invalid in version '
        '"kubescheduler.config.k8s.io/v1" (KubeSchedulerConfiguration is version "kubescheduler.config.k8s.io/v1")',
        'profiles[0].pluginConfig[0]: Invalid value: "GCEPDLimits": was invalid in version '
        '"kubescheduler.config.k8s.io/v1" (KubeSchedulerConfiguration is version "kubescheduler.config.k8s.io/v1")',
    ]
    # multiPoint is not in validation's stage map: the framework reports it.
    assert errors_of(one_profile(plugins={"multiPoint": {"enabled": [{"name": "AzureDiskLimits"}]}})) == [
        PREFIX + 'PreFilterPlugin "AzureDiskLimits" does not exist']


# ---------------------------------------------------------------------------------------
# Framework construction: framework.go@002774c, profile.go
# ---------------------------------------------------------------------------------------
def test_unknown_plugin_is_rejected_by_the_registry():
    assert errors_of(one_profile(plugins={"filter": {"enabled": [{"name": "Foo"}]}})) == [PREFIX + 'FilterPlugin "Foo" does not exist']
    assert errors_of(one_profile(plugins={"score": {"enabled": [{"name": "Foo", "weight": 2}]}})) == [PREFIX + 'ScorePlugin "Foo" does not exist']
    assert errors_of(one_profile(plugins={"multiPoint": {"enabled": [{"name": "Foo"}]}})) == [PREFIX + 'PreFilterPlugin "Foo" does not exist']
    # preFilter disabled "*" skips that point's expansion: the next point reports it.
    assert errors_of(one_profile(plugins={"multiPoint": {"enabled": [{"name": "Foo"}]}, "preFilter": {"disabled": [{"name": "*"}]}})) == [
        PREFIX + 'FilterPlugin "Foo" does not exist']
    # A disabled-only mention is not a use.
    assert profile_of(one_profile(plugins={"filter": {"disabled": [{"name": "Foo"}]}})).filter == DEFAULT_FILTER


def test_user_plugins_at_specific_points():
    p = profile_of(one_profile(plugins={"filter": {"enabled": [{"name": "Foo"}]},
                                        "score": {"enabled": [{"name": "Foo", "weight": 4}]}}),
                   extra_plugins=["Foo"])
    assert p.filter == DEFAULT_FILTER + ("Foo",)
    assert p.score == SCORE_135 + (("Foo", 4),)
    assert "Foo" not in p.unimplemented


def test_user_plugins_through_multipoint_use_declared_points():
    p = profile_of(one_profile(plugins={"multiPoint": {"enabled": [{"name": "Foo", "weight": 5}]}}),
                   extra_plugins={"Foo": ("filter", "score")})
    assert p.filter[-1] == "Foo" and "Foo" not in p.pre_filter
    assert p.score[-1] == ("Foo", 5)
    # Undeclared: every extension point but queueSort.
    q = profile_of(one_profile(plugins={"multiPoint": {"enabled": [{"name": "Foo"}]}}), extra_plugins=["Foo"])
    assert q.pre_filter[-1] == q.filter[-1] == q.permit[-1] == q.bind[-1] == "Foo"
    assert q.queue_sort == ("PrioritySort",)


def test_extra_plugin_name_clash_and_bad_points():
    with pytest.raises(ConfigError, match="a plugin named NodeName already exists"):
        load_config(None, extra_plugins=["NodeName"])
    with pytest.raises(ValueError, match="unknown extension points"):
        load_config(None, extra_plugins={"Foo": ("filters",)})


def test_plugin_does_not_extend_point():
    assert errors_of(one_profile(plugins={"score": {"enabled": [{"name": "NodeName", "weight": 1}]}})) == [
        PREFIX + 'plugin "NodeName" does not extend ScorePlugin plugin']
    assert errors_of(one_profile(plugins={"filter": {"enabled": [{"name": "Foo"}]}}),
                     extra_plugins={"Foo": ["score"]}) == [PREFIX + 'plugin "Foo" does not extend FilterPlugin plugin']


def test_duplicate_plugins():
    assert errors_of(one_profile(plugins={"filter": {"enabled": [{"name": "NodeName"}, {"name": "NodeName"}]}})) == [
        PREFIX + 'plugin "NodeName" already registered as "FilterPlugin"']
    # RepeatedCustomPlugin through mergePluginSet, then the framework refuses it.
    assert errors_of(one_profile(plugins={"multiPoint": {"enabled": [{"name": "TaintToleration"}, {"name": "TaintToleration", "weight": 9}]}})) == [
        PREFIX + 'plugin "TaintToleration" already registered as "FilterPlugin"']


def test_specific_point_overrides_multipoint_and_runs_first():
    # "part 1": a default plugin re-enabled at a point moves to the front with its weight.
    p = profile_of(one_profile(plugins={"score": {"enabled": [{"name": "ImageLocality", "weight": 5}]}}))
    assert p.score == (("ImageLocality", 5),) + tuple(s for s in SCORE_135 if s[0] != "ImageLocality")
    p = profile_of(one_profile(plugins={"score": {"enabled": [{"name": "NodeResourcesFit", "weight": 7}]}}))
    assert p.score[0] == ("NodeResourcesFit", 7)


def test_disable_per_point_and_star():
    p = profile_of(one_profile(plugins={"score": {"disabled": [{"name": "TaintToleration"}]}}))
    assert "TaintToleration" not in dict(p.score) and "TaintToleration" in p.filter and "TaintToleration" in p.pre_score
    p = profile_of(one_profile(plugins={"filter": {"disabled": [{"name": "*"}], "enabled": [{"name": "NodeName"}]}}))
    assert p.filter == ("NodeName",)
    assert p.pre_filter == DEFAULT_PRE_FILTER
    # multiPoint disabled "*" removes every default; queue sort and bind are then missing.
    assert errors_of(one_profile(plugins={"multiPoint": {"disabled": [{"name": "*"}]}})) == [
        PREFIX + 'only one queue sort plugin required for profile with scheduler name "default-scheduler", but got 0']


def test_queue_sort_and_bind_counts():
    assert errors_of(one_profile(plugins={"queueSort": {"enabled": [{"name": "CustomSort"}]}}), extra_plugins=USER) == [
        PREFIX + 'only one queue sort plugin required for profile with scheduler name "default-scheduler", but got 2']
    assert errors_of(one_profile(plugins={"multiPoint": {"disabled": [{"name": "DefaultBinder"}]}})) == [
        PREFIX + 'at least one bind plugin is needed for profile with scheduler name "default-scheduler"']


def test_score_weights_zero_means_one_and_negative_is_not_checked():
    p = profile_of(one_profile(plugins={"multiPoint": {"enabled": [{"name": "TaintToleration", "weight": 0}]}}))
    assert p.score[0] == ("TaintToleration", 1)
    # kube-scheduler v1 has no range check on plugin weights (getScoreWeights only
    # turns 0 into 1); kubekit keeps what kube-scheduler would run.
    p = profile_of(one_profile(plugins={"multiPoint": {"enabled": [{"name": "TaintToleration", "weight": -4}]}}))
    assert p.score[0] == ("TaintToleration", -4)
    with pytest.raises(ConfigError, match="cannot unmarshal number 3000000000"):
        load_config(one_profile(plugins={"score": {"enabled": [{"name": "ImageLocality", "weight": 3000000000}]}}))


def test_profiles_must_share_the_expanded_queue_sort():
    source = doc(profiles=[
        {"schedulerName": "a"},
        {"schedulerName": "b", "plugins": {"multiPoint": {"enabled": [{"name": "CustomSort"}], "disabled": [{"name": "PrioritySort"}]}}},
    ])
    assert errors_of(source, extra_plugins={"CustomSort": ["queueSort"]}) == [
        'initializing profiles: different queue sort plugins for profile "b": "CustomSort", first: "PrioritySort"']


def test_server_test_component_configuration_v1():
    # cmd/kube-scheduler/app/server_test.go@01fa0bd TestSetup "component configuration v1".
    source = """
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- plugins:
    multiPoint:
      enabled:
      - name: SchedulingGates
      - name: DefaultBinder
      - name: PrioritySort
      - name: DefaultPreemption
      - name: VolumeBinding
      - name: NodeResourcesFit
      - name: NodePorts
      - name: InterPodAffinity
      - name: TaintToleration
      - name: DynamicResources
      disabled:
      - name: "*"
    preFilter:
      disabled:
      - name: VolumeBinding
      - name: InterPodAffinity
    filter:
      disabled:
      - name: VolumeBinding
      - name: InterPodAffinity
      - name: TaintToleration
    score:
      disabled:
      - name: VolumeBinding
      - name: NodeResourcesFit
"""
    p = profile_of(source)
    assert p.pre_filter == ("NodeResourcesFit", "NodePorts", "DynamicResources")
    assert p.filter == ("NodeResourcesFit", "NodePorts", "DynamicResources")
    assert p.pre_score == ("VolumeBinding", "NodeResourcesFit", "InterPodAffinity", "TaintToleration")
    assert p.score == (("InterPodAffinity", 1), ("TaintToleration", 1), ("DynamicResources", 1))
    assert p.post_filter == ("DefaultPreemption", "DynamicResources")
    assert p.queue_sort == ("PrioritySort",) and p.bind == ("DefaultBinder",)
    assert p.reserve == p.pre_bind == ("VolumeBinding", "DynamicResources")


def test_server_test_out_of_tree_plugin():
    # server_test.go "out-of-tree component configuration v1".
    p = profile_of(one_profile(plugins={"preFilter": {"enabled": [{"name": "Foo"}]}, "filter": {"enabled": [{"name": "Foo"}]}}),
                   extra_plugins=["Foo"])
    assert p.pre_filter == DEFAULT_PRE_FILTER + ("Foo",)
    assert p.filter == DEFAULT_FILTER + ("Foo",)


# ---------------------------------------------------------------------------------------
# Decoding: apiVersion/kind, strict fields, Go types
# ---------------------------------------------------------------------------------------
DOCS_EXAMPLE = """
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
  - schedulerName: default-scheduler
  - schedulerName: no-scoring-scheduler
    plugins:
      preScore:
        disabled:
        - name: '*'
      score:
        disabled:
        - name: '*'
"""


def test_yaml_from_the_kubernetes_docs():
    cfg = load_config(DOCS_EXAMPLE)
    assert [p.scheduler_name for p in cfg.profiles] == ["default-scheduler", "no-scoring-scheduler"]
    assert cfg.profile("no-scoring-scheduler").score == () and cfg.profile("no-scoring-scheduler").pre_score == ()
    assert cfg.profile("no-scoring-scheduler").filter == DEFAULT_FILTER
    assert cfg.profile("default-scheduler").score == SCORE_135


@pytest.mark.parametrize("source,want", [
    ({"apiVersion": "kubescheduler.config.k8s.io/v1beta3", "kind": KIND},
     'no kind "KubeSchedulerConfiguration" is registered for version "kubescheduler.config.k8s.io/v1beta3" '
     'in scheme "k8s.io/kubernetes/pkg/scheduler/apis/config/scheme/scheme.go:30"'),
    ({"apiVersion": API_VERSION, "kind": "KubeProxyConfiguration"},
     'no kind "KubeProxyConfiguration" is registered for version "kubescheduler.config.k8s.io/v1" '
     'in scheme "k8s.io/kubernetes/pkg/scheduler/apis/config/scheme/scheme.go:30"'),
    ({"apiVersion": API_VERSION, "parallelism": 2},
     """Object 'Kind' is missing in '{"apiVersion":"kubescheduler.config.k8s.io/v1","parallelism":2}'"""),
    ({"kind": KIND}, """Object 'apiVersion' is missing in '{"kind":"KubeSchedulerConfiguration"}'"""),
    ("", "Object 'Kind' is missing in 'null'"),
])
def test_api_version_and_kind(source, want):
    assert errors_of(source) == [want]


@pytest.mark.parametrize("source,want", [
    (doc(foo=1), 'strict decoding error: unknown field "foo"'),
    (one_profile(plugins={"score": {"enabled": [{"name": "ImageLocality", "weigth": 2}]}}),
     'strict decoding error: unknown field "profiles[0].plugins.score.enabled[0].weigth"'),
    (one_profile(plugins={"unreserve": {}}), 'strict decoding error: unknown field "profiles[0].plugins.unreserve"'),
    (doc(foo=1, bar=2), 'strict decoding error: unknown field "foo", unknown field "bar"'),
    (one_profile(pluginConfig=[{"name": "NodeResourcesFit", "args": {"scoringStrategy": {"type": "MostAllocated", "shape": []}}}]),
     'strict decoding error: decoding .profiles[0].pluginConfig[0]: strict decoding error: decoding args for plugin '
     'NodeResourcesFit: strict decoding error: unknown field "scoringStrategy.shape"'),
])
def test_strict_decoding(source, want):
    assert errors_of(source) == [want]


@pytest.mark.parametrize("source,want", [
    (doc(parallelism="8"), "json: cannot unmarshal string into Go struct field KubeSchedulerConfiguration.parallelism of type int32"),
    (doc(parallelism=1.5), "json: cannot unmarshal number 1.5 into Go struct field KubeSchedulerConfiguration.parallelism of type int32"),
    (doc(parallelism=True), "json: cannot unmarshal bool into Go struct field KubeSchedulerConfiguration.parallelism of type int32"),
    (doc(profiles={"schedulerName": "x"}),
     "json: cannot unmarshal object into Go struct field KubeSchedulerConfiguration.profiles of type []v1.KubeSchedulerProfile"),
    (one_profile(plugins={"score": {"enabled": [{"name": "ImageLocality", "weight": "2"}]}}),
     "json: cannot unmarshal string into Go struct field Plugin.profiles.plugins.score.enabled.weight of type int32"),
    (doc(leaderElection={"leaseDuration": "ten seconds"}), 'time: invalid duration "ten seconds"'),
    (one_profile(pluginConfig=[{"name": "NodeResourcesFit", "args": {"scoringStrategy": {"resources": [{"name": "cpu", "weight": "1"}]}}}]),
     "decoding .profiles[0].pluginConfig[0]: decoding args for plugin NodeResourcesFit: json: cannot unmarshal string "
     "into Go struct field ResourceSpec.scoringStrategy.resources.weight of type int64"),
    (one_profile(pluginConfig=[{"name": "NodeAffinity", "args": {"kind": "InterPodAffinityArgs"}}]),
     "decoding .profiles[0].pluginConfig[0]: args for plugin NodeAffinity were not of type "
     "NodeAffinityArgs.kubescheduler.config.k8s.io, got InterPodAffinityArgs.kubescheduler.config.k8s.io"),
])
def test_go_type_errors(source, want):
    assert errors_of(source) == [want]


def test_yaml_specifics():
    # YAMLToJSON turns 2.0 into 2, so an integral float is an integer.
    assert load_config(doc(parallelism=2.0)).parallelism == 2
    (err,) = errors_of("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
                       "parallelism: 4\nparallelism: 5\n")
    assert err == ('strict decoding error: error converting YAML to JSON: yaml: unmarshal errors:\n'
                   '  line 4: key "parallelism" already set in map')
    with pytest.raises(ConfigError, match="error converting YAML to JSON"):
        load_config("apiVersion: [unclosed")
    with pytest.raises(TypeError):
        load_config(42)  # type: ignore[arg-type]


def test_user_plugin_args_are_not_strictly_decoded():
    p = profile_of(one_profile(plugins={"filter": {"enabled": [{"name": "Foo"}]}},
                               pluginConfig=[{"name": "Foo", "args": {"anything": {"goes": True}}}]), extra_plugins=["Foo"])
    assert p.plugin_args["Foo"]["anything"]["goes"] is True


# ---------------------------------------------------------------------------------------
# Go durations (metav1.Duration)
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,ns,canonical", [
    ("0", 0, "0s"), ("10s", 10 * 10**9, "10s"), ("1m30s", 90 * 10**9, "1m30s"), ("1h", 3600 * 10**9, "1h0m0s"),
    ("1.5s", 1_500_000_000, "1.5s"), ("300ms", 300_000_000, "300ms"), ("-2m", -120 * 10**9, "-2m0s"),
    ("1500ns", 1500, "1.5µs"), ("2h45m0.5s", (2 * 3600 + 45 * 60) * 10**9 + 500_000_000, "2h45m0.5s"),
])
def test_go_durations(text, ns, canonical):
    assert _parse_go_duration(text) == ns
    assert _go_duration_str(ns) == canonical


@pytest.mark.parametrize("text,msg", [("1", 'time: missing unit in duration "1"'), ("1x", 'time: unknown unit "x" in duration "1x"'),
                                      ("", 'time: invalid duration ""'), ("s", 'time: invalid duration "s"')])
def test_go_duration_errors(text, msg):
    with pytest.raises(ValueError) as ei:
        _parse_go_duration(text)
    assert str(ei.value) == msg


# ---------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------
_DISABLEABLE = sorted({name for name, _ in _VERSIONS["1.35"].default_multipoint} - {"PrioritySort", "DefaultBinder"})


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(_DISABLEABLE)), st.sampled_from(["1.34", "1.35"]))
def test_multipoint_disable_removes_exactly_those_plugins(disabled, version):
    base = default_config(kubernetes_version=version).profiles[0]
    p = profile_of(one_profile(plugins={"multiPoint": {"disabled": [{"name": n} for n in sorted(disabled)]}}),
                   kubernetes_version=version)
    for point in ("preEnqueue", "queueSort", "preFilter", "filter", "postFilter", "preScore", "score",
                  "reserve", "permit", "preBind", "bind", "postBind"):
        assert p.plugins_at(point) == tuple(n for n in base.plugins_at(point) if n not in disabled)
    assert dict(p.score) == {n: w for n, w in base.score if n not in disabled}
    assert set(p.unimplemented) == set(base.unimplemented) - disabled


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-5, max_value=200), min_size=1, max_size=4))
def test_fit_weights_accepted_iff_in_range(weights):
    resources = [{"name": f"example.com/r{i}", "weight": w} for i, w in enumerate(weights)]
    source = one_profile(pluginConfig=[{"name": "NodeResourcesFit", "args": {"scoringStrategy": {"type": "MostAllocated", "resources": resources}}}])
    effective = [w or 1 for w in weights]  # v1 defaulting turns 0 into 1
    if all(1 <= w <= 100 for w in effective):
        got = profile_of(source).fit_args.scoring_strategy.resources
        assert tuple(r.weight for r in got) == tuple(effective)
    else:
        (err,) = errors_of(source)
        bad = [i for i, w in enumerate(effective) if not 1 <= w <= 100]
        assert all(f"scoringStrategy.resources[{i}].weight: Invalid value: {effective[i]}:" in err for i in bad)
        assert err.count("Invalid value") == len(bad)


def test_scheduler_config_type():
    assert isinstance(default_config(), SchedulerConfig)
