from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from django.urls import path

from newsletter import views
from newsletter.webhooks import provider_webhook

app_name = "newsletter"

urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("check-inbox/", views.check_inbox, name="check-inbox"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<uuid:token>/", views.unsubscribe, name="unsubscribe"),
    path("preferences/<uuid:token>/", views.preferences, name="preferences"),
    path("issues/", views.issue_list, name="issue-list"),
    path("issues/<int:pk>/", views.issue_detail, name="issue-detail"),
    # Email providers' tracking events (bounces, complaints, unsubscribes),
    # authenticated by django-anymail; what they change is in webhooks.py.
    path(
        "webhooks/postmark/tracking/",
        provider_webhook(PostmarkTrackingWebhookView),
        name="webhook-postmark",
    ),
    path(
        "webhooks/mailgun/tracking/",
        provider_webhook(
            MailgunTrackingWebhookView, needs=("webhook_signing_key", "api_key")
        ),
        name="webhook-mailgun",
    ),
]
