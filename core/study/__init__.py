"""Comparative codec studies: run, align, measure, tabulate, plot, and the listening page."""
