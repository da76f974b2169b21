"""
The compiled hot paths, as an optional extension: everything else is configured in
pyproject.toml. Where it cannot be built (no C compiler) patchvet installs as pure Python and
computes the same results in Python.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "patchvet._kernels",
            sources=["src/patchvet/_kernels.c"],
            optional=True,
        )
    ]
)
