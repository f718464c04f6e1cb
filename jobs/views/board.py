"""board pages of the job board."""

urlpatterns = []
