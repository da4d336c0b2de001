"""Whether a server can be reached at all, asked quickly before a client that retries for long.

huggingface_hub retries an unreachable Hub for about 25 s before it falls back on
its cache; ``codecreg.checkpoints`` asks ``endpoint_unreachable`` first (a few
seconds at most) and reads only the cache when the answer is a reason.
"""

from __future__ import annotations

#: how long a server gets to accept a connection before it counts as unreachable
CONNECT_TIMEOUT_S = 3.0


def endpoint_unreachable(url: str, timeout: float = CONNECT_TIMEOUT_S) -> str | None:
    """Why ``url``'s host (or the proxy set for its scheme) accepts no connection within
    ``timeout`` seconds, or None when it does."""
    import socket  # here, not at import: urllib.request would add to every `import codecreg`
    import threading
    import urllib.parse
    import urllib.request

    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
    proxy = urllib.request.getproxies().get(parts.scheme)
    if proxy and not urllib.request.proxy_bypass(host):
        proxy_parts = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
        host, port = proxy_parts.hostname or "", proxy_parts.port or 80
    outcome: list[str | None] = []

    def connect() -> None:  # in a thread: name resolution has no timeout of its own
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            outcome.append(None)
        except OSError as error:
            outcome.append(f"{host}:{port}: {error}")

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(timeout)
    return outcome[0] if outcome else f"{host}:{port} did not answer within {timeout:g} s"
