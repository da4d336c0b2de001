"""Registration of the soundfile plugin: specs only, no heavy imports."""

from codecreg import WriterSpec, hookimpl


@hookimpl
def register_writers(register):
    register(WriterSpec(
        name="soundfile",
        factory="codecreg_soundfile.writer:build",
        description="libsndfile in process; writes the formats this libsndfile build supports (probed)",
        formats=("wav", "flac", "mp3", "ogg"),
        priority=20,
        requires=("soundfile",),
        install="pip install 'codecreg[audio]'",
    ))
