"""A TCP proxy in front of PostgreSQL that a test can make hang, refuse, and forward again."""

import contextlib
import select
import socket
import threading


class DatabaseProxy:
    """Forward 127.0.0.1:<port> to the database; ``hang()`` keeps accepting but never answers.

    While hanging, connections are still accepted and every byte is read, in both directions,
    and dropped: to a client the database looks alive at the TCP level and silent above it, as
    a stuck server or a broken middlebox does. ``close()`` refuses connections (and cuts the open
    ones); ``open()`` listens again on the same port.
    """

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self._hanging = threading.Event()
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()

    def open(self) -> "DatabaseProxy":
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def hang(self) -> None:
        self._hanging.set()

    def forward(self) -> None:
        self._hanging.clear()

    def close(self) -> None:
        """Refuse new connections and cut the open ones."""
        listener, self._listener = self._listener, None
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in [listener, *sockets] if listener is not None else sockets:
            # shutdown() wakes a thread blocked in accept() or recv() on it; close() alone does not.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:  # closed
                return
            self._track(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream = None
        if not self._hanging.is_set():
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                return
            self._track(upstream)
        peers = {client: upstream}
        if upstream is not None:
            peers[upstream] = client
        try:
            while True:
                readable, _, _ = select.select(list(peers), [], [], 0.2)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    destination = peers[sock]
                    if destination is not None and not self._hanging.is_set():
                        destination.sendall(data)
        except (OSError, ValueError):  # cut by close()
            return
        finally:
            for sock in peers:
                if sock is not None:
                    sock.close()
