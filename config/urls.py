from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

admin.site.site_header = "Verdicts editorial"
admin.site.site_title = "Verdicts editorial"
admin.site.index_title = "Newsroom"
# The newsroom home and the breadcrumbs lead everywhere; without the side
# menu every list has the width of the screen for its columns.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
    ),
    path("newsletter/", include("newsletter.urls")),
    path("", include("tools.urls")),
    path("", include("comparisons.urls")),
    path("", include("pages.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
