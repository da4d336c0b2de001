"""codecreg plugin: ffmpeg."""
