"""graduate pages of the job board."""

urlpatterns = []
