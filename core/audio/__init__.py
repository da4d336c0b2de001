"""Audio in and out of files, in rooms: reading/, writing/, levels/. At the top, what several
rooms and writer plugins share: array helpers, the ffmpeg program, synthetic test signals."""
