"""The one table the shared helpers keep: rate-limit windows when there is no Redis (``ratelimit.py``)."""

from django.db import models


class RateLimitCounter(models.Model):
    """One fixed window of a rate limit for one client, shared by every worker (see ``ratelimit.py``)."""

    key = models.CharField(max_length=150, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.count}"
