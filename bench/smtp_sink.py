"""A local SMTP server that accepts everything and counts what it got.

Run as a process of its own so its CPU time is not the benchmark's:
`python bench/smtp_sink.py PORT STATUS_FILE` writes "<messages> <bytes>"
to STATUS_FILE a few times a second.

It speaks just enough SMTP for the sending workers (EHLO/HELO, MAIL, RCPT,
DATA, RSET, NOOP, QUIT) and reads a message's data in bulk, looking for the
end marker, rather than line by line: a line-by-line server (aiosmtpd) spends
more time per email than the workers do, so the benchmark would measure it
and not the sending.
"""

import asyncio
import sys
from pathlib import Path

END_OF_DATA = b"\r\n.\r\n"


class Counter:
    messages = 0
    bytes = 0


class SinkProtocol(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""
        self.in_data = False
        transport.write(b"220 sink ESMTP ready\r\n")

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            if self.in_data:
                end = self.buffer.find(END_OF_DATA)
                if end < 0:
                    return
                Counter.messages += 1
                Counter.bytes += end
                self.buffer = self.buffer[end + len(END_OF_DATA) :]
                self.in_data = False
                self.transport.write(b"250 OK\r\n")
                continue
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                return
            line = self.buffer[:line_end]
            self.buffer = self.buffer[line_end + 2 :]
            self.command(line)

    def command(self, line: bytes) -> None:
        verb = line[:4].upper()
        if verb == b"EHLO":
            self.transport.write(b"250-sink\r\n250-8BITMIME\r\n250 SIZE 33554432\r\n")
        elif verb == b"DATA":
            self.in_data = True
            # The message may start right after the reply; a message that is
            # empty ends with ".\r\n" at once.
            self.buffer = b"\r\n" + self.buffer
            self.transport.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        elif verb == b"QUIT":
            self.transport.write(b"221 Bye\r\n")
            self.transport.close()
        else:  # HELO, MAIL, RCPT, RSET, NOOP
            self.transport.write(b"250 OK\r\n")


async def serve(port: int, status: Path) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(SinkProtocol, "127.0.0.1", port)
    async with server:
        while True:
            status.write_text(f"{Counter.messages} {Counter.bytes}")
            await asyncio.sleep(0.2)


def main() -> None:
    port, status = int(sys.argv[1]), Path(sys.argv[2])
    try:
        asyncio.run(serve(port, status))
    except KeyboardInterrupt:
        pass
    finally:
        status.write_text(f"{Counter.messages} {Counter.bytes}")


if __name__ == "__main__":
    main()
