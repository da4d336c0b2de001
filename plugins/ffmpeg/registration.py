"""Registration of the ffmpeg plugin: specs only, no heavy imports."""

from codecreg import WriterSpec, hookimpl


@hookimpl
def register_writers(register):
    register(WriterSpec(
        name="ffmpeg",
        factory="codecreg_ffmpeg.writer:build",
        description="pipes float32 samples to an ffmpeg subprocess (CODECREG_FFMPEG, PATH, or imageio-ffmpeg's)",
        formats=("wav", "mp3", "ogg", "flac"),
        priority=10,
        options=("binary",),
    ))
