# ---------------------------------------------------------------------------
# The article's code, verbatim (§3.2), kept as written, bugs included, so
# the lessons can run it: "Computer Network (P4) - How To Create A TCP Client -
# Server in Python", 2023-11-14, nhatthanh020996.github.io/socket-programming-p4/
# Everything below this box is the article's; nothing in it is ours.
# ---------------------------------------------------------------------------
# echo-server.py
import socket
import threading

HOST = "127.0.0.1"
PORT = 65432

def process_request(self, conn, client_address):
	with conn:
		while True:
			data = conn.recv(1024)
			if not data:
				break
			conn.sendall(data)

def serve_forever():
	with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server_socket:
		server_socket.bind((HOST, PORT))
		server_socket.listen()
		while True:
			conn, addr = server_socket.accept()
			t = threading.Thread(target=process_request, args=(conn, addr, ))
			t.start()

if __name__ == '__main__':
	serve_forever()
