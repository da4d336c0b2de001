"""Levels: peak, RMS and BS.1770 loudness measured the same however a signal is cut, and the
normalization strategies that plan and apply a gain from them."""
