"""codecreg plugin: hf."""
