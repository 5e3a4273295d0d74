"""Full-text search over public clarifications.

This first version scans with ``icontains``; the ranked, indexed search replaces the inside of these
functions and keeps their signatures.
"""

from django.db.models import Q

from .models import Clarification


def search(queryset, query):
    """Narrow ``queryset`` to the clarifications matching every word of ``query``."""
    for word in query.split()[:10]:
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(claim__icontains=word) | Q(truth__icontains=word) | Q(body__icontains=word)
        )
    return queryset


def find_similar(text, limit=5):
    """The public clarifications most similar to a piece of text, best first (for tips and suggestions)."""
    return list(search(Clarification.objects.published(), text)[:limit])
