from django.urls import path

from reviewers import views

urlpatterns = [
    path("reviewers/", views.reviewer_list, name="reviewer-list"),
    path("reviewers/<slug:slug>/", views.reviewer_detail, name="reviewer-detail"),
    path("categories/", views.category_list, name="category-list"),
    path("categories/<slug:slug>/", views.category_detail, name="category-detail"),
]
