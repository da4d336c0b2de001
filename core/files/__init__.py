"""Files, not audio: atomic writing, what may stand at an output path, and the inputs a
command line names."""
