"""Codes at rest: the token file, and transcoding audio files to token files and back."""
