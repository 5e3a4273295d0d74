"""Who is submitting: the client's network address and the keyed hash that is all we keep of it."""

from django.conf import settings
from django.utils.crypto import salted_hmac


def client_address(request):
    """The client's address, from X-Forwarded-For only when the operator says proxies set it.

    With ``TRUSTED_PROXY_COUNT = n``, each of the n proxies appended the address it saw, so the
    n-th entry from the right is the one the outermost trusted proxy saw; anything left of it was
    written by the client and could be forged.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def client_hash(address):
    """A keyed hash (HMAC with SECRET_KEY): equal for equal addresses, and no way back to the address."""
    return salted_hmac("piyao.tips.client", address, algorithm="sha256").hexdigest()
