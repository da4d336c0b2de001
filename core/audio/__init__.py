"""Audio in and out of files: array conversion, reading and resampling, the writer
contract and the choice among writers, normalization, atomic writes, input expansion
and synthetic signals."""
