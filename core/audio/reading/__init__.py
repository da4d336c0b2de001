"""Reading audio files: decoders (libsndfile, an ffmpeg pipe), whole files or blocks, and
conversion to a rate and channel count (whole or block by block)."""
