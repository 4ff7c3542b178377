#!/usr/bin/env python3
"""The echo server as asyncio coroutines, one task per connection on one
thread, the runtime's event loop on epoll underneath: the baseline for
server-tokio in scripts/bench.sh."""
import argparse
import asyncio
import socket

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, default=65432)
p.add_argument("--buffer", type=int, default=1024)
p.add_argument("--backlog", type=int, default=128)
a = p.parse_args()


async def serve(reader, writer):
    try:
        while True:
            data = await reader.read(a.buffer)
            if not data:
                break
            writer.write(data)
            # Waits while the client does not read: memory stays bounded per client.
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


async def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", a.port))
    server = await asyncio.start_server(serve, sock=s, backlog=a.backlog)
    print("READY %s:%d" % s.getsockname(), flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
