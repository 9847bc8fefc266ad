"""The node side of the cluster: the kubelet's decisions
(:mod:`kubekit.node.rules`) and the nodes that apply them — simulated nodes
(:mod:`kubekit.node.simulated`) and, on a real machine, the node agent."""
