from django.urls import path

from comparisons import views

urlpatterns = [
    path("compare/<slug:slug>/ask/", views.comparison_ask, name="comparison-ask"),
]
