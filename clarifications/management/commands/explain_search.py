from django.core.management.base import BaseCommand

from clarifications import search
from clarifications.models import Clarification


class Command(BaseCommand):
    help = (
        "Rank the published clarifications against a text as the list page does, and print each result's score "
        "parts: the first stage's score, BM25F of the terms, the phrase bonus, the overlap factor, the claim's and the "
        "text's coverage, and the strength; then how the text was read (weights below 1, other forms). See "
        "docs/search.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("text", help="the words or the whole pasted message")
        parser.add_argument("--limit", type=int, default=10, help="how many results to print (default 10)")

    def handle(self, *args, text, limit, **options):
        published = Clarification.objects.published()
        ranking = search.rank(published, text, explain=True)
        titles = dict(published.filter(pk__in=ranking.ids[:limit]).values_list("pk", "title"))
        for position, pk in enumerate(ranking.ids[:limit], start=1):
            parts = ranking.details.get(pk)
            first = ranking.first_stage.get(pk, 0.0)
            line = f"{position:>3}. #{pk} {ranking.strengths[pk].label} | first stage {first:.2f}"
            if parts:
                score = (parts.terms + parts.phrases) * parts.overlap
                line += (
                    f" | score {score:.2f} = (terms {parts.terms:.2f} + phrases {parts.phrases:.2f})"
                    f" x overlap {parts.overlap:.2f} | claim covered {parts.claim_coverage:.2f},"
                    f" text covered {parts.query_coverage:.2f}"
                )
            self.stdout.write(f"{line}\n     {titles.get(pk, '')}")
        query = ranking.query
        weighed = ", ".join(f"{term} {weight:.2f}" for term, weight in query.weights) or "none"
        others = "; ".join(f"{' '.join(item.of)} -> {' '.join(item.terms)}" for item in query.alternatives) or "none"
        self.stdout.write(f"terms weighing less than 1: {weighed}")
        self.stdout.write(f"other forms asked: {others}")
        self.stdout.write(f"{len(ranking.ids)} results{'+' if ranking.capped else ''}, {limit} shown.")
