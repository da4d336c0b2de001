"""codecreg plugin: the ``ffmpeg`` audio writer (raw samples piped to an ffmpeg subprocess)."""
