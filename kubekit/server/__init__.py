"""``kubekit serve``: the control plane behind a small Kubernetes-style
HTTP/JSON API on a unix socket (or loopback TCP).

    from kubekit.server.app import Server, ServerConfig
    srv = Server(ServerConfig(socket_path="/tmp/k.sock", data_dir="/tmp/k-data", sim_nodes=3)).start()
    ...
    srv.stop()

See ``docs/server.md``.
"""
