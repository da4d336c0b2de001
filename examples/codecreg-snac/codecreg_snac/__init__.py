"""An example codecreg plugin: SNAC (Multi-Scale Neural Audio Codec), codes at several frame rates."""
