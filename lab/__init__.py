"""Real BGP routers for Peerkeeper's tests and demo: FRR, BIRD and sshd in network
namespaces. See lab/README.md."""

from lab.errors import LabError
from lab.instance import Lab
from lab.router import Router

__all__ = ["Lab", "LabError", "Router"]
