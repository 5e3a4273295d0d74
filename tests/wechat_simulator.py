"""A stand-in for WeChat's servers, built from the official-account protocol's documentation.

``WeChat`` signs and sends what WeChat sends to a server URL (the GET check, XML messages with a
``MsgId``, retries of the same message) through any ``post(path, body, content_type)`` / ``get``
client, and reads the passive reply. ``PictureServer`` plays WeChat's image host: a local HTTP server
that serves a picture, or misbehaves as asked (too large, too slow, a redirect, an error).
"""

import hashlib
import http.server
import itertools
import secrets
import threading
import time
from urllib.parse import urlencode

from defusedxml.ElementTree import fromstring

TOKEN = "piyao-test-token"
ACCOUNT = "gh_0a1b2c3d4e5f"
_msg_ids = itertools.count(23_000_000_000_000_000)


def sign(token, timestamp, nonce):
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()  # noqa: S324


def xml_message(msg_type, *, openid, msg_id=None, **fields):
    parts = [
        f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>",
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>",
        f"<CreateTime>{int(time.time())}</CreateTime>",
        f"<MsgType><![CDATA[{msg_type}]]></MsgType>",
        *(f"<{name}><![CDATA[{value}]]></{name}>" for name, value in fields.items()),
    ]
    if msg_id is not None:
        parts.append(f"<MsgId>{msg_id}</MsgId>")
    return "<xml>" + "".join(parts) + "</xml>"


class Reply:
    def __init__(self, response):
        self.status = response.status_code
        self.body = response.content.decode()
        self.xml = fromstring(response.content) if response.content.startswith(b"<xml>") else None

    def field(self, name):
        return self.xml.findtext(name) if self.xml is not None else None

    @property
    def text(self):
        return self.field("Content")


class WeChat:
    def __init__(self, client, *, path="/wechat/", token=TOKEN, openid=None):
        self.client, self.path, self.token = client, path, token
        self.openid = openid or "o" + secrets.token_hex(13)

    def query(self, *, timestamp=None, signature=None, **extra):
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(5)
        return {
            "signature": signature or sign(self.token, timestamp, nonce),
            "timestamp": timestamp,
            "nonce": nonce,
            **extra,
        }

    def verify_url(self, **query):
        echostr = secrets.token_hex(8)
        response = self.client.get(self.path, self.query(echostr=echostr, **query))
        return response, echostr

    def post(self, body, **query):
        url = f"{self.path}?{urlencode(self.query(openid=self.openid, **query))}"
        return Reply(self.client.post(url, data=body, content_type="text/xml"))

    def send(self, msg_type, *, msg_id=None, **fields):
        """Send a message (a new MsgId unless given); returns (reply, msg_id)."""
        msg_id = next(_msg_ids) if msg_id is None else msg_id
        return self.post(xml_message(msg_type, openid=self.openid, msg_id=msg_id, **fields)), msg_id

    def text(self, content, **kwargs):
        return self.send("text", Content=content, **kwargs)[0]

    def image(self, pic_url, **kwargs):
        return self.send("image", PicUrl=pic_url, MediaId=secrets.token_hex(16), **kwargs)[0]


class PictureServer:
    """Serves ``content`` at any path; ``mode`` makes it misbehave: "slow", "redirect", "missing", "error"."""

    def __init__(self, content=b"", *, mode="ok"):
        self.content, self.mode, self.requests = content, mode, 0
        self.sent, self.finished = 0, threading.Event()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests += 1
                if server.mode == "redirect":
                    self.send_response(302)
                    self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                    self.end_headers()
                    return
                if server.mode in ("missing", "error"):
                    self.send_response(404 if server.mode == "missing" else 503)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                if server.mode != "no-length":
                    self.send_header("Content-Length", str(len(server.content)))
                self.end_headers()
                try:
                    for start in range(0, len(server.content), 1024):
                        if server.mode == "slow":
                            time.sleep(0.3)
                        self.wfile.write(server.content[start : start + 1024])
                        self.wfile.flush()
                        server.sent += len(server.content[start : start + 1024])
                except OSError:
                    pass  # the client hung up
                finally:
                    server.finished.set()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/mmbiz_png/picture/0"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
