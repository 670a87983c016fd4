"""Cluster I/O: kubeconfig and contexts, per-context clients, informers, actions.
No Textual here: the UI reads what this layer produces."""
