"""Build the optional C extensions (vrrpcap/_scan.c, vrrpcap/_fold.c); everything else is in pyproject.toml.

The extensions are optional: when they cannot be built (no compiler, no Python headers) the install goes
on without them and vrrpcap reads captures with its pure-Python reader and feeds every advert to the
engine one by one, with the same results.
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
        ),
        # Repeated adverts counted in C (vrrpcap/folding.py); the same rule for floating point.
        Extension("vrrpcap._fold", ["vrrpcap/_fold.c"], optional=True, extra_compile_args=["-O2", "-ffp-contract=off"]),
    ]
)
