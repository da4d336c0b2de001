"""The ``codecreg`` command line. Each module adds one group of subcommands."""
