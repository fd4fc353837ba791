"""Running convviz on several processes behind nginx (see deploy/README.md)."""

from deploy.cluster import Cluster, cluster, render_config

__all__ = ["Cluster", "cluster", "render_config"]
