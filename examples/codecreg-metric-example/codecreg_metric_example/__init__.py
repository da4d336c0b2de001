"""An example third-party codecreg metric plugin: segmental SNR."""
