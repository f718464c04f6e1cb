"""merchant pages of the job board."""

urlpatterns = []
