"""The keyed hash that is all we keep of a tip sender's network address (see config.clients.client_ip)."""

from django.utils.crypto import salted_hmac


def client_hash(address):
    """A keyed hash (HMAC with SECRET_KEY): equal for equal addresses, and no way back to the address."""
    return salted_hmac("piyao.tips.client", address, algorithm="sha256").hexdigest()
