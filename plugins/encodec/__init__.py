"""codecreg plugin: encodec."""
