from django.urls import path

from tools import views

urlpatterns = [
    path("tools/<slug:slug>/vote/", views.tool_vote, name="tool-vote"),
    path("community/mine.json", views.reader_votes_json, name="community-mine"),
]
