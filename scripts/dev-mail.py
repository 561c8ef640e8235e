#!/usr/bin/env python3
"""dev-mail: a local SMTP sink for `make run`, so email deliveries can be read without a relay.

Accepts every mail (no TLS; any AUTH is accepted, none is required), saves each one as an .eml
file and prints one line per mail. Python 3 standard library only: `smtpd` is gone from 3.12,
so this speaks the few SMTP commands clients use itself.

    scripts/dev-mail.py [PORT] [--dir DIR]      # defaults: 1025, target/dev-mail/

Point Herald at it with HERALD_SMTP_HOST=127.0.0.1 HERALD_SMTP_PORT=1025
HERALD_SMTP_SECURITY=none. Stop it with Ctrl-C (or SIGTERM).
"""

import argparse
import asyncio
import email
import email.policy
import os
import signal
import time
from pathlib import Path

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parent.parent


class Sink:
    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0

    def save(self, sender: str, rcpts: list, data: bytes) -> None:
        self.count += 1
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path = self.folder / f"{stamp}-{self.count}.eml"
        path.write_bytes(data)
        print(f'dev-mail: saved {shown(path)} — "{subject(data)}" to {", ".join(rcpts)}', flush=True)


def subject(data: bytes) -> str:
    # The default policy decodes RFC 2047 words ("=?utf-8?b?...?="); a broken header must not
    # stop the sink.
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        return str(message.get("Subject", "(no subject)"))
    except Exception as error:  # noqa: BLE001
        return f"(unreadable subject: {error})"


def shown(path: Path) -> str:
    """The path relative to the working directory when inside it, as a newcomer typed it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def address(argument: str) -> str:
    """`FROM:<a@b> BODY=8BITMIME` -> `a@b`."""
    path = argument.split(":", 1)[1].strip() if ":" in argument else argument
    if path.startswith("<") and ">" in path:
        return path[1 : path.index(">")]
    return path.split(" ", 1)[0]


async def receive(reader, writer, sink: Sink, sender: str, rcpts: list) -> None:
    """DATA: reads the message up to the lone dot, saves it, answers."""
    writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
    await writer.drain()
    data = bytearray()
    while (chunk := await reader.readline()) not in (b".\r\n", b".\n"):
        if not chunk:
            raise ConnectionError("closed during DATA")
        # Undo dot-stuffing: the client doubled every leading dot.
        data += chunk[1:] if chunk.startswith(b".") else chunk
    sink.save(sender, rcpts, bytes(data))
    writer.write(f"250 2.0.0 Ok: saved as {sink.count}\r\n".encode())


async def session(reader, writer, sink: Sink) -> None:
    def send(line: str) -> None:
        writer.write(line.encode() + b"\r\n")

    send("220 dev-mail ESMTP ready")
    sender, rcpts = None, []
    try:
        while line := await reader.readline():
            command = line.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, argument = command.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                send("250-dev-mail\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 AUTH PLAIN LOGIN")
            elif verb == "HELO":
                send("250 dev-mail")
            elif verb == "AUTH":
                # LOGIN asks for the user then the password (base64 "Username:", "Password:");
                # PLAIN without an initial response asks once. Any answer is accepted.
                mechanism, _, initial = argument.partition(" ")
                prompts = {"LOGIN": ["VXNlcm5hbWU6", "UGFzc3dvcmQ6"], "PLAIN": [""]}.get(mechanism.upper(), [])
                if initial:
                    prompts = prompts[1:]
                for prompt in prompts:
                    send(f"334 {prompt}")
                    await writer.drain()
                    await reader.readline()
                send("235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                sender, rcpts = address(argument), []
                send("250 2.1.0 Ok")
            elif verb == "RCPT":
                rcpts.append(address(argument))
                send("250 2.1.5 Ok")
            elif verb == "DATA":
                if sender is None or not rcpts:
                    send("503 5.5.1 Need MAIL and RCPT first")
                else:
                    await receive(reader, writer, sink, sender, rcpts)
                    sender, rcpts = None, []
            elif verb == "RSET":
                sender, rcpts = None, []
                send("250 2.0.0 Ok")
            elif verb == "NOOP":
                send("250 2.0.0 Ok")
            elif verb == "QUIT":
                send("221 2.0.0 Bye")
                break
            else:
                send("502 5.5.1 Command not implemented")
            await writer.drain()
        await writer.drain()
    except ConnectionError:
        pass  # the client went away mid-mail; nothing to save
    except asyncio.CancelledError:
        # Shutting down with a client still connected: end quietly (Python 3.11 prints a
        # traceback for every cancelled connection task otherwise).
        pass
    finally:
        writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description="Local SMTP sink that saves mails as .eml files.")
    parser.add_argument("port", nargs="?", type=int, default=1025, help="port on 127.0.0.1 (default 1025)")
    parser.add_argument("--dir", type=Path, default=REPO / "target" / "dev-mail", help="folder for the .eml files")
    args = parser.parse_args()
    folder = args.dir.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    sink = Sink(folder)

    # A long line must not kill the session: asyncio's default line limit is 64 KiB.
    server = await asyncio.start_server(
        lambda r, w: session(r, w, sink), HOST, args.port, limit=16 * 1024 * 1024
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    print(f"dev-mail: listening on {HOST}:{args.port}, saving to {shown(folder)}{os.sep}", flush=True)
    await stop.wait()
    # Not `async with server`: from Python 3.12 that waits for every client to hang up, and an
    # idle pooled connection from Herald would keep us running. asyncio.run cancels the sessions.
    server.close()
    print(f"dev-mail: stopped ({sink.count} mails saved)", flush=True)


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except OSError as error:
        raise SystemExit(f"dev-mail: {error}")
