"""Entry point of the ``codecreg`` command. Subcommand modules import only argparse at load."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from importlib import import_module

from ..errors import CodecregError
from ..version import __version__

# Each module has add_commands(subparsers); a command's handler is set as ``run``.
COMMAND_MODULES = ("listing", "demo", "write", "tokens", "tokenize", "compare")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="codecreg", description="Neural audio codecs and audio writers, by name.")
    parser.add_argument("--version", action="version", version=f"codecreg {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what codecreg decides (backend choice, ...)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        import_module(f"{__package__}.{module}").add_commands(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        status = args.run(args) or 0
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit flush
        return status
    except CodecregError as error:
        print(f"codecreg: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_went_away()


def _reader_went_away() -> int:
    """The reader of stdout closed it (``codecreg list | head``): stop quietly, as Unix tools do.

    stdout is pointed at devnull so the interpreter's exit flush of what is left
    does not print a second BrokenPipeError; 141 is what a shell reports for a
    process that SIGPIPE ended.
    """
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 141


if __name__ == "__main__":
    sys.exit(main())
