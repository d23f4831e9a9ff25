from django.apps import AppConfig


class PeeringConfig(AppConfig):
    name = "peering"
