"""codecreg plugin: soundfile."""
