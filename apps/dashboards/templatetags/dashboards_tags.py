from django import template

register = template.Library()

ORDER = ["S", "A", "B", "C", "D"]


@register.filter
def grade_shares(counts) -> list[tuple[str, int, float]]:
    """(grade, count, percent of the row) in grade order, for the stacked grade bar."""
    counts = {k: int(v) for k, v in (counts or {}).items()}
    total = sum(counts.values())
    if not total:
        return []
    keys = [g for g in ORDER if g in counts] + sorted(g for g in counts if g not in ORDER)
    return [(g, counts[g], round(100 * counts[g] / total, 2)) for g in keys]
