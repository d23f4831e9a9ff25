from django.apps import AppConfig


class PeeringDBConfig(AppConfig):
    name = "peeringdb"
    verbose_name = "PeeringDB"
