"""The HTTP methods a view answers, said once at its top: ``@allowed_methods("GET", "POST")``.

- ``OPTIONS`` is answered with the ``Allow`` header and no body (as Django's class-based views do),
  never with the page: a form must not be sent to whoever merely asks what the URL accepts;
- any other method not listed gets ``405 Method Not Allowed`` with the same ``Allow`` header;
- ``HEAD`` is allowed wherever ``GET`` is.

The method is checked before CSRF: ``PUT`` on a form is a 405 (the URL does not take it), not a 403
(a missing token). To do that the decorator takes over the CSRF check of the view it wraps: the
wrapper is exempt from the middleware's check and the view inside is ``csrf_protect``-ed, unless the
view was itself ``csrf_exempt`` (a view that checks CSRF later, after its own size check).
"""

from functools import wraps

from django.http import HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_protect


def allowed_methods(*methods):
    allowed = {method.upper() for method in methods}
    if "GET" in allowed:
        allowed.add("HEAD")
    allow = ", ".join(sorted(allowed | {"OPTIONS"}))

    def decorator(view):
        inner = view if getattr(view, "csrf_exempt", False) else csrf_protect(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "OPTIONS":
                response = HttpResponse(headers={"Allow": allow})
                response["Content-Length"] = "0"
                return response
            if request.method not in allowed:
                response = HttpResponseNotAllowed(sorted(allowed | {"OPTIONS"}))
                response["Allow"] = allow
                return response
            return inner(request, *args, **kwargs)

        wrapper.csrf_exempt = True  # type: ignore[attr-defined]  # checked inside, after the method
        wrapper.allowed_methods = allow  # type: ignore[attr-defined]
        return wrapper

    return decorator
