"""Audits of many captures on several cores (or a Dask or Spark cluster): the same report as one process.

    decode.py  decode_file: one capture -> its adverts as columns (one decoded advert per distinct
               content, and per advert the content's index, frame number, time and merge key)
    plan.py    plan_shards: the one central step: the files' adverts in the serial merge order, cut into
               shards by identity group (segment: interface, VLAN, family, VRID)
    shard.py   analyze_shard: one shard through the analysis engine; shard_of: a content's shard
    merge.py   merge_shards: the shards' summaries and findings as one report
    runner.py  run_sharded (any map function: a process pool, Dask, Spark) and audit_files (-j N)

decode_file and analyze_shard are plain functions of picklable values: a cluster maps them the way
the process pool does (docs/parallel.md).
"""
