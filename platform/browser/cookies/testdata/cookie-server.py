# A loopback web server for record.sh: its pages set cookies the way
# chatgpt.com and its neighbours do, so that each browser writes real rows
# (host-only and domain cookies, a near-miss host, a third-party frame)
# into the cookie database whose schema record.sh records. It answers plain
# HTTP on one port and HTTPS (a throw-away self-signed certificate) on
# another: Chromium's HSTS preload list sends chatgpt.com and openai.com to
# HTTPS whatever the URL says.
#
#   python3 cookie-server.py HTTP_PORT HTTPS_PORT CERT KEY
import http.server
import socket
import ssl
import sys
import threading

HTTP_PORT, HTTPS_PORT = int(sys.argv[1]), int(sys.argv[2])
CERT, KEY = sys.argv[3], sys.argv[4]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        tls = isinstance(self.connection, ssl.SSLSocket)
        base = "https://%s:%d" if tls else "http://%s:%d"
        port = HTTPS_PORT if tls else HTTP_PORT
        host = self.headers.get("Host", "").split(":")[0]
        cookies, location, body = [], None, b"<p>ok</p>"
        if host == "chatgpt.com" and self.path == "/":
            cookies = ["cf_clearance=rec; Max-Age=3600; Path=/",
                       "__cf_bm=rec; Domain=chatgpt.com; Max-Age=3600; Path=/"]
            location = base % ("auth.openai.com", port) + "/"
        elif host == "auth.openai.com" and self.path == "/":
            cookies = ["_cfuvid=rec; Domain=openai.com; Max-Age=3600; Path=/"]
            location = base % ("notopenai.com", port) + "/"
        elif host == "notopenai.com" and self.path == "/":
            cookies = ["keep=rec; Max-Age=3600; Path=/"]
            frame = base % ("chatgpt.com", port) + "/frame"
            body = b"<p>ok</p><iframe src='%s'></iframe>" % frame.encode()
        elif host == "chatgpt.com" and self.path == "/frame":
            cookies = ["framed=rec; Max-Age=3600; Path=/"]
        self.send_response(302 if location else 200)
        for c in cookies:
            self.send_header("Set-Cookie", c)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


plain = Server(("::", HTTP_PORT), Handler)
secure = Server(("::", HTTPS_PORT), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
secure.socket = ctx.wrap_socket(secure.socket, server_side=True)
threading.Thread(target=secure.serve_forever, daemon=True).start()
plain.serve_forever()
