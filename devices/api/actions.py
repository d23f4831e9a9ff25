"""The jobs a router's API starts: ping, render, diff, deploy, poll."""


class RouterActions:
    """Mixed into RouterViewSet: one @action per job a router's page can start."""
