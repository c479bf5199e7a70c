"""A local SMTP server that accepts everything and counts what it got.

Run as a process of its own so its CPU time is not the benchmark's:
`python bench/smtp_sink.py PORT STATUS_FILE` writes "<messages> <bytes>"
to STATUS_FILE a few times a second.
"""

import sys
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller


class CountingHandler:
    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages += 1
        self.bytes += len(envelope.content)
        return "250 OK"


def main() -> None:
    port, status = int(sys.argv[1]), Path(sys.argv[2])
    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    stop = threading.Event()
    try:
        while not stop.wait(0.2):
            status.write_text(f"{handler.messages} {handler.bytes}")
    except KeyboardInterrupt:
        pass
    finally:
        status.write_text(f"{handler.messages} {handler.bytes}")
        controller.stop()


if __name__ == "__main__":
    time.sleep(0)
    main()
