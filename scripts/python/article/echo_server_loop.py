# ---------------------------------------------------------------------------
# The article's code, verbatim (§3.1), kept as written, bugs included, so
# the lessons can run it: "Computer Network (P4) - How To Create A TCP Client -
# Server in Python", 2023-11-14, nhatthanh020996.github.io/socket-programming-p4/
# Everything below this box is the article's; nothing in it is ours.
# ---------------------------------------------------------------------------
# echo-server.py
import socket

HOST = "127.0.0.1"
PORT = 65432 # Port to listen on (non-privileged ports are > 1023)

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server_socket:
    server_socket.bind((HOST, PORT))
    server_socket.listen()
    while True:
        conn, addr = server_socket.accept()
        with conn:
            print(f"Connected by {addr}")
            while True:
                data = conn.recv(1024)
                if not data:
                    break
                conn.sendall(data)
