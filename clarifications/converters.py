from django.urls import register_converter


class UnicodeSlugConverter:
    """A path segment shaped like a Unicode slug (letters of any script, digits, ``-`` and ``_``).

    Django's ``slug`` converter is ASCII-only, and Topic slugs may be Chinese; ``str`` would pass
    anything, down to a NUL byte that PostgreSQL refuses with an error. Every slug that
    ``slugify(allow_unicode=True)`` or a ``SlugField(allow_unicode=True)`` accepts matches.
    """

    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


# Registered on import, so that every URLconf that imports this module can use <uslug:...>.
register_converter(UnicodeSlugConverter, "uslug")
