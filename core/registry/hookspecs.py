"""The hooks a codecreg plugin implements.

A plugin is a module named by an entry point in the ``codecreg`` group. It
implements any of these hooks with ``@codecreg.hookimpl`` and hands specs to
the ``register`` callback; it never touches the registry itself. Specs name
their implementation by an import string, so registering imports nothing heavy.
"""

import pluggy

hookspec = pluggy.HookspecMarker("codecreg")
hookimpl = pluggy.HookimplMarker("codecreg")


@hookspec
def register_codecs(register):
    """Register named codecs: call ``register(CodecSpec(...))`` for each."""


@hookspec
def register_sources(register):
    """Register codec sources: call ``register(SourceSpec(...))`` for each scheme
    (``hf:``) or checkpoint format found at a local path."""


@hookspec
def register_writers(register):
    """Register audio writer backends: call ``register(WriterSpec(...))``."""


@hookspec
def register_metrics(register):
    """Register audio quality metrics: call ``register(MetricSpec(...))``."""
