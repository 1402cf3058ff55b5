"""One fuzz target under atheris (libFuzzer): ``python -m fuzz.run TARGET [CORPUS_DIR...] [-flag=value...]``.

vrrpcap's Python modules are instrumented for coverage (the C scanner is not: it is built without
libFuzzer's instrumentation, so its branches guide nothing, but every input goes through it and its
results are checked against the Python reader's). Defaults added unless given: a 10 s limit per input
(a hang is a crash), 2 GB of RSS, 16 KiB inputs. libFuzzer prints its statistics on stderr.
"""

from __future__ import annotations

import sys

DEFAULTS = {"-timeout": "10", "-rss_limit_mb": "2048", "-max_len": "16384"}


def main(argv: list[str]) -> None:
    if len(argv) < 2 or argv[1] not in ("reader", "decoder", "analyzer"):
        sys.exit("usage: python -m fuzz.run reader|decoder|analyzer [CORPUS_DIR...] [-libfuzzer_flag=value...]")
    import atheris  # type: ignore[import-untyped]  # no stubs published

    with atheris.instrument_imports(include=["vrrpcap", "fuzz"]):
        from fuzz.targets import TARGETS
    target = TARGETS[argv[1]]
    given = {arg.split("=", 1)[0] for arg in argv[2:] if arg.startswith("-")}
    args = [argv[0], *argv[2:], *(f"{k}={v}" for k, v in DEFAULTS.items() if k not in given)]
    atheris.Setup(args, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
