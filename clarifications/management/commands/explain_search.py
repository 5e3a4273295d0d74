from django.core.management.base import BaseCommand

from clarifications import search
from clarifications.models import Clarification


class Command(BaseCommand):
    help = (
        "Rank the published clarifications against a text as the list page does, and print each result's score "
        "parts: the first stage's score, BM25F of the terms, the phrase bonus, the overlap factor, the claim's and the "
        "text's coverage, the words it shares with the text and the strength; then the results a page leaves out and "
        "why (too few shared words, beyond the cap on possibly related), and how the text was read (weights below 1, "
        "other forms). See docs/search.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("text", help="the words or the whole pasted message")
        parser.add_argument("--limit", type=int, default=10, help="how many results to print (default 10)")

    def handle(self, *args, text, limit, **options):
        published = Clarification.objects.published()
        ranking = search.rank(published, text, explain=True)
        hidden = list(ranking.hidden.items())[:limit]
        titles = dict(
            published.filter(pk__in=[*ranking.ids[:limit], *(pk for pk, _why in hidden)]).values_list("pk", "title")
        )
        for position, pk in enumerate(ranking.ids[:limit], start=1):
            self.stdout.write(f"{position:>3}. {self._explained(ranking, pk, ranking.strengths[pk].label)}")
            self.stdout.write(f"     {titles.get(pk, '')}")
        if ranking.hidden:
            self.stdout.write(f"left out ({len(ranking.hidden)}):")
            for pk, why in hidden:
                self.stdout.write(f"   - {self._explained(ranking, pk, why)}\n     {titles.get(pk, '')}")
        query = ranking.query
        weighed = ", ".join(f"{term} {weight:.2f}" for term, weight in query.weights) or "none"
        others = "; ".join(f"{' '.join(item.of)} -> {' '.join(item.terms)}" for item in query.alternatives) or "none"
        self.stdout.write(f"terms weighing less than 1: {weighed}")
        self.stdout.write(f"other forms asked: {others}")
        self.stdout.write(
            f"{len(ranking.ids)} results{'+' if ranking.capped else ''}, {min(limit, len(ranking.ids))} shown."
        )

    def _explained(self, ranking, pk, verdict):
        """One result's line: its strength (or why it is left out), the first stage and the score's parts."""
        parts = ranking.details.get(pk)
        line = f"#{pk} {verdict} | first stage {ranking.first_stage.get(pk, 0.0):.2f}"
        if parts:
            score = (parts.terms + parts.phrases) * parts.overlap
            line += (
                f" | score {score:.2f} = (terms {parts.terms:.2f} + phrases {parts.phrases:.2f})"
                f" x overlap {parts.overlap:.2f} | claim covered {parts.claim_coverage:.2f}"
                f" (what it says {parts.claim_said:.2f}),"
                f" text covered {parts.query_coverage:.2f}"
            )
        line += f" | words shared {ranking.words.get(pk, 0):g}"
        if parts:
            line += f": {' '.join(parts.matched)}"
        return line
