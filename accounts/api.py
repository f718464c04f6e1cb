from django.contrib.auth import get_user_model

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.personal_data import export_personal_data


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["id", "display_name", "phone", "email", "roles"]

    def get_roles(self, user) -> list[str]:
        return sorted(user.roles)


class MeView(APIView):
    """The signed-in account and its roles."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class MyDataView(APIView):
    """A copy of everything the school holds about the signed-in person (PIPL art. 45), by section
    (accounts, school, jobs) and kind of record; the same data as the "My data" page and download.
    Each call is logged."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, operation_id="me_data")
    def get(self, request):
        data = export_personal_data(user=request.user, actor=request.user, channel="api")
        return Response(data, headers={"Cache-Control": "no-store"})


class TokenView(ObtainAuthToken):
    """Exchange a mobile number (or e-mail) and password for an API token."""

    def finalize_response(self, request, response, *args, **kwargs):
        # Axes marks the request authenticate() was given, which here is DRF's wrapper; attributes set
        # on it do not reach Django's request, where AxesMiddleware looks for the mark to answer with
        # the lockout (accounts.lockout.lockout_response). Hand the mark over.
        if getattr(request, "axes_locked_out", False):
            request._request.axes_locked_out = True
            request._request.axes_credentials = getattr(request, "axes_credentials", None)
        return super().finalize_response(request, response, *args, **kwargs)
