"""The desktop's windows: the login, and the agent window with its parts."""

from desktop.windows.agent import AgentWindow
from desktop.windows.login import LoginWindow

__all__ = ["AgentWindow", "LoginWindow"]
