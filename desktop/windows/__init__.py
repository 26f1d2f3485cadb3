"""The desktop's windows: the login, the agent window with its parts, and the team lead's
window (lead*.py)."""

from desktop.windows.agent import AgentWindow
from desktop.windows.lead import LEAD_ROLES, LeadWindow
from desktop.windows.login import LoginWindow

__all__ = ["LEAD_ROLES", "AgentWindow", "LeadWindow", "LoginWindow"]
