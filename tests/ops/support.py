import socket


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (servers started by tests never use a fixed one)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
