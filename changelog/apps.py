from django.apps import AppConfig


class ChangelogConfig(AppConfig):
    name = "changelog"
    verbose_name = "Change log"

    def ready(self) -> None:
        from changelog import commands, entries, registry

        registry.register_inventory()
        entries.connect()
        commands.record_commands()
