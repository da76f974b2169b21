"""Lock file names, shared by the dependency analyzer and the model (which does not read them)."""

LOCK_FILES = (
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock",
    "poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock", "go.sum", "composer.lock",
    "Gemfile.lock",
)  # fmt: skip
