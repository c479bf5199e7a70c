"""The site's URLs plus uploaded media, for browser tests.

Production serves media from its storage (a web server or a bucket); the
live test server serves the test's temporary MEDIA_ROOT with Django's own
static view, read at request time.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import re_path
from django.views.static import serve

from config.urls import urlpatterns as site_urlpatterns


def media(request: HttpRequest, path: str) -> HttpResponse:
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.+)$", media), *site_urlpatterns]
