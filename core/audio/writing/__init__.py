"""Writing audio files: audio_write and audio_write_stream, the AudioWriter contract with its
format tables, and the choice among writer backends."""
