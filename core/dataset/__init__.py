"""Dataset tokenization: many audio inputs -> Parquet shards of codes, resumable (``codecreg tokenize``).

One concept per module: ``inputs`` (what to tokenize), ``encoding`` (one input's
codes), ``metadata`` (what the dataset was made with), ``shards`` (the atomic
shard writer and the schema), ``journal`` (what is done, the errors table,
resumption), ``job`` (the run itself, whatever the engine), ``local_engine`` and
``ray_engine`` (who encodes), ``job_progress`` (the bar and the summary) and
``reading`` (``open_tokens``).
"""
