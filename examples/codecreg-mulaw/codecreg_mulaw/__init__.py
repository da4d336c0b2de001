"""An example codecreg plugin: mu-law companding as a codec."""
