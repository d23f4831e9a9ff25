from django.apps import AppConfig


class PeeringConfig(AppConfig):
    name = "peering"

    def ready(self) -> None:
        from peering import retired_passwords  # noqa: F401 - connects its signals
