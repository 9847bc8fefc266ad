"""maxSurge / maxUnavailable and the new ReplicaSet's size.  Upstream tables:
``pkg/controller/deployment/util/deployment_util_test.go`` (TestResolveFenceposts,
TestMaxUnavailable, TestMinAvailable, TestNewRSNewReplicas; v1.35-era version) and ``pkg/controller/deployment/
rolling_test.go`` (TestDeploymentController_reconcileNewReplicaSet)."""

from __future__ import annotations

import pytest

from ctrl_builders import deployment, rs
from kubekit.controllers import (
    ControllerInputError, IntOrStringError, max_surge, max_unavailable, min_available, new_rs_new_replicas, reconcile_new_replica_set,
    resolve_fenceposts,
)

# (maxSurge, maxUnavailable, desired, surge, unavailable, error?)
FENCEPOSTS = [
    ("0%", "0%", 0, 0, 1, None),
    ("39%", "39%", 10, 4, 3, None),
    ("oops", "39%", 10, 0, 0, "invalid value for IntOrString: invalid type: string is not a percentage"),
    ("55%", "urg", 10, 0, 0, "invalid value for IntOrString: invalid type: string is not a percentage"),
    (None, "39%", 10, 0, 3, None),
    ("39%", None, 10, 4, 0, None),
    (None, None, 10, 0, 1, None),
]


@pytest.mark.parametrize("surge,unavail,desired,want_surge,want_unavail,error", FENCEPOSTS,
                         ids=[f"TestResolveFenceposts/{i}" for i in range(len(FENCEPOSTS))])
def test_resolve_fenceposts(surge, unavail, desired, want_surge, want_unavail, error):
    if error:
        with pytest.raises(IntOrStringError) as info:
            resolve_fenceposts(surge, unavail, desired)
        assert str(info.value) == error
    else:
        assert resolve_fenceposts(surge, unavail, desired) == (want_surge, want_unavail)


# Rounding rules (kubekit rows from ResolveFenceposts' doc comment and GetScaledValueFromIntOrPercent).
@pytest.mark.parametrize("surge,unavail,desired,expected", [
    ("25%", "25%", 10, (3, 2)),   # surge rounds up, unavailable down
    ("1%", "1%", 2, (1, 0)),
    ("0%", "1%", 2, (0, 1)),      # both resolve to 0 -> unavailable 1
    (0, 0, 5, (0, 1)),
    (None, None, 5, (0, 1)),      # nil is 0
    (2, "50%", 5, (2, 2)),
    ("100%", "100%", 3, (3, 3)),
])
def test_rounding_rules(surge, unavail, desired, expected):
    assert resolve_fenceposts(surge, unavail, desired) == expected


def test_bad_percentage_message_names_value():
    with pytest.raises(IntOrStringError) as info:
        resolve_fenceposts("abc%", 0, 10)
    assert str(info.value) == ('invalid value for IntOrString: invalid value "abc%": '
                               'strconv.Atoi: parsing "abc": invalid syntax')


def _mu_deployment(replicas, mu):
    return deployment(replicas=replicas, max_surge=1, max_unavailable=mu)


MAX_UNAVAILABLE = [
    ("maxUnavailable less than replicas", _mu_deployment(10, 5), 5),
    ("maxUnavailable equal replicas", _mu_deployment(10, 10), 10),
    ("maxUnavailable greater than replicas", _mu_deployment(5, 10), 5),
    ("maxUnavailable with replicas is 0", _mu_deployment(0, 10), 0),
    ("maxUnavailable with Recreate deployment strategy", deployment(strategy="Recreate"), 0),
    ("maxUnavailable less than replicas with percents", _mu_deployment(10, "50%"), 5),
    ("maxUnavailable equal replicas with percents", _mu_deployment(10, "100%"), 10),
    ("maxUnavailable greater than replicas with percents", _mu_deployment(5, "100%"), 5),
]


@pytest.mark.parametrize("name,d,expected", MAX_UNAVAILABLE, ids=[f"TestMaxUnavailable/{r[0]}" for r in MAX_UNAVAILABLE])
def test_max_unavailable(name, d, expected):
    assert max_unavailable(d) == expected


MIN_AVAILABLE = [
    ("replicas greater than maxUnavailable", _mu_deployment(10, 5), 5),
    ("replicas equal maxUnavailable", _mu_deployment(10, 10), 0),
    ("replicas less than maxUnavailable", _mu_deployment(5, 10), 0),
    ("replicas is 0", _mu_deployment(0, 10), 0),
    ("minAvailable with Recreate deployment strategy", deployment(replicas=10, strategy="Recreate"), 0),
    ("replicas greater than maxUnavailable with percents", _mu_deployment(10, "60%"), 4),
    ("replicas equal maxUnavailable with percents", _mu_deployment(10, "100%"), 0),
    ("replicas less than maxUnavailable with percents", _mu_deployment(5, "100%"), 0),
]


@pytest.mark.parametrize("name,d,expected", MIN_AVAILABLE, ids=[f"TestMinAvailable/{r[0]}" for r in MIN_AVAILABLE])
def test_min_available(name, d, expected):
    assert min_available(d) == expected


def test_defaults_are_25_percent():
    # apps/v1 defaulting: RollingUpdate with 25%/25% when the manifest says nothing.
    d = {"metadata": {"name": "web"}, "spec": {"replicas": 10}}
    assert (max_surge(d), max_unavailable(d), min_available(d)) == (3, 2, 8)
    assert (max_surge(deployment(strategy="Recreate", replicas=4)), min_available(deployment(strategy="Recreate"))) == (0, 0)


# (name, strategy, depReplicas, newRSReplicas, maxSurge, expected); all RSs = [rs5]
NEW_RS_NEW_REPLICAS = [
    ("can not scale up - to newRSReplicas", "RollingUpdate", 1, 5, 1, 5),
    ("scale up - to depReplicas", "RollingUpdate", 6, 2, 10, 6),
    ("recreate - to depReplicas", "Recreate", 3, 1, 1, 3),
]


@pytest.mark.parametrize("name,strategy,dep,new,surge,expected", NEW_RS_NEW_REPLICAS,
                         ids=[f"TestNewRSNewReplicas/{r[0]}" for r in NEW_RS_NEW_REPLICAS])
def test_new_rs_new_replicas(name, strategy, dep, new, surge, expected):
    d = deployment(replicas=dep, max_surge=surge, max_unavailable=1)
    d["spec"]["strategy"]["type"] = strategy  # upstream keeps rollingUpdate params on Recreate too
    assert new_rs_new_replicas(d, [rs("rs5", 5)], rs("new", new)) == expected


# (deploymentReplicas, maxSurge, oldReplicas, newReplicas, scaleExpected, expectedNewReplicas)
RECONCILE_NEW = [
    (10, 0, 10, 0, False, None),
    (10, 2, 10, 0, True, 2),
    (10, 2, 5, 0, True, 7),
    (10, 2, 10, 2, False, None),
    (10, 2, 2, 11, True, 10),
]


@pytest.mark.parametrize("dep,surge,old,new,scale,expected", RECONCILE_NEW,
                         ids=[f"TestDeploymentController_reconcileNewReplicaSet/{i}" for i in range(len(RECONCILE_NEW))])
def test_reconcile_new_replica_set(dep, surge, old, new, scale, expected):
    d = deployment(replicas=dep, max_surge=surge, max_unavailable=0)
    new_rs, old_rs = rs("foo-v2", new), rs("foo-v2", old)
    decision = reconcile_new_replica_set(d, [new_rs, old_rs], new_rs)
    assert decision.scale is scale
    if scale:
        assert decision.replicas == expected


def test_bad_inputs_name_the_field():
    with pytest.raises(ControllerInputError, match=r"web: spec.replicas: -3 is not a non-negative integer"):
        max_surge({"metadata": {"name": "web"}, "spec": {"replicas": -3}})
    with pytest.raises(ControllerInputError, match="deployment type Canary isn't supported"):
        new_rs_new_replicas(deployment(strategy="Canary"), [], rs("n", 0))
    with pytest.raises(IntOrStringError, match="nil value for IntOrString|invalid value"):
        resolve_fenceposts("5.5%", 0, 10)
