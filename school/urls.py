from school.views import assessment, attendance, certificate_issuing, student

app_name = "school"

urlpatterns = [
    *student.urlpatterns,
    *attendance.urlpatterns,
    *assessment.urlpatterns,
    *certificate_issuing.urlpatterns,
]
