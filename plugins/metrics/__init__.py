"""codecreg plugin: metrics."""
