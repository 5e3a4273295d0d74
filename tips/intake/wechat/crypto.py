"""The official account's safe (encrypted) mode: WeChat's WXBizMsgCrypt scheme, with ``cryptography``.

In safe mode (and in compatible mode, which sends both) WeChat posts an envelope,
``<xml><ToUserName>…</ToUserName><Encrypt>…</Encrypt></xml>``, with ``encrypt_type=aes`` and
``msg_signature`` in the query string, and expects the reply sealed the same way:

- **Key.** The account's EncodingAESKey is 43 characters of base64; with ``=`` appended it decodes to
  the 32-byte AES-256 key. The IV is the key's first 16 bytes.
- **Message.** ``random (16 bytes) + length of the message (4 bytes, network order) + message + AppID``,
  padded PKCS#7-style to a multiple of **32** bytes (1 to 32 bytes of padding, each holding the
  padding's length), encrypted with AES-256-CBC and base64-encoded: that is ``Encrypt``.
- **Signature.** ``msg_signature`` is the SHA-1 of the token, the timestamp, the nonce and ``Encrypt``,
  sorted as strings and joined (the plain ``signature`` of the query string is checked as well).
- **Reply.** ``<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>``, sealed with a fresh random
  prefix, signed over the reply's own timestamp and the request's nonce.

Everything that does not follow the scheme raises ``ProtocolError``: a bad ``msg_signature`` (403, like
a bad plain signature: ``SignatureError``), base64 that is not, a length that is not a whole number of
AES blocks, bad padding, a length field past the end, another account's AppID (400). The settings
(``WECHAT_APP_ID``, ``WECHAT_ENCODING_AES_KEY``) are parsed strictly at start-up (``config/settings.py``).
"""

import base64
import binascii
import hashlib
import hmac
import os
import struct
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from .protocol import MAX_BODY_BYTES, ProtocolError, cdata

BLOCK = 32  # WeChat pads to 32 bytes, not to AES's 16
RANDOM_BYTES = 16


class SignatureError(ProtocolError):
    """The envelope's ``msg_signature`` does not match: not from WeChat (403)."""


def key_from(encoding_aes_key: str) -> bytes:
    """The AES key of an EncodingAESKey; ValueError for anything that is not one (43 base64 characters)."""
    if len(encoding_aes_key) != 43 or not encoding_aes_key.isascii():
        raise ValueError("an EncodingAESKey is 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error:
        raise ValueError("an EncodingAESKey is base64 (letters, digits, + and /)") from None
    if len(key) != 32:
        raise ValueError("an EncodingAESKey decodes to 32 bytes")
    return key


def msg_signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    joined = "".join(sorted([token, timestamp, nonce, encrypt]))
    return hashlib.sha1(joined.encode()).hexdigest()  # noqa: S324 (the protocol's)


class MessageCrypto:
    """Opens WeChat's envelopes and seals replies for one account (token, EncodingAESKey, AppID)."""

    def __init__(self, *, token: str, encoding_aes_key: str, app_id: str):
        self.token, self.app_id = token, app_id
        self.key = key_from(encoding_aes_key)

    def _cipher(self):
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    # --- incoming -------------------------------------------------------------------------------

    def open(self, body: bytes, *, signature_given: str, timestamp: str, nonce: str) -> bytes:
        """The message XML inside the envelope ``body``; ProtocolError (SignatureError) otherwise."""
        if len(body) > MAX_BODY_BYTES:
            raise ProtocolError("body too large")
        try:
            root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
        except (ParseError, DefusedXmlException, ValueError, LookupError) as error:
            raise ProtocolError(f"malformed XML: {error.__class__.__name__}") from None
        encrypt = (root.findtext("Encrypt") or "").strip() if root.tag == "xml" else ""
        if not encrypt:
            raise ProtocolError("encrypt_type=aes without an Encrypt element")
        expected = msg_signature(self.token, timestamp, nonce, encrypt)
        if not (signature_given and hmac.compare_digest(expected.encode(), signature_given.lower().encode())):
            raise SignatureError("bad msg_signature")
        return self.decrypt(encrypt)

    def decrypt(self, encrypt: str) -> bytes:
        """The message of an ``Encrypt`` value, after checking its padding, length and AppID."""
        try:
            sealed = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError):
            raise ProtocolError("Encrypt is not base64") from None
        if not sealed or len(sealed) % 16:
            raise ProtocolError("Encrypt is not a whole number of AES blocks")
        decryptor = self._cipher().decryptor()
        padded = decryptor.update(sealed) + decryptor.finalize()
        pad = padded[-1]
        if not 1 <= pad <= BLOCK or padded[-pad:] != bytes([pad]) * pad:
            raise ProtocolError("bad padding (not this account's key?)")
        plain = padded[:-pad]
        if len(plain) < RANDOM_BYTES + 4:
            raise ProtocolError("encrypted message too short")
        (length,) = struct.unpack(">I", plain[RANDOM_BYTES : RANDOM_BYTES + 4])
        start = RANDOM_BYTES + 4
        if start + length > len(plain):
            raise ProtocolError("encrypted message shorter than its length says")
        message, app_id = plain[start : start + length], plain[start + length :]
        if not hmac.compare_digest(app_id, self.app_id.encode()):
            raise ProtocolError("message encrypted for another AppID")
        return message

    # --- outgoing -------------------------------------------------------------------------------

    def encrypt(self, message: bytes, *, random_prefix: bytes | None = None) -> str:
        """``Encrypt`` for ``message`` (``random_prefix`` only for tests; fresh random bytes otherwise)."""
        prefix = os.urandom(RANDOM_BYTES) if random_prefix is None else random_prefix
        plain = prefix + struct.pack(">I", len(message)) + message + self.app_id.encode()
        pad = BLOCK - len(plain) % BLOCK
        encryptor = self._cipher().encryptor()
        sealed = encryptor.update(plain + bytes([pad]) * pad) + encryptor.finalize()
        return base64.b64encode(sealed).decode()

    def seal(self, reply_xml: str, *, nonce: str, timestamp: str | None = None) -> str:
        """The passive reply ``reply_xml`` in its envelope, signed."""
        timestamp = timestamp or str(int(time.time()))
        encrypt = self.encrypt(reply_xml.encode())
        signature = msg_signature(self.token, timestamp, nonce, encrypt)
        return (
            f"<xml><Encrypt>{cdata(encrypt)}</Encrypt><MsgSignature>{cdata(signature)}</MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>"
        )
