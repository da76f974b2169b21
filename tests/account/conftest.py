from tests.github.conftest import github  # noqa: F401  (the GitHub double, shared)
