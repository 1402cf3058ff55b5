"""Build the optional C scanner (vrrpcap/_scan.c); everything else is in pyproject.toml.

The extension is optional: when it cannot be built (no compiler, no Python headers) the install goes
on without it and vrrpcap reads captures with its pure-Python reader, with the same results.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "vrrpcap._scan",
            ["vrrpcap/_scan.c"],
            optional=True,
            # No fused multiply-add: timestamps must be bit for bit the ones Python computes.
            extra_compile_args=["-O2", "-ffp-contract=off"],
        )
    ]
)
