"""The jobs an Internet exchange's API starts: discovery of its sessions, available peers."""


class InternetExchangeActions:
    """Mixed into InternetExchangeViewSet: one @action per job an IXP's page can start."""
