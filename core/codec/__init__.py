"""The codec contract (audiocraft's ``CompressionModel``), the metadata every codec
fills, and the debug codec that exercises it without weights."""
