# ---------------------------------------------------------------------------
# The article's code, verbatim (§2.2), kept as written, bugs included, so
# the lessons can run it: "Computer Network (P4) - How To Create A TCP Client -
# Server in Python", 2023-11-14, nhatthanh020996.github.io/socket-programming-p4/
# Everything below this box is the article's; nothing in it is ours.
# ---------------------------------------------------------------------------
# echo-client.py
import socket

SERVER_HOST = "127.0.0.1"
SERVER_PORT = 65432

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client_socket:
    client_socket.connect((SERVER_HOST, SERVER_PORT))
    client_socket.sendall(b"Hello")
    data = client_socket.recv(1024)

print(f"Received {data!r}")
