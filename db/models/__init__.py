"""All tables of the hotline; importing this module registers them on `Base.metadata`."""

from db.models.acw import AcwDeadline
from db.models.base import Base, utcnow
from db.models.calls import Call, Callback, CallLeg
from db.models.cases import Case, CaseChange
from db.models.intake import ApiSource, Declaration
from db.models.logs import AgentStatusLog, AuditLog
from db.models.monitoring import CheckIn, Episode
from db.models.people import PHONE_STATUSES, ROLES, Agency, Agent, agency_topic
from db.models.reference import AdminUnit, AdminUnitFormer
from db.models.referrals import Referral
from db.models.topics import CaseCounter, Tier, Topic

__all__ = [
    "PHONE_STATUSES",
    "ROLES",
    "AcwDeadline",
    "AdminUnit",
    "AdminUnitFormer",
    "Agency",
    "Agent",
    "AgentStatusLog",
    "ApiSource",
    "AuditLog",
    "Base",
    "Call",
    "CallLeg",
    "Callback",
    "Case",
    "CaseChange",
    "CaseCounter",
    "CheckIn",
    "Declaration",
    "Episode",
    "Referral",
    "Tier",
    "Topic",
    "agency_topic",
    "utcnow",
]
