"""patchvet: vet incoming pull requests and emailed patches against a project's AI policy."""

__version__ = "0.1.0"

__all__ = ["__version__"]
