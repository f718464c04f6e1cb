from django.contrib.auth import get_user_model

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.views import APIView


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


class TokenView(ObtainAuthToken):
    """Exchange a mobile number (or e-mail) and password for an API token."""
