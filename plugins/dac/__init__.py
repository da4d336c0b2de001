"""codecreg plugin: dac."""
