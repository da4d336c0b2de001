"""ITU-R BS.1770-4 integrated loudness measured block by block, in memory that does not grow with the signal's samples.

The K-weighting filters (pyloudnorm's design of the standard's high shelf and
high pass) run with their state carried from block to block, which gives the
filtered samples of one pass bit for bit. Their squares are summed per 100 ms
step (steps end at ``(k + 1) * rate // 10``); a 400 ms gating block is four
consecutive steps (75 % overlap), so only one small vector per step is kept
(about 0.6 MB for two hours of stereo). The gates are the standard's: blocks
under -70 LUFS are dropped, then those 10 LU under the loudness of the rest.
The block count follows pyloudnorm's (``round((T - 0.4) / 0.1) + 1``, the last
block possibly shorter), so the result is pyloudnorm's within the rounding of
the summation order (tests/writers/test_streaming_loudness.py measures it).
"""

from __future__ import annotations

from array import array

import numpy as np

#: BS.1770 channel weights: L, R, C, Ls, Rs.
CHANNEL_WEIGHTS = (1.0, 1.0, 1.0, 1.41, 1.41)
BLOCK_SECONDS = 0.4
STEPS_PER_BLOCK = 4
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0


class LoudnessMeter:
    """Feed ``[C, n]`` blocks with ``add``; ``integrated_loudness()`` gives the LUFS of everything fed."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        if channels > len(CHANNEL_WEIGHTS):
            raise ValueError(f"BS.1770 loudness is defined for up to {len(CHANNEL_WEIGHTS)} channels, got {channels}. "
                             "Use strategy='rms' or 'peak' for this layout.")
        self.sample_rate, self.channels = sample_rate, channels
        self._filters = k_weighting(sample_rate)
        self._states = [np.zeros((channels, len(a) - 1)) for _, a, _ in self._filters]
        self._frames = 0
        self._steps = array("d")  # the energy of each finished 100 ms step, channel after channel
        self._step_energy = np.zeros(channels)

    def add(self, block: np.ndarray) -> None:
        import scipy.signal

        weighted = block.astype(np.float64)
        for index, (b, a, gain) in enumerate(self._filters):
            weighted, self._states[index] = scipy.signal.lfilter(b, a, weighted, axis=-1, zi=self._states[index])
            if gain != 1.0:
                weighted = gain * weighted
        squares = np.square(weighted)
        offset, length = 0, squares.shape[1]
        while offset < length:
            step_end = self._step_end(len(self._steps) // self.channels)
            used = min(length - offset, step_end - self._frames)
            self._step_energy += squares[:, offset:offset + used].sum(axis=1)
            offset += used
            self._frames += used
            if self._frames == step_end:
                self._steps.extend(self._step_energy)
                self._step_energy[:] = 0.0

    def integrated_loudness(self) -> float:
        """LUFS; ``-inf`` when every block is under the absolute gate, NaN for less than one block of audio."""
        seconds = self._frames / self.sample_rate
        if seconds < BLOCK_SECONDS:
            return float("nan")
        blocks = int(np.round((seconds - BLOCK_SECONDS) / (BLOCK_SECONDS / STEPS_PER_BLOCK))) + 1
        steps = np.frombuffer(self._steps, dtype=np.float64).reshape(-1, self.channels)
        padded = np.zeros((blocks + STEPS_PER_BLOCK - 1, self.channels))
        padded[:len(steps)] = steps[:len(padded)]
        if len(steps) < len(padded):
            padded[len(steps)] = self._step_energy  # the step in progress at the end
        energy = sum(padded[i:i + blocks] for i in range(STEPS_PER_BLOCK)) / (BLOCK_SECONDS * self.sample_rate)
        weights = np.asarray(CHANNEL_WEIGHTS[:self.channels])
        with np.errstate(divide="ignore", invalid="ignore"):
            block_loudness = -0.691 + 10.0 * np.log10(energy @ weights)
            above_absolute = block_loudness >= ABSOLUTE_GATE_LUFS
            if not above_absolute.any():
                return float("-inf")
            relative_gate = _loudness(energy[above_absolute].mean(axis=0), weights) + RELATIVE_GATE_LU
            gated = (block_loudness > relative_gate) & (block_loudness > ABSOLUTE_GATE_LUFS)
            if not gated.any():
                return float("-inf")
            return _loudness(energy[gated].mean(axis=0), weights)

    def _step_end(self, step: int) -> int:
        return (step + 1) * self.sample_rate // 10


def k_weighting(sample_rate: int) -> list[tuple[np.ndarray, np.ndarray, float]]:
    """The two K-weighting biquads ``(b, a, passband gain)`` at ``sample_rate``, as pyloudnorm designs them."""
    from pyloudnorm.iirfilter import IIRfilter

    stages = (IIRfilter(4.0, 1 / np.sqrt(2), 1500.0, sample_rate, "high_shelf"),
              IIRfilter(0.0, 0.5, 38.0, sample_rate, "high_pass"))
    return [(stage.b, stage.a, stage.passband_gain) for stage in stages]


def _loudness(mean_energy: np.ndarray, weights: np.ndarray) -> float:
    return float(-0.691 + 10.0 * np.log10(mean_energy @ weights))
