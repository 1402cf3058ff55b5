"""Fuzz targets for vrrpcap (docs/reliability.md): the capture reader, the frame decoder and the analyzer.

    targets.py   the three targets: bytes in, the documented contract asserted (plain functions, so the
                 tests run them on the seeds and hypothesis drives them too, without atheris)
    corpus.py    the seed corpus, generated from pcaps/*.pcap* (``python -m fuzz.corpus OUT``)
    run.py       one target under atheris/libFuzzer (``python -m fuzz.run reader CORPUS... -max_total_time=60``)

`make fuzz FUZZ_SECONDS=3600` runs each target in turn, crashes kept in fuzz-out/crashes/<target>/.
"""
