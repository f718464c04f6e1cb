"""CSRF everywhere: a POST without the token is refused (403) at every address of the site, pages and
the session-authenticated API alike, except the few that are exempt by design (listed, with why)."""

from django.test import Client
from django.urls import reverse

from tests.security.test_permission_matrix import ACTORS, MATRIX, url_patterns, world  # noqa: F401

# Exempt on purpose; every other view must refuse a POST without the token.
EXEMPT = {
    # Mail apps unsubscribe with a one-click POST (RFC 8058) carrying no CSRF token; the token in the
    # address is the credential.
    "jobs:alert_unsubscribe": "RFC 8058 one-click unsubscribe",
    # Does nothing but answer a JSON 404 for an /api/ address no route matches, whatever the method.
    "api_not_found": "JSON 404 under /api/",
}
# Exempt from the middleware, but the view checks the token itself (after refusing an oversized upload
# unread): the first test shows it refuses.
CHECKS_ITSELF = {"certificates:verify"}


def _post_without_token(people, name, probe, actor):
    client = Client(enforce_csrf_checks=True)
    if actor != "anonymous":
        client.force_login(people.user(actor))
    return client.post(reverse(name, args=probe.args(people)), probe.data)


def test_every_address_refuses_a_post_without_the_csrf_token(world):  # noqa: F811
    refused_wrongly = []
    for name, probes in MATRIX.items():
        if name in EXEMPT:
            continue
        probe = probes[0]
        # Someone allowed there, signed in, so the API's session authentication is what is tested.
        actor = next((a for a in ACTORS if a in probe.allowed and a != "anonymous"), "student")
        response = _post_without_token(world, name, probe, actor)
        if response.status_code not in (403, 405):  # 405: takes no POST at all
            refused_wrongly.append(f"POST {name} as {actor}: {response.status_code}")
    assert not refused_wrongly, "These accept a POST without the CSRF token:\n" + "\n".join(refused_wrongly)


def test_the_session_api_says_why(world):  # noqa: F811
    response = _post_without_token(world, "api:enrolment-withdraw", MATRIX["api:enrolment-withdraw"][0], "student")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_only_the_listed_views_are_csrf_exempt():
    """A page's view marked csrf_exempt must be listed in EXEMPT or check the token itself (the API's
    views are exempt at Django's level because DRF checks CSRF itself for session sign-ins)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
                if pattern.namespace != "api" and not str(pattern.pattern).startswith("admin/"):
                    yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "csrf_exempt", False):
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    exempt = set(walk(get_resolver().url_patterns, None))
    assert exempt == set(EXEMPT) | CHECKS_ITSELF
