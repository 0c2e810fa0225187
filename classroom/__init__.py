"""A class on one server: JupyterHub with the course (installed with requirements-hub.lock only)."""
