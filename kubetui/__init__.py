"""kubetui: a terminal dashboard for Kubernetes."""

__version__ = "0.1.0"
