"""The plugin machinery: hook specs, static specs, entry-point discovery, the registry,
the name grammar and compatibility checks. Imports neither numpy nor torch, so that
listing codecs stays cheap."""
