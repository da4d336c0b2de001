"""codecreg plugin: the ``soundfile`` audio writer (libsndfile in process)."""
